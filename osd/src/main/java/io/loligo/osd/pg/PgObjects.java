package io.loligo.osd.pg;

import io.loligo.messages.ObjectRef;
import io.loligo.messages.ObjectState;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** Reading and writing whole object states of a PG's collection, for recovery and backfill. */
public final class PgObjects {
    /** Most bytes of object states gathered into one push or pull reply. */
    public static final long PUSH_BYTES_MAX = 16L << 20;
    public static final int PUSH_OBJECTS_MAX = 256;

    private PgObjects() {}

    public static ObjectId oid(CollectionId coll, ObjectRef ref) {
        return new ObjectId(coll.pool(), ref.namespace(), ref.name(), ref.hash());
    }

    public static ObjectRef ref(ObjectId oid) {
        return new ObjectRef(oid.namespace(), oid.name(), oid.hash());
    }

    /** True for the OSD's own objects (the PG meta object), which clients never see. */
    public static boolean isInternal(ObjectId oid) {
        return oid.namespace().startsWith("\u0000");
    }

    public static ObjectState read(ObjectStore store, CollectionId coll, ObjectRef ref) {
        ObjectId oid = oid(coll, ref);
        if (!store.exists(coll, oid)) {
            return ObjectState.absent(ref);
        }
        long size = store.stat(coll, oid).size();
        byte[] data = store.read(coll, oid, 0, (int) Math.min(size, Integer.MAX_VALUE - 16));
        SortedMap<String, byte[]> omap = new TreeMap<>();
        String after = null;
        while (true) {
            ObjectStore.OmapPage page = store.omapList(coll, oid, after, "", 10_000);
            omap.putAll(page.entries());
            if (!page.more() || page.entries().isEmpty()) {
                break;
            }
            after = page.entries().lastKey();
        }
        return new ObjectState(ref, true, data, store.getattrs(coll, oid), omap, store.omapHeader(coll, oid));
    }

    /**
     * The states recovery sends for {@code ref}: its whole snapshot family as this copy has it:
     * head, snapdir (always, present or absent: it marks the push as a whole family, see {@link
     * #removeStaleFamily}) and every clone. Writes that clone and trims are logged under the head.
     */
    public static List<ObjectState> readFamily(ObjectStore store, CollectionId coll, ObjectRef ref) {
        ObjectId oid = oid(coll, ref);
        ObjectId head = SnapSet.headOf(oid);
        ObjectId dir = SnapSet.snapdirOid(head);
        java.util.LinkedHashMap<ObjectId, ObjectState> out = new java.util.LinkedHashMap<>();
        out.put(oid, read(store, coll, ref));
        out.putIfAbsent(head, read(store, coll, ref(head)));
        out.putIfAbsent(dir, read(store, coll, ref(dir)));
        // A head that does not exist has no attrs to ask (getattr would throw ObjectNotFound): with no
        // snapdir either, the object is simply absent, which recovery pushes as a deletion.
        if (!out.get(dir).exists()
                && (!out.get(head).exists() || store.getattr(coll, head, SnapSet.ATTR).isEmpty())) {
            return List.copyOf(out.values());   // no snapshots of this object (the common case)
        }
        String prefix = head.name() + "\u0000";
        ObjectId cursor = head;
        while (true) {
            ObjectStore.ObjectPage page = store.list(coll, cursor, 64);
            for (ObjectId o : page.objects()) {
                if (o.hash() != head.hash() || !o.namespace().equals(head.namespace()) || !o.name().startsWith(prefix)) {
                    return List.copyOf(out.values());
                }
                out.putIfAbsent(o, read(store, coll, ref(o)));
                cursor = o;
            }
            if (page.next().isEmpty()) {
                return List.copyOf(out.values());
            }
        }
    }

    /**
     * Adds to {@code txn} what makes the object equal to {@code state} (replacing any copy);
     * {@code knownAbsent}: the transaction already removed it.
     */
    public static void apply(ObjectStore store, CollectionId coll, ObjectState state, Transaction txn,
                             boolean knownAbsent) {
        ObjectId oid = oid(coll, state.ref());
        if (!knownAbsent && store.exists(coll, oid)) {
            txn.remove(coll, oid);
        }
        if (!state.exists()) {
            return;
        }
        txn.touch(coll, oid);
        byte[] data = state.data();
        for (int off = 0; off < data.length; off += Transaction.WRITE_BYTES_MAX) {
            int n = Math.min(Transaction.WRITE_BYTES_MAX, data.length - off);
            byte[] chunk = new byte[n];
            System.arraycopy(data, off, chunk, 0, n);
            txn.write(coll, oid, off, chunk);
        }
        state.xattrs().forEach((k, v) -> txn.setAttr(coll, oid, k, v));
        if (!state.omap().isEmpty()) {
            txn.omapSet(coll, oid, state.omap());
        }
        if (state.omapHeader().length > 0) {
            txn.omapSetHeader(coll, oid, state.omapHeader());
        }
    }

    /**
     * After a whole family was pushed (its snapdir state is among {@code received}): adds to
     * {@code txn} the removal of the local clones the sender no longer has (trimmed while this
     * copy was away); returns how many.
     */
    public static int removeStaleFamily(ObjectStore store, CollectionId coll, ObjectId head,
                                        java.util.Set<ObjectRef> received, Transaction txn) {
        String prefix = head.name() + "\u0000";
        ObjectId cursor = head;
        int removed = 0;
        while (true) {
            ObjectStore.ObjectPage page = store.list(coll, cursor, 64);
            for (ObjectId o : page.objects()) {
                if (o.hash() != head.hash() || !o.namespace().equals(head.namespace()) || !o.name().startsWith(prefix)) {
                    return removed;
                }
                if (!received.contains(ref(o))) {
                    txn.remove(coll, o);
                    removed++;
                }
                cursor = o;
            }
            if (page.next().isEmpty()) {
                return removed;
            }
        }
    }

    /** Adds removal of every client object of the collection to {@code txn} (backfill starts from empty). */
    public static void removeAll(ObjectStore store, CollectionId coll, Transaction txn) {
        ObjectId after = null;
        while (true) {
            ObjectStore.ObjectPage page = store.list(coll, after, 1000);
            for (ObjectId oid : page.objects()) {
                if (!isInternal(oid)) {
                    txn.remove(coll, oid);
                }
            }
            if (page.next().isEmpty()) {
                return;
            }
            after = page.next().get();
        }
    }

    /** One page of client objects after {@code after} in hash order, up to the push limits. */
    public record Scan(List<ObjectState> objects, Optional<ObjectRef> next, boolean done) {}

    public static Scan scan(ObjectStore store, CollectionId coll, Optional<ObjectRef> after, int maxObjects) {
        return scan(store, coll, after, maxObjects, PUSH_BYTES_MAX);
    }

    /** Up to {@code maxObjects} objects after {@code after} in hash order, stopping once {@code maxBytes} are gathered. */
    public static Scan scan(ObjectStore store, CollectionId coll, Optional<ObjectRef> after, int maxObjects,
                            long maxBytes) {
        List<ObjectState> out = new ArrayList<>();
        long bytes = 0;
        ObjectId cursor = after.map(r -> oid(coll, r)).orElse(null);
        int max = Math.max(1, Math.min(maxObjects, PUSH_OBJECTS_MAX));
        while (out.size() < max && bytes < maxBytes) {
            ObjectStore.ObjectPage page = store.list(coll, cursor, max - out.size());
            for (ObjectId oid : page.objects()) {
                cursor = oid;
                if (!isInternal(oid)) {
                    ObjectState s = read(store, coll, ref(oid));
                    out.add(s);
                    bytes += s.bytes();
                    if (out.size() >= max || bytes >= maxBytes) {
                        break;
                    }
                }
            }
            if (page.next().isEmpty() && (page.objects().isEmpty() || cursor.equals(page.objects().getLast()))) {
                return new Scan(out, Optional.empty(), true);
            }
        }
        return new Scan(out, Optional.of(ref(cursor)), false);
    }

    /** Client objects and their logical bytes in the collection: {objects, bytes}. */
    public static long[] count(ObjectStore store, CollectionId coll) {
        long n = 0;
        long bytes = 0;
        ObjectId after = null;
        while (true) {
            ObjectStore.ObjectPage page = store.list(coll, after, 4096);
            for (ObjectId o : page.objects()) {
                if (!isInternal(o)) {
                    n++;
                    bytes += store.stat(coll, o).size();
                }
            }
            if (page.next().isEmpty()) {
                return new long[] {n, bytes};
            }
            after = page.next().get();
        }
    }
}
