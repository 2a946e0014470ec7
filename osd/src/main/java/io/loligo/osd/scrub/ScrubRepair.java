package io.loligo.osd.scrub;

import io.loligo.messages.MOSDPgPush;
import io.loligo.messages.MOSDPgPushReply;
import io.loligo.messages.MOSDRepScrub;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.ObjectState;
import io.loligo.messages.OsdResult;
import io.loligo.messages.OsdOp;
import io.loligo.osd.objectstore.ChecksumMismatchException;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.StoreException;
import io.loligo.osd.objectstore.Transaction;
import io.loligo.osd.pg.Pg;
import io.loligo.osd.pg.PgObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewriting damaged copies (primary, shard thread): take the object's whole state from a member
 * whose copy verifies (a {@link MOSDRepScrub} pull, or the local store), then write it where it is
 * damaged: locally in one transaction, on a replica with an {@link MOSDPgPush} as recovery does.
 * The state is taken only when no write to the object is being replicated, and writes to it wait
 * until the copies are rewritten (the scrubber holds them), so the rewrite never undoes a write.
 */
final class ScrubRepair {
    private static final Logger log = LoggerFactory.getLogger(ScrubRepair.class);

    private ScrubRepair() {}

    static void fetchAndWrite(Pg pg, ObjectRef ref, List<Integer> sources, List<Integer> targets, Consumer<Boolean> done) {
        int seq = pg.intervalSeq();
        if (pg.writing(r -> r.equals(ref))) {
            pg.host().onShardLater(pg.pgid(), PgScrubber.WRITE_WAIT, () -> {
                if (seq == pg.intervalSeq()) {
                    fetchAndWrite(pg, ref, sources, targets, done);
                }
            });
            return;
        }
        fetch(pg, ref, sources, 0, seq, state -> {
            if (state.isEmpty()) {
                done.accept(false);
                return;
            }
            write(pg, state.get(), new ArrayList<>(targets), seq, done);
        });
    }

    private static void fetch(Pg pg, ObjectRef ref, List<Integer> sources, int index, int seq,
                              Consumer<Optional<ObjectState>> then) {
        if (index >= sources.size()) {
            then.accept(Optional.empty());
            return;
        }
        int from = sources.get(index);
        if (from == pg.host().whoami()) {
            try {
                then.accept(Optional.of(PgObjects.read(pg.host().store(), pg.coll(), ref)));
            } catch (StoreException e) {
                log.warn("osd.{} pg {}: own copy of {} unusable for repair: {}", from, pg.pgid(), ref, e.getMessage());
                fetch(pg, ref, sources, index + 1, seq, then);
            }
            return;
        }
        MOSDRepScrub m = new MOSDRepScrub(pg.pgid().pool(), pg.pgid().seed(), pg.epoch(), pg.host().whoami(),
                MOSDRepScrub.KIND_PULL, false, Optional.empty(), Optional.empty(), 1, List.of(ref), new byte[0]);
        pg.host().callOsd(from, m, PgScrubber.CALL_TIMEOUT).whenComplete((reply, err) -> pg.host().onShard(pg.pgid(), () -> {
            if (seq != pg.intervalSeq()) {
                return;
            }
            if (reply instanceof MOSDPgPush p && p.result() == OsdResult.OK && p.objects().size() == 1
                    && p.objects().getFirst().ref().equals(ref)) {
                then.accept(Optional.of(p.objects().getFirst()));
                return;
            }
            log.warn("osd.{} pg {}: osd.{} could not give a good copy of {}: {}", pg.host().whoami(), pg.pgid(), from, ref,
                    err != null ? err.toString() : reply);
            fetch(pg, ref, sources, index + 1, seq, then);
        }));
    }

    private static void write(Pg pg, ObjectState state, List<Integer> targets, int seq, Consumer<Boolean> done) {
        if (targets.isEmpty()) {
            done.accept(true);
            return;
        }
        int to = targets.removeFirst();
        Runnable next = () -> write(pg, state, targets, seq, done);
        if (to == pg.host().whoami()) {
            Transaction txn = new Transaction();
            PgObjects.apply(pg.host().store(), pg.coll(), state, txn, false);
            pg.commit(txn).whenComplete((x, err) -> {
                if (err != null) {
                    pg.host().fatal("osd." + to + " pg " + pg.pgid() + " repair commit of " + state.ref() + " failed", err);
                    return;
                }
                pg.host().onShard(pg.pgid(), () -> {
                    if (seq == pg.intervalSeq()) {
                        log.info("osd.{} pg {}: repaired own copy of {}", to, pg.pgid(), state.ref());
                        next.run();
                    }
                });
            });
            return;
        }
        MOSDPgPush push = new MOSDPgPush(pg.pgid().pool(), pg.pgid().seed(), pg.epoch(), pg.host().whoami(), OsdResult.OK,
                List.of(state), 0, List.of(), io.loligo.messages.Eversion.ZERO, io.loligo.messages.Eversion.ZERO,
                Optional.empty(), true);
        pg.host().callOsd(to, push, PgScrubber.CALL_TIMEOUT).whenComplete((reply, err) -> pg.host().onShard(pg.pgid(), () -> {
            if (seq != pg.intervalSeq()) {
                return;
            }
            if (reply instanceof MOSDPgPushReply r && r.result() == OsdResult.OK) {
                log.info("osd.{} pg {}: repaired the copy of {} on osd.{}", pg.host().whoami(), pg.pgid(), state.ref(), to);
            } else {
                log.warn("osd.{} pg {}: repair push of {} to osd.{} failed: {}", pg.host().whoami(), pg.pgid(), state.ref(),
                        to, err != null ? err.toString() : reply);
            }
            next.run();
        }));
    }

    /** A member's answer to a repair pull: the objects' states, or EIO naming the copy that failed its checksum. */
    static MOSDPgPush pullReply(Pg pg, List<ObjectRef> refs) {
        List<ObjectState> states = new ArrayList<>();
        int result = OsdResult.OK;
        for (ObjectRef r : refs) {
            try {
                states.add(PgObjects.read(pg.host().store(), pg.coll(), r));
            } catch (StoreException e) {
                log.error("osd.{} pg {}: copy of {} unreadable: {}", pg.host().whoami(), pg.pgid(), r, e.getMessage());
                result = OsdResult.EIO;
                states.clear();
                break;
            }
        }
        return new MOSDPgPush(pg.pgid().pool(), pg.pgid().seed(), pg.epoch(), pg.host().whoami(), result, states, 0,
                List.of(), io.loligo.messages.Eversion.ZERO, io.loligo.messages.Eversion.ZERO, Optional.empty(), true);
    }

    /**
     * Whether a write in {@code ops} must read a block of this copy of the object that fails its
     * checksum: a write, zero or truncate that does not start or end on a block boundary reads the
     * block it cuts (the store keeps the rest of it), and the store then fails the whole transaction.
     * Checked on the primary before the write is ordered, so such a write waits for a repair instead.
     */
    static boolean damagedUnderWrite(ObjectStore store, CollectionId coll, ObjectId oid, List<OsdOp> ops) {
        CopySize copy = new CopySize(store, coll, oid);
        for (OsdOp op : ops) {
            switch (op) {
                case OsdOp.Write w -> {
                    if (copy.cutDamaged(w.offset()) || copy.cutDamaged(w.offset() + w.data().length)) {
                        return true;
                    }
                    copy.growTo(w.offset() + w.data().length);
                }
                case OsdOp.Append a -> {
                    long size = copy.size();
                    if (size >= 0 && copy.cutDamaged(size)) {
                        return true;
                    }
                    copy.growTo(size + a.data().length);
                }
                case OsdOp.Zero z -> {
                    if (copy.cutDamaged(z.offset()) || copy.cutDamaged(z.offset() + z.length())) {
                        return true;
                    }
                }
                case OsdOp.Truncate t -> {
                    if (copy.cutDamaged(t.size())) {
                        return true;
                    }
                    copy.truncateTo(t.size());
                }
                case OsdOp.WriteFull f -> {
                    return false;   // the old data is replaced whole; later sub-ops work on the new
                }
                case OsdOp.Remove r -> {
                    return false;
                }
                default -> { }
            }
        }
        return false;
    }

    /** {@link #damagedUnderWrite} for a replica's physical transaction (appends are writes at an offset there). */
    static Optional<ObjectId> damagedUnderTxn(ObjectStore store, CollectionId coll, List<Transaction.Op> ops) {
        java.util.Map<ObjectId, CopySize> copies = new java.util.HashMap<>();
        for (Transaction.Op op : ops) {
            ObjectId oid;
            long[] cuts;
            switch (op) {
                case Transaction.Write w -> {
                    oid = w.oid();
                    cuts = new long[] {w.offset(), w.offset() + w.data().length};
                }
                case Transaction.Zero z -> {
                    oid = z.oid();
                    cuts = new long[] {z.offset(), z.offset() + z.length()};
                }
                case Transaction.Truncate t -> {
                    oid = t.oid();
                    cuts = new long[] {t.size()};
                }
                case Transaction.WriteFull f -> {
                    copies.put(f.oid(), CopySize.gone(f.oid()));   // replaced whole: nothing later in the transaction reads the old copy
                    continue;
                }
                case Transaction.Remove r -> {
                    copies.put(r.oid(), CopySize.gone(r.oid()));
                    continue;
                }
                default -> {
                    continue;
                }
            }
            CopySize copy = copies.computeIfAbsent(oid, o -> new CopySize(store, coll, o));
            for (long at : cuts) {
                if (copy.cutDamaged(at)) {
                    return Optional.of(oid);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The size of this OSD's copy of an object as a write's sub-ops go, looked up in the store only
     * when one of them cuts a block (or needs the size itself): most writes are block-aligned and
     * need no lookup at all. A copy that does not exist, or was replaced whole, has nothing to check.
     */
    private static final class CopySize {
        private static final long UNKNOWN = -2;
        private static final long NONE = -1;
        private final ObjectStore store;
        private final CollectionId coll;
        private final ObjectId oid;
        private long size;
        /** The end of the writes made before the size was looked up. */
        private long grownTo;

        CopySize(ObjectStore store, CollectionId coll, ObjectId oid) {
            this(store, coll, oid, UNKNOWN);
        }

        private CopySize(ObjectStore store, CollectionId coll, ObjectId oid, long size) {
            this.store = store;
            this.coll = coll;
            this.oid = oid;
            this.size = size;
        }

        static CopySize gone(ObjectId oid) {
            return new CopySize(null, null, oid, NONE);
        }

        /** The copy's size now, or -1 when there is no copy to check. */
        long size() {
            if (size == UNKNOWN) {
                size = store.exists(coll, oid) ? Math.max(store.stat(coll, oid).size(), grownTo) : NONE;
            }
            return size;
        }

        /** Whether a sub-op starting or ending at {@code at} cuts a block of this copy that fails its checksum. */
        boolean cutDamaged(long at) {
            return cutsABlock(at) && size() >= 0 && cutBlockDamaged(store, coll, oid, size, at);
        }

        void growTo(long end) {
            if (size == UNKNOWN) {
                grownTo = Math.max(grownTo, end);
            } else if (size >= 0) {
                size = Math.max(size, end);
            }
        }

        void truncateTo(long newSize) {
            if (size() >= 0) {
                size = newSize;
            }
        }
    }

    /** Whether a write, zero or truncate ending or starting at {@code at} keeps part of a block (which it must then read). */
    private static boolean cutsABlock(long at) {
        return at > 0 && at % BLOCK_BYTES != 0;
    }

    private static boolean cutBlockDamaged(ObjectStore store, CollectionId coll, ObjectId oid, long size, long at) {
        long blockStart = at / BLOCK_BYTES * BLOCK_BYTES;
        if (!cutsABlock(at) || blockStart >= size) {
            return false;
        }
        try {
            store.read(coll, oid, blockStart, (int) Math.min(BLOCK_BYTES, size - blockStart));
            return false;
        } catch (ChecksumMismatchException e) {
            return true;
        }
    }

    static final int BLOCK_BYTES = 4096;
}
