package io.loligo.client;

import io.loligo.client.striper.StripeLayout;
import io.loligo.client.striper.StripeTarget;
import io.loligo.client.striper.Striper;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.MOSDPgLsReply;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Object operations on one pool and namespace (librados' IoCtx). Every operation has an async
 * form returning a {@code CompletableFuture} (completing on a messenger thread: do not block in
 * its stages) and a sync form that waits and throws the {@link RadosException} subtype. Data
 * arrays are sent as given, not copied: do not change them until the future completes.
 */
public final class IoContext {
    private final Cluster cluster;
    private final int poolId;
    private final String poolName;
    private final String namespace;
    /** The snap reads are served from ({@link MOSDOp#SNAP_HEAD}: the current objects); see {@link #setReadSnap}. */
    private volatile long readSnap = MOSDOp.SNAP_HEAD;

    IoContext(Cluster cluster, int poolId, String poolName, String namespace) {
        this.cluster = cluster;
        this.poolId = poolId;
        this.poolName = poolName;
        this.namespace = namespace;
    }

    // ---- pool snapshots (librados' rados_ioctx_snap_*) ----

    /** One pool snapshot: id, name and creation time (ms since the epoch). */
    public record Snap(long id, String name, long stampMillis) {}

    private io.loligo.maps.PoolSnaps poolSnaps() {
        io.loligo.maps.Pool p = cluster.osdMap().pool(poolId);
        if (p == null) {
            throw new RadosException.PoolNotFound(poolName);
        }
        return p.snapshots();
    }

    /**
     * Takes a pool snapshot named {@code name} (through the monitors) and returns its id; writes
     * sent after this returns are cloned for it. {@link RadosException.SnapExists} when the pool
     * already has a snapshot of that name.
     */
    public long snapCreate(String name) throws IOException {
        cluster.awaitLatestMap();
        if (poolSnaps().byName(name) != null) {
            throw new RadosException.SnapExists("pool " + poolName + " already has snap '" + name + "'");
        }
        MonReply r = cluster.monCommand(Cluster.cmd("osd pool mksnap").put("pool", poolName).put("snap", name));
        if (r.code() != 0) {
            throw RadosException.of(r.code(), "mksnap " + poolName + "@" + name + ": " + r.outs());
        }
        cluster.awaitMap(r.epoch());
        return snapLookup(name);
    }

    /** Removes pool snapshot {@code name}; the OSDs trim the clones only it needed in the background. */
    public void snapRemove(String name) throws IOException {
        cluster.awaitLatestMap();
        snapLookup(name);
        MonReply r = cluster.monCommand(Cluster.cmd("osd pool rmsnap").put("pool", poolName).put("snap", name));
        if (r.code() != 0) {
            throw RadosException.of(r.code(), "rmsnap " + poolName + "@" + name + ": " + r.outs());
        }
        cluster.awaitMap(r.epoch());
    }

    /** The pool's snapshots in this client's map, oldest first. */
    public List<Snap> snapList() {
        return poolSnaps().snaps().values().stream().map(s -> new Snap(s.id(), s.name(), s.stampMillis())).toList();
    }

    /** The id of snapshot {@code name}; {@link RadosException.SnapNotFound} when the pool has none of that name. */
    public long snapLookup(String name) {
        io.loligo.maps.PoolSnaps.Snap s = poolSnaps().byName(name);
        if (s == null) {
            throw new RadosException.SnapNotFound(poolName, name);
        }
        return s.id();
    }

    /**
     * Reads through this context are served from snapshot {@code snapId} ({@link MOSDOp#SNAP_HEAD}
     * for the current objects); writes are refused while it is set. Reading an object that did
     * not exist at the snap is {@link RadosException.ObjectNotFound}.
     */
    public void setReadSnap(long snapId) {
        if (snapId < 0) {
            throw new RadosException.BadRequest("snap id " + snapId + " < 0");
        }
        readSnap = snapId;
    }

    public long readSnap() {
        return readSnap;
    }

    public String poolName() {
        return poolName;
    }

    public int poolId() {
        return poolId;
    }

    public String namespace() {
        return namespace;
    }

    /** The same pool in another namespace ("" is the default). */
    public IoContext withNamespace(String ns) {
        return new IoContext(cluster, poolId, poolName, ns);
    }

    // ---- the core: one MOSDOp ----

    private CompletableFuture<MOSDOpReply> submit(String oid, List<OsdOp> ops) {
        if (oid == null || oid.isEmpty()) {
            return CompletableFuture.failedFuture(new RadosException.BadRequest("object name must not be empty"));
        }
        if (ops.isEmpty()) {
            return CompletableFuture.failedFuture(new RadosException.BadRequest("operation on '" + oid + "' has no sub-ops"));
        }
        Duration timeout = cluster.opTimeout();
        long snap = readSnap;
        if (snap != MOSDOp.SNAP_HEAD && ops.stream().anyMatch(OsdOp::isWrite)) {
            return CompletableFuture.failedFuture(new RadosException.BadRequest(RadosException.EROFS, OpNames.describe(ops)
                    + " on " + poolName + "/" + oid + ": this context reads at snap " + snap + "; writes are refused (EROFS)"));
        }
        return cluster.objecter().submit(poolId, namespace, oid, List.copyOf(ops), timeout, snap).thenApply(r -> {
            if (!r.isOk()) {
                throw error(r.result(), oid, ops, r.message());
            }
            return r;
        });
    }

    private RadosException error(int result, String oid, List<OsdOp> ops, String message) {
        boolean plain = result == OsdResult.ENOENT || result == OsdResult.EEXIST || result == OsdResult.ENODATA;
        String what = OpNames.describe(ops) + " on " + poolName + "/" + (namespace.isEmpty() ? "" : namespace + "/") + oid
                + (plain || message == null || message.isEmpty() ? "" : " (" + message + ")");
        if (result == OsdResult.ENXIO) {
            return new RadosException.PoolNotFound(poolName);
        }
        return RadosException.of(result, what);
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static OpOutput output(MOSDOpReply r, int i) {
        return r.results().size() > i ? r.results().get(i).output() : OpOutput.None.INSTANCE;
    }

    private static byte[] bytes(MOSDOpReply r, int i) {
        return output(r, i) instanceof OpOutput.Data d ? d.bytes() : new byte[0];
    }

    // ---- writes ----

    public CompletableFuture<Void> writeAsync(String oid, byte[] data, long offset) {
        return submit(oid, List.of(new OsdOp.Write(offset, data))).thenApply(r -> null);
    }

    public void write(String oid, byte[] data, long offset) {
        await(writeAsync(oid, data, offset));
    }

    public CompletableFuture<Void> writeFullAsync(String oid, byte[] data) {
        return submit(oid, List.of(new OsdOp.WriteFull(data))).thenApply(r -> null);
    }

    public void writeFull(String oid, byte[] data) {
        await(writeFullAsync(oid, data));
    }

    public CompletableFuture<Void> appendAsync(String oid, byte[] data) {
        return submit(oid, List.of(new OsdOp.Append(data))).thenApply(r -> null);
    }

    public void append(String oid, byte[] data) {
        await(appendAsync(oid, data));
    }

    public CompletableFuture<Void> truncateAsync(String oid, long size) {
        return submit(oid, List.of(new OsdOp.Truncate(size))).thenApply(r -> null);
    }

    public void truncate(String oid, long size) {
        await(truncateAsync(oid, size));
    }

    /** Creates the object; {@code exclusive}: {@link RadosException.ObjectExists} if it exists. */
    public CompletableFuture<Void> createAsync(String oid, boolean exclusive) {
        return submit(oid, List.of(new OsdOp.Create(exclusive))).thenApply(r -> null);
    }

    public void create(String oid, boolean exclusive) {
        await(createAsync(oid, exclusive));
    }

    /**
     * Calls method {@code method} of object class {@code className} on the object (Ceph's
     * rados_exec): it runs on the primary, atomically, and may read and write the object; returns
     * its output. {@link RadosException.NotSupported} when the OSDs have no such class or method.
     */
    public CompletableFuture<byte[]> execAsync(String oid, String className, String method, byte[] input) {
        return submit(oid, List.of(new OsdOp.Call(className, method, input, true))).thenApply(r -> bytes(r, 0));
    }

    public byte[] exec(String oid, String className, String method, byte[] input) {
        return await(execAsync(oid, className, method, input));
    }

    public CompletableFuture<Void> removeAsync(String oid) {
        return submit(oid, List.of(new OsdOp.Remove())).thenApply(r -> null);
    }

    public void remove(String oid) {
        await(removeAsync(oid));
    }

    /** Runs a compound write atomically; returns the version the write gave the object. */
    public CompletableFuture<io.loligo.messages.Eversion> operateAsync(String oid, ObjectWriteOperation op) {
        return submit(oid, op.ops).thenApply(MOSDOpReply::objectVersion);
    }

    public io.loligo.messages.Eversion operate(String oid, ObjectWriteOperation op) {
        return await(operateAsync(oid, op));
    }

    // ---- reads ----

    /** Up to {@code length} bytes at {@code offset} (fewer at the end; {@code length} 0: to the end). */
    public CompletableFuture<byte[]> readAsync(String oid, long offset, long length) {
        return submit(oid, List.of(new OsdOp.Read(offset, length))).thenApply(r -> bytes(r, 0));
    }

    public byte[] read(String oid, long offset, long length) {
        return await(readAsync(oid, offset, length));
    }

    /** The whole object. */
    public byte[] read(String oid) {
        return read(oid, 0, 0);
    }

    public CompletableFuture<ObjectStat> statAsync(String oid) {
        return submit(oid, List.of(new OsdOp.Stat())).thenApply(r -> {
            if (output(r, 0) instanceof OpOutput.Stat s) {
                return new ObjectStat(s.size(), s.mtimeMillis(), s.version());
            }
            throw new RadosException.Other(RadosException.EIO, "stat of " + oid + ": the OSD returned no stat");
        });
    }

    public ObjectStat stat(String oid) {
        return await(statAsync(oid));
    }

    public CompletableFuture<ReadResult> operateAsync(String oid, ObjectReadOperation op) {
        return submit(oid, op.ops).thenApply(r -> new ReadResult(r.results(), r.objectVersion()));
    }

    public ReadResult operate(String oid, ObjectReadOperation op) {
        return await(operateAsync(oid, op));
    }

    // ---- xattrs ----

    public CompletableFuture<byte[]> getXattrAsync(String oid, String name) {
        return submit(oid, List.of(new OsdOp.GetXattr(name))).thenApply(r -> bytes(r, 0));
    }

    /** The xattr's value; {@link RadosException.NoData} when the object has no such xattr. */
    public byte[] getXattr(String oid, String name) {
        return await(getXattrAsync(oid, name));
    }

    public void setXattr(String oid, String name, byte[] value) {
        await(submit(oid, List.of(new OsdOp.SetXattr(name, value))));
    }

    public void rmXattr(String oid, String name) {
        await(submit(oid, List.of(new OsdOp.RmXattr(name))));
    }

    public SortedMap<String, byte[]> getXattrs(String oid) {
        MOSDOpReply r = await(submit(oid, List.of(new OsdOp.GetXattrs())));
        return output(r, 0) instanceof OpOutput.KeyValues kv ? kv.entries() : new TreeMap<>();
    }

    // ---- omap ----

    public void omapSet(String oid, Map<String, byte[]> entries) {
        await(submit(oid, List.of(new OsdOp.OmapSetVals(new TreeMap<>(entries)))));
    }

    public SortedMap<String, byte[]> omapGet(String oid, Collection<String> keys) {
        MOSDOpReply r = await(submit(oid, List.of(new OsdOp.OmapGetValsByKeys(List.copyOf(keys)))));
        return output(r, 0) instanceof OpOutput.KeyValues kv ? kv.entries() : new TreeMap<>();
    }

    /** Every omap entry (paging through the OSD's listing); {@code keysOnly}: values are empty. */
    public SortedMap<String, byte[]> omapList(String oid, boolean keysOnly) {
        SortedMap<String, byte[]> out = new TreeMap<>();
        String after = "";
        while (true) {
            MOSDOpReply r = await(submit(oid, List.of(new OsdOp.OmapList(after, "", 1024, keysOnly))));
            if (!(output(r, 0) instanceof OpOutput.KeyValues kv)) {
                return out;
            }
            out.putAll(kv.entries());
            if (!kv.more() || kv.entries().isEmpty()) {
                return out;
            }
            after = kv.entries().lastKey();
        }
    }

    public void omapRmKeys(String oid, Collection<String> keys) {
        await(submit(oid, List.of(new OsdOp.OmapRmKeys(List.copyOf(keys)))));
    }

    // ---- listing ----

    /** Up to about {@code max} objects of this namespace from {@code cursor} on. */
    public CompletableFuture<ListCursor.Page> listAsync(ListCursor cursor, int max) {
        return listAsync(cursor, max, false);
    }

    /** Like {@link #listAsync(ListCursor, int)}; {@code allNamespaces}: objects of every namespace of the pool. */
    public CompletableFuture<ListCursor.Page> listAsync(ListCursor cursor, int max, boolean allNamespaces) {
        Pool pool = cluster.pool(poolId, poolName);
        if (cursor.pgSeed() >= pool.pgNum()) {
            return CompletableFuture.completedFuture(new ListCursor.Page(List.of(), Optional.empty()));
        }
        int want = Math.max(1, Math.min(max, io.loligo.messages.MOSDPgLs.ENTRIES_MAX));
        return cluster.objecter().listPg(poolId, cursor.pgSeed(), allNamespaces ? null : namespace, cursor.after(), want,
                        cluster.opTimeout())
                .thenApply(r -> page(r, cursor, pool.pgNum()));
    }

    private ListCursor.Page page(MOSDPgLsReply r, ListCursor cursor, int pgNum) {
        if (r.result() != OsdResult.OK) {
            throw r.result() == OsdResult.ENXIO ? new RadosException.PoolNotFound(poolName)
                    : RadosException.of(r.result(), "listing of pool " + poolName + " pg " + cursor.pgSeed() + " (" + r.message() + ")");
        }
        Optional<ListCursor> next;
        if (!r.done()) {
            Optional<ObjectRef> after = r.next().isPresent() ? r.next()
                    : r.objects().isEmpty() ? cursor.after() : Optional.of(r.objects().get(r.objects().size() - 1));
            next = Optional.of(new ListCursor(cursor.pgSeed(), after));
        } else if (cursor.pgSeed() + 1 < pgNum) {
            next = Optional.of(new ListCursor(cursor.pgSeed() + 1, Optional.empty()));
        } else {
            next = Optional.empty();
        }
        return new ListCursor.Page(r.objects(), next);
    }

    public ListCursor.Page list(ListCursor cursor, int max) {
        return await(listAsync(cursor, max));
    }

    /** Every object name of this namespace, page by page as the iteration goes. */
    public Iterable<String> listObjects() {
        return () -> {
            Iterator<ObjectRef> refs = listObjectRefs(false).iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return refs.hasNext();
                }

                @Override
                public String next() {
                    return refs.next().name();
                }
            };
        };
    }

    /** Every object (namespace, name, hash) of this namespace, or of all namespaces of the pool. */
    public Iterable<ObjectRef> listObjectRefs(boolean allNamespaces) {
        return () -> new Iterator<>() {
            private Iterator<ObjectRef> page = List.<ObjectRef>of().iterator();
            private Optional<ListCursor> next = Optional.of(ListCursor.START);

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && next.isPresent()) {
                    ListCursor.Page p = await(listAsync(next.get(), 1024, allNamespaces));
                    page = p.objects().iterator();
                    next = p.next();
                }
                return page.hasNext();
            }

            @Override
            public ObjectRef next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    /** All names, in listing order. */
    public List<String> listAll() {
        List<String> out = new ArrayList<>();
        listObjects().forEach(out::add);
        return out;
    }

    // ---- striping ----

    /** A striper over this pool (default layout: 4 MiB objects). */
    public Striper striper(StripeLayout layout) {
        return new Striper(stripeTarget(), layout);
    }

    public Striper striper() {
        return striper(StripeLayout.DEFAULT);
    }

    /** The object operations the striper needs, on this pool and namespace. */
    public StripeTarget stripeTarget() {
        return new StripeTarget() {
            @Override
            public CompletableFuture<byte[]> read(String oid, long offset, int length) {
                return readAsync(oid, offset, length).exceptionally(e -> {
                    if (unwrap(e) instanceof RadosException.ObjectNotFound) {
                        return new byte[0];
                    }
                    throw new CompletionException(unwrap(e));
                });
            }

            @Override
            public CompletableFuture<Void> write(String oid, long offset, byte[] data, int from, int length) {
                byte[] piece = from == 0 && length == data.length ? data : java.util.Arrays.copyOfRange(data, from, from + length);
                return writeAsync(oid, piece, offset);
            }

            @Override
            public CompletableFuture<Void> truncate(String oid, long length) {
                return truncateAsync(oid, length);
            }

            @Override
            public CompletableFuture<Void> remove(String oid) {
                return removeAsync(oid).exceptionally(e -> {
                    if (unwrap(e) instanceof RadosException.ObjectNotFound) {
                        return null;
                    }
                    throw new CompletionException(unwrap(e));
                });
            }

            @Override
            public CompletableFuture<Optional<byte[]>> getXattr(String oid, String name) {
                return getXattrAsync(oid, name).thenApply(Optional::of).exceptionally(e -> {
                    Throwable c = unwrap(e);
                    if (c instanceof RadosException.ObjectNotFound || c instanceof RadosException.NoData) {
                        return Optional.empty();
                    }
                    throw new CompletionException(c);
                });
            }

            @Override
            public CompletableFuture<Void> setXattrs(String oid, Map<String, byte[]> attrs) {
                List<OsdOp> ops = new ArrayList<>();
                attrs.forEach((k, v) -> ops.add(new OsdOp.SetXattr(k, v)));
                return submit(oid, ops).thenApply(r -> null);
            }
        };
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
