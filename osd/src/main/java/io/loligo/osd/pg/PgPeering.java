package io.loligo.osd.pg;

import io.loligo.maps.OsdMap;
import io.loligo.messages.Eversion;
import io.loligo.messages.MOSDPgInfo;
import io.loligo.messages.MOSDPgPull;
import io.loligo.messages.MOSDPgPush;
import io.loligo.messages.MOSDPgPushReply;
import io.loligo.messages.MOSDPgQuery;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.ObjectState;
import io.loligo.messages.OsdResult;
import io.loligo.messages.PgLogEntry;
import io.loligo.msg.Message;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peering and recovery of one PG (Ceph's PeeringState + recovery, reduced to its core). The primary
 * asks every member of the acting set for its info and log, then the up OSDs of every past interval
 * that may have accepted writes since the PG last went active ({@link PastIntervals}; none up: the
 * PG is down), waits until the monitors record it alive through the interval's start (up_thru),
 * picks the authority as Ceph's find_best_info does (none: incomplete), brings itself up to it (pulling the objects whose log entries differ, or
 * the whole PG by a hash-order scan when the logs do not overlap), then pushes every other member
 * what it misses the same way (log recovery or backfill) with the authoritative log, and only then
 * activates. A PG therefore serves ops only once all its acting members hold the same history:
 * simpler than Ceph's recovery while active, at the price of a PG being unavailable while it heals.
 *
 * <p>Not yet: recovery while active; throttling.
 */
final class PgPeering {
    private static final Logger log = LoggerFactory.getLogger(PgPeering.class);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    static final int PULL_CHUNK = 64;

    private final Pg pg;
    private int seq = -1;
    private final Map<Integer, MOSDPgInfo> infos = new HashMap<>();
    private final Set<Integer> pushing = new HashSet<>();
    /** Members of the probe set: the acting set plus the up OSDs of past intervals that may have gone rw. */
    private final Set<Integer> probe = new TreeSet<>();
    private boolean priorBuilt;
    private boolean fetchingHistory;
    private boolean waitingUpThru;
    private Set<Integer> blockedBy = Set.of();
    private boolean decided;

    PgPeering(Pg pg) {
        this.pg = pg;
    }

    void reset() {
        seq = -1;
        infos.clear();
        pushing.clear();
        probe.clear();
        priorBuilt = false;
        fetchingHistory = false;
        waitingUpThru = false;
        decided = false;
    }

    Set<Integer> blockedBy() {
        return blockedBy;
    }

    private boolean stale(int s) {
        return s != seq || s != pg.intervalSeq;
    }

    MOSDPgInfo localInfo() {
        PgLog l = pg.pglog;
        return new MOSDPgInfo(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), OsdResult.OK, l.lastUpdate(),
                l.tail(), l.lastEpochStarted(), l.entries(), l.backfilling() ? MOSDPgInfo.FLAG_INCOMPLETE : 0);
    }

    /**
     * Peering, step by step (Ceph's GetInfo → GetLog → WaitUpThru → Active): query the acting set;
     * from the newest last_epoch_started among their answers, build the past intervals and probe the
     * up OSDs of those that may have gone read-write (down when one has none up); once all answered,
     * make sure the monitors recorded us alive through the interval's start (asking if not); then
     * choose the authoritative log and recover.
     */
    void start(int intervalSeq) {
        seq = intervalSeq;
        infos.clear();
        infos.put(pg.host.whoami(), localInfo());
        decided = false;
        priorBuilt = false;
        blockedBy = Set.of();
        probe.clear();
        probe.addAll(pg.acting);
        for (int osd : probe) {
            if (osd != pg.host.whoami()) {
                query(osd, intervalSeq);
            }
        }
        maybeBuildPrior();
    }

    /** Within the interval, a new map: up_thru may have arrived, or a probed OSD may have gone down. */
    void mapChanged() {
        if (seq < 0 || decided) {
            return;
        }
        for (int osd : probe) {
            if (!pg.host.isUp(osd)) {
                pg.restartPeering("probed osd." + osd + " went down");
                return;
            }
        }
        if (waitingUpThru && pg.upThruOk()) {
            waitingUpThru = false;
            maybeDecide();
        }
    }

    private void query(int osd, int s) {
        MOSDPgQuery q = new MOSDPgQuery(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami());
        pg.host.callOsd(osd, q, CALL_TIMEOUT).whenComplete((reply, err) -> pg.host.onShard(pg.pgid, () -> {
            if (stale(s)) {
                return;
            }
            if (reply instanceof MOSDPgInfo info && (info.result() == OsdResult.OK || info.result() == OsdResult.ENOENT)) {
                infos.put(osd, info);
                maybeBuildPrior();
                maybeDecide();
            } else {
                log.debug("{} query to osd.{} failed ({}); retrying", pg.who(), osd, err != null ? err.toString() : reply);
                retry(s, () -> query(osd, s));
            }
        }));
    }

    /** The newest last_epoch_started among the complete copies that answered. */
    private long maxLastEpochStarted() {
        long les = 0;
        for (MOSDPgInfo i : infos.values()) {
            if (i.result() == OsdResult.OK && !i.incomplete()) {
                les = Math.max(les, i.lastEpochStarted());
            }
        }
        return les;
    }

    /** Once the acting set answered: past intervals since the newest last_epoch_started, and the prior set. */
    private void maybeBuildPrior() {
        if (priorBuilt || fetchingHistory || !infos.keySet().containsAll(pg.acting)) {
            return;
        }
        int s = seq;
        long from = Math.max(1, maxLastEpochStarted());
        long to = pg.epoch;
        fetchingHistory = true;
        pg.host.maps(from, to).whenComplete((maps, err) -> pg.host.onShard(pg.pgid, () -> {
            if (stale(s)) {
                return;
            }
            fetchingHistory = false;
            if (err != null) {
                log.warn("{} cannot get maps e{}..e{} for past intervals ({}); retrying", pg.who(), from, to, err.toString());
                retry(s, this::maybeBuildPrior);
                return;
            }
            onHistory(maps, s);
        }));
    }

    private void onHistory(List<OsdMap> maps, int s) {
        long les = maxLastEpochStarted();
        if (!maps.isEmpty() && maps.get(0).epoch() > Math.max(1, les)) {
            log.warn("{} monitors keep maps from e{} only; past intervals since e{} are partly unknown", pg.who(),
                    maps.get(0).epoch(), les);
        }
        List<PastIntervals.Interval> intervals = PastIntervals.build(pg.pgid, maps);
        PastIntervals.Prior prior = PastIntervals.prior(intervals, les, pg.acting, pg.host::isUp);
        if (prior.down()) {
            blockedBy = Set.copyOf(prior.blockedBy());
            log.info("{} past intervals since e{}: {}", pg.who(), les, intervals);
            pg.markDown(blockedBy);
            return;
        }
        priorBuilt = true;
        for (int osd : prior.probe()) {
            if (probe.add(osd) && osd != pg.host.whoami()) {
                query(osd, s);
            }
        }
        if (probe.size() > pg.acting.size()) {
            log.info("{} probing acting {} and past-interval members {}", pg.who(), pg.acting, probe);
        }
        maybeDecide();
    }

    private void maybeDecide() {
        if (decided || !priorBuilt || !infos.keySet().containsAll(probe)) {
            return;
        }
        if (!pg.upThruOk()) {
            if (!waitingUpThru) {
                log.info("{} waiting for up_thru >= e{} before going active", pg.who(), pg.intervalStart);
            }
            waitingUpThru = true;
            pg.host.requestUpThru(pg.intervalStart);
            return;
        }
        int auth = chooseAuthority();
        if (auth < 0) {
            pg.markIncomplete("no complete copy among the answers of " + probe + " (last_epoch_started "
                    + maxLastEpochStarted() + ")");
            return;
        }
        decided = true;
        if (auth == pg.host.whoami()) {
            recoverReplicas(seq);
        } else {
            log.info("{} authoritative log is on osd.{} (last_update {} > mine {}); recovering from it", pg.who(), auth,
                    infos.get(auth).lastUpdate(), pg.pglog.lastUpdate());
            recoverSelf(infos.get(auth), seq);
        }
    }

    /**
     * Ceph's find_best_info: among complete copies whose last update is at least that of every copy
     * that went active last (the newest last_epoch_started), the newest last update; ties go to
     * this OSD. -1 when there is none (the PG is incomplete).
     */
    private int chooseAuthority() {
        long les = maxLastEpochStarted();
        Eversion minAcceptable = null;
        for (MOSDPgInfo i : infos.values()) {
            if (i.result() == OsdResult.OK && !i.incomplete() && i.lastEpochStarted() >= les
                    && (minAcceptable == null || minAcceptable.isNewerThan(i.lastUpdate()))) {
                minAcceptable = i.lastUpdate();
            }
        }
        if (minAcceptable == null) {
            return -1;
        }
        int best = -1;
        for (MOSDPgInfo i : infos.values()) {
            if (i.result() != OsdResult.OK || i.incomplete() || minAcceptable.isNewerThan(i.lastUpdate())) {
                continue;
            }
            if (best < 0 || i.lastUpdate().isNewerThan(infos.get(best).lastUpdate())
                    || (i.fromOsd() == pg.host.whoami() && i.lastUpdate().equals(infos.get(best).lastUpdate()))) {
                best = i.fromOsd();
            }
        }
        return best;
    }

    /** Whether {@code member} holds everything up to {@code auth}'s log tail, so log-based recovery works. */
    static boolean overlaps(MOSDPgInfo member, MOSDPgInfo auth) {
        return member.result() == OsdResult.OK && !auth.logTail().isNewerThan(member.lastUpdate());
    }

    /** Objects of log entries present in one log and not the other (above both tails), in log order. */
    static List<ObjectRef> differing(MOSDPgInfo a, MOSDPgInfo b) {
        Eversion floor = a.logTail().isNewerThan(b.logTail()) ? a.logTail() : b.logTail();
        Set<Eversion> inA = new HashSet<>();
        a.log().forEach(e -> inA.add(e.version()));
        Set<Eversion> inB = new HashSet<>();
        b.log().forEach(e -> inB.add(e.version()));
        LinkedHashMap<ObjectRef, Boolean> out = new LinkedHashMap<>();
        for (PgLogEntry e : a.log()) {
            if (e.version().isNewerThan(floor) && !inB.contains(e.version())) {
                out.put(e.object(), true);
            }
        }
        for (PgLogEntry e : b.log()) {
            if (e.version().isNewerThan(floor) && !inA.contains(e.version())) {
                out.put(e.object(), true);
            }
        }
        return new ArrayList<>(out.keySet());
    }

    // ---- the primary catches up from the authority ----

    private void recoverSelf(MOSDPgInfo auth, int s) {
        MOSDPgInfo mine = localInfo();
        Runnable finish = () -> applyLocal(List.of(), false, auth, s, () -> {
            infos.put(pg.host.whoami(), localInfo());
            recoverReplicas(s);
        });
        if (overlaps(mine, auth)) {
            pullObjects(auth.fromOsd(), differing(mine, auth), 0, s, finish);
        } else {
            log.info("{} logs do not overlap (mine {} < tail {}); backfilling from osd.{}", pg.who(),
                    mine.lastUpdate(), auth.logTail(), auth.fromOsd());
            applyLocal(List.of(), true, null, s, () -> pullScan(auth.fromOsd(), Optional.empty(), s, finish));
        }
    }

    private void pullObjects(int from, List<ObjectRef> refs, int index, int s, Runnable done) {
        if (index >= refs.size()) {
            done.run();
            return;
        }
        List<ObjectRef> chunk = refs.subList(index, Math.min(refs.size(), index + PULL_CHUNK));
        MOSDPgPull pull = new MOSDPgPull(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), chunk, false,
                Optional.empty(), chunk.size());
        callThen(from, pull, s, reply -> {
            if (reply instanceof MOSDPgPush p && p.result() == OsdResult.OK) {
                applyLocal(p.objects(), false, null, s, () -> pullObjects(from, refs, index + chunk.size(), s, done));
            } else {
                retry(s, () -> pullObjects(from, refs, index, s, done));
            }
        });
    }

    private void pullScan(int from, Optional<ObjectRef> after, int s, Runnable done) {
        MOSDPgPull pull = new MOSDPgPull(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), List.of(), true,
                after, PgObjects.PUSH_OBJECTS_MAX);
        callThen(from, pull, s, reply -> {
            if (reply instanceof MOSDPgPush p && p.result() == OsdResult.OK) {
                applyLocal(p.objects(), false, null, s, () -> {
                    if (p.done()) {
                        done.run();
                    } else {
                        pullScan(from, p.next(), s, done);
                    }
                });
            } else {
                retry(s, () -> pullScan(from, after, s, done));
            }
        });
    }

    /** Applies object states (and optionally a reset or the authority's log) locally, then runs {@code next} on the shard. */
    private void applyLocal(List<ObjectState> states, boolean reset, MOSDPgInfo logFrom, int s, Runnable next) {
        pg.lastCommit().whenComplete((x, e) -> pg.host.onShard(pg.pgid, () -> {
            if (stale(s)) {
                return;
            }
            Transaction txn = new Transaction();
            applyStates(states, reset, txn);
            if (logFrom != null) {
                pg.pglog.reset(logFrom.log(), logFrom.lastUpdate(), logFrom.logTail(), pg.coll, txn);
            }
            pg.commit(txn).whenComplete((y, err) -> {
                if (err != null) {
                    pg.host.fatal(pg.who() + " recovery commit failed", err);
                    return;
                }
                pg.host.onShard(pg.pgid, () -> {
                    if (!stale(s)) {
                        next.run();
                    }
                });
            });
        }));
    }

    private void applyStates(List<ObjectState> states, boolean reset, Transaction txn) {
        if (reset) {
            PgObjects.removeAll(pg.host.store(), pg.coll, txn);
            pg.pglog.setBackfilling(pg.coll, txn);   // partial until the log arrives: never an authority
            pg.objects = 0;
            pg.bytes = 0;
        }
        LinkedHashMap<ObjectRef, ObjectState> last = new LinkedHashMap<>();
        states.forEach(st -> last.put(st.ref(), st));
        for (ObjectState st : last.values()) {
            if (!pg.holds(st.ref().hash()) || !pg.inCollection(PgObjects.oid(pg.coll, st.ref()))) {
                continue;   // moved to another PG by a split: never write outside our collection
            }
            ObjectId oid = PgObjects.oid(pg.coll, st.ref());
            boolean existed = !reset && pg.host.store().exists(pg.coll, oid);
            long oldSize = existed ? pg.host.store().stat(pg.coll, oid).size() : 0;
            PgObjects.apply(pg.host.store(), pg.coll, st, txn, reset);
            pg.objects += (st.exists() ? 1 : 0) - (existed ? 1 : 0);
            pg.bytes += (st.exists() ? st.data().length : 0) - oldSize;
        }
    }

    // ---- the primary brings the replicas up to itself ----

    private void recoverReplicas(int s) {
        MOSDPgInfo me = localInfo();
        pushing.clear();
        for (int osd : pg.acting) {
            if (osd != pg.host.whoami()) {
                pushing.add(osd);
            }
        }
        if (pushing.isEmpty()) {
            pg.activate();
            return;
        }
        for (int osd : new ArrayList<>(pushing)) {
            MOSDPgInfo info = infos.get(osd);
            Runnable done = () -> {
                pushing.remove(osd);
                if (pushing.isEmpty() && !stale(s)) {
                    pg.activate();
                }
            };
            if (overlaps(info, me)) {
                List<ObjectRef> refs = differing(info, me);
                if (!refs.isEmpty() || !info.lastUpdate().equals(me.lastUpdate())) {
                    log.info("{} recovering osd.{}: {} objects from the log", pg.who(), osd, refs.size());
                }
                pushObjects(osd, refs, 0, s, done);
            } else {
                log.info("{} backfilling osd.{} (its last_update {} < my log tail {})", pg.who(), osd,
                        info.lastUpdate(), me.logTail());
                pushScan(osd, Optional.empty(), true, s, done);
            }
        }
    }

    private void pushObjects(int to, List<ObjectRef> refs, int index, int s, Runnable done) {
        List<ObjectRef> chunk = refs.subList(Math.min(index, refs.size()), Math.min(refs.size(), index + PULL_CHUNK));
        boolean last = index + chunk.size() >= refs.size();
        List<ObjectState> states = new ArrayList<>();
        for (ObjectRef r : chunk) {
            states.add(PgObjects.read(pg.host.store(), pg.coll, r));
        }
        push(to, states, last ? MOSDPgPush.FLAG_LOG | MOSDPgPush.FLAG_ACTIVATE : 0, s, () -> {
            if (last) {
                done.run();
            } else {
                pushObjects(to, refs, index + chunk.size(), s, done);
            }
        });
    }

    private void pushScan(int to, Optional<ObjectRef> after, boolean first, int s, Runnable done) {
        PgObjects.Scan scan = PgObjects.scan(pg.host.store(), pg.coll, after, PgObjects.PUSH_OBJECTS_MAX);
        int flags = (first ? MOSDPgPush.FLAG_RESET : 0)
                | (scan.done() ? MOSDPgPush.FLAG_LOG | MOSDPgPush.FLAG_ACTIVATE : 0);
        push(to, scan.objects(), flags, s, () -> {
            if (scan.done()) {
                done.run();
            } else {
                pushScan(to, scan.next(), false, s, done);
            }
        });
    }

    private void push(int to, List<ObjectState> states, int flags, int s, Runnable next) {
        PgLog l = pg.pglog;
        boolean withLog = (flags & MOSDPgPush.FLAG_LOG) != 0;
        MOSDPgPush m = new MOSDPgPush(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), OsdResult.OK, states,
                flags, withLog ? l.entries() : List.of(), l.lastUpdate(), l.tail(), Optional.empty(), true);
        callThen(to, m, s, reply -> {
            if (reply instanceof MOSDPgPushReply r && r.result() == OsdResult.OK) {
                next.run();
            } else {
                retry(s, () -> push(to, states, flags, s, next));
            }
        });
    }

    private void callThen(int osd, Message request, int s, Consumer<Message> then) {
        pg.host.callOsd(osd, request, CALL_TIMEOUT).whenComplete((reply, err) -> pg.host.onShard(pg.pgid, () -> {
            if (!stale(s)) {
                then.accept(err != null ? null : reply);
            }
        }));
    }

    private void retry(int s, Runnable again) {
        pg.host.onShardLater(pg.pgid, Pg.RETRY_DELAY, () -> {
            if (!stale(s)) {
                again.run();
            }
        });
    }

    // ---- any member: answering the primary ----

    void handleQuery(MOSDPgQuery m, CompletableFuture<Message> reply) {
        pg.lastCommit().whenComplete((x, e) -> pg.host.onShard(pg.pgid, () -> reply.complete(localInfo())));
    }

    void handlePull(MOSDPgPull m, CompletableFuture<Message> reply) {
        pg.lastCommit().whenComplete((x, e) -> pg.host.onShard(pg.pgid, () -> {
            PgLog l = pg.pglog;
            if (m.scan()) {
                PgObjects.Scan scan = PgObjects.scan(pg.host.store(), pg.coll, m.after(), m.maxObjects());
                reply.complete(new MOSDPgPush(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), OsdResult.OK,
                        scan.objects(), 0, List.of(), l.lastUpdate(), l.tail(), scan.next(), scan.done()));
                return;
            }
            List<ObjectState> states = new ArrayList<>();
            for (ObjectRef r : m.objects()) {
                states.add(PgObjects.read(pg.host.store(), pg.coll, r));
            }
            reply.complete(new MOSDPgPush(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), OsdResult.OK,
                    states, 0, List.of(), l.lastUpdate(), l.tail(), Optional.empty(), true));
        }));
    }

    void handlePush(MOSDPgPush m, CompletableFuture<Message> reply) {
        if (m.fromOsd() != pg.primary) {
            reply.complete(new MOSDPgPushReply(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(),
                    OsdResult.EMISDIRECTED, "osd." + m.fromOsd() + " is not primary of pg " + pg.pgid + " at e" + pg.epoch));
            return;
        }
        pg.lastCommit().whenComplete((x, e) -> pg.host.onShard(pg.pgid, () -> {
            Transaction txn = new Transaction();
            applyStates(m.objects(), (m.flags() & MOSDPgPush.FLAG_RESET) != 0, txn);
            if ((m.flags() & MOSDPgPush.FLAG_LOG) != 0) {
                pg.pglog.reset(m.log(), m.lastUpdate(), m.logTail(), pg.coll, txn);
            }
            if ((m.flags() & MOSDPgPush.FLAG_ACTIVATE) != 0) {
                pg.pglog.setLastEpochStarted(m.mapEpoch(), pg.coll, txn);
            }
            pg.commit(txn).whenComplete((y, err) -> {
                if (err != null) {
                    pg.host.fatal(pg.who() + " push commit failed", err);
                    return;
                }
                reply.complete(new MOSDPgPushReply(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(),
                        OsdResult.OK, ""));
            });
        }));
    }
}
