package io.loligo.client.striper;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** An in-memory {@link StripeTarget}: objects are byte arrays plus xattrs. */
final class MemoryStripeTarget implements StripeTarget {
    static final class Obj {
        byte[] data = new byte[0];
        final Map<String, byte[]> xattrs = new HashMap<>();
    }

    final TreeMap<String, Obj> objects = new TreeMap<>();

    private synchronized Obj obj(String oid) {
        return objects.computeIfAbsent(oid, k -> new Obj());
    }

    @Override
    public synchronized CompletableFuture<byte[]> read(String oid, long offset, int length) {
        Obj o = objects.get(oid);
        if (o == null || offset >= o.data.length) {
            return CompletableFuture.completedFuture(new byte[0]);
        }
        int end = (int) Math.min(o.data.length, offset + length);
        return CompletableFuture.completedFuture(Arrays.copyOfRange(o.data, (int) offset, end));
    }

    @Override
    public synchronized CompletableFuture<Void> write(String oid, long offset, byte[] data, int from, int length) {
        Obj o = obj(oid);
        if (offset + length > o.data.length) {
            o.data = Arrays.copyOf(o.data, (int) (offset + length));
        }
        System.arraycopy(data, from, o.data, (int) offset, length);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> truncate(String oid, long length) {
        Obj o = obj(oid);
        o.data = Arrays.copyOf(o.data, (int) length);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> remove(String oid) {
        objects.remove(oid);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Optional<byte[]>> getXattr(String oid, String name) {
        Obj o = objects.get(oid);
        return CompletableFuture.completedFuture(o == null ? Optional.empty() : Optional.ofNullable(o.xattrs.get(name)));
    }

    @Override
    public synchronized CompletableFuture<Void> setXattrs(String oid, Map<String, byte[]> attrs) {
        obj(oid).xattrs.putAll(attrs);
        return CompletableFuture.completedFuture(null);
    }
}
