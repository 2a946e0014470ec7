package io.loligo.osd.pg;

import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.messages.Eversion;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.MOSDPgPull;
import io.loligo.messages.MOSDPgPush;
import io.loligo.messages.MOSDPgQuery;
import io.loligo.messages.MOSDRepOp;
import io.loligo.messages.MOSDRepOpReply;
import io.loligo.msg.EncodedMessage;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.PgLogEntry;
import io.loligo.messages.ReqId;
import io.loligo.messages.SubOpResult;
import io.loligo.msg.Message;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.Faults;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.Transaction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One placement group on this OSD (Ceph's PG + PrimaryLogPG, much reduced). Every method runs on
 * the PG's shard thread; completions from other threads come back through {@link PgHost#onShard},
 * except a write's acks (its own store commit and each replica's reply), which are counted where
 * they arrive so that only the last one hops to the shard.
 *
 * <p>As primary it orders the client's writes: each gets the next version, its log entry and change
 * go into one local transaction and, in parallel, to every other member of the acting set as an
 * {@link MOSDRepOp}; the client is answered only when every member has made it durable. Ops on an
 * object with a write in flight wait for it (so reads see acknowledged writes and appends see the
 * size before them). Resends are recognised by reqid in the log. An interval change (acting set or
 * primary changed) puts in-flight ops back in the queue; after peering they are answered from the
 * log, never applied twice. As a replica it applies what its primary sends.
 */
public final class Pg {
    private static final Logger log = LoggerFactory.getLogger(Pg.class);
    static final Duration REPOP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RETRY_DELAY = Duration.ofMillis(500);

    public enum Role { NONE, PRIMARY, REPLICA }

    enum State { INITIAL, PEERING, DOWN, INCOMPLETE, ACTIVE, REPLICA, STRAY }

    /** A client op waiting or running here; {@code deadlineNanos} bounds how long it may wait. */
    public record OpCtx(MOSDOp op, ObjectRef ref, CompletableFuture<MOSDOpReply> reply, long deadlineNanos) {}

    /** A write being replicated. */
    private static final class RepOp {
        final OpCtx ctx;
        final List<OpCtx> resends = new ArrayList<>();
        final PgLogEntry entry;
        final List<SubOpResult> results;
        /** What each replica applies; encoded into each replica's frame (no copy of its own). */
        final TxnCodec.Payload txn;
        /**
         * Members whose durable copy is still awaited. Acks are counted on the thread that learns of
         * them (the store's completion thread, the messenger's I/O thread): only the last one hops to
         * the shard, so a write wakes its shard twice (start, finish), not once per member.
         */
        final Set<Integer> waitingOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger remaining = new java.util.concurrent.atomic.AtomicInteger();
        /** Members that logged the entry without the data (past their failsafe ratio): recovered later. */
        final Set<Integer> missingOn = new HashSet<>();
        final int seq;

        RepOp(OpCtx ctx, PgLogEntry entry, List<SubOpResult> results, TxnCodec.Payload txn, int seq) {
            this.ctx = ctx;
            this.entry = entry;
            this.results = results;
            this.txn = txn;
            this.seq = seq;
        }
    }

    final PgId pgid;
    final CollectionId coll;
    final PgHost host;
    final PgLog pglog;
    Pool pool;
    OsdMap osdmap;
    long epoch;
    long intervalStart;
    List<Integer> acting = List.of();
    int primary = -1;
    State state = State.INITIAL;
    int intervalSeq;
    private CompletableFuture<Void> lastCommit = CompletableFuture.completedFuture(null);
    private final Deque<OpCtx> waiting = new ArrayDeque<>();
    private final Map<ObjectRef, Integer> writesInFlight = new HashMap<>();
    private final Map<ObjectRef, Deque<OpCtx>> objectWaiting = new HashMap<>();
    private final TreeMap<Eversion, RepOp> inFlight = new TreeMap<>();
    private final Map<ReqId, RepOp> inFlightByReqid = new HashMap<>();
    private final PgPeering peering;
    final PgRecovery recovery = new PgRecovery(this);
    final SnapTrimmer snapTrimmer = new SnapTrimmer(this);
    private static final TxnCodec.Payload EMPTY_TXN = new TxnCodec.Payload(new Transaction());
    /** Transactions carrying at least this much data are encoded once for all replicas ({@link EncodedMessage}). */
    static final long SHARED_ENCODING_BYTES_MIN = 64 << 10;
    private final io.loligo.osd.scrub.PgScrubber scrubber;
    long objects;
    long bytes;

    public Pg(PgId pgid, PgHost host, PgLog pglog, long objects, long bytes) {
        this.pgid = pgid;
        this.coll = new CollectionId(pgid.pool(), pgid.seed());
        this.host = host;
        this.pglog = pglog;
        this.objects = objects;
        this.bytes = bytes;
        this.peering = new PgPeering(this);
        this.scrubber = new io.loligo.osd.scrub.PgScrubber(this);
    }

    public PgId pgid() {
        return pgid;
    }

    public Role role() {
        return primary == host.whoami() ? Role.PRIMARY : acting.contains(host.whoami()) ? Role.REPLICA : Role.NONE;
    }

    String who() {
        return "osd." + host.whoami() + " e" + epoch + " pg " + pgid;
    }

    /** Ceph-style state name for reports ("active+clean", "peering", "active+undersized+degraded"). */
    public String stateName() {
        return switch (state) {
            case INITIAL -> "unknown";
            case PEERING -> "peering";
            case DOWN -> "down";
            case INCOMPLETE -> "incomplete";
            case REPLICA, STRAY -> "stray";
            case ACTIVE -> acting.size() < pool.minSize() ? "undersized+degraded+peered" : activeStateName();
        } + (state == State.ACTIVE ? scrubber.stateSuffix() : "");
    }

    /** Ceph's state words in Ceph's order (pg_state_string): active, clean, recovering, undersized, degraded, backfilling. */
    private String activeStateName() {
        boolean undersized = acting.size() < pool.size();
        StringBuilder b = new StringBuilder("active");
        if (!undersized && recovery.idle()) {
            b.append("+clean");
        }
        if (recovery.recoveringObjects()) {
            b.append("+recovering");
        }
        if (undersized) {
            b.append("+undersized");
        }
        if (undersized || !recovery.idle()) {
            b.append("+degraded");
        }
        if (remapped()) {
            b.append("+remapped");
        }
        if (recovery.backfillWait()) {
            b.append("+backfill_wait");
        }
        if (recovery.backfillTooFull()) {
            b.append("+backfill_toofull");
        }
        if (recovery.recoveryTooFull()) {
            b.append("+recovery_toofull");
        }
        if (recovery.backfilling()) {
            b.append("+backfilling");
        }
        return b.toString();
    }

    /**
     * Whether the acting set is not the one CRUSH chooses (a pg_temp holds it while a member is
     * backfilled): Ceph's remapped. The primary clears the pg_temp once the PG is clean.
     */
    boolean remapped() {
        if (osdmap == null || pool == null) {
            return false;
        }
        io.loligo.crush.placement.PgMapping m = osdmap.placement().mapPg(pool, pgid.seed());
        return !java.util.Arrays.equals(m.up(), m.acting());
    }

    public long objectCount() {
        return objects;
    }

    /** Logical bytes of the PG's objects (sum of sizes), as this OSD counts them. */
    public long byteCount() {
        return bytes;
    }

    // ---- maps and intervals ----

    /**
     * A split of this PG's collection after pg_num grew: {@code children} in ascending seed order
     * (grandchildren after their parents), and each child's first advanceMap, run on the child's
     * shard once the split transaction is submitted.
     */
    public record Split(Pg parent, List<Pg> children, Map<Pg, Runnable> childAdvances) {}

    /**
     * On this (ancestor) PG's shard, before it sees the new pg_num: moves the children's objects
     * out of this collection (the store changes hash bits only) and gives each child a log whose
     * last update and tail are this PG's last update, so members that disagree are backfilled.
     */
    public void split(Split plan) {
        Transaction txn = new Transaction();
        for (Pg child : plan.children()) {
            int seed = child.pgid.seed();
            CollectionId parentColl = new CollectionId(pgid.pool(), seed - Integer.highestOneBit(seed));
            txn.splitCollection(parentColl, 32 - Integer.numberOfLeadingZeros(seed), child.coll);
            child.pglog.reset(List.of(), pglog.lastUpdate(), pglog.lastUpdate(), child.coll, txn);
        }
        CompletableFuture<Void> done = commit(txn);
        log.info("{} split into {} children", who(), plan.children().size());
        for (Pg child : plan.children()) {
            child.lastCommit = done;
            Runnable advance = plan.childAdvances().get(child);
            if (advance != null) {
                host.onShard(child.pgid, advance);
            }
        }
    }

    /**
     * Creates this PG's collection if the store lacks it; peering waits for the commit (via
     * lastCommit). A store too full to take it (its file system below the metadata reserve) is not a
     * reason to stop: the OSD reports itself full and retries every {@link #CREATE_RETRY}.
     */
    public void createCollection(int bits) {
        if (host.store().collectionBits(coll).isEmpty()) {
            CompletableFuture<Void> created = new CompletableFuture<>();
            lastCommit = created;
            tryCreateCollection(bits, created, false);
        }
    }

    static final Duration CREATE_RETRY = Duration.ofSeconds(2);

    private void tryCreateCollection(int bits, CompletableFuture<Void> created, boolean refusedBefore) {
        host.store().commit(new Transaction().createCollection(coll, bits)).whenComplete((x, err) -> {
            if (err == null) {
                if (refusedBefore) {
                    log.info("{} collection {} created after the store had room again", who(), coll);
                    host.storeFull(false);
                }
                created.complete(null);
                return;
            }
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            if (!(cause instanceof io.loligo.osd.objectstore.StoreFullException)) {
                host.fatal(who() + " cannot create collection " + coll, err);
                return;
            }
            if (!refusedBefore) {
                log.warn("{} cannot create collection {}: {}; reporting the OSD full, retrying every {} s", who(), coll,
                        cause.getMessage(), CREATE_RETRY.toSeconds());
                host.storeFull(true);
            }
            host.onShardLater(pgid, CREATE_RETRY, () -> tryCreateCollection(bits, created, true));
        });
    }

    /** Whether the store's collection (with its current hash bits) contains {@code oid}. */
    boolean inCollection(ObjectId oid) {
        return host.store().collectionBits(coll).map(bits -> coll.contains(oid, bits)).orElse(false);
    }

    /** Whether the object with raw hash {@code hash} belongs to this PG at the pool's current pg_num. */
    boolean holds(int hash) {
        int pgNum = pool.pgNum();
        int mask = pgNum == 1 ? 0 : (Integer.highestOneBit(pgNum - 1) << 1) - 1;
        return io.loligo.crush.placement.Placement.stableMod(hash, pgNum, mask) == pgid.seed();
    }

    /** When down: the OSDs peering needs back (Ceph's blocked_by); empty otherwise. */
    public Set<Integer> blockedBy() {
        return state == State.DOWN ? peering.blockedBy() : Set.of();
    }

    /** Whether the monitors recorded this OSD alive through the interval's start (so it may go active). */
    boolean upThruOk() {
        OsdState me = osdmap == null ? null : osdmap.osd(host.whoami());
        return me != null && me.upThru() >= intervalStart;
    }

    /**
     * A new map: starts a new interval when the acting set, primary or pg_num changed. Within an
     * interval, a peering primary re-checks what it waits for (up_thru, down OSDs coming back).
     */
    public void advanceMap(OsdMap m, Pool newPool, List<Integer> newActing, int newPrimary) {
        boolean changed = !newActing.equals(acting) || newPrimary != primary || pool == null
                || pool.pgNum() != newPool.pgNum();
        boolean snapsRemoved = pool != null && !pool.snapshots().removed().equals(newPool.snapshots().removed());
        epoch = m.epoch();
        osdmap = m;
        pool = newPool;
        if (!changed && state != State.INITIAL) {
            if (state == State.DOWN || state == State.INCOMPLETE) {
                restartPeering("osd states changed while " + stateName());
            } else if (state == State.PEERING) {
                peering.mapChanged();
            }
            retryWaiting();
            if (snapsRemoved && state == State.ACTIVE) {
                snapTrimmer.kick();
            }
            return;
        }
        acting = List.copyOf(newActing);
        primary = newPrimary;
        intervalStart = m.epoch();
        intervalSeq++;
        scrubber.onNewInterval();
        waiting.addAll(recovery.reset());
        requeueInFlight();
        peering.reset();
        if (role() == Role.PRIMARY) {
            state = State.PEERING;
            log.info("{} new interval acting={} primary=osd.{}: peering", who(), acting, primary);
            startPeeringWhenCommitted();
        } else {
            state = role() == Role.REPLICA ? State.REPLICA : State.STRAY;
            misdirectAll();
        }
        host.pgStateChanged(pgid);
    }

    /** Starts peering again within the interval (after being down or incomplete, or a probed OSD went down). */
    void restartPeering(String why) {
        log.info("{} restarting peering: {}", who(), why);
        peering.reset();
        state = State.PEERING;
        host.pgStateChanged(pgid);
        startPeeringWhenCommitted();
    }

    /** Peering found an interval that may have accepted writes with none of its OSDs up. */
    void markDown(Set<Integer> needed) {
        state = State.DOWN;
        log.warn("{} is down: an interval that may have accepted writes has no OSD up; osds {} needed", who(), needed);
        host.pgStateChanged(pgid);
    }

    /** Peering found no complete copy among the OSDs that answered. */
    void markIncomplete(String why) {
        state = State.INCOMPLETE;
        log.warn("{} is incomplete: {}", who(), why);
        host.pgStateChanged(pgid);
    }

    private void startPeeringWhenCommitted() {
        // Store commits complete in submission order: the last one covers every client write of the old
        // interval and everything else (a split creating our collection).
        int s = intervalSeq;
        lastCommit.whenComplete((x, e) -> host.onShard(pgid, () -> {
            if (s == intervalSeq && state == State.PEERING) {
                peering.start(s);
            }
        }));
    }

    /** Peering finished: the acting set holds the authoritative history; serve ops. */
    void activate(int s, Map<Integer, List<ObjectRef>> missingBy, Set<Integer> backfillTargets) {
        recovery.start(s, missingBy, backfillTargets);   // first: the waiting ops re-run by activate() must see what is missing
        activate();
        recovery.kick();
    }

    void activate() {
        long[] counts = PgObjects.count(host.store(), coll);
        objects = counts[0];
        bytes = counts[1];
        Transaction txn = new Transaction();
        pglog.setLastEpochStarted(epoch, coll, txn);
        commit(txn);
        state = State.ACTIVE;
        log.info("{} active acting={} last_update={} objects={}", who(), acting, pglog.lastUpdate(), objects);
        host.pgStateChanged(pgid);
        retryWaiting();
        snapTrimmer.kick();
    }

    boolean isActive() {
        return state == State.ACTIVE;
    }

    private void requeueInFlight() {
        Deque<OpCtx> requeue = new ArrayDeque<>();
        for (RepOp r : inFlight.values()) {
            requeue.add(r.ctx);
            requeue.addAll(r.resends);
        }
        objectWaiting.values().forEach(requeue::addAll);
        requeue.addAll(waiting);
        inFlight.clear();
        inFlightByReqid.clear();
        writesInFlight.clear();
        objectWaiting.clear();
        waiting.clear();
        waiting.addAll(requeue);
    }

    private void misdirectAll() {
        while (!waiting.isEmpty()) {
            OpCtx ctx = waiting.poll();
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.EMISDIRECTED,
                    "osd." + host.whoami() + " is not primary of pg " + pgid + " at e" + epoch, epoch));
        }
    }

    /** Most client ops a PG holds while it cannot serve them (peering, below min_size); more get EAGAIN. */
    static final int WAITING_MAX = 4096;

    /**
     * Every OSD tick, on the shard: answers waiting ops whose deadline passed with EAGAIN; an active
     * primary's recovery re-asks a pg_temp clear the map does not show ({@link PgRecovery#tick}).
     */
    public void tick() {
        if (state == State.ACTIVE) {
            recovery.tick();
        }
        if (waiting.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        waiting.removeIf(ctx -> {
            if (now <= ctx.deadlineNanos()) {
                return false;
            }
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.EAGAIN,
                    "pg " + pgid + " is " + stateName() + "; op waited too long", epoch));
            return true;
        });
    }

    private void park(OpCtx ctx) {
        if (waiting.size() >= WAITING_MAX) {
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.EAGAIN,
                    "pg " + pgid + " is " + stateName() + " with " + WAITING_MAX + " ops waiting; retry later", epoch));
            return;
        }
        waiting.add(ctx);
    }

    /** Re-runs waiting ops (after activation or a map change); expired ones get EAGAIN. */
    public void retryWaiting() {
        if (state != State.ACTIVE && state != State.PEERING && state != State.DOWN && state != State.INCOMPLETE) {
            misdirectAll();
            return;
        }
        int n = waiting.size();
        for (int i = 0; i < n && !waiting.isEmpty(); i++) {
            handleOp(waiting.poll());
        }
    }

    // ---- primary: client ops ----

    public void handleOp(OpCtx ctx) {
        if (System.nanoTime() > ctx.deadlineNanos()) {
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.EAGAIN,
                    "pg " + pgid + " is " + stateName() + "; op waited too long", epoch));
            return;
        }
        if (state == State.REPLICA || state == State.STRAY || state == State.INITIAL) {
            waiting.add(ctx);
            misdirectAll();
            return;
        }
        if (state == State.PEERING || state == State.DOWN || state == State.INCOMPLETE || acting.size() < pool.minSize()) {
            park(ctx);   // no silent under-replicated writes: wait for peering or enough OSDs
            return;
        }
        if (!holds(ctx.ref().hash())) {
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.EMISDIRECTED, "object "
                    + ctx.ref().name() + " is not in pg " + pgid + " at pg_num " + pool.pgNum(), epoch));
            return;
        }
        // A resend of a write still in flight waits for it: its log entry is already indexed, but the
        // write is not yet durable on every member (answering from the log here acked writes a new
        // interval then rolled back as divergent: chaos slow-network seed 779100742675337919).
        RepOp running = inFlightByReqid.get(ctx.op().reqid());
        if (running != null) {
            running.resends.add(ctx);
            return;
        }
        PgLogEntry done = pglog.findReqid(ctx.op().reqid());
        if (done != null) {
            ctx.reply().complete(new MOSDOpReply(ctx.op().reqid(), done.result(), "", List.of(), done.version(),
                    epoch, true));
            return;
        }
        if (scrubber.blocksWrite(ctx)) {
            return;   // its object is being scrubbed or repaired: the scrubber re-runs it after
        }
        if (PgRecovery.writes(ctx) && recovery.degraded(ctx.ref())
                && !(removesObject(ctx.op()) && recovery.mayRemoveDegraded(ctx.ref()))) {
            recovery.waitFor(ctx);   // a member lacks the object: recover it first, then run the op
            return;
        }
        if (writesInFlight.containsKey(ctx.ref())) {
            objectWaiting.computeIfAbsent(ctx.ref(), k -> new ArrayDeque<>()).add(ctx);
            return;
        }
        execute(ctx);
    }

    private void execute(OpCtx ctx) {
        ObjectId oid = PgObjects.oid(coll, ctx.ref());
        if (!inCollection(oid)) {   // pg_num shrank (a merge): the store would refuse the write
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.EOPNOTSUPP, "pg " + pgid
                    + " does not hold " + ctx.ref().name() + ": pg_num decreases (PG merge) are not supported yet", epoch));
            return;
        }
        ObjectInfo before = OpExecutor.info(host.store(), coll, oid);
        boolean existed = host.store().exists(coll, oid);
        OpExecutor.SnapParams snap = snapParams(ctx.op());
        if (snap.readSnap() != MOSDOp.SNAP_HEAD && !pool.snapshots().snaps().containsKey(snap.readSnap())) {
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.ENOENT, "pool " + pool.name()
                    + " has no snap " + snap.readSnap() + " at e" + epoch, epoch));
            return;
        }
        boolean trim = SnapTrimmer.isTrim(ctx.op());
        OpExecutor.Outcome out = trim ? SnapTrimmer.outcome(host.store(), coll, oid, pool.snapshots().removed())
                : OpExecutor.execute(host.store(), coll, oid, ctx.op().ops(), snap);
        if (out.result() == OsdResult.EIO && scrubber.onReadError(ctx)) {
            return;   // our copy failed its checksum: the scrubber recovers it from a replica and re-runs the op
        }
        if (out.wrote() && scrubber.onDamagedUnderWrite(ctx, oid)) {
            return;   // the write must read a damaged block of our copy (the store would fail it): repaired first
        }
        if (!out.wrote()) {
            ctx.reply().complete(new MOSDOpReply(ctx.op().reqid(), out.result(), out.message(), out.results(),
                    before.version(), epoch, false));
            return;
        }
        String full = onlyRemoves(ctx.op()) ? null : fullMember(out.txn());
        if (full != null) {   // refused before anything is logged: the op applies nothing
            ctx.reply().complete(MOSDOpReply.error(ctx.op().reqid(), OsdResult.ENOSPC, full
                    + " is full (full_ratio " + osdmap.fullRatio() + "); delete objects or add capacity", epoch));
            return;
        }
        Eversion v = new Eversion(epoch, pglog.lastUpdate().version() + 1);
        long now = host.nowMillis();
        Transaction txn = out.txn();
        if (out.existsAfter() && !trim) {   // a trim changes only clones and the snap set
            txn.setAttr(coll, oid, ObjectInfo.ATTR, new ObjectInfo(v, now).encode());
        }
        PgLogEntry entry = new PgLogEntry(out.existsAfter() ? PgLogEntry.Op.MODIFY : PgLogEntry.Op.DELETE, ctx.ref(), v,
                before.version(), ctx.op().reqid(), now, OsdResult.OK);
        pglog.append(entry, coll, txn);
        objects += (trim ? 0 : (out.existsAfter() ? 1 : 0) - (existed ? 1 : 0)) + out.snapObjectsDelta();
        bytes += out.sizeAfter() - out.sizeBefore();
        RepOp rep = new RepOp(ctx, entry, out.results(), new TxnCodec.Payload(txn), intervalSeq);
        inFlight.put(v, rep);
        inFlightByReqid.put(ctx.op().reqid(), rep);
        writesInFlight.merge(ctx.ref(), 1, Integer::sum);
        rep.waitingOn.addAll(acting);
        rep.remaining.set(rep.waitingOn.size());
        commit(txn).whenComplete((x, err) -> onLocalCommit(rep, err));
        // A large transaction is encoded once and the same bytes go to every replica (retries re-encode).
        EncodedMessage shared = acting.size() > 1 && txn.dataBytes() >= SHARED_ENCODING_BYTES_MIN ? EncodedMessage.of(repOp(rep, rep.txn)) : null;
        try {
            for (int osd : acting) {
                if (osd != host.whoami()) {
                    boolean whole = !recovery.beyondBackfill(osd, rep.ctx.ref());
                    sendRepOp(rep, osd, shared != null && whole ? shared : repOp(rep, whole ? rep.txn : EMPTY_TXN));
                }
            }
        } finally {
            if (shared != null) {
                shared.release();
            }
        }
    }

    /**
     * The op's snap context and read snap; an op without a snap context on a pool with snapshots
     * gets the pool's from this OSD's map, so no writer can drop clones the snaps still need.
     */
    private OpExecutor.SnapParams snapParams(MOSDOp op) {
        if (op.snapSeq() == 0 && op.snapId() == MOSDOp.SNAP_HEAD) {
            io.loligo.maps.PoolSnaps ps = pool.snapshots();
            return ps.seq() == 0 ? OpExecutor.SnapParams.NONE
                    : new OpExecutor.SnapParams(ps.seq(), ps.liveIdsDescending(), MOSDOp.SNAP_HEAD);
        }
        return new OpExecutor.SnapParams(op.snapSeq(), op.snaps(), op.snapId());
    }

    /**
     * The acting member that makes a write adding data impossible ("osd.N"), or null: any member the
     * map marks full, or this OSD when its store is full (the map lags a fast writer by a report) or
     * the write alone would take it past its failsafe ratio.
     */
    private String fullMember(Transaction txn) {
        for (int osd : acting) {
            io.loligo.maps.OsdState st = osdmap.osd(osd);
            if (st != null && st.isFull()) {
                return "osd." + osd;
            }
        }
        return host.isFull(bytesAdded(txn)) ? "osd." + host.whoami() : null;
    }

    /** Data bytes a transaction writes (what it may allocate). */
    static long bytesAdded(Transaction txn) {
        long n = 0;
        for (Transaction.Op op : txn.ops()) {
            n += switch (op) {
                case Transaction.Write w -> w.data().length;
                case Transaction.WriteFull w -> w.data().length;
                case Transaction.Append a -> a.data().length;
                default -> 0;
            };
        }
        return n;
    }

    /**
     * Whether a replicated transaction only takes away from its objects (a replica past its failsafe
     * ratio still applies it). The PG meta object's ops (the primary's log entry, written again by
     * the replica) do not count: without that, every delete looked like a write and a failsafe-full
     * replica never freed space (found by the full-osd scenario).
     */
    static boolean onlyRemoves(Transaction txn, CollectionId coll) {
        ObjectId meta = PgLog.metaOid(coll);
        return txn.ops().stream().allMatch(op -> op instanceof Transaction.Remove || op instanceof Transaction.RmAttr
                || op instanceof Transaction.OmapRmKeys || op instanceof Transaction.OmapRmRange
                || op instanceof Transaction.OmapClear || op instanceof Transaction.Truncate
                || meta.equals(objectOf(op)));
    }

    private static ObjectId objectOf(Transaction.Op op) {
        return switch (op) {
            case Transaction.Touch o -> o.oid();
            case Transaction.SetAttr o -> o.oid();
            case Transaction.OmapSet o -> o.oid();
            case Transaction.OmapSetHeader o -> o.oid();
            default -> null;
        };
    }

    /** Whether the op deletes its object (and writes nothing else). */
    static boolean removesObject(MOSDOp op) {
        return op.ops().stream().anyMatch(o -> o instanceof OsdOp.Remove) && onlyRemoves(op);
    }

    /** Writes that only take away (so a full OSD still accepts them: deleting must free space). */
    static boolean onlyRemoves(MOSDOp op) {
        return SnapTrimmer.isTrim(op) || op.ops().stream().filter(OsdOp::isWrite).allMatch(o -> o instanceof OsdOp.Remove
                || o instanceof OsdOp.RmXattr || o instanceof OsdOp.OmapRmKeys || o instanceof OsdOp.OmapClear
                || o instanceof OsdOp.Truncate);
    }

    /** Commits {@code txn}; commits complete in submission order, so {@link #lastCommit} covers all before it. */
    public CompletableFuture<Void> commit(Transaction txn) {
        CompletableFuture<Void> f = host.store().commit(txn);
        lastCommit = f;
        return f;
    }

    /** Set while this PG's memory is re-read from the store after the store refused a transaction. */
    private boolean resyncing;
    private final List<Runnable> afterResync = new ArrayList<>();

    /** Whether {@code err} is the store refusing a transaction for space (it then applied none of it). */
    static boolean storeFull(Throwable err) {
        return cause(err) instanceof io.loligo.osd.objectstore.StoreFullException;
    }

    static Throwable cause(Throwable err) {
        Throwable c = err;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * On the shard: defers {@code again} (a message that reads or changes this PG's log) while its
     * memory is being re-read from the store; true when deferred.
     */
    boolean deferWhileResyncing(Runnable again) {
        if (resyncing) {
            afterResync.add(again);
        }
        return resyncing;
    }

    /**
     * On the shard: the store refused {@code what} for space. Nothing of it applied, but this PG's
     * log, missing set and counts had already been changed for it; once every transaction submitted
     * before has completed they are re-read from the store (messages that would use them wait), then
     * {@code then} runs. A refusal is the store being full, not a bug: the daemon keeps serving.
     */
    void storeRefused(String what, Throwable err, Runnable then) {
        log.warn("{} store refused {} ({}): nothing applied; re-reading the pg's log from the store", who(), what,
                cause(err).getMessage());
        afterResync.add(then);
        if (!resyncing) {
            resyncing = true;
            resyncWhenSettled();
        }
    }

    private void resyncWhenSettled() {
        CompletableFuture<Void> last = lastCommit;
        last.whenComplete((x, e) -> host.onShard(pgid, () -> {
            if (last != lastCommit) {
                resyncWhenSettled();   // something committed meanwhile (a delete): wait for it too
                return;
            }
            pglog.reloadFrom(host.store(), coll);
            long[] counts = PgObjects.count(host.store(), coll);
            objects = counts[0];
            bytes = counts[1];
            resyncing = false;
            log.info("{} pg state re-read from the store: last_update={} missing={}", who(), pglog.lastUpdate(),
                    pglog.missing().size());
            List<Runnable> again = new ArrayList<>(afterResync);
            afterResync.clear();
            again.forEach(Runnable::run);
        }));
    }

    /** Completes after every transaction submitted so far is durable. */
    public CompletableFuture<Void> lastCommit() {
        return lastCommit;
    }

    /** On the store's completion thread: our own copy of {@code rep} is durable. */
    private void onLocalCommit(RepOp rep, Throwable err) {
        if (err != null) {
            host.fatal(who() + " local commit of " + rep.entry.version() + " failed", err);
            return;
        }
        try {
            Faults.point("osd.replicate.after_local_commit");   // tests crash the primary here
        } catch (java.io.IOException e) {
            host.fatal(who() + " fault point osd.replicate.after_local_commit", e);
            return;
        }
        durableOn(rep, host.whoami());
    }

    private MOSDRepOp repOp(RepOp rep, TxnCodec.Payload txn) {
        return new MOSDRepOp(rep.ctx.op().reqid(), pgid.pool(), pgid.seed(), epoch, host.whoami(), rep.entry,
                txn, pglog.lastUpdate());
    }

    private void sendRepOp(RepOp rep, int osd) {
        // beyond the backfill position the scan copies the object later
        sendRepOp(rep, osd, repOp(rep, recovery.beyondBackfill(osd, rep.ctx.ref()) ? EMPTY_TXN : rep.txn));
    }

    /** Sends {@code m} (an {@link EncodedMessage} is held until the call completes) and handles the reply. */
    private void sendRepOp(RepOp rep, int osd, Message m) {
        EncodedMessage held = m instanceof EncodedMessage e ? e.retain() : null;
        host.callOsd(osd, m, REPOP_TIMEOUT).whenComplete((reply, err) -> {
            if (held != null) {
                held.release();
            }
            if (reply instanceof MOSDRepOpReply r && r.result() == OsdResult.OK) {
                durableOn(rep, osd);   // on the I/O thread: no shard hop unless it is the last ack
            } else {
                host.onShard(pgid, () -> repOpFailed(rep, osd, reply, err));
            }
        });
    }

    /** On the shard: a member did not take {@code rep} (full, refused, unreachable). */
    private void repOpFailed(RepOp rep, int osd, Message reply, Throwable err) {
        if (rep.seq != intervalSeq || inFlight.get(rep.entry.version()) != rep) {
            return;
        }
        if (reply instanceof MOSDRepOpReply r && r.result() == OsdResult.ENOSPC) {
            // Past its failsafe ratio the member logged the entry without the data and recorded the
            // object missing (durably): recovery copies it once the member has room again.
            log.warn("{} osd.{} is past its failsafe ratio: it logged {} without the data of {}; recovering it later",
                    who(), osd, rep.entry.version(), rep.ctx.ref().name());
            rep.missingOn.add(osd);
            recovery.addMissing(osd, rep.ctx.ref());
            durableOn(rep, osd);
            return;
        }
        log.debug("{} repop {} to osd.{} failed ({}); retrying", who(), rep.entry.version(), osd,
                err != null ? err.toString() : reply);
        host.onShardLater(pgid, RETRY_DELAY, () -> {
            if (rep.seq == intervalSeq && inFlight.get(rep.entry.version()) == rep) {
                sendRepOp(rep, osd);
            }
        });
    }

    /**
     * On any thread: {@code osd} holds {@code rep} durably (or logged it without the data, see
     * {@code missingOn}). Each member counts once, however often it answers; the last one finishes
     * the write on the shard.
     */
    private void durableOn(RepOp rep, int osd) {
        if (rep.waitingOn.remove(osd) && rep.remaining.decrementAndGet() == 0) {
            host.onShard(pgid, () -> allDurable(rep));
        }
    }

    /** On the shard: every acting member made {@code rep} durable; answers the client unless the interval moved on. */
    private void allDurable(RepOp rep) {
        if (rep.seq != intervalSeq || inFlight.get(rep.entry.version()) != rep) {
            return;   // requeued by a new interval: answered from the log after peering
        }
        if (acting.size() - rep.missingOn.size() < pool.minSize()) {
            // Fewer than min_size members hold the data: never acknowledged; the client times out and the op
            // stays in flight until the interval changes (see docs/osd.md, "Full OSDs").
            log.warn("{} {} is held: only {} members hold its data (min_size {})", who(), rep.entry.version(),
                    acting.size() - rep.missingOn.size(), pool.minSize());
            return;
        }
        inFlight.remove(rep.entry.version());
        inFlightByReqid.remove(rep.ctx.op().reqid());
        MOSDOpReply reply = new MOSDOpReply(rep.ctx.op().reqid(), OsdResult.OK, "", rep.results, rep.entry.version(),
                epoch, false);
        rep.ctx.reply().complete(reply);
        for (OpCtx again : rep.resends) {
            again.reply().complete(new MOSDOpReply(again.op().reqid(), OsdResult.OK, "", List.of(),
                    rep.entry.version(), epoch, true));
        }
        ObjectRef ref = rep.ctx.ref();
        if (writesInFlight.merge(ref, -1, Integer::sum) <= 0) {
            writesInFlight.remove(ref);
            Deque<OpCtx> queued = objectWaiting.remove(ref);
            while (queued != null && !queued.isEmpty() && !writesInFlight.containsKey(ref)) {
                handleOp(queued.poll());
            }
            if (queued != null && !queued.isEmpty()) {
                objectWaiting.computeIfAbsent(ref, k -> new ArrayDeque<>()).addAll(queued);
            }
        }
    }

    // ---- replica ----

    public void handleRepOp(MOSDRepOp m, CompletableFuture<Message> reply) {
        if (deferWhileResyncing(() -> handleRepOp(m, reply))) {
            return;
        }
        if (m.fromOsd() != primary || role() != Role.REPLICA) {
            reply.complete(repReply(m, OsdResult.EMISDIRECTED, "osd." + m.fromOsd() + " is not primary of pg "
                    + pgid + " at e" + epoch + " (acting " + acting + ")"));
            return;
        }
        if (!holds(m.entry().object().hash()) || !inCollection(PgObjects.oid(coll, m.entry().object()))) {
            reply.complete(repReply(m, OsdResult.EMISDIRECTED, "object " + m.entry().object().name()
                    + " is not in pg " + pgid + " at pg_num " + pool.pgNum()));
            return;
        }
        if (!m.entry().version().isNewerThan(pglog.lastUpdate())) {
            lastCommit.whenComplete((x, err) -> reply.complete(repReply(m, OsdResult.OK, "duplicate")));
            return;
        }
        if (m.entry().version().version() != pglog.lastUpdate().version() + 1) {
            reply.complete(repReply(m, OsdResult.EAGAIN, "out of order: have " + pglog.lastUpdate() + ", got "
                    + m.entry().version()));   // an earlier write is being retried: take it first
            return;
        }
        if (host.store().metadataSpaceLow()) {
            // The store takes nothing but pure deletes, and even a delete's log entry is a write: not
            // logged, the primary retries (this member holds the PG's later entries until space returns).
            reply.complete(repReply(m, OsdResult.EAGAIN, "osd." + host.whoami()
                    + " store's file system is below its metadata reserve (reported full); retry later"));
            return;
        }
        Transaction txn;
        try {
            txn = TxnCodec.transaction(m.transaction());
        } catch (RuntimeException e) {
            reply.complete(repReply(m, OsdResult.EINVAL, "bad transaction: " + e.getMessage()));
            return;
        }
        if (!onlyRemoves(txn, coll) && host.failsafeFull(bytesAdded(txn))) {
            logWithoutData(m, reply, OsdResult.ENOSPC);
            return;
        }
        if (pglog.isMissing(m.entry().object())) {
            // Our copy is missing (logged earlier without data): a write would apply to a stale copy, and a
            // delete of a copy we never got would fail. The log entry only; recovery brings the object.
            boolean removal = onlyRemoves(txn, coll);
            if (!removal || !host.store().exists(coll, PgObjects.oid(coll, m.entry().object()))) {
                logWithoutData(m, reply, removal ? OsdResult.OK : OsdResult.ENOSPC);
                return;
            }
        }
        if (scrubber.onDamagedUnderRepOp(txn, () -> handleRepOp(m, reply))) {
            return;   // the write cuts a damaged block of our copy: the scrubber takes the primary's copy first
        }
        pglog.append(m.entry(), coll, txn);
        objects += m.entry().op() == PgLogEntry.Op.DELETE ? -1 : m.entry().priorVersion().equals(Eversion.ZERO) ? 1 : 0;
        commit(txn).whenComplete((x, err) -> {
            if (err != null && storeFull(err)) {
                host.onShard(pgid, () -> repOpRefused(m, reply, err));
                return;
            }
            if (err != null) {
                host.fatal(who() + " replica commit of " + m.entry().version() + " failed", err);
                return;
            }
            reply.complete(repReply(m, OsdResult.OK, ""));
        });
    }

    /**
     * The store refused a replicated entry for space after the checks let it through (a race with
     * other PGs' writes): nothing of it applied. Once the PG's memory is re-read, the primary is
     * told to retry. A later entry of this PG that the store took meanwhile would leave a hole in
     * this copy's history that no retry can fill: that stops the OSD, as any failed commit did.
     */
    private void repOpRefused(MOSDRepOp m, CompletableFuture<Message> reply, Throwable err) {
        storeRefused("replicated entry " + m.entry().version(), err, () -> {
            if (!m.entry().version().isNewerThan(pglog.lastUpdate())) {
                host.fatal(who() + " store refused " + m.entry().version() + " but took a later entry (now "
                        + pglog.lastUpdate() + ")", err);
                return;
            }
            reply.complete(repReply(m, OsdResult.EAGAIN, "osd." + host.whoami() + " store full: "
                    + cause(err).getMessage() + "; retry later"));
        });
    }

    /**
     * Past the failsafe ratio a replica never refuses an entry its primary logged (later entries,
     * deletes among them, would wait behind it for good): it logs the entry without its data and
     * records the object missing in the same transaction, so it can never be the authority for that
     * object, and answers ENOSPC; the primary recovers the object once this OSD has room.
     */
    private void logWithoutData(MOSDRepOp m, CompletableFuture<Message> reply, int result) {
        Transaction txn = new Transaction();
        pglog.addMissing(List.of(m.entry().object()), coll, txn);
        pglog.append(m.entry(), coll, txn);
        log.warn("{} past osd_failsafe_full_ratio: logged {} without the data of {} (recorded missing)", who(),
                m.entry().version(), m.entry().object().name());
        commit(txn).whenComplete((x, err) -> {
            if (err != null && storeFull(err)) {
                host.onShard(pgid, () -> repOpRefused(m, reply, err));
                return;
            }
            if (err != null) {
                host.fatal(who() + " replica commit of " + m.entry().version() + " (log only) failed", err);
                return;
            }
            reply.complete(repReply(m, result, result == OsdResult.OK ? "" : "osd." + host.whoami()
                    + " logged the entry without its data: the object is missing here until recovered"));
        });
    }

    private MOSDRepOpReply repReply(MOSDRepOp m, int result, String message) {
        return new MOSDRepOpReply(m.reqid(), pgid.pool(), pgid.seed(), epoch, host.whoami(), m.entry().version(),
                result, message);
    }

    public void peeringQuery(MOSDPgQuery m, CompletableFuture<Message> reply) {
        peering.handleQuery(m, reply);
    }

    public void peeringPull(MOSDPgPull m, CompletableFuture<Message> reply) {
        peering.handlePull(m, reply);
    }

    public void peeringPush(MOSDPgPush m, CompletableFuture<Message> reply) {
        peering.handlePush(m, reply);
    }

    // ---- for the scrubber (osd.scrub), on the shard thread ----

    public io.loligo.osd.scrub.PgScrubber scrubber() {
        return scrubber;
    }

    public PgHost host() {
        return host;
    }

    public CollectionId coll() {
        return coll;
    }

    public List<Integer> acting() {
        return acting;
    }

    public long epoch() {
        return epoch;
    }

    public int primary() {
        return primary;
    }

    public int intervalSeq() {
        return intervalSeq;
    }

    /** Active with every member of a full acting set: the state in which a scrub may run. */
    public boolean isActiveClean() {
        return state == State.ACTIVE && pool != null && acting.size() >= pool.size() && recovery.idle();
    }

    /** Whether a write to an object matching {@code objects} is being replicated. */
    public boolean writing(java.util.function.Predicate<ObjectRef> objects) {
        return writesInFlight.keySet().stream().anyMatch(objects);
    }
}
