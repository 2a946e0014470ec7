package io.loligo.osd.objectstore;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A trivially correct in-memory object store: the oracle for the property and crash tests. It
 * implements the same operation semantics as {@link TxnExecutor} in the plainest possible way.
 */
final class ModelStore {
    static final class Obj {
        byte[] data = new byte[0];
        long version;
        TreeMap<String, byte[]> attrs = new TreeMap<>();
        TreeMap<String, byte[]> omap = new TreeMap<>(Keys::compareUtf8);
        byte[] header;

        Obj copy() {
            Obj o = new Obj();
            o.data = data.clone();
            o.version = version;
            o.attrs = new TreeMap<>(attrs);
            o.omap = new TreeMap<>(omap);
            o.header = header;
            return o;
        }
    }

    final TreeMap<CollectionId, Integer> colls = new TreeMap<>();
    final TreeMap<ObjectId, Obj> objects = new TreeMap<>();

    ModelStore copy() {
        ModelStore m = new ModelStore();
        m.colls.putAll(colls);
        objects.forEach((k, v) -> m.objects.put(k, v.copy()));
        return m;
    }

    /** Objects already copied by the transaction being applied (copy on first write keeps apply cheap). */
    private final Set<ObjectId> copied = new HashSet<>();

    /** Applies {@code txn} all or nothing; returns the error it failed with, or null. */
    StoreException apply(Transaction txn) {
        ModelStore scratch = new ModelStore();
        scratch.colls.putAll(colls);
        scratch.objects.putAll(objects);
        Set<ObjectId> touched = new HashSet<>();
        try {
            for (Transaction.Op op : txn.ops()) {
                scratch.applyOp(op, touched);
            }
        } catch (StoreException e) {
            return e;
        }
        for (ObjectId oid : touched) {
            Obj o = scratch.objects.get(oid);
            if (o != null) {
                scratch.writable(o, oid).version++;
            }
        }
        colls.clear();
        colls.putAll(scratch.colls);
        objects.clear();
        objects.putAll(scratch.objects);
        return null;
    }

    private void checkMember(CollectionId c, ObjectId oid) {
        Integer bits = colls.get(c);
        if (bits == null) {
            throw new CollectionNotFoundException(c.toString());
        }
        if (!c.contains(oid, bits)) {
            throw new BadRequestException(oid + " not in " + c);
        }
    }

    private Obj forWrite(CollectionId c, ObjectId oid, Set<ObjectId> touched) {
        checkMember(c, oid);
        touched.add(oid);
        return writable(objects.computeIfAbsent(oid, k -> new Obj()), oid);
    }

    private Obj writable(Obj o, ObjectId oid) {
        if (copied.add(oid)) {
            o = o.copy();
            objects.put(oid, o);
        }
        return o;
    }

    private Obj source(CollectionId c, ObjectId oid) {
        checkMember(c, oid);
        Obj o = objects.get(oid);
        if (o == null) {
            throw new ObjectNotFoundException(oid.toString());
        }
        return o;
    }

    private Obj existing(CollectionId c, ObjectId oid, Set<ObjectId> touched) {
        Obj o = source(c, oid);
        touched.add(oid);
        return writable(o, oid);
    }

    private static void write(Obj o, long offset, byte[] data) {
        if (data.length == 0) {
            return;
        }
        if (offset + data.length > o.data.length) {
            o.data = Arrays.copyOf(o.data, (int) (offset + data.length));
        }
        System.arraycopy(data, 0, o.data, (int) offset, data.length);
    }

    static byte[] read(Obj o, long offset, int length) {
        byte[] out = new byte[length];
        long end = Math.min(o.data.length, offset + length);
        if (end > offset) {
            System.arraycopy(o.data, (int) offset, out, 0, (int) (end - offset));
        }
        return out;
    }

    private void applyOp(Transaction.Op op, Set<ObjectId> touched) {
        switch (op) {
            case Transaction.Touch o -> forWrite(o.coll(), o.oid(), touched);
            case Transaction.Write o -> write(forWrite(o.coll(), o.oid(), touched), o.offset(), o.data());
            case Transaction.WriteFull o -> forWrite(o.coll(), o.oid(), touched).data = o.data().clone();
            case Transaction.Append o -> {
                Obj x = forWrite(o.coll(), o.oid(), touched);
                write(x, x.data.length, o.data());
            }
            case Transaction.Zero o -> {
                Obj x = forWrite(o.coll(), o.oid(), touched);
                if (o.length() > 0) {
                    write(x, o.offset(), new byte[(int) o.length()]);
                }
            }
            case Transaction.Truncate o -> {
                Obj x = existing(o.coll(), o.oid(), touched);
                x.data = Arrays.copyOf(x.data, (int) o.size());
            }
            case Transaction.Remove o -> {
                existing(o.coll(), o.oid(), touched);
                objects.remove(o.oid());
            }
            case Transaction.Clone o -> {
                if (o.src().equals(o.dst())) {
                    throw new BadRequestException("clone onto itself");
                }
                Obj src = source(o.coll(), o.src());
                Obj dst = forWrite(o.coll(), o.dst(), touched);
                dst.data = src.data.clone();
                dst.attrs = new TreeMap<>(src.attrs);
                dst.omap = new TreeMap<>(src.omap);
                dst.header = src.header;
            }
            case Transaction.CloneRange o -> {
                byte[] data = read(source(o.coll(), o.src()), o.srcOffset(), (int) o.length());
                write(forWrite(o.coll(), o.dst(), touched), o.dstOffset(), data);
            }
            case Transaction.SetAttr o -> forWrite(o.coll(), o.oid(), touched).attrs.put(o.name(), o.value());
            case Transaction.RmAttr o -> existing(o.coll(), o.oid(), touched).attrs.remove(o.name());
            case Transaction.OmapSet o -> forWrite(o.coll(), o.oid(), touched).omap.putAll(o.entries());
            case Transaction.OmapRmKeys o -> o.keys().forEach(existing(o.coll(), o.oid(), touched).omap::remove);
            case Transaction.OmapRmRange o -> {
                Obj x = existing(o.coll(), o.oid(), touched);
                if (Keys.compareUtf8(o.first(), o.last()) < 0) {
                    x.omap.subMap(o.first(), o.last()).clear();
                }
            }
            case Transaction.OmapClear o -> {
                Obj x = existing(o.coll(), o.oid(), touched);
                x.omap.clear();
                x.header = null;
            }
            case Transaction.OmapSetHeader o -> forWrite(o.coll(), o.oid(), touched).header = o.header();
            case Transaction.CreateCollection o -> {
                if (colls.containsKey(o.coll())) {
                    throw new CollectionExistsException(o.coll().toString());
                }
                if (o.bits() > 0 && o.coll().seed() >= (1L << o.bits())) {
                    throw new BadRequestException("seed too big");
                }
                colls.put(o.coll(), o.bits());
            }
            case Transaction.RemoveCollection o -> {
                Integer bits = colls.get(o.coll());
                if (bits == null) {
                    throw new CollectionNotFoundException(o.coll().toString());
                }
                if (objects.keySet().stream().anyMatch(oid -> o.coll().contains(oid, bits))) {
                    throw new CollectionNotEmptyException(o.coll().toString());
                }
                colls.remove(o.coll());
            }
            case Transaction.SplitCollection o -> split(o);
            case Transaction.MergeCollection o -> merge(o);
        }
    }

    private void split(Transaction.SplitCollection o) {
        Integer bits = colls.get(o.coll());
        if (bits == null) {
            throw new CollectionNotFoundException(o.coll().toString());
        }
        if (colls.containsKey(o.dest())) {
            throw new CollectionExistsException(o.dest().toString());
        }
        long oldMask = (1L << bits) - 1;
        CollectionId d = o.dest();
        if (!(o.newBits() > bits && o.newBits() <= 31 && d.pool() == o.coll().pool() && (d.seed() & oldMask) == o.coll().seed()
                && d.seed() < (1L << o.newBits()) && d.seed() != o.coll().seed())) {
            throw new BadRequestException("bad split");
        }
        colls.put(o.coll(), o.newBits());
        colls.put(d, o.newBits());
    }

    private void merge(Transaction.MergeCollection o) {
        Integer srcBits = colls.get(o.coll());
        if (srcBits == null) {
            throw new CollectionNotFoundException(o.coll().toString());
        }
        Integer destBits = colls.get(o.dest());
        if (destBits == null) {
            throw new CollectionNotFoundException(o.dest().toString());
        }
        long mask = (1L << o.newBits()) - 1;
        if (!(srcBits.equals(destBits) && o.newBits() == srcBits - 1 && o.coll().pool() == o.dest().pool()
                && (o.coll().seed() & mask) == o.dest().seed() && !o.coll().equals(o.dest()))) {
            throw new BadRequestException("bad merge");
        }
        colls.remove(o.coll());
        colls.put(o.dest(), o.newBits());
    }

    /** The collection an object falls in now, or null. */
    CollectionId collectionOf(ObjectId oid) {
        for (Map.Entry<CollectionId, Integer> e : colls.entrySet()) {
            if (e.getKey().contains(oid, e.getValue())) {
                return e.getKey();
            }
        }
        return null;
    }
}
