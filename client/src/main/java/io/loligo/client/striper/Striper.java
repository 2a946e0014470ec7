package io.loligo.client.striper;

import io.loligo.client.RadosException;
import io.loligo.common.Invariants;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/*
 * Stored form (as libradosstriper): a striped stream NAME is the objects NAME.%016x (object number
 * in hex, 16 digits). The first object, NAME.0000000000000000, always exists once the stream does
 * and carries the metadata as xattrs, decimal ASCII:
 *   striper.layout.stripe_unit, striper.layout.stripe_count, striper.layout.object_size
 *   striper.size    the stream's logical length in bytes
 * Bytes below the size that no write touched read as zeros (objects may be missing or short).
 */
/**
 * A byte stream of any size striped over objects (Ceph's libradosstriper). Reads and writes are
 * split by the {@link StripeLayout} and every piece is in flight at once. One writer per stream at a
 * time: the size attribute is read, then written after the data (Ceph takes a lock object for
 * this; a guarded compound operation on the first object is the next step).
 */
public final class Striper {
    public static final String XATTR_SIZE = "striper.size";
    public static final String XATTR_SU = "striper.layout.stripe_unit";
    public static final String XATTR_SC = "striper.layout.stripe_count";
    public static final String XATTR_OS = "striper.layout.object_size";

    private final StripeTarget target;
    private final StripeLayout defaultLayout;

    public Striper(StripeTarget target, StripeLayout defaultLayout) {
        this.target = target;
        this.defaultLayout = defaultLayout;
    }

    public Striper(StripeTarget target) {
        this(target, StripeLayout.DEFAULT);
    }

    public static String objectName(String name, long objectNo) {
        return name + "." + String.format("%016x", objectNo);
    }

    /** The stream's layout and size; empty when it does not exist. */
    public record Meta(StripeLayout layout, long size) {}

    public Optional<Meta> stat(String name) {
        String first = objectName(name, 0);
        Optional<byte[]> size = join(target.getXattr(first, XATTR_SIZE));
        if (size.isEmpty()) {
            return Optional.empty();
        }
        StripeLayout layout = StripeLayout.of(intAttr(first, XATTR_SU), intAttr(first, XATTR_SC), intAttr(first, XATTR_OS));
        return Optional.of(new Meta(layout, parseLong(first, XATTR_SIZE, size.get())));
    }

    private int intAttr(String oid, String attr) {
        byte[] v = join(target.getXattr(oid, attr)).orElseThrow(() -> new RadosException.BadRequest(
                "striped stream object " + oid + " has " + XATTR_SIZE + " but no " + attr + ": not a striped stream"));
        long n = parseLong(oid, attr, v);
        if (n <= 0 || n > Integer.MAX_VALUE) {
            throw new RadosException.BadRequest("striped stream object " + oid + ": " + attr + " = " + n + " out of range");
        }
        return (int) n;
    }

    private static RadosException notFound(String name) {
        return new RadosException.ObjectNotFound("striped stream '" + name + "' not found");
    }

    private static long parseLong(String oid, String attr, byte[] v) {
        String s = new String(v, StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new RadosException.BadRequest("striped stream object " + oid + ": " + attr + " = '" + s + "' is not a number");
        }
    }

    public long size(String name) {
        return stat(name).map(Meta::size).orElseThrow(() -> notFound(name));
    }

    /** Writes {@code length} bytes of {@code data} at {@code offset}, creating the stream if needed. */
    public void write(String name, long offset, byte[] data, int from, int length) {
        if (offset < 0 || from < 0 || length < 0 || from + length > data.length) {
            throw new IllegalArgumentException("write of " + name + ": offset " + offset + " from " + from + " length "
                    + length + " outside the buffer of " + data.length + " bytes");
        }
        Meta meta = stat(name).orElse(null);
        StripeLayout layout = meta == null ? defaultLayout : meta.layout();
        if (meta == null) {
            join(target.setXattrs(objectName(name, 0), metaAttrs(layout, 0)));
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (StripeLayout.Extent e : layout.extents(offset, length)) {
            int at = from + (int) (e.streamOffset() - offset);
            pending.add(target.write(objectName(name, e.objectNo()), e.objectOffset(), data, at, e.length()));
        }
        join(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)));
        long oldSize = meta == null ? 0 : meta.size();
        if (offset + length > oldSize) {
            setSize(name, offset + length);
        }
    }

    public void write(String name, long offset, byte[] data) {
        write(name, offset, data, 0, data.length);
    }

    /** Appends at the current end; returns the offset written at. */
    public long append(String name, byte[] data) {
        long at = stat(name).map(Meta::size).orElse(0L);
        write(name, at, data);
        return at;
    }

    /** Up to {@code length} bytes at {@code offset}: fewer at the end of the stream, zeros in holes. */
    public byte[] read(String name, long offset, int length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("read of " + name + ": offset " + offset + " length " + length);
        }
        Meta meta = stat(name).orElseThrow(() -> notFound(name));
        long end = Math.min(meta.size(), offset + length);
        if (end <= offset) {
            return new byte[0];
        }
        byte[] out = new byte[(int) (end - offset)];
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (StripeLayout.Extent e : meta.layout().extents(offset, end - offset)) {
            int at = (int) (e.streamOffset() - offset);
            pending.add(target.read(objectName(name, e.objectNo()), e.objectOffset(), e.length())
                    .thenAccept(bytes -> {
                        Invariants.check(bytes.length <= e.length(), "object %s returned %d bytes for %d asked",
                                objectName(name, e.objectNo()), bytes.length, e.length());
                        System.arraycopy(bytes, 0, out, at, bytes.length);   // the rest stays zero: a hole
                    }));
        }
        join(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)));
        return out;
    }

    /** Sets the stream's size; shrinking cuts or removes the objects past it so old bytes never reappear. */
    public void truncate(String name, long newSize) {
        if (newSize < 0) {
            throw new IllegalArgumentException("truncate of " + name + " to " + newSize + " bytes");
        }
        Meta meta = stat(name).orElseThrow(() -> notFound(name));
        if (newSize < meta.size()) {
            StripeLayout layout = meta.layout();
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (long objectNo = layout.objectCountBound(meta.size()) - 1; objectNo >= 0; objectNo--) {
                long keep = layout.objectLength(objectNo, newSize);
                String oid = objectName(name, objectNo);
                if (keep == 0 && objectNo != 0) {
                    pending.add(target.remove(oid));
                } else if (keep < layout.objectLength(objectNo, meta.size()) || objectNo == 0) {
                    pending.add(target.truncate(oid, keep));
                }
            }
            join(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)));
        }
        setSize(name, newSize);
    }

    /** Removes every object of the stream; the first (metadata) object goes last. */
    public void remove(String name) {
        Meta meta = stat(name).orElseThrow(() -> notFound(name));
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (long objectNo = meta.layout().objectCountBound(meta.size()) - 1; objectNo > 0; objectNo--) {
            pending.add(target.remove(objectName(name, objectNo)));
        }
        join(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)));
        join(target.remove(objectName(name, 0)));
    }

    private void setSize(String name, long size) {
        join(target.setXattrs(objectName(name, 0), Map.of(XATTR_SIZE, ascii(size))));
    }

    private static Map<String, byte[]> metaAttrs(StripeLayout layout, long size) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(XATTR_SU, ascii(layout.stripeUnitBytes()));
        m.put(XATTR_SC, ascii(layout.stripeCount()));
        m.put(XATTR_OS, ascii(layout.objectSizeBytes()));
        m.put(XATTR_SIZE, ascii(size));
        return m;
    }

    private static byte[] ascii(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
