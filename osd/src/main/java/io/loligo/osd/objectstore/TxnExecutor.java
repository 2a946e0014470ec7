package io.loligo.osd.objectstore;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * Applies one {@link Transaction}'s operations to a transaction {@link Staging}: the semantics of each
 * operation, in one place. Throws a {@link StoreException} for an operation that cannot apply; the
 * caller then rolls the staging back, so a transaction is all or nothing. Commit thread only.
 */
final class TxnExecutor {
    private final BlockWriter blocks;

    TxnExecutor(BlockWriter blocks) {
        this.blocks = blocks;
    }

    /** Per-transaction state: onodes loaded so far (null value: removed) and the objects touched. */
    private static final class Ctx {
        final Staging st;
        final Map<ObjectId, Onode> onodes = new HashMap<>();
        final Set<ObjectId> touched = new LinkedHashSet<>();

        Ctx(Staging st) {
            this.st = st;
        }
    }

    void execute(java.util.List<Transaction.Op> ops, Staging st) {
        execute(ops, null, st);
    }

    /** {@code blockCrcs}: per op, the CRC32Cs of its data's 4 KiB blocks taken beforehand, or null (see {@link BlockWriter#blockCrcs}). */
    void execute(java.util.List<Transaction.Op> ops, int[][] blockCrcs, Staging st) {
        Ctx x = new Ctx(st);
        for (int i = 0; i < ops.size(); i++) {
            apply(x, ops.get(i), blockCrcs == null ? null : blockCrcs[i]);
        }
        // Each object a transaction changed gets one new version.
        for (ObjectId oid : x.touched) {
            Onode n = x.onodes.get(oid);
            if (n != null) {
                n.version++;
                st.meta.put(Keys.onode(oid), n.encode());
            } else {
                st.meta.delete(Keys.onode(oid));
            }
        }
    }

    private void apply(Ctx x, Transaction.Op op, int[] crcs) {
        switch (op) {
            case Transaction.Touch o -> forWrite(x, o.coll(), o.oid());
            case Transaction.Write o -> blocks.write(x.st, o.oid(), forWrite(x, o.coll(), o.oid()), o.offset(), o.buffer(), crcs);
            case Transaction.WriteFull o -> {
                Onode n = forWrite(x, o.coll(), o.oid());
                blocks.truncate(x.st, o.oid(), n, 0);
                blocks.write(x.st, o.oid(), n, 0, o.buffer(), crcs);
            }
            case Transaction.Append o -> {
                Onode n = forWrite(x, o.coll(), o.oid());
                blocks.write(x.st, o.oid(), n, n.size, o.buffer(), crcs);
            }
            case Transaction.Zero o -> blocks.zero(x.st, o.oid(), forWrite(x, o.coll(), o.oid()), o.offset(), o.length());
            case Transaction.Truncate o -> blocks.truncate(x.st, o.oid(), existing(x, o.coll(), o.oid()), o.size());
            case Transaction.Remove o -> remove(x, o.oid(), existing(x, o.coll(), o.oid()));
            case Transaction.Clone o -> cloneObject(x, o);
            case Transaction.CloneRange o -> cloneRange(x, o);
            case Transaction.SetAttr o -> forWrite(x, o.coll(), o.oid()).attrs.put(o.name(), o.value());
            case Transaction.RmAttr o -> existing(x, o.coll(), o.oid()).attrs.remove(o.name());
            case Transaction.OmapSet o -> {
                forWrite(x, o.coll(), o.oid());
                byte[] prefix = Keys.omapPrefix(o.oid());
                o.entries().forEach((k, v) -> x.st.meta.put(Keys.omap(prefix, k), v));
            }
            case Transaction.OmapRmKeys o -> {
                existing(x, o.coll(), o.oid());
                byte[] prefix = Keys.omapPrefix(o.oid());
                o.keys().forEach(k -> x.st.meta.delete(Keys.omap(prefix, k)));
            }
            case Transaction.OmapRmRange o -> {
                existing(x, o.coll(), o.oid());
                byte[] prefix = Keys.omapPrefix(o.oid());
                deleteRange(x.st, Keys.omap(prefix, o.first()), Keys.omap(prefix, o.last()));
            }
            case Transaction.OmapClear o -> {
                existing(x, o.coll(), o.oid());
                clearOmap(x.st, o.oid());
            }
            case Transaction.OmapSetHeader o -> {
                forWrite(x, o.coll(), o.oid());
                x.st.meta.put(Keys.header(o.oid()), o.header());
            }
            case Transaction.CreateCollection o -> createCollection(x.st, o.coll(), o.bits());
            case Transaction.RemoveCollection o -> removeCollection(x.st, o.coll());
            case Transaction.SplitCollection o -> split(x.st, o);
            case Transaction.MergeCollection o -> merge(x.st, o);
        }
    }

    static Integer collectionBits(KvView meta, CollectionId c) {
        return meta.collectionBits(c);
    }

    private static int requireCollection(KvView meta, CollectionId c) {
        Integer bits = collectionBits(meta, c);
        if (bits == null) {
            throw new CollectionNotFoundException("collection " + c + " does not exist");
        }
        return bits;
    }

    static void checkMember(KvView meta, CollectionId c, ObjectId oid) {
        int bits = requireCollection(meta, c);
        if (!c.contains(oid, bits)) {
            throw new BadRequestException(String.format(
                    "object %s does not belong to collection %s (hash bits %d)", oid, c, bits));
        }
    }

    private static Onode lookup(Ctx x, ObjectId oid) {
        if (x.onodes.containsKey(oid)) {
            return x.onodes.get(oid);
        }
        byte[] v = x.st.meta.get(Keys.onode(oid));
        Onode n = v == null ? null : Onode.decode(v);
        x.onodes.put(oid, n);
        return n;
    }

    private static Onode forWrite(Ctx x, CollectionId c, ObjectId oid) {
        checkMember(x.st.meta, c, oid);
        Onode n = lookup(x, oid);
        if (n == null) {
            n = Onode.empty();
            x.onodes.put(oid, n);
            x.st.addPool(oid.pool(), BlockWriter.POOL_OBJECTS, 1);
        }
        x.touched.add(oid);
        return n;
    }

    private static Onode existing(Ctx x, CollectionId c, ObjectId oid) {
        Onode n = source(x, c, oid);
        x.touched.add(oid);
        return n;
    }

    /** An object that must exist and is only read (a clone's source): it gets no new version. */
    private static Onode source(Ctx x, CollectionId c, ObjectId oid) {
        checkMember(x.st.meta, c, oid);
        Onode n = lookup(x, oid);
        if (n == null) {
            throw new ObjectNotFoundException("object " + oid + " not found in collection " + c);
        }
        return n;
    }

    private void remove(Ctx x, ObjectId oid, Onode n) {
        blocks.truncate(x.st, oid, n, 0);
        clearOmap(x.st, oid);
        x.st.addPool(oid.pool(), BlockWriter.POOL_OBJECTS, -1);
        x.onodes.put(oid, null);
    }

    private static void deleteRange(Staging st, byte[] from, byte[] to) {
        if (Keys.UNSIGNED.compare(from, to) >= 0) {
            return;
        }
        for (byte[] key : st.meta.range(from, to).keySet()) {
            st.meta.delete(key);
        }
    }

    private static void clearOmap(Staging st, ObjectId oid) {
        byte[] prefix = Keys.omapPrefix(oid);
        deleteRange(st, prefix, Keys.prefixEnd(prefix));
        st.meta.delete(Keys.header(oid));
    }

    private void cloneObject(Ctx x, Transaction.Clone o) {
        if (o.src().equals(o.dst())) {
            throw new BadRequestException("clone of " + o.src() + " onto itself");
        }
        Onode src = source(x, o.coll(), o.src());
        if (src.size > Transaction.WRITE_BYTES_MAX) {
            throw new BadRequestException("clone of " + o.src() + ": " + src.size + " bytes exceeds " + Transaction.WRITE_BYTES_MAX);
        }
        byte[] data = blocks.read(x.st, o.src(), src, 0, (int) src.size);
        Onode dst = forWrite(x, o.coll(), o.dst());
        blocks.truncate(x.st, o.dst(), dst, 0);
        clearOmap(x.st, o.dst());
        blocks.write(x.st, o.dst(), dst, 0, data);
        blocks.setSize(x.st, o.dst(), dst, src.size);
        dst.attrs.clear();
        dst.attrs.putAll(src.attrs);
        byte[] srcPrefix = Keys.omapPrefix(o.src());
        byte[] dstPrefix = Keys.omapPrefix(o.dst());
        NavigableMap<byte[], byte[]> omap = x.st.meta.range(srcPrefix, Keys.prefixEnd(srcPrefix));
        omap.forEach((k, v) -> x.st.meta.put(Keys.omap(dstPrefix, Keys.omapKeyOf(srcPrefix, k)), v));
        byte[] header = x.st.meta.get(Keys.header(o.src()));
        if (header != null) {
            x.st.meta.put(Keys.header(o.dst()), header);
        }
    }

    private void cloneRange(Ctx x, Transaction.CloneRange o) {
        Onode src = source(x, o.coll(), o.src());
        byte[] data = blocks.read(x.st, o.src(), src, o.srcOffset(), (int) o.length());
        Onode dst = forWrite(x, o.coll(), o.dst());
        blocks.write(x.st, o.dst(), dst, o.dstOffset(), data);
    }

    private static void createCollection(Staging st, CollectionId c, int bits) {
        if (collectionBits(st.meta, c) != null) {
            throw new CollectionExistsException("collection " + c + " already exists");
        }
        if (bits > 0 && c.seed() >= (1L << bits)) {
            throw new BadRequestException("collection " + c + ": seed does not fit in " + bits + " hash bits");
        }
        st.meta.put(Keys.collection(c), ByteBuffer.allocate(4).putInt(bits).array());
    }

    private static void removeCollection(Staging st, CollectionId c) {
        int bits = requireCollection(st.meta, c);
        if (!st.meta.range(Keys.collectionStart(c, bits), Keys.collectionEnd(c, bits), 1).isEmpty()) {
            throw new CollectionNotEmptyException("collection " + c + " still holds objects; remove them first");
        }
        st.meta.delete(Keys.collection(c));
    }

    private static void split(Staging st, Transaction.SplitCollection o) {
        int bits = requireCollection(st.meta, o.coll());
        CollectionId dest = o.dest();
        if (collectionBits(st.meta, dest) != null) {
            throw new CollectionExistsException("split target " + dest + " already exists");
        }
        long oldMask = (1L << bits) - 1;
        boolean valid = o.newBits() > bits && o.newBits() <= 31 && dest.pool() == o.coll().pool()
                && (dest.seed() & oldMask) == o.coll().seed() && dest.seed() < (1L << o.newBits())
                && dest.seed() != o.coll().seed();
        if (!valid) {
            throw new BadRequestException(String.format("split of %s (bits %d) into %s with %d bits: not a child of it",
                    o.coll(), bits, dest, o.newBits()));
        }
        st.meta.put(Keys.collection(o.coll()), ByteBuffer.allocate(4).putInt(o.newBits()).array());
        st.meta.put(Keys.collection(dest), ByteBuffer.allocate(4).putInt(o.newBits()).array());
    }

    private static void merge(Staging st, Transaction.MergeCollection o) {
        int srcBits = requireCollection(st.meta, o.coll());
        int destBits = requireCollection(st.meta, o.dest());
        long mask = (1L << o.newBits()) - 1;
        boolean valid = srcBits == destBits && o.newBits() == srcBits - 1 && o.coll().pool() == o.dest().pool()
                && (o.coll().seed() & mask) == o.dest().seed() && !o.coll().equals(o.dest());
        if (!valid) {
            throw new BadRequestException(String.format("merge of %s (bits %d) into %s (bits %d) with %d bits: not siblings",
                    o.coll(), srcBits, o.dest(), destBits, o.newBits()));
        }
        st.meta.delete(Keys.collection(o.coll()));
        st.meta.put(Keys.collection(o.dest()), ByteBuffer.allocate(4).putInt(o.newBits()).array());
    }
}
