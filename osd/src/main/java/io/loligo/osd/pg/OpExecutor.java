package io.loligo.osd.pg;

import io.loligo.messages.Eversion;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.SubOpResult;
import io.loligo.osd.cls.ClassException;
import io.loligo.osd.cls.MethodContext;
import io.loligo.osd.cls.ObjectClasses;
import io.loligo.osd.objectstore.BadRequestException;
import io.loligo.osd.objectstore.ChecksumMismatchException;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectNotFoundException;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Runs the sub-ops of one client op against one object (Ceph's PrimaryLogPG::do_osd_ops): reads
 * come from the store as the object is before the op, writes become store operations in {@link
 * Outcome#txn}. Any failing sub-op fails the whole op and nothing is applied. The caller (the PG)
 * adds the object info, the PG log entry and replication; this class knows nothing of those.
 */
public final class OpExecutor {
    /** Largest read or omap listing returned in one sub-op. */
    public static final int READ_BYTES_MAX = 64 << 20;
    public static final int OMAP_ENTRIES_MAX = 10_000;

    /** The result: code of the op, per-sub-op results, the store changes, and the object's fate. */
    public record Outcome(int result, String message, List<SubOpResult> results, Transaction txn, boolean wrote,
                          boolean deleted, boolean existsAfter, long sizeBefore, long sizeAfter, int snapObjectsDelta) {
        public Outcome(int result, String message, List<SubOpResult> results, Transaction txn, boolean wrote,
                       boolean deleted, boolean existsAfter, long sizeBefore, long sizeAfter) {
            this(result, message, results, txn, wrote, deleted, existsAfter, sizeBefore, sizeAfter, 0);
        }
    }

    /**
     * The op's snapshot parameters (MOSDOp's): the writer's snap context (seq and live snap ids,
     * newest first) and the snap reads are served from ({@code MOSDOp.SNAP_HEAD}: the head).
     */
    public record SnapParams(long snapSeq, List<Long> snaps, long readSnap) {
        public static final SnapParams NONE = new SnapParams(0, List.of(), 0);

        public SnapParams {
            snaps = List.copyOf(snaps);
        }
    }

    private final ObjectStore store;
    private final CollectionId coll;
    private final ObjectId oid;
    private final Transaction txn = new Transaction();
    private boolean exists;
    private long size;
    private final long sizeBefore;
    private final ObjectInfo info;
    private boolean wrote;
    private boolean deleted;

    private OpExecutor(ObjectStore store, CollectionId coll, ObjectId oid) {
        this.store = store;
        this.coll = coll;
        this.oid = oid;
        this.exists = store.exists(coll, oid);
        this.size = exists ? store.stat(coll, oid).size() : 0;
        this.sizeBefore = size;
        this.info = exists ? store.getattr(coll, oid, ObjectInfo.ATTR).map(ObjectInfo::decode)
                .orElse(new ObjectInfo(Eversion.ZERO, 0)) : new ObjectInfo(Eversion.ZERO, 0);
    }

    /** The object's current info (ZERO version when absent). */
    public static ObjectInfo info(ObjectStore store, CollectionId coll, ObjectId oid) {
        if (!store.exists(coll, oid)) {
            return new ObjectInfo(Eversion.ZERO, 0);
        }
        return store.getattr(coll, oid, ObjectInfo.ATTR).map(ObjectInfo::decode).orElse(new ObjectInfo(Eversion.ZERO, 0));
    }

    public static Outcome execute(ObjectStore store, CollectionId coll, ObjectId oid, List<OsdOp> ops) {
        return new OpExecutor(store, coll, oid).run(ops);
    }

    /** As {@link #execute(ObjectStore, CollectionId, ObjectId, List)}, with snapshots: reads at a snap, clone on write. */
    public static Outcome execute(ObjectStore store, CollectionId coll, ObjectId oid, List<OsdOp> ops, SnapParams snap) {
        if (snap.readSnap() != 0) {
            if (ops.stream().anyMatch(OsdOp::isWrite)) {
                List<SubOpResult> results = new ArrayList<>();
                ops.forEach(o -> results.add(SubOpResult.error(o.isWrite() ? OsdResult.EROFS : OsdResult.ECANCELED)));
                return new Outcome(OsdResult.EROFS, "writes at snap " + snap.readSnap() + " are refused (EROFS)", results,
                        new Transaction(), false, false, false, 0, 0);
            }
            ObjectId target = SnapSet.load(store, coll, oid).resolve(store, coll, oid, snap.readSnap())
                    .orElse(SnapSet.cloneOid(oid, snap.readSnap()));   // absent: every read answers ENOENT
            return new OpExecutor(store, coll, target).run(ops);
        }
        if (snap.snapSeq() == 0 || ops.stream().noneMatch(OsdOp::isWrite)) {
            return new OpExecutor(store, coll, oid).run(ops);   // a pool that never had snapshots: no snap set to keep
        }
        return new OpExecutor(store, coll, oid).runWithSnaps(ops, snap);
    }

    /**
     * Ceph's make_writeable: before the first write after a newer snap, the head is cloned (in the
     * same transaction); afterwards the snap set is kept on the head, or on the snapdir when the
     * head was deleted and clones remain.
     */
    private Outcome runWithSnaps(List<OsdOp> ops, SnapParams snap) {
        SnapSet ss = SnapSet.load(store, coll, oid);
        ObjectId dir = SnapSet.snapdirOid(oid);
        boolean dirExisted = !exists && store.exists(coll, dir);
        boolean clone = exists && snap.snapSeq() > ss.seq() && !ss.newSnaps(snap.snapSeq(), snap.snaps()).isEmpty();
        if (clone) {
            ObjectId c = SnapSet.cloneOid(oid, snap.snapSeq());
            txn.clone(coll, oid, c);
            if (store.getattr(coll, oid, SnapSet.ATTR).isPresent()) {
                txn.rmAttr(coll, c, SnapSet.ATTR);
            }
        }
        Outcome out = run(ops);
        if (out.result() != OsdResult.OK || !out.wrote()) {
            return out;
        }
        SnapSet next = ss.afterWrite(snap.snapSeq(), snap.snaps(), sizeBefore, clone);
        int delta = clone ? 1 : 0;
        if (exists) {
            if (!next.isEmpty()) {
                txn.setAttr(coll, oid, SnapSet.ATTR, next.encode());
            }
            if (dirExisted) {
                txn.remove(coll, dir);
                delta--;
            }
        } else if (!next.clones().isEmpty()) {
            txn.touch(coll, dir);
            txn.setAttr(coll, dir, SnapSet.ATTR, next.encode());
            delta += dirExisted ? 0 : 1;
        } else if (dirExisted) {
            txn.remove(coll, dir);
            delta--;
        }
        return new Outcome(out.result(), out.message(), out.results(), txn, out.wrote(), out.deleted(), out.existsAfter(),
                out.sizeBefore(), out.sizeAfter(), delta);
    }

    private Outcome run(List<OsdOp> ops) {
        List<SubOpResult> results = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            OsdOp op = ops.get(i);
            SubOpResult r;
            try {
                if (!op.isWrite() && wrote && !(op instanceof OsdOp.Call)) {
                    r = SubOpResult.error(OsdResult.EINVAL);
                } else {
                    r = op.isWrite() ? write(op) : read(op);
                }
            } catch (IllegalArgumentException | BadRequestException e) {
                r = SubOpResult.error(OsdResult.EINVAL);
            } catch (ObjectNotFoundException e) {
                r = SubOpResult.error(OsdResult.ENOENT);
            } catch (ChecksumMismatchException e) {
                r = SubOpResult.error(OsdResult.EIO);
            }
            results.add(r);
            if (r.result() != OsdResult.OK) {
                for (int j = i + 1; j < ops.size(); j++) {
                    results.add(SubOpResult.error(OsdResult.ECANCELED));
                }
                return new Outcome(r.result(), describe(op, r.result()), results, new Transaction(), false, false, exists,
                        sizeBefore, sizeBefore);
            }
        }
        return new Outcome(OsdResult.OK, "", results, txn, wrote, deleted && !exists, exists, sizeBefore, size);
    }

    private String describe(OsdOp op, int code) {
        return op.getClass().getSimpleName().toLowerCase() + " on " + oid.name() + ": " + OsdResult.name(code);
    }

    private SubOpResult read(OsdOp op) {
        return switch (op) {
            case OsdOp.Read r -> readData(r);
            case OsdOp.Stat s -> exists ? SubOpResult.ok(new OpOutput.Stat(size, info.mtimeMillis(), info.version()))
                    : SubOpResult.error(OsdResult.ENOENT);
            case OsdOp.GetXattr g -> !exists ? SubOpResult.error(OsdResult.ENOENT)
                    : store.getattr(coll, oid, ObjectInfo.USER_ATTR_PREFIX + g.name())
                            .map(v -> SubOpResult.ok(new OpOutput.Data(v))).orElse(SubOpResult.error(OsdResult.ENODATA));
            case OsdOp.GetXattrs g -> exists ? SubOpResult.ok(new OpOutput.KeyValues(userXattrs(), false))
                    : SubOpResult.error(OsdResult.ENOENT);
            case OsdOp.CmpXattr c -> cmpXattr(c);
            case OsdOp.AssertVersion a -> assertVersion(a.version());
            case OsdOp.OmapGetValsByKeys k -> exists
                    ? SubOpResult.ok(new OpOutput.KeyValues(store.omapGet(coll, oid, k.keys()), false))
                    : SubOpResult.error(OsdResult.ENOENT);
            case OsdOp.OmapList l -> omapList(l);
            case OsdOp.OmapGetHeader h -> exists ? SubOpResult.ok(new OpOutput.Data(store.omapHeader(coll, oid)))
                    : SubOpResult.error(OsdResult.ENOENT);
            case OsdOp.Call c -> call(c);
            default -> SubOpResult.error(OsdResult.EINVAL);
        };
    }

    private SubOpResult readData(OsdOp.Read r) {
        if (!exists) {
            return SubOpResult.error(OsdResult.ENOENT);
        }
        if (r.offset() < 0 || r.length() < 0) {
            return SubOpResult.error(OsdResult.EINVAL);
        }
        long length = r.length() == 0 ? Math.max(0, size - r.offset()) : r.length();
        if (length > READ_BYTES_MAX) {
            return SubOpResult.error(OsdResult.E2BIG);
        }
        return SubOpResult.ok(new OpOutput.Data(store.read(coll, oid, r.offset(), (int) length)));
    }

    private SortedMap<String, byte[]> userXattrs() {
        SortedMap<String, byte[]> out = new TreeMap<>();
        store.getattrs(coll, oid).forEach((k, v) -> {
            if (k.startsWith(ObjectInfo.USER_ATTR_PREFIX)) {
                out.put(k.substring(ObjectInfo.USER_ATTR_PREFIX.length()), v);
            }
        });
        return out;
    }

    private SubOpResult cmpXattr(OsdOp.CmpXattr c) {
        byte[] have = exists ? store.getattr(coll, oid, ObjectInfo.USER_ATTR_PREFIX + c.name()).orElse(new byte[0]) : new byte[0];
        int cmp = Arrays.compareUnsigned(have, c.value());
        boolean holds = switch (c.op()) {
            case EQ -> cmp == 0;
            case NE -> cmp != 0;
            case GT -> cmp > 0;
            case GTE -> cmp >= 0;
            case LT -> cmp < 0;
            case LTE -> cmp <= 0;
        };
        return holds ? SubOpResult.ok() : SubOpResult.error(OsdResult.ECANCELED);
    }

    private SubOpResult assertVersion(Eversion expected) {
        if (!exists) {
            return expected.equals(Eversion.ZERO) ? SubOpResult.ok() : SubOpResult.error(OsdResult.ENOENT);
        }
        int cmp = expected.compareTo(info.version());
        return cmp == 0 ? SubOpResult.ok() : SubOpResult.error(cmp < 0 ? OsdResult.ERANGE : OsdResult.EOVERFLOW);
    }

    private SubOpResult omapList(OsdOp.OmapList l) {
        if (!exists) {
            return SubOpResult.error(OsdResult.ENOENT);
        }
        int max = Math.max(0, Math.min(l.maxEntries(), OMAP_ENTRIES_MAX));
        ObjectStore.OmapPage page = store.omapList(coll, oid, l.startAfter().isEmpty() ? null : l.startAfter(),
                l.prefix(), max);
        SortedMap<String, byte[]> entries = page.entries();
        if (l.keysOnly()) {
            SortedMap<String, byte[]> keys = new TreeMap<>();
            entries.keySet().forEach(k -> keys.put(k, new byte[0]));
            entries = keys;
        }
        return SubOpResult.ok(new OpOutput.KeyValues(entries, page.more()));
    }

    private SubOpResult write(OsdOp op) {
        SubOpResult r = switch (op) {
            case OsdOp.Create c -> {
                if (exists && c.exclusive()) {
                    yield SubOpResult.error(OsdResult.EEXIST);
                }
                txn.touch(coll, oid);
                yield created();
            }
            case OsdOp.Write w -> {
                txn.writeOwned(coll, oid, w.offset(), w.data());   // decoded for this op; class methods pass copies
                size = Math.max(size, w.offset() + w.data().length);
                yield created();
            }
            case OsdOp.WriteFull w -> {
                if (exists) {
                    txn.truncate(coll, oid, 0);
                }
                txn.writeFullOwned(coll, oid, w.data());
                size = w.data().length;
                yield created();
            }
            case OsdOp.Append a -> {
                txn.writeOwned(coll, oid, size, a.data());   // physical offset, so replicas apply the same bytes
                size += a.data().length;
                yield created();
            }
            case OsdOp.Truncate t -> {
                txn.truncate(coll, oid, t.size());
                size = t.size();
                yield created();
            }
            case OsdOp.Zero z -> {
                if (!exists) {
                    yield SubOpResult.error(OsdResult.ENOENT);
                }
                long end = Math.min(size, z.offset() + z.length());
                if (end > z.offset()) {
                    txn.zero(coll, oid, z.offset(), end - z.offset());
                }
                yield SubOpResult.ok();
            }
            case OsdOp.Remove rm -> {
                if (!exists) {
                    yield SubOpResult.error(OsdResult.ENOENT);
                }
                txn.remove(coll, oid);
                exists = false;
                deleted = true;
                size = 0;
                yield SubOpResult.ok();
            }
            default -> writeMeta(op);
        };
        if (r.result() == OsdResult.OK) {
            wrote = true;
        }
        return r;
    }

    private SubOpResult writeMeta(OsdOp op) {
        return switch (op) {
            case OsdOp.SetXattr s -> {
                txn.setAttr(coll, oid, ObjectInfo.USER_ATTR_PREFIX + s.name(), s.value());
                yield created();
            }
            case OsdOp.RmXattr r -> {
                if (!exists || store.getattr(coll, oid, ObjectInfo.USER_ATTR_PREFIX + r.name()).isEmpty()) {
                    yield SubOpResult.error(exists ? OsdResult.ENODATA : OsdResult.ENOENT);
                }
                txn.rmAttr(coll, oid, ObjectInfo.USER_ATTR_PREFIX + r.name());
                yield SubOpResult.ok();
            }
            case OsdOp.OmapSetVals s -> {
                txn.omapSet(coll, oid, s.entries());
                yield created();
            }
            case OsdOp.OmapRmKeys k -> {
                if (!exists) {
                    yield SubOpResult.error(OsdResult.ENOENT);
                }
                txn.omapRmKeys(coll, oid, k.keys());
                yield SubOpResult.ok();
            }
            case OsdOp.OmapSetHeader h -> {
                txn.omapSetHeader(coll, oid, h.header());
                yield created();
            }
            case OsdOp.OmapClear c -> {
                if (!exists) {
                    yield SubOpResult.error(OsdResult.ENOENT);
                }
                txn.omapClear(coll, oid);
                yield SubOpResult.ok();
            }
            case OsdOp.Call c -> call(c);
            default -> SubOpResult.error(OsdResult.EINVAL);
        };
    }

    // ---- object classes ----

    /**
     * Runs a registered class method (EOPNOTSUPP when unknown; EINVAL when a writing method is
     * called in a read); its writes go through {@link #write} like sub-ops, into this op's transaction.
     */
    private SubOpResult call(OsdOp.Call c) {
        Optional<ObjectClasses.Method> m = ObjectClasses.builtin().lookup(c.className(), c.method());
        if (m.isEmpty() || c.className().startsWith("_")) {
            return SubOpResult.error(OsdResult.EOPNOTSUPP);
        }
        if (m.get().writes() && !c.write()) {
            return SubOpResult.error(OsdResult.EINVAL);
        }
        try {
            byte[] out = m.get().impl().call(new ClassContext(m.get().writes()), c.input());
            return SubOpResult.ok(new OpOutput.Data(out == null ? new byte[0] : out));
        } catch (ClassException e) {
            return SubOpResult.error(e.errno() == OsdResult.OK ? OsdResult.EINVAL : e.errno());
        } catch (io.loligo.msg.DecodeException e) {
            return SubOpResult.error(OsdResult.EINVAL);
        }
    }

    /** The object as a class method sees it: reads from the store (before this op), writes as sub-ops. */
    private final class ClassContext implements MethodContext {
        private final boolean mayWrite;

        ClassContext(boolean mayWrite) {
            this.mayWrite = mayWrite;
        }

        private void apply(OsdOp op) throws ClassException {
            if (!mayWrite) {
                throw new ClassException(OsdResult.EINVAL, "a reading class method tried to write");
            }
            SubOpResult r = OpExecutor.this.write(op);
            if (r.result() != OsdResult.OK) {
                throw new ClassException(r.result(), op + " failed");
            }
        }

        @Override public boolean exists() { return exists; }
        @Override public long size() { return size; }

        @Override
        public byte[] read(long offset, long length) throws ClassException {
            SubOpResult r = readData(new OsdOp.Read(offset, length));
            if (r.result() != OsdResult.OK) {
                throw new ClassException(r.result(), "read failed");
            }
            return ((OpOutput.Data) r.output()).bytes();
        }

        @Override public void create(boolean exclusive) throws ClassException { apply(new OsdOp.Create(exclusive)); }
        // Copies: the transaction keeps the array (writeOwned), and a class method may reuse its own.
        @Override public void writeFull(byte[] data) throws ClassException { apply(new OsdOp.WriteFull(data.clone())); }
        @Override public void write(long offset, byte[] data) throws ClassException { apply(new OsdOp.Write(offset, data.clone())); }
        @Override public void remove() throws ClassException { apply(new OsdOp.Remove()); }

        @Override
        public Optional<byte[]> getXattr(String name) {
            return exists ? store.getattr(coll, oid, ObjectInfo.USER_ATTR_PREFIX + name) : Optional.empty();
        }

        @Override public void setXattr(String name, byte[] value) throws ClassException { apply(new OsdOp.SetXattr(name, value)); }
        @Override public void rmXattr(String name) throws ClassException { apply(new OsdOp.RmXattr(name)); }

        @Override
        public SortedMap<String, byte[]> omapGet(java.util.Collection<String> keys) {
            return exists ? store.omapGet(coll, oid, keys) : new TreeMap<>();
        }

        @Override
        public SortedMap<String, byte[]> omapList(String startAfter, String prefix, int max) {
            if (!exists) {
                return new TreeMap<>();
            }
            return store.omapList(coll, oid, startAfter.isEmpty() ? null : startAfter, prefix,
                    Math.max(0, Math.min(max, OMAP_ENTRIES_MAX))).entries();
        }

        @Override public void omapSet(SortedMap<String, byte[]> entries) throws ClassException { apply(new OsdOp.OmapSetVals(entries)); }
        @Override public void omapRmKeys(List<String> keys) throws ClassException { apply(new OsdOp.OmapRmKeys(keys)); }
        @Override public byte[] omapHeader() { return exists ? store.omapHeader(coll, oid) : new byte[0]; }
        @Override public void omapSetHeader(byte[] header) throws ClassException { apply(new OsdOp.OmapSetHeader(header)); }
    }

    private SubOpResult created() {
        if (!exists) {
            txn.touch(coll, oid);
            exists = true;
        }
        return SubOpResult.ok();
    }

    /** The names of the object's user xattrs are stored with this prefix; for listings elsewhere. */
    static Optional<String> userXattrName(String storeName) {
        return storeName.startsWith(ObjectInfo.USER_ATTR_PREFIX)
                ? Optional.of(storeName.substring(ObjectInfo.USER_ATTR_PREFIX.length())) : Optional.empty();
    }
}
