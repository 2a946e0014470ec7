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
import java.util.LinkedHashSet;
import java.util.TreeMap;
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
 * <p>Recovery of the replicas happens after activation, in {@link PgRecovery}; the primary itself
 * still catches up before activating (Ceph would activate and pull on demand, or use pg_temp).
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
                l.tail(), l.lastEpochStarted(), l.entries(), l.backfilling() ? MOSDPgInfo.FLAG_INCOMPLETE : 0, l.missing());
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
        } else if (askPgTemp(auth)) {
            int s = seq;   // the pg_temp map makes a new interval; if it never comes, backfill ourselves
            pg.host.onShardLater(pg.pgid, PG_TEMP_WAIT, () -> {
                if (!stale(s)) {
                    log.warn("{} no pg_temp map within {}; backfilling from osd.{} before going active", pg.who(),
                            PG_TEMP_WAIT, auth);
                    recoverSelf(infos.get(auth), s);
                }
            });
        } else {
            log.info("{} authoritative log is on osd.{} (last_update {} > mine {}); recovering from it", pg.who(), auth,
                    infos.get(auth).lastUpdate(), pg.pglog.lastUpdate());
            recoverSelf(infos.get(auth), seq);
        }
    }

    static final java.time.Duration PG_TEMP_WAIT = java.time.Duration.ofSeconds(15);

    /**
     * Ceph's choose_acting, reduced: when this primary would have to backfill itself before serving
     * (its log does not overlap the authority's), it asks the monitors for a pg_temp that makes the
     * authority primary and itself the last member, so the PG is served while it is backfilled as a
     * replica; the authority's PgRecovery clears the pg_temp once the PG is clean.
     */
    private boolean askPgTemp(int auth) {
        MOSDPgInfo mine = infos.get(pg.host.whoami());
        if (overlaps(mine, infos.get(auth)) && !mine.incomplete() || !pg.host.isUp(auth)) {
            return false;
        }
        List<Integer> want = new ArrayList<>(List.of(auth));
        for (int o : pg.acting) {
            if (o != auth && o != pg.host.whoami() && want.size() < pg.pool.size() - 1) {
                want.add(o);
            }
        }
        want.add(pg.host.whoami());
        log.info("{} would backfill itself from osd.{}: asking for pg_temp {} so the PG is served meanwhile", pg.who(),
                auth, want);
        pg.host.requestPgTemp(pg.pgid, want);
        return true;
    }

    /**
     * Ceph's find_best_info: among complete copies whose last update is at least that of every copy
     * that went active last (the newest last_epoch_started), the newest last update; ties go to
     * this OSD. Copies still missing objects (recovery was under way) are not candidates (Ceph would
     * take them and mark objects unfound). -1 when there is none (the PG is incomplete).
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
            if (i.result() != OsdResult.OK || i.incomplete() || !i.missing().isEmpty()
                    || minAcceptable.isNewerThan(i.lastUpdate())) {
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
        if (overlaps(mine, auth) && !mine.incomplete()) {
            LinkedHashSet<ObjectRef> refs = new LinkedHashSet<>(differing(mine, auth));
            refs.addAll(mine.missing());
            pullObjects(auth.fromOsd(), new ArrayList<>(refs), 0, s, finish);
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
                if (err != null && Pg.storeFull(err)) {
                    // Our own store cannot take what peering pulled: re-read the log, peer again later.
                    pg.host.onShard(pg.pgid, () -> pg.storeRefused("objects pulled for peering", err, () ->
                            pg.host.onShardLater(pg.pgid, Pg.CREATE_RETRY, () -> {
                                if (!stale(s)) {
                                    pg.restartPeering("the store had no room for what peering pulled");
                                }
                            })));
                    return;
                }
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
        for (ObjectState st : last.values()) {   // a whole snapshot family: drop the clones the sender trimmed
            ObjectId oid = PgObjects.oid(pg.coll, st.ref());
            if (!reset && SnapSet.isSnapdir(oid) && pg.holds(st.ref().hash()) && pg.inCollection(oid)) {
                pg.objects -= PgObjects.removeStaleFamily(pg.host.store(), pg.coll, SnapSet.headOf(oid), last.keySet(), txn);
            }
        }
    }

    // ---- the primary activates the replicas; PgRecovery brings them up to date while active ----

    /**
     * Sends every other member the authoritative log (Ceph's activate / MOSDPGLog): a member whose
     * log overlaps ours records the objects it lacks (the differing log entries and what it
     * already missed) and is recovered while the PG is active; the others are emptied and become
     * backfill targets. Once all have it durably, the PG goes active.
     */
    private void recoverReplicas(int s) {
        MOSDPgInfo me = localInfo();
        Map<Integer, List<ObjectRef>> missingBy = new TreeMap<>();
        Set<Integer> backfill = new TreeSet<>();
        pushing.clear();
        for (int osd : pg.acting) {
            if (osd != pg.host.whoami()) {
                pushing.add(osd);
            }
        }
        if (pushing.isEmpty()) {
            activate(s, missingBy, backfill);
            return;
        }
        for (int osd : new ArrayList<>(pushing)) {
            MOSDPgInfo info = infos.get(osd);
            int flags = MOSDPgPush.FLAG_LOG | MOSDPgPush.FLAG_ACTIVATE;
            List<ObjectRef> missing = List.of();
            if (overlaps(info, me) && !info.incomplete()) {
                LinkedHashSet<ObjectRef> refs = new LinkedHashSet<>(differing(info, me));
                refs.addAll(info.missing());
                missing = new ArrayList<>(refs);
                missingBy.put(osd, missing);
                if (!missing.isEmpty()) {
                    log.info("{} osd.{} misses {} objects (log recovery while active)", pg.who(), osd, missing.size());
                }
            } else {
                flags |= MOSDPgPush.FLAG_RESET;
                backfill.add(osd);
                log.info("{} osd.{} will be backfilled (its last_update {} < my log tail {})", pg.who(), osd,
                        info.lastUpdate(), me.logTail());
            }
            push(osd, List.of(), flags, missing, s, 0, () -> {
                pushing.remove(osd);
                if (pushing.isEmpty() && !stale(s)) {
                    activate(s, missingBy, backfill);
                }
            });
        }
    }

    /**
     * Every member holds the authoritative log: the PG goes active. The peers' infos (each with its
     * whole PG log) are dropped here: nothing reads them after the decision, and keeping them until
     * the next interval held every peer's log in the heap (osd.0 kept 628k log entries for its own
     * 384k after a restart with 100k objects; docs/osd.md "Memory").
     */
    private void activate(int s, Map<Integer, List<ObjectRef>> missingBy, Set<Integer> backfill) {
        infos.clear();
        pg.activate(s, missingBy, backfill);
    }

    /**
     * Sends the activation push; {@code refusals}: how often {@code to} refused it for space so far
     * (its store is full: retried after {@link PgRecovery#refusedBackoff}, not every 0.5 s).
     */
    private void push(int to, List<ObjectState> states, int flags, List<ObjectRef> missing, int s, int refusals,
                      Runnable next) {
        PgLog l = pg.pglog;
        boolean withLog = (flags & MOSDPgPush.FLAG_LOG) != 0;
        MOSDPgPush m = new MOSDPgPush(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), OsdResult.OK, states,
                flags, withLog ? l.entries() : List.of(), l.lastUpdate(), l.tail(), Optional.empty(), true, missing);
        callThen(to, m, s, reply -> {
            if (reply instanceof MOSDPgPushReply r && r.result() == OsdResult.OK) {
                next.run();
            } else if (reply instanceof MOSDPgPushReply r && r.result() == OsdResult.ENOSPC) {
                Duration backoff = PgRecovery.refusedBackoff(refusals + 1);
                log.warn("{} osd.{} refused the activation push: {}; retrying in {} ms", pg.who(), to, r.message(),
                        backoff.toMillis());
                pg.host.onShardLater(pg.pgid, backoff, () -> {
                    if (!stale(s)) {
                        push(to, states, flags, missing, s, refusals + 1, next);
                    }
                });
            } else {
                retry(s, () -> push(to, states, flags, missing, s, refusals, next));
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
        pg.lastCommit().whenComplete((x, e) -> pg.host.onShard(pg.pgid, () -> {
            if (!pg.deferWhileResyncing(() -> handleQuery(m, reply))) {
                reply.complete(localInfo());
            }
        }));
    }

    void handlePull(MOSDPgPull m, CompletableFuture<Message> reply) {
        pg.lastCommit().whenComplete((x, e) -> pg.host.onShard(pg.pgid, () -> {
            if (pg.deferWhileResyncing(() -> handlePull(m, reply))) {
                return;
            }
            PgLog l = pg.pglog;
            if (m.scan()) {
                PgObjects.Scan scan = PgObjects.scan(pg.host.store(), pg.coll, m.after(), m.maxObjects());
                reply.complete(new MOSDPgPush(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(), OsdResult.OK,
                        scan.objects(), 0, List.of(), l.lastUpdate(), l.tail(), scan.next(), scan.done()));
                return;
            }
            List<ObjectState> states = new ArrayList<>();
            for (ObjectRef r : m.objects()) {
                states.addAll(PgObjects.readFamily(pg.host.store(), pg.coll, r));   // with its snapshot clones
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
            if (pg.deferWhileResyncing(() -> handlePush(m, reply))) {
                return;
            }
            String full = refusesPush(m);
            if (full != null) {   // refused before anything changes: the primary retries later, backing off
                pushRefusals++;
                log.warn("{} refused a push of {} objects from osd.{}: {} (refusal {})", pg.who(), m.objects().size(),
                        m.fromOsd(), full, pushRefusals);
                reply.complete(new MOSDPgPushReply(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(),
                        OsdResult.ENOSPC, "osd." + pg.host.whoami() + " " + full + "; push refused, retry later"));
                return;
            }
            Transaction txn = new Transaction();
            boolean reset = (m.flags() & MOSDPgPush.FLAG_RESET) != 0;
            applyStates(m.objects(), reset, txn);
            if ((m.flags() & MOSDPgPush.FLAG_LOG) != 0) {
                pg.pglog.reset(m.log(), m.lastUpdate(), m.logTail(), pg.coll, txn);
            }
            if (reset) {
                pg.pglog.setBackfilling(pg.coll, txn);   // the log arrived first: objects follow by scan
            }
            if (!m.missing().isEmpty()) {
                pg.pglog.addMissing(m.missing(), pg.coll, txn);
            }
            if (!reset && !m.objects().isEmpty()) {
                List<ObjectRef> got = new ArrayList<>();
                m.objects().forEach(st -> got.add(st.ref()));
                pg.pglog.removeMissing(got, pg.coll, txn);
            }
            if ((m.flags() & MOSDPgPush.FLAG_BACKFILL_DONE) != 0) {
                pg.pglog.setBackfilling(false, pg.coll, txn);
            }
            if ((m.flags() & MOSDPgPush.FLAG_ACTIVATE) != 0) {
                pg.pglog.setLastEpochStarted(m.mapEpoch(), pg.coll, txn);
            }
            CompletableFuture<Void> injected = injectedStoreFull();
            (injected != null ? injected : pg.commit(txn)).whenComplete((y, err) -> {
                if (err != null && Pg.storeFull(err)) {
                    pg.host.onShard(pg.pgid, () -> pg.storeRefused("a push from osd." + m.fromOsd(), err, () ->
                            reply.complete(new MOSDPgPushReply(pg.pgid.pool(), pg.pgid.seed(), pg.epoch,
                                    pg.host.whoami(), OsdResult.ENOSPC, "osd." + pg.host.whoami() + " store full: "
                                    + Pg.cause(err).getMessage() + "; push refused, retry later"))));
                    return;
                }
                if (err != null) {
                    pg.host.fatal(pg.who() + " push commit failed", err);
                    return;
                }
                reply.complete(new MOSDPgPushReply(pg.pgid.pool(), pg.pgid.seed(), pg.epoch, pg.host.whoami(),
                        OsdResult.OK, ""));
            });
        }));
    }

    /**
     * Fault point {@code osd.push.store_full}: when it fires, the push's transaction is not submitted
     * and fails as the store fails one it refuses for space after the checks let it through (another
     * PG's writes took the room), so a test can reach that path; null (commit normally) otherwise.
     */
    private static CompletableFuture<Void> injectedStoreFull() {
        try {
            io.loligo.osd.objectstore.Faults.point("osd.push.store_full");
            return null;
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(new io.loligo.osd.objectstore.StoreFullException(e.getMessage()));
        }
    }

    /** Pushes this member refused for space (a test asserts the branch was hit through the log). */
    private long pushRefusals;

    /**
     * Why this OSD cannot take push {@code m} now, or null: its store's metadata space is below the
     * reserve (the store would refuse every transaction but pure deletes; a push also writes the PG's
     * meta object), or the push's data would take the store past its failsafe ratio. The map's
     * backfillfull flag keeps most pushes away; this covers the report's lag (an OSD just started, a
     * store that filled between reports).
     */
    private String refusesPush(MOSDPgPush m) {
        long bytes = 0;
        boolean writes = m.flags() != 0 || !m.missing().isEmpty();
        for (ObjectState st : m.objects()) {
            bytes += st.exists() ? st.data().length : 0;
            writes |= st.exists();
        }
        if (writes && pg.host.store().metadataSpaceLow()) {   // a push of deletions only still frees space
            return "store's file system is below its metadata reserve";
        }
        if (bytes > 0 && pg.host.failsafeFull(bytes)) {
            return "store would pass osd_failsafe_full_ratio with " + bytes + " more bytes";
        }
        return null;
    }
}
