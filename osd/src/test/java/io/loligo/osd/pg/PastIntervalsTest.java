package io.loligo.osd.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Past intervals and the prior set from real map sequences (3 OSDs, one PG of a size-3 pool):
 * which intervals may have gone read-write (up_thru), and when peering must wait for an OSD.
 */
class PastIntervalsTest {
    static final PgId PG = new PgId(1, 0);

    /** A map history built one epoch at a time. */
    static final class History {
        final List<OsdMap> maps = new ArrayList<>();

        History(int minSize) {
            CrushMap c = new CrushMap();
            c.tunables = Tunables.jewel();
            c.types.put(0, "osd");
            c.types.put(11, "root");
            Bucket root = new Bucket(-1, "default", 11, CrushConstants.BUCKET_STRAW2);
            for (int i = 0; i < 3; i++) {
                c.devices.put(i, new CrushMap.Device(i, "osd." + i, null));
                root.items.add(new Bucket.Item(i, 0x10000));
            }
            c.buckets.put(-1, root);
            Rule r = new Rule(0, "replicated_rule");
            r.steps.add(new Rule.Step(CrushConstants.RULE_TAKE, -1, 0));
            r.steps.add(new Rule.Step(CrushConstants.RULE_CHOOSE_FIRSTN, 0, 0));
            r.steps.add(new Rule.Step(CrushConstants.RULE_EMIT, 0, 0));
            c.rules.put(0, r);
            OsdMap m = OsdMap.genesis("f", 1, c);
            OsdMap.Incremental inc = m.newIncremental(2);
            inc.newMaxOsd = 3;
            inc.newPoolMax = 1;
            for (int i = 0; i < 3; i++) {
                inc.newOsds.put(i, OsdState.created(i, "u" + i).withUp("a" + i, "h", 2).withWeight(OsdState.WEIGHT_IN));
            }
            inc.newPools.put(1, new Pool(1, "p", Pool.TYPE_REPLICATED, 3, minSize, 0, 1, 1, 0, 2, List.of(), 0, 0, 2));
            maps.add(m);
            maps.add(m.apply(inc));
        }

        OsdMap last() {
            return maps.get(maps.size() - 1);
        }

        History change(java.util.function.BiConsumer<OsdMap, OsdMap.Incremental> edit) {
            OsdMap.Incremental inc = last().newIncremental(last().epoch());
            edit.accept(last(), inc);
            maps.add(last().apply(inc));
            return this;
        }

        History down(int osd) {
            return change((m, inc) -> inc.newOsds.put(osd, m.osd(osd).withDown(inc.epoch, 0)));
        }

        History up(int osd) {
            return change((m, inc) -> inc.newOsds.put(osd, m.osd(osd).withUp("a" + osd, "h", inc.epoch)));
        }

        /** The primary of the PG asks alive and the monitors record it (up_thru = the current epoch). */
        History alive() {
            int primary = last().placement().mapPg(last().pool(1), 0).actingPrimary();
            return change((m, inc) -> inc.newOsds.put(primary, m.osd(primary).withUpThru(m.epoch())));
        }

        List<OsdMap> since(long epoch) {
            return maps.stream().filter(m -> m.epoch() >= epoch).toList();
        }
    }

    @Test
    void anIntervalWhoseOnlyOsdIsDownMakesThePgDownOnlyIfItRecordedUpThru() {
        History h = new History(1).alive();   // e3: all three, active
        long les = h.last().epoch();
        int a = h.last().placement().mapPg(h.last().pool(1), 0).actingPrimary();
        int b = (a + 1) % 3;
        int c = (a + 2) % 3;
        h.down(b).down(c);   // A alone from here
        long aloneFrom = h.last().epoch();
        h.down(a).up(b).up(c);
        List<PastIntervals.Interval> withoutUpThru = PastIntervals.build(PG, h.since(les));
        assertThat(withoutUpThru).filteredOn(i -> i.acting().equals(List.of(a))).singleElement()
                .satisfies(i -> assertThat(i.maybeWentRw()).as("A never recorded alive: it cannot have written").isFalse());
        PastIntervals.Prior p = PastIntervals.prior(withoutUpThru, les, List.of(b, c), o -> o != a);
        assertThat(p.down()).isFalse();

        History h2 = new History(1).alive();
        h2.down(b).down(c).alive();   // A alone, and recorded alive: it may have accepted writes
        h2.down(a).up(b).up(c);
        List<PastIntervals.Interval> withUpThru = PastIntervals.build(PG, h2.since(les));
        assertThat(withUpThru).filteredOn(i -> i.acting().equals(List.of(a))).singleElement().satisfies(i -> {
            assertThat(i.maybeWentRw()).isTrue();
            assertThat(i.first()).isEqualTo(aloneFrom);
        });
        PastIntervals.Prior down = PastIntervals.prior(withUpThru, les, List.of(b, c), o -> o != a);
        assertThat(down.down()).isTrue();
        assertThat(down.blockedBy()).containsExactly(a);
        PastIntervals.Prior back = PastIntervals.prior(withUpThru, les, List.of(b, c), o -> true);
        assertThat(back.down()).isFalse();
        assertThat(back.probe()).containsExactlyInAnyOrder(a, b, c);
        PastIntervals.Prior later = PastIntervals.prior(withUpThru, h2.last().epoch(), List.of(b, c), o -> o != a);
        assertThat(later.down()).as("intervals before last_epoch_started do not matter").isFalse();
    }

    @Test
    void belowMinSizeNoIntervalGoesReadWrite() {
        History h = new History(2).alive();
        long les = h.last().epoch();
        int a = h.last().placement().mapPg(h.last().pool(1), 0).actingPrimary();
        h.down((a + 1) % 3).down((a + 2) % 3).alive().down(a).up((a + 1) % 3);
        List<PastIntervals.Interval> intervals = PastIntervals.build(PG, h.since(les));
        assertThat(intervals).filteredOn(i -> i.acting().equals(List.of(a))).singleElement()
                .satisfies(i -> assertThat(i.maybeWentRw()).as("1 OSD < min_size 2").isFalse());
        assertThat(PastIntervals.prior(intervals, les, List.of((a + 1) % 3), o -> o != a).down()).isFalse();
    }

    @Test
    void theFirstIntervalHoldsLastEpochStartedSoItCountsAsReadWrite() {
        History h = new History(1).alive();
        long les = h.last().epoch() + 1;   // maps fetched from inside the interval: its start is not seen
        h.change((m, inc) -> { }).change((m, inc) -> { });
        int a = h.last().placement().mapPg(h.last().pool(1), 0).actingPrimary();
        h.down(a);
        List<PastIntervals.Interval> intervals = PastIntervals.build(PG, h.since(les));
        assertThat(intervals.get(0).maybeWentRw()).isTrue();
        assertThat(intervals.get(0).acting()).hasSize(3);
        assertThat(PastIntervals.prior(intervals, les, List.of(), o -> false).blockedBy()).hasSize(3);
        assertThat(Set.copyOf(PastIntervals.prior(intervals, les, List.of(), o -> o != a).probe())).hasSize(2);
    }
}
