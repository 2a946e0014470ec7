package io.loligo.osd;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdMapPlacement;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.messages.Eversion;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.MOSDPgInfo;
import io.loligo.messages.MOSDPgLs;
import io.loligo.messages.MOSDPgLsReply;
import io.loligo.messages.MOSDPgPull;
import io.loligo.messages.MOSDPgPush;
import io.loligo.messages.MOSDPgPushReply;
import io.loligo.messages.MOSDPgQuery;
import io.loligo.messages.MOSDPing;
import io.loligo.messages.MOSDPingReply;
import io.loligo.messages.MOSDRepOp;
import io.loligo.messages.MOSDRepOpReply;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.msg.ErrorReply;
import io.loligo.msg.Handler;
import io.loligo.msg.Message;
import io.loligo.msg.RemoteError;
import io.loligo.msg.Session;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.pg.Pg;
import io.loligo.osd.pg.PgObjects;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OSD's messenger handler: checks what can be checked without the PG (map epoch, pool, caps,
 * placement, sender identity) and hands the message to the PG's shard. Runs on the messenger's I/O
 * thread, so it never blocks: an op from a client with a newer map waits (in {@link
 * OsdDaemon#afterEpoch}) until ours catches up.
 */
final class OsdDispatcher implements Handler {
    private static final Logger log = LoggerFactory.getLogger(OsdDispatcher.class);

    private final OsdDaemon osd;

    OsdDispatcher(OsdDaemon osd) {
        this.osd = osd;
    }

    @Override
    public CompletableFuture<? extends Message> onRequest(Session session, Message request) {
        return switch (request) {
            case MOSDOp op -> {
                CompletableFuture<MOSDOpReply> reply = new CompletableFuture<>();
                osd.afterEpoch(op.mapEpoch(), () -> handleOp(session, op, reply), () -> reply.complete(
                        MOSDOpReply.error(op.reqid(), OsdResult.EMAPBEHIND, behind(op.mapEpoch()), epoch())));
                yield reply;
            }
            case MOSDPgLs ls -> {
                CompletableFuture<MOSDPgLsReply> reply = new CompletableFuture<>();
                osd.afterEpoch(ls.mapEpoch(), () -> handlePgLs(session, ls, reply), () -> reply.complete(
                        MOSDPgLsReply.error(OsdResult.EMAPBEHIND, behind(ls.mapEpoch()), epoch())));
                yield reply;
            }
            case MOSDPing ping -> {
                OsdMap m = osd.map();
                yield CompletableFuture.completedFuture(new MOSDPingReply(osd.whoami, m == null ? 0 : m.epoch(),
                        ping.stampNanos()));
            }
            case MOSDRepOp m -> peerRequest(session, m.pool(), m.pgSeed(), m.mapEpoch(),
                    (pg, f) -> pg.handleRepOp(m, f));
            case MOSDPgQuery m -> peerRequest(session, m.pool(), m.pgSeed(), m.mapEpoch(),
                    (pg, f) -> pg.peeringQuery(m, f));
            case MOSDPgPull m -> peerRequest(session, m.pool(), m.pgSeed(), m.mapEpoch(),
                    (pg, f) -> pg.peeringPull(m, f));
            case MOSDPgPush m -> peerRequest(session, m.pool(), m.pgSeed(), m.mapEpoch(),
                    (pg, f) -> pg.peeringPush(m, f));
            case io.loligo.messages.MOSDRepScrub m -> peerRequest(session, m.pool(), m.pgSeed(), m.mapEpoch(),
                    (pg, f) -> pg.scrubber().handleRepScrub(m, f));
            case io.loligo.messages.MOSDScrub m -> {
                var reply = new CompletableFuture<io.loligo.messages.MOSDScrubReply>();
                osd.afterEpoch(m.mapEpoch(), () -> osd.scrub.command(session, m, reply), () -> reply.complete(
                        io.loligo.messages.MOSDScrubReply.error(OsdResult.EMAPBEHIND, behind(m.mapEpoch()), epoch())));
                yield reply;
            }
            default -> CompletableFuture.failedFuture(new RemoteError(ErrorReply.EINVAL,
                    "osd." + osd.whoami + " does not take " + request.getClass().getSimpleName() + " requests"));
        };
    }

    private interface PgTask {
        void run(Pg pg, CompletableFuture<Message> reply);
    }

    /** An OSD-to-OSD request: only OSDs may send it; it runs on the PG's shard once our map is as new as the sender's. */
    private CompletableFuture<Message> peerRequest(Session session, int pool, int seed, long epoch, PgTask task) {
        if (!session.entity().startsWith("osd.")) {
            log.warn("{} refused an OSD-internal request from {} at {}", osd.who(), session.entity(), session.peer());
            return CompletableFuture.failedFuture(new RemoteError(ErrorReply.EACCES,
                    session.entity() + " may not send OSD-internal messages"));
        }
        CompletableFuture<Message> reply = new CompletableFuture<>();
        PgId pgid = new PgId(pool, seed);
        osd.afterEpoch(epoch, () -> {
            Pg pg = osd.pgs.get(pgid);
            if (pg == null) {
                reply.complete(noSuchPg(pgid));
                return;
            }
            osd.shards.submit(pgid, () -> task.run(pg, reply));
        }, () -> reply.completeExceptionally(new RemoteError(ErrorReply.EAGAIN, behind(epoch))));
        return reply;
    }

    private long epoch() {
        OsdMap m = osd.map();
        return m == null ? 0 : m.epoch();
    }

    private String behind(long wanted) {
        return "osd." + osd.whoami + " is at e" + epoch() + " and did not get e" + wanted + " within "
                + osd.config.opTimeout().toSeconds() + " s; retry";
    }

    private Message noSuchPg(PgId pgid) {
        OsdMap m = osd.map();
        return new MOSDPgInfo(pgid.pool(), pgid.seed(), m == null ? 0 : m.epoch(), osd.whoami, OsdResult.ENOENT,
                Eversion.ZERO, Eversion.ZERO, 0, List.of());
    }

    // ---- client ops ----

    private void handleOp(Session session, MOSDOp op, CompletableFuture<MOSDOpReply> reply) {
        OsdMap m = osd.map();
        long epoch = m.epoch();
        String bad = validate(op);
        if (bad != null) {
            reply.complete(MOSDOpReply.error(op.reqid(), OsdResult.EINVAL, bad, epoch));
            return;
        }
        Pool pool = m.pool(op.pool());
        if (pool == null) {
            reply.complete(MOSDOpReply.error(op.reqid(), OsdResult.ENXIO, "pool " + op.pool() + " does not exist at e"
                    + epoch + "; list pools with: loligo osd pool ls", epoch));
            return;
        }
        boolean write = op.isWrite();
        boolean exec = op.ops().stream().anyMatch(o -> o instanceof OsdOp.Call);
        boolean read = op.ops().stream().anyMatch(o -> !o.isWrite() || o instanceof OsdOp.Call);
        if (!session.caps().check("osd", pool.name(), op.namespace(), read, write, exec)) {
            log.warn("{} refused op from {} at {}: caps {} do not allow {} on pool {} namespace '{}'", osd.who(),
                    session.entity(), session.peer(), session.caps(), needs(read, write, exec), pool.name(), op.namespace());
            reply.complete(MOSDOpReply.error(op.reqid(), OsdResult.EACCES, session.entity() + " lacks osd '"
                    + needs(read, write, exec) + "' capability on pool " + pool.name(), epoch));
            return;
        }
        OsdMapPlacement pl = osd.placement();
        PgMapping mapping = pl.mapObject(pool, op.namespace(), op.objectName());
        PgId pgid = new PgId(pool.id(), mapping.pg().seed());
        Pg pg = osd.pgs.get(pgid);
        if (mapping.actingPrimary() != osd.whoami || pg == null) {
            reply.complete(MOSDOpReply.error(op.reqid(), OsdResult.EMISDIRECTED, "osd." + osd.whoami
                    + " is not primary of pg " + pgid + " at e" + epoch + " (primary osd." + mapping.actingPrimary() + ")",
                    epoch));
            return;
        }
        int hash = pl.objectHash(pool, op.namespace(), op.objectName());
        ObjectRef ref = new ObjectRef(op.namespace(), op.objectName(), hash);
        long start = System.nanoTime();
        Pg.OpCtx ctx = new Pg.OpCtx(op, ref, reply, start + osd.config.opTimeout().toNanos());
        long bytes = opBytes(op);
        reply.whenComplete((r, e) -> osd.clientOpDone(System.nanoTime() - start, bytes));
        if (!osd.shards.submitClient(pgid, () -> pg.handleOp(ctx))) {
            reply.complete(MOSDOpReply.error(op.reqid(), OsdResult.EAGAIN, "osd." + osd.whoami
                    + " op queue full; retry later", epoch));
        }
    }

    /** Data bytes an op moves (written, or asked to read): the recovery throttle's size class. */
    private static long opBytes(MOSDOp op) {
        long n = 0;
        for (OsdOp o : op.ops()) {
            n += switch (o) {
                case OsdOp.Write w -> w.data().length;
                case OsdOp.WriteFull w -> w.data().length;
                case OsdOp.Read r -> r.length();
                default -> 0;
            };
        }
        return n;
    }

    private static String needs(boolean read, boolean write, boolean exec) {
        return (read ? "r" : "") + (write ? "w" : "") + (exec ? "x" : "");
    }

    /** Longest client object name: the store's limit less what clone names add (NUL + 16 hex digits). */
    static final int NAME_BYTES_MAX = ObjectId.NAME_BYTES_MAX - 17;

    private static String validateSnapContext(MOSDOp op) {
        if (op.snapSeq() < 0 || op.snapId() < 0 || op.snaps().size() > io.loligo.maps.PoolSnaps.SNAPS_MAX) {
            return "snap context seq " + op.snapSeq() + " with " + op.snaps().size() + " snaps, read snap " + op.snapId()
                    + " (need seq >= 0, at most " + io.loligo.maps.PoolSnaps.SNAPS_MAX + " snaps, snap id >= 0)";
        }
        long prev = Long.MAX_VALUE;
        for (long s : op.snaps()) {
            if (s < 1 || s > op.snapSeq() || s >= prev) {
                return "snap context " + op.snapSeq() + op.snaps() + ": snaps must be 1..seq, newest first";
            }
            prev = s;
        }
        return null;
    }

    /** Bad input that no PG needs to see; null when the op is well-formed. */
    private static String validate(MOSDOp op) {
        if (op.ops().isEmpty() || op.ops().size() > MOSDOp.OPS_MAX) {
            return "op has " + op.ops().size() + " sub-ops (expected: 1.." + MOSDOp.OPS_MAX + ")";
        }
        if (op.objectName().isEmpty() || op.objectName().getBytes(StandardCharsets.UTF_8).length > NAME_BYTES_MAX
                || op.namespace().getBytes(StandardCharsets.UTF_8).length > ObjectId.NAME_BYTES_MAX) {
            return "object name must be 1.." + NAME_BYTES_MAX + " bytes, namespace at most "
                    + ObjectId.NAME_BYTES_MAX;
        }
        if (op.objectName().indexOf('\u0000') >= 0) {
            return "object names must not contain NUL (the OSD names snapshot clones with it)";
        }
        for (OsdOp o : op.ops()) {
            if (o instanceof OsdOp.Call c && c.className().startsWith("_")) {
                return "object classes starting with '_' are reserved for the OSD";
            }
        }
        String snapc = validateSnapContext(op);
        if (snapc != null) {
            return snapc;
        }
        if (op.namespace().startsWith("\u0000")) {
            return "namespaces starting with NUL are reserved for the OSD";
        }
        return null;
    }

    // ---- PG listing ----

    private void handlePgLs(Session session, MOSDPgLs ls, CompletableFuture<MOSDPgLsReply> reply) {
        OsdMap m = osd.map();
        Pool pool = m.pool(ls.pool());
        if (pool == null) {
            reply.complete(MOSDPgLsReply.error(OsdResult.ENXIO, "pool " + ls.pool() + " does not exist", m.epoch()));
            return;
        }
        if (!session.caps().check("osd", pool.name(), ls.namespace().orElse(""), true, false, false)) {
            reply.complete(MOSDPgLsReply.error(OsdResult.EACCES, session.entity() + " lacks osd 'r' on pool "
                    + pool.name(), m.epoch()));
            return;
        }
        if (ls.pgSeed() < 0 || ls.pgSeed() >= pool.pgNum() || ls.maxEntries() < 1 || ls.maxEntries() > MOSDPgLs.ENTRIES_MAX) {
            reply.complete(MOSDPgLsReply.error(OsdResult.EINVAL, "pg seed " + ls.pgSeed() + " or max entries "
                    + ls.maxEntries() + " out of range", m.epoch()));
            return;
        }
        PgId pgid = new PgId(pool.id(), ls.pgSeed());
        Pg pg = osd.pgs.get(pgid);
        if (osd.placement().mapPg(pool, ls.pgSeed()).actingPrimary() != osd.whoami || pg == null) {
            reply.complete(MOSDPgLsReply.error(OsdResult.EMISDIRECTED, "osd." + osd.whoami + " is not primary of pg "
                    + pgid, m.epoch()));
            return;
        }
        osd.shards.submit(pgid, () -> reply.complete(list(pgid, ls, m.epoch())));
    }

    private MOSDPgLsReply list(PgId pgid, MOSDPgLs ls, long epoch) {
        CollectionId c = new CollectionId(pgid.pool(), pgid.seed());
        List<ObjectRef> out = new ArrayList<>();
        ObjectId cursor = ls.after().map(r -> PgObjects.oid(c, r)).orElse(null);
        ObjectStore store = osd.store;
        while (out.size() < ls.maxEntries()) {
            ObjectStore.ObjectPage page = store.list(c, cursor, ls.maxEntries() - out.size());
            for (ObjectId oid : page.objects()) {
                cursor = oid;
                if (!PgObjects.isInternal(oid) && !io.loligo.osd.pg.SnapSet.isSnapObject(oid) && ls.namespace().map(ns -> ns.equals(oid.namespace())).orElse(true)) {
                    out.add(PgObjects.ref(oid));
                }
            }
            if (page.next().isEmpty()) {
                return new MOSDPgLsReply(OsdResult.OK, "", epoch, out, Optional.empty(), true);
            }
        }
        return new MOSDPgLsReply(OsdResult.OK, "", epoch, out, Optional.of(PgObjects.ref(cursor)), false);
    }
}
