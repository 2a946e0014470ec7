package io.loligo.osd.scrub;

import io.loligo.messages.MOSDRepScrub;
import io.loligo.messages.MOSDScrub;
import io.loligo.messages.MOSDScrubMap;
import io.loligo.messages.MOSDScrubReply;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ScrubInconsistency;
import io.loligo.messages.ScrubMapEntry;
import io.loligo.msg.Message;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.Transaction;
import io.loligo.osd.pg.Pg;
import io.loligo.osd.pg.PgHost;
import io.loligo.osd.pg.PgLog;
import io.loligo.osd.pg.PgObjects;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrub, deep scrub and repair of one PG (Ceph's PgScrubber, reduced). Runs on the PG's shard
 * thread, like the PG; the OSD's {@link OsdScrubScheduler} decides when a scrub starts.
 *
 * <p>The primary walks the PG in hash order, a chunk of {@code osd_scrub_chunk_max} objects at a
 * time. Writes to the chunk's objects wait while its maps are built (and the chunk starts only when
 * none is being replicated), so every member's map describes the same history. Each acting member
 * sends its scrub map of the chunk ({@link MOSDRepScrub} → {@link MOSDScrubMap}); {@link
 * ScrubCompare} finds the damaged copies. The result is kept in the PG meta object ({@link
 * ScrubRecord}) and shown as {@code +inconsistent} with a scrub error count in the PG's stats. A
 * repair rewrites every damaged copy from the authoritative one (pulled from its holder and pushed
 * as recovery does), then deep-scrubs the PG again; that scrub's result replaces the record.
 *
 * <p>Reads: when the primary's own copy fails its checksum during a client op, the op waits while
 * the object is recovered from a replica, then runs again (Ceph's rep_repair_primary_object); the
 * PG is marked inconsistent until a scrub finds it clean. No client read ever gets damaged bytes.
 */
public final class PgScrubber {
    private static final Logger log = LoggerFactory.getLogger(PgScrubber.class);
    static final String META_KEY = "scrub";
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    static final Duration WRITE_WAIT = Duration.ofMillis(5);
    static final Duration RETRY_DELAY = Duration.ofMillis(500);
    static final int CALL_ATTEMPTS_MAX = 5;
    /** Most objects a member puts in one chunk's map (the primary's chunk is far smaller; this bounds a member with extras). */
    static final int MAP_OBJECTS_MAX = 1000;

    /** One scrub pass; replaced by a verifying deep scrub after a repair. */
    private static final class Job {
        final boolean deep;
        final boolean repair;
        final int seq;
        final ScrubConfig cfg;
        final Runnable release;
        Optional<ObjectId> cursor = Optional.empty();
        Optional<ObjectId> chunkEnd = Optional.empty();
        final Map<Integer, List<ScrubMapEntry>> maps = new TreeMap<>();
        final List<ScrubInconsistency> found = new ArrayList<>();

        Job(boolean deep, boolean repair, int seq, ScrubConfig cfg, Runnable release) {
            this.deep = deep;
            this.repair = repair;
            this.seq = seq;
            this.cfg = cfg;
            this.release = release;
        }
    }

    private final Pg pg;
    private final long createdMillis;
    private volatile ScrubRecord record = ScrubRecord.EMPTY;
    private volatile String suffix = "";
    private volatile boolean requested;
    private volatile boolean requestedDeep;
    private volatile boolean requestedRepair;
    private volatile boolean running;
    private Job job;
    /** Chunk being scrubbed: writes to objects in (blockFrom, blockTo] wait; null: none. */
    private Optional<ObjectId> blockFrom;
    private Optional<ObjectId> blockTo;
    private final Set<ObjectRef> repairing = new HashSet<>();
    private final Deque<Pg.OpCtx> blockedOps = new ArrayDeque<>();
    private final Set<Pg.OpCtx> readRetried = Collections.newSetFromMap(new IdentityHashMap<>());

    public PgScrubber(Pg pg) {
        this.pg = pg;
        this.createdMillis = pg.host().nowMillis();
        load();
    }

    private PgHost host() {
        return pg.host();
    }

    private int me() {
        return host().whoami();
    }

    private void load() {
        try {
            ObjectId meta = PgLog.metaOid(pg.coll());
            if (host().store().collectionBits(pg.coll()).isPresent() && host().store().exists(pg.coll(), meta)) {
                byte[] b = host().store().omapGet(pg.coll(), meta, List.of(META_KEY)).get(META_KEY);
                if (b != null) {
                    record = ScrubRecord.decode(b);
                    updateSuffix();
                }
            }
        } catch (RuntimeException e) {   // StoreException or a bad encoding
            log.warn("osd.{} pg {}: scrub record unreadable ({}); starting without it", me(), pg.pgid(), e.toString());
        }
    }

    // ---- what others read (any thread) ----

    /** "+scrubbing+deep", "+inconsistent", "+repair" (in Ceph's order), or "". */
    public String stateSuffix() {
        return suffix;
    }

    public int scrubErrors() {
        return record.errors();
    }

    public ScrubRecord record() {
        return record;
    }

    /** What the scheduler should start now, if anything: {deep, repair}, or null. */
    boolean[] due(long nowMillis, ScrubConfig cfg, boolean noScrub, boolean noDeepScrub) {
        if (running) {
            return null;
        }
        if (requested) {
            return new boolean[] {requestedDeep || requestedRepair, requestedRepair};
        }
        ScrubRecord r = record;
        if (!noDeepScrub && nowMillis - Math.max(r.lastDeepScrubMillis(), createdMillis) >= cfg.deepInterval().toMillis()) {
            return new boolean[] {true, cfg.autoRepair()};
        }
        if (!noScrub && nowMillis - Math.max(r.lastScrubMillis(), createdMillis) >= cfg.minInterval().toMillis()) {
            return new boolean[] {false, false};
        }
        return null;
    }

    boolean isRequested() {
        return requested;
    }

    long lastScrubMillis() {
        return Math.max(record.lastScrubMillis(), createdMillis);
    }

    // ---- operator commands (shard thread) ----

    /** {@link MOSDScrub}: queue a scrub (the scheduler starts it) or list what the last one found. */
    MOSDScrubReply command(MOSDScrub m) {
        if (pg.role() != Pg.Role.PRIMARY) {
            return MOSDScrubReply.error(OsdResult.EMISDIRECTED, "osd." + me() + " is not primary of pg " + pg.pgid(),
                    pg.epoch());
        }
        String what = switch (m.command()) {
            case MOSDScrub.SCRUB -> "scrub";
            case MOSDScrub.DEEP_SCRUB -> "deep-scrub";
            case MOSDScrub.REPAIR -> "repair";
            case MOSDScrub.LIST -> null;
            default -> "?";
        };
        if ("?".equals(what)) {
            return MOSDScrubReply.error(OsdResult.EINVAL, "unknown scrub command " + m.command()
                    + " (expected: 1 scrub, 2 deep-scrub, 3 repair, 4 list)", pg.epoch());
        }
        if (what != null) {
            requestedDeep |= m.command() != MOSDScrub.SCRUB;
            requestedRepair |= m.command() == MOSDScrub.REPAIR;
            requested = true;
            log.info("osd.{} e{} pg {}: {} requested", me(), pg.epoch(), pg.pgid(), what);
        }
        return status(what == null ? "" : "instructing pg " + pg.pgid() + " on osd." + me() + " to " + what);
    }

    private MOSDScrubReply status(String message) {
        ScrubRecord r = record;
        return new MOSDScrubReply(OsdResult.OK, message, pg.epoch(), me(), pg.stateName(), r.lastScrubMillis(),
                r.lastDeepScrubMillis(), r.errors(), running || requested, r.inconsistents());
    }

    // ---- a scrub pass (primary, shard thread) ----

    /** Starts a scrub if the PG can be scrubbed now; false (and nothing held) otherwise. */
    boolean start(boolean deep, boolean repair, ScrubConfig cfg, Runnable release) {
        if (job != null || pg.role() != Pg.Role.PRIMARY || !pg.isActiveClean()) {
            return false;
        }
        if (requested && (deep || !requestedDeep) && (repair || !requestedRepair)) {
            requested = false;
            requestedDeep = false;
            requestedRepair = false;
        }
        job = new Job(deep, repair, pg.intervalSeq(), cfg, release);
        running = true;
        log.info("osd.{} e{} pg {}: {} starts", me(), pg.epoch(), pg.pgid(), repair ? "repair" : deep ? "deep-scrub" : "scrub");
        stateChanged();
        nextChunk(job);
        return true;
    }

    private boolean stale(Job j) {
        return j != job || j.seq != pg.intervalSeq();
    }

    private void nextChunk(Job j) {
        if (stale(j)) {
            return;
        }
        ScrubMaps.Chunk chunk = ScrubMaps.listChunk(host().store(), pg.coll(), j.cursor, j.cfg.chunkObjects());
        j.chunkEnd = chunk.more() ? Optional.of(chunk.objects().getLast()) : Optional.empty();
        blockFrom = j.cursor;
        blockTo = j.chunkEnd;
        awaitWritesThenMap(j, 0);
    }

    private boolean inBlockedChunk(ObjectRef ref) {
        if (blockFrom == null) {
            return false;
        }
        ObjectId oid = PgObjects.oid(pg.coll(), ref);
        return blockFrom.map(f -> oid.compareTo(f) > 0).orElse(true) && blockTo.map(t -> oid.compareTo(t) <= 0).orElse(true);
    }

    private void awaitWritesThenMap(Job j, int attempt) {
        if (stale(j)) {
            return;
        }
        if (pg.writing(this::inBlockedChunk)) {
            host().onShardLater(pg.pgid(), WRITE_WAIT, () -> awaitWritesThenMap(j, attempt));
            return;
        }
        j.maps.clear();
        j.maps.put(me(), ScrubMaps.scan(host().store(), pg.coll(), j.cursor, j.chunkEnd, MAP_OBJECTS_MAX, j.deep));
        for (int osd : pg.acting()) {
            if (osd != me()) {
                requestMap(j, osd, 0);
            }
        }
        mapsComplete(j);
    }

    private void requestMap(Job j, int osd, int attempt) {
        MOSDRepScrub m = new MOSDRepScrub(pg.pgid().pool(), pg.pgid().seed(), pg.epoch(), me(), MOSDRepScrub.KIND_MAP,
                j.deep, j.cursor.map(PgObjects::ref), j.chunkEnd.map(PgObjects::ref), MAP_OBJECTS_MAX, List.of(), new byte[0]);
        host().callOsd(osd, m, CALL_TIMEOUT).whenComplete((reply, err) -> host().onShard(pg.pgid(), () -> {
            if (stale(j)) {
                return;
            }
            if (reply instanceof MOSDScrubMap map && map.result() == OsdResult.OK) {
                j.maps.put(osd, map.objects());
                mapsComplete(j);
                return;
            }
            String why = err != null ? err.toString() : String.valueOf(reply);
            if (attempt + 1 >= CALL_ATTEMPTS_MAX) {
                abort(j, "osd." + osd + " did not send its scrub map: " + why);
                return;
            }
            host().onShardLater(pg.pgid(), RETRY_DELAY, () -> {
                if (!stale(j)) {
                    requestMap(j, osd, attempt + 1);
                }
            });
        }));
    }

    private void mapsComplete(Job j) {
        if (j.maps.size() < pg.acting().size()) {
            return;
        }
        List<ScrubInconsistency> found = ScrubCompare.compare(pg.coll().pool(), me(), j.maps, j.deep);
        j.found.addAll(found);
        for (ScrubInconsistency i : found) {
            log.warn("osd.{} e{} pg {}: {} {} inconsistent: {} (bad copies on {}, authoritative osd.{})", me(), pg.epoch(),
                    pg.pgid(), j.deep ? "deep-scrub" : "scrub", i.ref(), i.shards().stream()
                            .filter(s -> !s.errors().isEmpty()).map(s -> "osd." + s.osd() + " " + s.errors()).toList(),
                    i.badOsds(), i.authOsd());
        }
        j.maps.clear();
        unblockChunk();
        if (j.chunkEnd.isEmpty()) {
            finish(j);
            return;
        }
        j.cursor = j.chunkEnd;
        host().onShardLater(pg.pgid(), j.cfg.sleep(), () -> nextChunk(j));
    }

    private void unblockChunk() {
        blockFrom = null;
        blockTo = null;
        rerunBlocked();
    }

    private void finish(Job j) {
        if (j.repair && !j.found.isEmpty()) {
            log.info("osd.{} e{} pg {}: repairing {} objects", me(), pg.epoch(), pg.pgid(), j.found.size());
            repairNext(j, List.copyOf(j.found), 0);
            return;
        }
        long now = host().nowMillis();
        ScrubRecord old = record;
        List<ScrubInconsistency> result = new ArrayList<>(j.found);
        if (!j.deep) {   // a shallow scrub cannot see data damage: keep what the last deep scrub found
            Set<ObjectRef> seen = new HashSet<>();
            result.forEach(i -> seen.add(i.ref()));
            old.inconsistents().stream().filter(i -> !seen.contains(i.ref()) && dataOnly(i)).forEach(result::add);
        }
        record = new ScrubRecord(now, j.deep ? now : old.lastDeepScrubMillis(), result);
        persist();
        log.info("osd.{} e{} pg {}: {} done: {} inconsistent objects, {} scrub errors", me(), pg.epoch(), pg.pgid(),
                j.deep ? "deep-scrub" : "scrub", record.inconsistents().size(), record.errors());
        end(j);
    }

    private static boolean dataOnly(ScrubInconsistency i) {
        return i.shards().stream().flatMap(s -> s.errors().stream())
                .allMatch(e -> e.equals(ScrubCompare.READ_ERROR) || e.equals(ScrubCompare.DATA_DIGEST_MISMATCH));
    }

    private void abort(Job j, String why) {
        log.warn("osd.{} e{} pg {}: scrub aborted: {}", me(), pg.epoch(), pg.pgid(), why);
        end(j);
    }

    private void end(Job j) {
        if (job == j) {
            job = null;
        }
        running = false;
        unblockChunk();
        j.release.run();
        stateChanged();
    }

    /** A new interval: a running scrub stops (the scheduler starts it again later); waiting ops go back to the PG. */
    public void onNewInterval() {
        Job j = job;
        repairing.clear();
        blockFrom = null;
        blockTo = null;
        if (j != null) {   // asked again, so an interrupted scrub or repair runs once the PG is active again
            requested = true;
            requestedDeep |= j.deep;
            requestedRepair |= j.repair;
            job = null;
            running = false;
            j.release.run();
        }
        while (!blockedOps.isEmpty()) {
            Pg.OpCtx ctx = blockedOps.poll();
            host().onShard(pg.pgid(), () -> pg.handleOp(ctx));   // after the PG has taken the new interval
        }
        updateSuffix();
    }

    // ---- writes wait for the chunk or object being scrubbed or repaired ----

    /** True when {@code ctx} writes an object being scrubbed or repaired: it is kept and re-run later. */
    public boolean blocksWrite(Pg.OpCtx ctx) {
        if (!ctx.op().isWrite() && !repairing.contains(ctx.ref())) {
            return false;
        }
        if (!repairing.contains(ctx.ref()) && !inBlockedChunk(ctx.ref())) {
            return false;
        }
        blockedOps.add(ctx);
        return true;
    }

    private void rerunBlocked() {
        int n = blockedOps.size();
        for (int i = 0; i < n && !blockedOps.isEmpty(); i++) {
            Pg.OpCtx ctx = blockedOps.poll();
            if (!blocksWrite(ctx)) {   // (a still-blocked op went back to the end of the queue)
                pg.handleOp(ctx);
                readRetried.remove(ctx);
            }
        }
    }

    // ---- repair (primary) ----

    private void repairNext(Job j, List<ScrubInconsistency> list, int index) {
        if (stale(j)) {
            return;
        }
        if (index >= list.size()) {
            Job verify = new Job(true, false, j.seq, j.cfg, j.release);
            job = verify;
            stateChanged();
            nextChunk(verify);
            return;
        }
        ScrubInconsistency inc = list.get(index);
        Runnable next = () -> repairNext(j, list, index + 1);
        if (inc.authOsd() < 0 || inc.badOsds().isEmpty()) {
            log.error("osd.{} e{} pg {}: {} has no good copy to repair from", me(), pg.epoch(), pg.pgid(), inc.ref());
            next.run();
            return;
        }
        repairObject(inc.ref(), List.of(inc.authOsd()), inc.badOsds(), j.seq, ok -> next.run());
    }

    /**
     * Rewrites {@code ref} on {@code targets} from the first of {@code sources} that returns a good
     * copy; writes to it wait meanwhile. {@code done} gets whether a good copy was written.
     */
    private void repairObject(ObjectRef ref, List<Integer> sources, List<Integer> targets, int seq,
                              java.util.function.Consumer<Boolean> done) {
        repairing.add(ref);
        ScrubRepair.fetchAndWrite(pg, ref, sources, targets, ok -> {
            if (seq != pg.intervalSeq()) {
                return;
            }
            repairing.remove(ref);
            rerunBlocked();
            done.accept(ok);
        });
    }

    // ---- the primary's own copy failed its checksum during a client op ----

    /**
     * Called by the PG when a client op got EIO from the store: records the damage, recovers the
     * object from a replica and re-runs the op. False (the op gets its EIO) when this op was already
     * retried once or no replica could help.
     */
    public boolean onReadError(Pg.OpCtx ctx) {
        if (readRetried.contains(ctx) || pg.acting().size() < 2) {
            return false;
        }
        readRetried.add(ctx);
        blockedOps.add(ctx);
        ObjectRef ref = ctx.ref();
        if (repairing.contains(ref)) {
            return true;
        }
        log.error("osd.{} e{} pg {}: read of {} failed its checksum here; recovering it from a replica", me(), pg.epoch(),
                pg.pgid(), ref);
        recordReadError(ref);
        List<Integer> sources = pg.acting().stream().filter(o -> o != me()).toList();
        repairObject(ref, sources, List.of(me()), pg.intervalSeq(), ok -> {
            if (!ok) {
                log.error("osd.{} e{} pg {}: no replica returned a good copy of {}", me(), pg.epoch(), pg.pgid(), ref);
            }
        });
        return true;
    }

    /**
     * Called by the PG before it orders a write: when the write must read a block of our copy that
     * fails its checksum (a partial overwrite of a damaged block), the object is first recovered
     * from a replica and the op re-run, as for a read; if that is impossible the client gets EIO
     * and nothing is applied. False: the write may go ahead.
     */
    public boolean onDamagedUnderWrite(Pg.OpCtx ctx, ObjectId oid) {
        if (!ScrubRepair.damagedUnderWrite(host().store(), pg.coll(), oid, ctx.op().ops())) {
            return false;
        }
        if (onReadError(ctx)) {
            return true;
        }
        ctx.reply().complete(io.loligo.messages.MOSDOpReply.error(ctx.op().reqid(), OsdResult.EIO, "object "
                + ctx.ref().name() + " is damaged on osd." + me() + " (checksum) and no replica gave a good copy;"
                + " the write was not applied", pg.epoch()));
        return true;
    }

    /**
     * Called by a replica before it applies a rep op: when the write cuts a damaged block of our copy
     * (the commit would fail and stop the OSD), the object as the primary holds it after this write is
     * pulled and written here first, then {@code again} re-runs the rep op, which re-applies the
     * write on top (physical writes at offsets, so the result is the same). Writes to that object
     * wait on the primary for this one, so the pulled copy holds exactly this write. False: go ahead.
     */
    public boolean onDamagedUnderRepOp(io.loligo.osd.objectstore.Transaction txn, Runnable again) {
        Optional<ObjectId> damaged = ScrubRepair.damagedUnderTxn(host().store(), pg.coll(), txn.ops());
        if (damaged.isEmpty() || repairing.contains(PgObjects.ref(damaged.get()))) {
            return false;   // (a second pass after a failed pull goes ahead and fails as before)
        }
        ObjectRef ref = PgObjects.ref(damaged.get());
        log.error("osd.{} e{} pg {}: a write from the primary cuts a damaged block of our copy of {}; taking the"
                + " primary's copy first", me(), pg.epoch(), pg.pgid(), ref);
        recordReadError(ref);
        repairing.add(ref);
        int seq = pg.intervalSeq();
        ScrubRepair.fetchAndWrite(pg, ref, List.of(pg.primary()), List.of(me()), ok -> {
            if (seq == pg.intervalSeq()) {
                again.run();
                repairing.remove(ref);
            }
        });
        return true;
    }

    private void recordReadError(ObjectRef ref) {
        ScrubRecord old = record;
        List<ScrubInconsistency> list = new ArrayList<>();
        old.inconsistents().stream().filter(i -> !i.ref().equals(ref)).forEach(list::add);
        List<ScrubInconsistency.Shard> shards = new ArrayList<>();
        for (int osd : pg.acting()) {
            shards.add(new ScrubInconsistency.Shard(osd, osd == me() ? List.of(ScrubCompare.READ_ERROR) : List.of(),
                    Optional.empty()));
        }
        int auth = pg.acting().stream().filter(o -> o != me()).findFirst().orElse(-1);
        list.add(new ScrubInconsistency(ref, io.loligo.messages.Eversion.ZERO, List.of(), auth, shards));
        record = new ScrubRecord(old.lastScrubMillis(), old.lastDeepScrubMillis(), list);
        persist();
        stateChanged();
    }

    // ---- persistence and reporting ----

    /** Writes the record to our PG meta object; a primary also sends it to the other members (see KIND_RECORD). */
    private void persist() {
        if (pg.role() == Pg.Role.PRIMARY) {
            byte[] bytes = record.encode();
            for (int osd : pg.acting()) {
                if (osd != me()) {
                    host().callOsd(osd, new MOSDRepScrub(pg.pgid().pool(), pg.pgid().seed(), pg.epoch(), me(),
                            MOSDRepScrub.KIND_RECORD, false, Optional.empty(), Optional.empty(), 0, List.of(), bytes),
                            CALL_TIMEOUT).whenComplete((reply, err) -> {
                                if (err != null) {
                                    log.debug("osd.{} pg {}: scrub record not kept by osd.{}: {}", me(), pg.pgid(), osd, err.toString());
                                }
                            });
                }
            }
        }
        Transaction txn = new Transaction();
        ObjectId meta = PgLog.metaOid(pg.coll());
        txn.touch(pg.coll(), meta);
        txn.omapSet(pg.coll(), meta, META_KEY, record.encode());
        pg.commit(txn).whenComplete((x, err) -> {
            if (err != null) {
                host().fatal("osd." + me() + " pg " + pg.pgid() + " scrub record commit failed", err);
            }
        });
    }

    private void updateSuffix() {
        Job j = job;
        String s = j == null ? "" : j.deep ? "+scrubbing+deep" : "+scrubbing";
        if (!record.inconsistents().isEmpty()) {
            s += "+inconsistent";
        }
        if (j != null && j.repair) {
            s += "+repair";
        }
        suffix = s;
    }

    private void stateChanged() {
        updateSuffix();
        host().pgStateChanged(pg.pgid());
    }

    // ---- any member: answering the primary ----

    /** {@link MOSDRepScrub}: this member's scrub map of a chunk, or the state of objects for a repair. */
    public void handleRepScrub(MOSDRepScrub m, CompletableFuture<Message> reply) {
        boolean replicaPull = m.kind() == MOSDRepScrub.KIND_PULL && pg.role() == Pg.Role.PRIMARY
                && pg.acting().contains(m.fromOsd());   // a replica taking our copy (onDamagedUnderRepOp)
        if (m.fromOsd() != pg.primary() && !replicaPull) {
            reply.complete(new MOSDScrubMap(m.pool(), m.pgSeed(), pg.epoch(), me(), OsdResult.EMISDIRECTED, "osd."
                    + m.fromOsd() + " is not primary of pg " + pg.pgid() + " at e" + pg.epoch(), List.of()));
            return;
        }
        if (m.kind() == MOSDRepScrub.KIND_RECORD) {
            try {
                record = ScrubRecord.decode(m.record());
            } catch (RuntimeException e) {
                reply.complete(new MOSDScrubMap(m.pool(), m.pgSeed(), pg.epoch(), me(), OsdResult.EINVAL,
                        "bad scrub record: " + e.getMessage(), List.of()));
                return;
            }
            persist();
            updateSuffix();
            reply.complete(new MOSDScrubMap(m.pool(), m.pgSeed(), pg.epoch(), me(), OsdResult.OK, "", List.of()));
            return;
        }
        pg.lastCommit().whenComplete((x, e) -> host().onShard(pg.pgid(), () -> {
            if (m.kind() == MOSDRepScrub.KIND_PULL) {
                reply.complete(ScrubRepair.pullReply(pg, m.objects()));
                return;
            }
            Optional<ObjectId> start = m.start().map(r -> PgObjects.oid(pg.coll(), r));
            Optional<ObjectId> end = m.end().map(r -> PgObjects.oid(pg.coll(), r));
            int max = Math.max(1, Math.min(m.maxObjects(), MAP_OBJECTS_MAX));
            List<ScrubMapEntry> map = ScrubMaps.scan(host().store(), pg.coll(), start, end, max, m.deep());
            reply.complete(new MOSDScrubMap(m.pool(), m.pgSeed(), pg.epoch(), me(), OsdResult.OK, "", map));
        }));
    }
}
