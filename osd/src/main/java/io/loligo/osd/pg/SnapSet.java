package io.loligo.osd.pg;

import io.loligo.common.Invariants;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/*
 * On disk (Ceph's SnapSet and its pre-Octopus snapdir): an object whose pool has snapshots keeps,
 * in the store xattr "ss" of its head (or, while the head is deleted but clones remain, of its
 * snapdir object), struct(version 1) { u64 seq; list of clone { u64 id; list of u64 snaps (newest
 * first); u64 size } } with clones oldest first. A clone is the store object named
 * NAME + "\0" + 16 hex digits of its id, the snapdir NAME + "\0snapdir", both with the head's
 * namespace and hash: the same PG, and in the store's order right after the head (NUL sorts first),
 * so a head's family is one contiguous range. Clients cannot name objects with NUL (the dispatcher
 * refuses them), and listings skip these names.
 */
/**
 * The snapshots of one object (Ceph's SnapSet): {@code seq} is the newest snap context seq any
 * write to the object carried; each clone holds the object as it was before the first write after
 * the snaps it covers. A read at snap S gets the head when S &gt; seq (no write since S), else the
 * oldest clone with id &ge; S if it covers S, else ENOENT (the object did not exist at S).
 */
public record SnapSet(long seq, List<Clone> clones) {
    public static final String ATTR = "ss";
    public static final SnapSet EMPTY = new SnapSet(0, List.of());
    private static final String SNAPDIR = "snapdir";

    /** One clone: its id (the snap context seq that made it), the snaps it serves (newest first) and its size. */
    public record Clone(long id, List<Long> snaps, long size) {
        public Clone {
            snaps = List.copyOf(snaps);
            Invariants.check(id >= 1, "clone id %d < 1", id);
            Invariants.check(!snaps.isEmpty(), "clone %d serves no snap", id);
            Invariants.check(snaps.getFirst() <= id, "clone %d serves newer snap %d", id, snaps.getFirst());
        }
    }

    public SnapSet {
        clones = List.copyOf(clones);
        for (int i = 1; i < clones.size(); i++) {
            Invariants.check(clones.get(i - 1).id() < clones.get(i).id(), "clones out of order: %s", clones);
        }
        Invariants.check(clones.isEmpty() || clones.getLast().id() <= seq, "clone %s newer than seq %d", clones, seq);
    }

    public boolean isEmpty() {
        return seq == 0 && clones.isEmpty();
    }

    // ---- naming ----

    public static ObjectId cloneOid(ObjectId head, long snapId) {
        return new ObjectId(head.pool(), head.namespace(), head.name() + "\u0000" + String.format("%016x", snapId), head.hash());
    }

    public static ObjectId snapdirOid(ObjectId head) {
        return new ObjectId(head.pool(), head.namespace(), head.name() + "\u0000" + SNAPDIR, head.hash());
    }

    /** True for clones and snapdirs (store objects clients never see directly). */
    public static boolean isSnapObject(ObjectId oid) {
        return oid.name().indexOf('\u0000') >= 0;
    }

    public static boolean isSnapdir(ObjectId oid) {
        return oid.name().endsWith("\u0000" + SNAPDIR);
    }

    /** The head object of a clone or snapdir (itself for a head). */
    public static ObjectId headOf(ObjectId oid) {
        int nul = oid.name().indexOf('\u0000');
        return nul < 0 ? oid : new ObjectId(oid.pool(), oid.namespace(), oid.name().substring(0, nul), oid.hash());
    }

    /** The clone id of a clone object; empty for heads and snapdirs. */
    public static Optional<Long> cloneId(ObjectId oid) {
        int nul = oid.name().indexOf('\u0000');
        if (nul < 0 || oid.name().endsWith("\u0000" + SNAPDIR)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseUnsignedLong(oid.name().substring(nul + 1), 16));
    }

    // ---- store access ----

    /** The object's snap set: from the head, else from its snapdir, else empty. */
    public static SnapSet load(ObjectStore store, CollectionId coll, ObjectId head) {
        if (store.exists(coll, head)) {
            return store.getattr(coll, head, ATTR).map(SnapSet::decode).orElse(EMPTY);
        }
        ObjectId dir = snapdirOid(head);
        return store.exists(coll, dir) ? store.getattr(coll, dir, ATTR).map(SnapSet::decode).orElse(EMPTY) : EMPTY;
    }

    /**
     * The store object a read at {@code snapId} reads (the head or a clone); empty when the object
     * did not exist at that snap.
     */
    public Optional<ObjectId> resolve(ObjectStore store, CollectionId coll, ObjectId head, long snapId) {
        if (snapId > seq) {
            return store.exists(coll, head) ? Optional.of(head) : Optional.empty();
        }
        for (Clone c : clones) {
            if (c.id() >= snapId) {
                return c.snaps().contains(snapId) ? Optional.of(cloneOid(head, c.id())) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The same set after a write with snap context (snapSeq, snaps) to a head that existed ({@code cloned}). */
    public SnapSet afterWrite(long snapSeq, List<Long> snaps, long headSize, boolean cloned) {
        if (snapSeq <= seq) {
            return this;
        }
        List<Clone> next = new ArrayList<>(clones);
        if (cloned) {
            next.add(new Clone(snapSeq, newSnaps(snapSeq, snaps), headSize));
        }
        return new SnapSet(snapSeq, next);
    }

    /** The snaps of {@code snaps} (newest first) taken since this set's seq: what a clone made now serves. */
    public List<Long> newSnaps(long snapSeq, List<Long> snaps) {
        List<Long> out = new ArrayList<>();
        for (long s : snaps) {
            if (s > seq && s <= snapSeq) {
                out.add(s);
            }
        }
        return out;
    }

    /** Without the given snaps; clones left serving none are dropped (the caller removes their objects). */
    public SnapSet without(Collection<Long> removed) {
        List<Clone> next = new ArrayList<>();
        for (Clone c : clones) {
            List<Long> keep = c.snaps().stream().filter(s -> !removed.contains(s)).toList();
            if (!keep.isEmpty()) {
                next.add(new Clone(c.id(), keep, c.size()));
            }
        }
        return new SnapSet(seq, next);
    }

    // ---- codec ----

    public byte[] encode() {
        return Encoder.toBytes(out -> out.struct(1, 1, o -> {
            o.putLong(seq);
            o.putList(clones, (e, c) -> e.putLong(c.id()).putList(c.snaps(), Encoder::putLong).putLong(c.size()));
        }));
    }

    public static SnapSet decode(byte[] bytes) {
        Decoder in = Decoder.of(bytes);
        in.startStruct(1);
        long seq = in.getLong();
        List<Clone> clones = in.getList(d -> new Clone(d.getLong(), d.getList(Decoder::getLong), d.getLong()));
        in.endStruct();
        return new SnapSet(seq, clones);
    }
}
