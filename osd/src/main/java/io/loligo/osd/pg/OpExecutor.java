package io.loligo.osd.pg;

import io.loligo.messages.Eversion;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.SubOpResult;
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
                          boolean deleted, boolean existsAfter, long sizeBefore, long sizeAfter) {}

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
            case OsdOp.Call c -> SubOpResult.error(OsdResult.EOPNOTSUPP);
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
                txn.write(coll, oid, w.offset(), w.data());
                size = Math.max(size, w.offset() + w.data().length);
                yield created();
            }
            case OsdOp.WriteFull w -> {
                if (exists) {
                    txn.truncate(coll, oid, 0);
                }
                txn.writeFull(coll, oid, w.data());
                size = w.data().length;
                yield created();
            }
            case OsdOp.Append a -> {
                txn.write(coll, oid, size, a.data());   // physical offset, so replicas apply the same bytes
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
            case OsdOp.Call c -> SubOpResult.error(OsdResult.EOPNOTSUPP);
            default -> SubOpResult.error(OsdResult.EINVAL);
        };
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
