package io.loligo.osd.pg;

import io.loligo.messages.MOSDPgPush;
import io.loligo.messages.MOSDPgPushReply;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.ObjectState;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery and backfill of an active PG, on its primary (Ceph's PrimaryLogPG recovery and
 * backfill, reduced). Peering leaves each member either with the authoritative log and a list of
 * objects it lacks (log recovery: the member recorded that list durably) or emptied with the log
 * (a backfill target). The PG is already active; this pushes the missing objects, then scans the
 * PG in hash order for each backfill target, in the background and throttled ({@link PgHost}:
 * osd_recovery_max_active pushes in flight per OSD, osd_max_backfills PGs backfilling per OSD,
 * osd_recovery_sleep between pushes, background priority on the shard).
 *
 * <p>Client ops that write an object some member still lacks (or whose backfill chunk is in flight)
 * wait for that object, whose recovery starts at once (Ceph's wait_for_degraded_object); ops on
 * other objects proceed. A backfill target receives every write's log entry, and its transaction
 * only for objects at or below its cursor (Ceph's last_backfill rule): objects above it will be
 * copied by the scan, in their state at that time. All on the PG's shard thread.
 */
final class PgRecovery {
    private static final Logger log = LoggerFactory.getLogger(PgRecovery.class);

    /** A backfill target's progress: {@code cursor} is the last object pushed (empty: none yet). */
    private static final class Backfill {
        Optional<ObjectRef> cursor = Optional.empty();
        /** While a chunk is in flight: its last object (empty: the chunk runs to the end of the PG). */
        Optional<ObjectRef> chunkEnd = Optional.empty();
        boolean inFlight;
    }

    /**
     * One backfill push: small, because it is read on the primary's shard and written in one
     * transaction on the target, ahead of client ops queued behind it (16 MiB chunks cost clients
     * tens of milliseconds each).
     */
    static final int BACKFILL_OBJECTS_MAX = 64;
    static final long BACKFILL_BYTES_MAX = 4L << 20;

    private final Pg pg;
    private int seq = -1;
    /** Per member: objects it lacks, in log order. */
    private final Map<Integer, LinkedHashSet<ObjectRef>> missing = new TreeMap<>();
    private final Map<Integer, Backfill> backfills = new TreeMap<>();
    private boolean backfillReserved;
    /** Objects with a recovery push in flight. */
    private final Set<ObjectRef> recovering = new HashSet<>();
    /** Client ops waiting for an object's recovery. */
    private final Map<ObjectRef, List<Pg.OpCtx>> waiting = new HashMap<>();
    private int active;
    /** Recovery slots (osd_recovery_max_active) held by pushes in flight; given back on reset. */
    private int slots;
    private boolean kickScheduled;
    /** When recovery last moved (started, or a push settled); a long wait is logged with its cause. */
    private long progressNanos = System.nanoTime();
    private long stallLoggedNanos;
    static final java.time.Duration STALL_LOG_AFTER = java.time.Duration.ofSeconds(15);

    PgRecovery(Pg pg) {
        this.pg = pg;
    }

    /** Records what to recover at activation (then {@link #kick} starts it): {@code missingByMember} and {@code backfillTargets}. */
    void start(int intervalSeq, Map<Integer, List<ObjectRef>> missingByMember, Set<Integer> backfillTargets) {
        seq = intervalSeq;
        missingByMember.forEach((osd, refs) -> {
            if (!refs.isEmpty()) {
                missing.put(osd, new LinkedHashSet<>(refs));
            }
        });
        backfillTargets.forEach(osd -> backfills.put(osd, new Backfill()));
        reportedIdle = idle();
        progressNanos = System.nanoTime();
        if (!idle()) {
            log.info("{} recovering: missing {} backfill {}", pg.who(), summary(), backfills.keySet());
        }
    }

    /** An interval change: forgets everything; returns the ops that waited here (the PG requeues them). */
    List<Pg.OpCtx> reset() {
        List<Pg.OpCtx> ops = new ArrayList<>();
        waiting.values().forEach(ops::addAll);
        waiting.clear();
        missing.clear();
        backfills.clear();
        recovering.clear();
        releaseBackfill();
        for (; slots > 0; slots--) {
            pg.host.endRecoveryOp();
        }
        seq = -1;
        active = 0;
        kickScheduled = false;   // a retry still pending belongs to the old interval: it will do nothing
        return ops;
    }

    boolean idle() {
        return missing.isEmpty() && backfills.isEmpty();
    }

    boolean recoveringObjects() {
        return !missing.isEmpty();
    }

    boolean backfilling() {
        return !backfills.isEmpty() && backfillReserved;
    }

    boolean backfillWait() {
        return !backfills.isEmpty() && !backfillReserved && !backfillTooFull();
    }

    /**
     * Whether {@code osd} is too full to take recovered or backfilled data (Ceph's backfill_toofull /
     * recovery_toofull): the map marks it backfillfull. Its pushes wait until the map says otherwise.
     */
    private boolean tooFull(int osd) {
        io.loligo.maps.OsdState st = pg.osdmap == null ? null : pg.osdmap.osd(osd);
        Long until = refusedUntilNanos.get(osd);
        return st != null && st.isBackfillFull() || until != null && System.nanoTime() - until < 0;
    }

    /**
     * Members whose store refused a push for space (ENOSPC: the map's full flags lag a report):
     * treated as too full until the time here, backing off on each refusal; forgotten on a push taken.
     */
    private final Map<Integer, Long> refusedUntilNanos = new HashMap<>();
    private final Map<Integer, Integer> refusals = new HashMap<>();
    static final java.time.Duration REFUSED_BACKOFF_MAX = java.time.Duration.ofSeconds(16);

    /** Wait after the {@code n}th refusal in a row (1+): 0.5 s doubling, at most {@link #REFUSED_BACKOFF_MAX}. */
    static java.time.Duration refusedBackoff(int n) {
        long ms = Pg.RETRY_DELAY.toMillis() << Math.min(n - 1, 10);
        return java.time.Duration.ofMillis(Math.min(ms, REFUSED_BACKOFF_MAX.toMillis()));
    }

    private void refused(int osd, MOSDPgPushReply r) {
        int n = refusals.merge(osd, 1, Integer::sum);
        java.time.Duration backoff = refusedBackoff(n);
        refusedUntilNanos.put(osd, System.nanoTime() + backoff.toNanos());
        log.warn("{} osd.{} refused a recovery push: {}; its pushes wait {} ms (refusal {} in a row)", pg.who(), osd,
                r.message(), backoff.toMillis(), n);
        pg.host.pgStateChanged(pg.pgid);
    }

    /** Every backfill target is too full (Ceph's backfill_toofull). */
    boolean backfillTooFull() {
        return !backfills.isEmpty() && backfills.keySet().stream().allMatch(this::tooFull);
    }

    /** A member that lacks objects is too full to take them (Ceph's recovery_toofull). */
    boolean recoveryTooFull() {
        return missing.keySet().stream().anyMatch(this::tooFull);
    }

    /**
     * A member logged a write without its data (past its failsafe ratio): the object is missing there,
     * recorded durably on that member; recover it like any missing object once the member has room.
     */
    void addMissing(int osd, ObjectRef ref) {
        if (seq < 0 || seq != pg.intervalSeq) {
            return;   // the next peering learns it from the member's own missing set
        }
        missing.computeIfAbsent(osd, k -> new LinkedHashSet<>()).add(ref);
        reportedIdle = false;
        pg.host.pgStateChanged(pg.pgid);
        pg.host.onShardBackground(pg.pgid, () -> {   // after the write that made it missing is acknowledged
            if (seq == pg.intervalSeq) {
                kick();
            }
        });
    }

    /**
     * Whether a delete of degraded {@code ref} may run now: no push of it is in flight and it is not in
     * a backfill chunk being copied (deleting must work on a full cluster; members that lack the object
     * take the delete as a log entry, and recovery later confirms the object is gone there).
     */
    boolean mayRemoveDegraded(ObjectRef ref) {
        if (recovering.contains(ref)) {
            return false;
        }
        for (Backfill b : backfills.values()) {
            if (b.inFlight && after(ref, b.cursor) && b.chunkEnd.map(end -> !after(ref, Optional.of(end))).orElse(true)) {
                return false;
            }
        }
        return true;
    }

    private String summary() {
        Map<Integer, Integer> n = new TreeMap<>();
        missing.forEach((osd, refs) -> n.put(osd, refs.size()));
        return n.toString();
    }

    /** Whether a write to {@code ref} must wait: a member lacks it, or its backfill chunk is in flight. */
    boolean degraded(ObjectRef ref) {
        for (LinkedHashSet<ObjectRef> refs : missing.values()) {
            if (refs.contains(ref)) {
                return true;
            }
        }
        for (Backfill b : backfills.values()) {
            if (b.inFlight && after(ref, b.cursor) && b.chunkEnd.map(end -> !after(ref, Optional.of(end))).orElse(true)) {
                return true;   // in the range being copied: a write now could race the push
            }
        }
        return false;
    }

    /** Whether {@code ref} sorts after {@code cursor} in hash order (everything does after an empty cursor). */
    private boolean after(ObjectRef ref, Optional<ObjectRef> cursor) {
        return cursor.isEmpty() || PgObjects.oid(pg.coll, ref).compareTo(PgObjects.oid(pg.coll, cursor.get())) > 0;
    }

    static boolean writes(Pg.OpCtx ctx) {
        return ctx.op().ops().stream().anyMatch(OsdOp::isWrite);
    }

    /** Parks a write to a degraded object and recovers that object first. */
    void waitFor(Pg.OpCtx ctx) {
        waiting.computeIfAbsent(ctx.ref(), k -> new ArrayList<>()).add(ctx);
        if (!recovering.contains(ctx.ref()) && !membersMissing(ctx.ref()).isEmpty()) {
            recoverObject(ctx.ref(), false);
        }
    }

    /** Whether backfill target {@code osd} gets only the log entry of a write to {@code ref} (above its cursor). */
    boolean beyondBackfill(int osd, ObjectRef ref) {
        Backfill b = backfills.get(osd);
        if (b == null) {
            return false;
        }
        return after(ref, b.cursor);
    }

    private List<Integer> membersMissing(ObjectRef ref) {
        List<Integer> out = new ArrayList<>();
        missing.forEach((osd, refs) -> {
            if (refs.contains(ref)) {
                out.add(osd);
            }
        });
        return out;
    }

    /** Starts as much work as the throttles allow; schedules itself again when they do not. */
    void kick() {
        if (seq < 0 || seq != pg.intervalSeq) {
            return;
        }
        while (true) {
            ObjectRef next = nextMissing();
            if (next == null || !pg.host.tryStartRecoveryOp()) {
                break;
            }
            recoverObject(next, true);
        }
        for (Map.Entry<Integer, Backfill> e : backfills.entrySet()) {
            if (e.getValue().inFlight || tooFull(e.getKey())) {
                continue;
            }
            if (!backfillReserved && !(backfillReserved = pg.host.tryReserveBackfill())) {
                break;
            }
            if (!pg.host.tryStartRecoveryOp()) {
                break;
            }
            if (!backfillChunk(e.getKey(), e.getValue())) {
                pg.host.endRecoveryOp();   // a write in the range is still replicating: next kick
            }
        }
        if (!idle()) {
            logIfStalled();
            if (!kickScheduled) {
                kickScheduled = true;   // throttled: look again shortly
                int s = seq;
                pg.host.onShardLater(pg.pgid, Pg.RETRY_DELAY, () -> {
                    if (s == seq) {   // only this interval's retry clears the flag (an older one may still fire)
                        kickScheduled = false;
                        kick();
                    }
                });
            }
        }
        finishIfIdle();
    }

    /**
     * Logs, at most every {@link #STALL_LOG_AFTER}, why recovery has not moved for that long: per
     * member what it lacks and what holds the first objects (a push in flight, a client write in
     * flight, the member too full), the slots held and each backfill's cursor.
     */
    private void logIfStalled() {
        long now = System.nanoTime();
        if (now - progressNanos < STALL_LOG_AFTER.toNanos() || now - stallLoggedNanos < STALL_LOG_AFTER.toNanos()) {
            return;
        }
        stallLoggedNanos = now;
        StringBuilder why = new StringBuilder();
        missing.forEach((osd, refs) -> {
            why.append(" osd.").append(osd).append(" lacks ").append(refs.size()).append(tooFull(osd) ? " (too full)" : "")
                    .append(':');
            refs.stream().limit(3).forEach(r -> why.append(' ').append(r.name()).append(recovering.contains(r)
                    ? "[push in flight]" : pg.writing(r::equals) ? "[write in flight]" : "[ready]"));
            why.append(';');
        });
        backfills.forEach((osd, b) -> why.append(" backfill osd.").append(osd).append(" after ")
                .append(b.cursor.map(ObjectRef::name).orElse("(start)")).append(b.inFlight ? " [chunk in flight]" : "")
                .append(tooFull(osd) ? " (too full)" : "").append(';'));
        log.warn("{} recovery has not moved for {} s:{} pushes in flight {}, recovery slots held {}, backfill reserved {}",
                pg.who(), (now - progressNanos) / 1_000_000_000L, why, active, slots, backfillReserved);
    }

    private ObjectRef nextMissing() {
        for (Map.Entry<Integer, LinkedHashSet<ObjectRef>> e : missing.entrySet()) {
            if (tooFull(e.getKey())) {
                continue;
            }
            for (ObjectRef r : e.getValue()) {
                if (!recovering.contains(r) && !pg.writing(r::equals)) {
                    return r;
                }
            }
        }
        return null;
    }

    /** Pushes {@code ref}'s state to every member that lacks it; {@code throttled}: holds a recovery op slot. */
    private void recoverObject(ObjectRef ref, boolean throttled) {
        if (pg.writing(ref::equals)) {
            // A member logged a write to it without the data, and our own commit of that write may not be
            // durable yet: reading now could push a state older than the write. Kick picks it up after.
            if (throttled) {
                pg.host.endRecoveryOp();
            }
            return;
        }
        List<ObjectState> states;
        try {
            states = PgObjects.readFamily(pg.host.store(), pg.coll, ref);   // with its snapshot clones
        } catch (io.loligo.osd.objectstore.ObjectNotFoundException e) {
            // The object changed between the family's reads (a commit landed in between): not an error,
            // the next kick reads it again (found by FullOsdTest after snapshots landed).
            log.debug("{} recovery read of {} raced a commit ({}); retrying", pg.who(), ref.name(), e.getMessage());
            if (throttled) {
                pg.host.endRecoveryOp();
            }
            return;
        }
        List<Integer> to = new ArrayList<>(membersMissing(ref));
        if (states.stream().anyMatch(ObjectState::exists)) {
            to.removeIf(this::tooFull);   // a deletion frees space: it goes to full members too
        }
        if (to.isEmpty()) {
            if (throttled) {
                pg.host.endRecoveryOp();
            }
            return;   // every member lacking it is too full: the next kick after the map changes
        }
        recovering.add(ref);
        active++;
        slots += throttled ? 1 : 0;
        int s = seq;
        Set<Integer> pending = new HashSet<>(to);
        for (int osd : to) {
            Runnable settled = () -> {
                pending.remove(osd);
                if (pending.isEmpty()) {
                    recovering.remove(ref);
                    opDone(throttled);
                    wake(List.of(ref));
                }
            };
            push(osd, states, 0, s, () -> {
                LinkedHashSet<ObjectRef> refs = missing.get(osd);
                if (refs != null) {
                    refs.remove(ref);
                    if (refs.isEmpty()) {
                        missing.remove(osd);
                    }
                }
                settled.run();
            }, settled);   // refused for space: still missing there, pushed again after the backoff
        }
    }

    /**
     * Pushes the next chunk to backfill target {@code osd}; false (nothing sent) when a write to an
     * object in the chunk's range is still replicating: that write went to the target as a log
     * entry only, and the scan might read the object before the write's local commit.
     */
    private boolean backfillChunk(int osd, Backfill b) {
        PgObjects.Scan scan = PgObjects.scan(pg.host.store(), pg.coll, b.cursor, BACKFILL_OBJECTS_MAX, BACKFILL_BYTES_MAX);
        Optional<ObjectRef> end = scan.done() ? Optional.empty() : scan.next();
        if (pg.writing(ref -> after(ref, b.cursor) && end.map(e -> !after(ref, Optional.of(e))).orElse(true))) {
            return false;
        }
        b.chunkEnd = end;
        b.inFlight = true;
        active++;
        slots++;
        int flags = scan.done() ? MOSDPgPush.FLAG_BACKFILL_DONE : 0;
        push(osd, scan.objects(), flags, seq, () -> {
            b.inFlight = false;
            if (scan.done()) {
                backfills.remove(osd);
                log.info("{} backfill of osd.{} done", pg.who(), osd);
                if (backfills.isEmpty()) {
                    releaseBackfill();
                }
            } else {
                b.cursor = scan.next();
            }
            opDone(true);
            wake(List.copyOf(waiting.keySet()));
        }, () -> {   // refused for space: the same chunk again after the backoff
            b.inFlight = false;
            b.chunkEnd = Optional.empty();
            opDone(true);
        });
        return true;
    }

    /** Pushes to {@code to}; {@code done} once it took them, {@code refusedForSpace} when its store is full (ENOSPC). */
    private void push(int to, List<ObjectState> states, int flags, int s, Runnable done, Runnable refusedForSpace) {
        PgLog l = pg.pglog;
        MOSDPgPush m = new MOSDPgPush(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), OsdResult.OK, states,
                flags, List.of(), l.lastUpdate(), l.tail(), Optional.empty(), true);
        pg.host.callOsd(to, m, PgPeering.CALL_TIMEOUT).whenComplete((reply, err) -> pg.host.onShard(pg.pgid, () -> {
            if (s != seq || s != pg.intervalSeq) {
                return;
            }
            if (reply instanceof MOSDPgPushReply r && r.result() == OsdResult.OK) {
                if (refusals.remove(to) != null) {
                    refusedUntilNanos.remove(to);
                    log.info("{} osd.{} takes recovery pushes again", pg.who(), to);
                }
                done.run();
            } else if (reply instanceof MOSDPgPushReply r && r.result() == OsdResult.ENOSPC) {
                refused(to, r);
                refusedForSpace.run();
            } else {
                log.debug("{} recovery push to osd.{} failed ({}); retrying", pg.who(), to, err != null ? err : reply);
                pg.host.onShardLater(pg.pgid, Pg.RETRY_DELAY, () -> {
                    if (s == seq && s == pg.intervalSeq) {
                        push(to, states, flags, s, done, refusedForSpace);
                    }
                });
            }
        }));
    }

    private void opDone(boolean throttled) {
        progressNanos = System.nanoTime();
        active--;
        if (throttled) {
            slots--;
            pg.host.endRecoveryOp();
        }
        int s = seq;
        java.time.Duration sleep = pg.host.recoverySleep();
        if (sleep.isZero()) {
            pg.host.onShardBackground(pg.pgid, () -> {
                if (s == seq) {
                    kick();
                }
            });
        } else {
            pg.host.onShardLater(pg.pgid, sleep, () -> pg.host.onShardBackground(pg.pgid, () -> {
                if (s == seq) {
                    kick();
                }
            }));
        }
        finishIfIdle();
    }

    private void wake(Iterable<ObjectRef> refs) {
        for (ObjectRef r : refs) {
            if (degraded(r)) {
                continue;
            }
            List<Pg.OpCtx> ops = waiting.remove(r);
            if (ops != null) {
                ops.forEach(pg::handleOp);
            }
        }
    }

    private void releaseBackfill() {
        if (backfillReserved) {
            backfillReserved = false;
            pg.host.releaseBackfill();
        }
    }

    private boolean reportedIdle;

    /** When this interval last asked the monitors to clear the pg_temp (0: not yet). */
    private long pgTempClearAskedNanos;
    private int pgTempClearSeq = -1;
    /** A clear the map does not show after this long is asked again (the request or its map was lost). */
    static final java.time.Duration PG_TEMP_CLEAR_RETRY = java.time.Duration.ofSeconds(5);

    /** Every OSD tick while active: asks again for a pg_temp clear the map still does not show. */
    void tick() {
        if (seq >= 0 && seq == pg.intervalSeq) {
            finishIfIdle();
        }
    }

    private void finishIfIdle() {
        if (idle() && active == 0 && seq >= 0 && pg.osdmap != null && pg.osdmap.pgTemp().containsKey(pg.pgid)
                && (pgTempClearSeq != seq || System.nanoTime() - pgTempClearAskedNanos > PG_TEMP_CLEAR_RETRY.toNanos())) {
            log.info("{} clean: clearing pg_temp {}{}", pg.who(), pg.osdmap.pgTemp().get(pg.pgid),
                    pgTempClearSeq == seq ? " (asked before; the map does not show it yet)" : "");
            pgTempClearSeq = seq;   // clean: the OSDs CRUSH chose can take over
            pgTempClearAskedNanos = System.nanoTime();
            pg.host.requestPgTemp(pg.pgid, List.of());
        }
        if (idle() && active == 0 && seq >= 0) {
            if (!reportedIdle) {
                reportedIdle = true;
                log.info("{} recovery complete", pg.who());
                pg.host.pgStateChanged(pg.pgid);
            }
        } else {
            reportedIdle = false;
        }
    }
}
