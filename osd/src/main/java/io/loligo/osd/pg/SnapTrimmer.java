package io.loligo.osd.pg;

import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ReqId;
import io.loligo.messages.SubOpResult;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.Transaction;
import java.time.Duration;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snap trim (Ceph's SnapTrimmer), on a PG's primary while it is active: when the pool's
 * removed_snaps grow (or the PG activates with some), it walks the PG in hash order at background
 * priority, 64 objects a turn; for each object with clones whose snap set names a removed snap it
 * runs one internal write through the normal op path (so it waits behind client writes to the
 * object, is logged, replicated to every member and acknowledged like any write): the clones no
 * live snap needs are removed, the others forget the removed snaps, and the snapdir of a deleted
 * head goes with its last clone. One trim write is in flight per PG.
 */
final class SnapTrimmer {
    private static final Logger log = LoggerFactory.getLogger(SnapTrimmer.class);
    /** Reserved object class of the internal trim op; clients cannot call classes starting with "_". */
    static final String CLASS = "_snaptrim";
    private static final int LIST_MAX = 64;
    private static final Duration TRIM_OP_TIMEOUT = Duration.ofSeconds(60);
    private static final long INCARNATION = ThreadLocalRandom.current().nextLong();
    private static final AtomicLong TIDS = new AtomicLong();

    private final Pg pg;
    private boolean running;
    private boolean again;
    private int seq;
    private ObjectId cursor;
    private ObjectId lastHead;
    long trimmedObjects;

    SnapTrimmer(Pg pg) {
        this.pg = pg;
    }

    static boolean isTrim(MOSDOp op) {
        return op.ops().size() == 1 && op.ops().getFirst() instanceof OsdOp.Call c && c.className().equals(CLASS);
    }

    /** The pool's removed snaps may have grown, or the PG activated: walk the PG (again). */
    void kick() {
        if (pg.pool == null || pg.pool.snapshots().removed().isEmpty() || pg.role() != Pg.Role.PRIMARY) {
            return;
        }
        if (running) {
            again = true;
            return;
        }
        running = true;
        again = false;
        seq = pg.intervalSeq;
        cursor = null;
        lastHead = null;
        pg.host.onShardBackground(pg.pgid, this::step);
    }

    private void step() {
        if (seq != pg.intervalSeq || !pg.isActive()) {
            running = false;   // the next activation kicks again
            return;
        }
        ObjectStore store = pg.host.store();
        ObjectStore.ObjectPage page = store.list(pg.coll, cursor, LIST_MAX);
        NavigableSet<Long> removed = pg.pool.snapshots().removed();
        for (ObjectId oid : page.objects()) {
            cursor = oid;
            if (PgObjects.isInternal(oid) || !SnapSet.isSnapObject(oid)) {
                continue;
            }
            ObjectId head = SnapSet.headOf(oid);
            if (head.equals(lastHead)) {
                continue;
            }
            lastHead = head;
            SnapSet ss = SnapSet.load(store, pg.coll, head);
            if (!ss.without(removed).equals(ss)) {
                submit(head);
                return;   // the reply continues the walk
            }
        }
        if (page.next().isEmpty()) {
            running = false;
            log.info("{} snap trim done through removed snaps {} ({} objects trimmed so far)", pg.who(), removed,
                    trimmedObjects);
            if (again) {
                kick();
            }
            return;
        }
        pg.host.onShardBackground(pg.pgid, this::step);
    }

    private void submit(ObjectId head) {
        ObjectRef ref = PgObjects.ref(head);
        MOSDOp op = new MOSDOp(new ReqId("osd." + pg.host.whoami(), INCARNATION, TIDS.incrementAndGet()),
                pg.pgid.pool(), ref.namespace(), ref.name(), ref.hash(), pg.pgid.seed(), pg.epoch, 0,
                List.of(new OsdOp.Call(CLASS, "trim", new byte[0], true)));
        CompletableFuture<MOSDOpReply> reply = new CompletableFuture<>();
        int s = seq;
        reply.whenComplete((r, e) -> pg.host.onShard(pg.pgid, () -> {
            if (s != seq) {
                return;
            }
            if (r != null && r.result() == OsdResult.OK) {
                trimmedObjects++;
            } else {
                again = true;   // EAGAIN (it waited too long): walk the PG again once this walk ends
                log.debug("{} snap trim of {} answered {}; retrying", pg.who(), head, r != null ? r : e);
            }
            pg.host.onShardBackground(pg.pgid, this::step);
        }));
        pg.handleOp(new Pg.OpCtx(op, ref, reply, System.nanoTime() + TRIM_OP_TIMEOUT.toNanos()));
    }

    /**
     * The trim write for one object (on the shard, with the pool's removed snaps): removes the
     * clones no live snap needs and rewrites the snap set (on the head, or on the snapdir, which
     * goes with the last clone when the head is deleted).
     */
    static OpExecutor.Outcome outcome(ObjectStore store, CollectionId coll, ObjectId head, NavigableSet<Long> removed) {
        SnapSet ss = SnapSet.load(store, coll, head);
        SnapSet next = ss.without(removed);
        Transaction txn = new Transaction();
        int delta = 0;
        for (SnapSet.Clone c : ss.clones()) {
            if (next.clones().stream().noneMatch(k -> k.id() == c.id())) {
                ObjectId clone = SnapSet.cloneOid(head, c.id());
                if (store.exists(coll, clone)) {
                    txn.remove(coll, clone);
                    delta--;
                }
            }
        }
        boolean headExists = store.exists(coll, head);
        long size = headExists ? store.stat(coll, head).size() : 0;
        if (headExists) {
            txn.setAttr(coll, head, SnapSet.ATTR, next.encode());
        } else {
            ObjectId dir = SnapSet.snapdirOid(head);
            if (store.exists(coll, dir)) {
                if (next.clones().isEmpty()) {
                    txn.remove(coll, dir);
                    delta--;
                } else {
                    txn.setAttr(coll, dir, SnapSet.ATTR, next.encode());
                }
            }
        }
        return new OpExecutor.Outcome(OsdResult.OK, "", List.of(SubOpResult.ok()), txn, true, false, headExists, size,
                size, delta);
    }
}
