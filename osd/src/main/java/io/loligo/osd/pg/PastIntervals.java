package io.loligo.osd.pg;

import io.loligo.crush.CrushConstants;
import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * A PG's past intervals and the prior set peering must probe (Ceph's PastIntervals,
 * check_new_interval and PriorSet/build_prior, for replicated pools). Pure: computed from the OSD
 * maps of consecutive epochs.
 *
 * <p>An interval is a run of epochs with the same acting set, primary and pg_num. It <em>may have
 * gone read-write</em> only if its acting set reached min_size and its primary was recorded alive
 * through its first epoch ({@code up_thru >= first}, with {@code up_from <= first}): a primary goes
 * active only after the monitors record that, so an interval without it accepted no write. To
 * find every acknowledged write, peering asks at least one OSD of every interval that may have
 * gone read-write since the PG last went active; when all of one such interval's OSDs are down the
 * PG is <em>down</em> (writes may exist only there), and blocks until one of them returns.
 */
public final class PastIntervals {
    private PastIntervals() {}

    /** Epochs {@code first..last}: acting set, primary, and whether writes may have been accepted. */
    public record Interval(long first, long last, List<Integer> acting, int primary, boolean maybeWentRw) {}

    /** What peering must do: OSDs to query, and, when {@code down}, the down OSDs it needs back. */
    public record Prior(Set<Integer> probe, Set<Integer> blockedBy, boolean down) {}

    private record Mapping(List<Integer> acting, int primary, int pgNum, int minSize) {}

    /** The PG's acting set in {@code m} (its ancestor's before it split off); null when the pool did not exist. */
    private static Mapping mapping(OsdMap m, PgId pgid) {
        Pool pool = m.pool(pgid.pool());
        if (pool == null) {
            return null;
        }
        int seed = pgid.seed();
        while (seed >= pool.pgNum() && seed > 0) {
            seed -= Integer.highestOneBit(seed);
        }
        PgMapping pm = m.placement().mapPg(pool, seed);
        List<Integer> acting = new ArrayList<>();
        for (int o : pm.acting()) {
            if (o != CrushConstants.ITEM_NONE && o >= 0) {
                acting.add(o);
            }
        }
        return new Mapping(List.copyOf(acting), pm.actingPrimary(), pool.pgNum(), pool.minSize());
    }

    /**
     * The intervals that ended before the last map of {@code maps} (consecutive epochs, oldest
     * first), oldest first. The last map's own interval is the current one and is not included.
     */
    public static List<Interval> build(PgId pgid, List<OsdMap> maps) {
        List<Interval> out = new ArrayList<>();
        if (maps.isEmpty()) {
            return out;
        }
        OsdMap first = maps.get(0);
        Mapping cur = mapping(first, pgid);
        long start = first.epoch();
        OsdMap prev = first;
        for (int i = 1; i < maps.size(); i++) {
            OsdMap m = maps.get(i);
            io.loligo.common.Invariants.check(m.epoch() == prev.epoch() + 1, "pg %s: maps e%d then e%d are not consecutive",
                    pgid, prev.epoch(), m.epoch());
            Mapping next = mapping(m, pgid);
            if (!sameInterval(cur, next)) {
                if (cur != null) {
                    boolean rw = start == first.epoch() ? couldGoActive(cur) : maybeWentRw(cur, start, prev);
                    out.add(new Interval(start, prev.epoch(), cur.acting(), cur.primary(), rw));
                }
                start = m.epoch();
                cur = next;
            }
            prev = m;
        }
        return out;
    }

    private static boolean sameInterval(Mapping a, Mapping b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.acting().equals(b.acting()) && a.primary() == b.primary() && a.pgNum() == b.pgNum();
    }

    private static boolean couldGoActive(Mapping i) {
        return i.primary() >= 0 && !i.acting().isEmpty() && i.acting().size() >= i.minSize();
    }

    /**
     * Ceph's rule: enough OSDs, and the primary was recorded alive through the interval's start in
     * its last map. The first interval of {@link #build} may have started before the first map
     * (its real start is unknown), and holds the last_epoch_started the maps were fetched from:
     * the PG went active in it, so it counts as read-write whenever it could have.
     */
    private static boolean maybeWentRw(Mapping i, long first, OsdMap lastMap) {
        if (!couldGoActive(i)) {
            return false;
        }
        OsdState p = lastMap.osd(i.primary());
        return p != null && p.upThru() >= first && p.upFrom() <= first;
    }

    /**
     * The prior set: the current acting set plus the up OSDs of every interval that may have gone
     * read-write and ended at or after {@code lastEpochStarted} (writes before it are in the log of
     * whoever went active then). An interval with none of its OSDs up makes the PG down.
     */
    public static Prior prior(List<Interval> intervals, long lastEpochStarted, List<Integer> acting, IntPredicate isUp) {
        Set<Integer> probe = new TreeSet<>(acting);
        Set<Integer> blocked = new TreeSet<>();
        boolean down = false;
        for (Interval i : intervals) {
            if (!i.maybeWentRw() || i.last() < lastEpochStarted) {
                continue;
            }
            boolean anyUp = false;
            for (int osd : i.acting()) {
                if (isUp.test(osd)) {
                    probe.add(osd);
                    anyUp = true;
                }
            }
            if (!anyUp) {
                down = true;
                blocked.addAll(i.acting());
            }
        }
        return new Prior(probe, blocked, down);
    }
}
