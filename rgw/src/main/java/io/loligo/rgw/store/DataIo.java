package io.loligo.rgw.store;

import io.loligo.client.IoContext;
import io.loligo.common.Invariants;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Streams object data between HTTP bodies and RADOS stripes ({@link ObjectEntry.Segment}): a PUT
 * reads the body a stripe at a time and keeps at most {@link #WRITES_IN_FLIGHT} stripe writes in
 * flight; a GET keeps {@link #READS_AHEAD} stripe reads ahead of the socket. Memory per request is
 * bounded by those counts times 4 MiB, whatever the object's size.
 */
public final class DataIo {
    public static final int WRITES_IN_FLIGHT = 4;
    public static final int READS_AHEAD = 2;
    /**
     * A stripe goes to the response in slices of this size. The JDK writes a heap buffer to a
     * socket by first copying all of its remaining bytes into a temporary direct buffer; when the
     * socket takes only part (loopback takes ~1 MiB per write), the next attempt copies the rest
     * again, so a 4 MiB stripe written whole was copied about 2.5 times. 256 KiB slices are copied
     * once, and the temporary buffer stays small.
     */
    static final int SOCKET_WRITE_BYTES = 256 << 10;
    /**
     * All stripe buffers of all requests together stay within this many bytes: half the heap
     * (a 512 MiB gateway: 256 MiB = 64 stripes), so many concurrent large PUTs and GETs wait for
     * buffer space instead of exhausting the heap. Small objects (inline) do not use it.
     */
    static final ByteBudget BUDGET = new ByteBudget((int) Math.min(Integer.MAX_VALUE / 2,
            Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 2)));
    private final IoContext data;

    /** What a write stored: its segment and the data's MD5. */
    public record Written(ObjectEntry.Segment segment, byte[] md5) {}

    public DataIo(IoContext data) {
        this.data = data;
    }

    public static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    /**
     * Writes all of {@code in} (up to {@code maxBytes}, else {@link TooLarge}) as a new segment named
     * {@code prefix}. {@code sizeHint} (the announced length, -1 if unknown) sizes the buffers so a
     * 4 KiB object does not allocate 4 MiB. On any failure the stripes written so far are removed.
     */
    public Written write(InputStream in, String prefix, long sizeHint, long maxBytes) throws IOException {
        MessageDigest md5 = md5();
        ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        long total = 0;
        int n = 0;
        try {
            boolean last = false;
            while (!last) {
                if (inFlight.size() >= WRITES_IN_FLIGHT) {
                    IoContextAwait.join(inFlight.pollFirst());
                }
                int[] held = {capFor(sizeHint < 0 ? -1 : sizeHint - total)};
                BUDGET.acquire(held[0]);
                byte[] chunk;
                try {
                    chunk = nextStripe(in, held);
                } catch (IOException | RuntimeException e) {
                    BUDGET.release(held[0]);
                    throw e;
                }
                BUDGET.release(held[0] - chunk.length);   // keep exactly the chunk's bytes until its write completes
                int bytes = chunk.length;
                last = bytes < ObjectEntry.Segment.STRIPE_BYTES;
                total += bytes;
                if (bytes == 0 || total > maxBytes) {
                    BUDGET.release(bytes);
                    if (bytes == 0) {
                        break;
                    }
                    throw new TooLarge(maxBytes);
                }
                md5.update(chunk);
                CompletableFuture<Void> f;
                try {
                    f = data.writeFullAsync(prefix + "." + n, chunk);
                } catch (RuntimeException e) {
                    BUDGET.release(bytes);
                    throw e;
                }
                inFlight.add(f.whenComplete((v, t) -> BUDGET.release(bytes)));
                n++;
            }
            for (CompletableFuture<Void> f : inFlight) {
                IoContextAwait.join(f);
            }
        } catch (IOException | RuntimeException e) {
            for (CompletableFuture<Void> f : inFlight) {
                try {
                    f.join();
                } catch (RuntimeException ignored) {
                    // the stripe is removed below either way
                }
            }
            remove(new ObjectEntry.Segment(prefix, (long) (n + 1) * ObjectEntry.Segment.STRIPE_BYTES));
            throw e;
        }
        ObjectEntry.Segment seg = new ObjectEntry.Segment(prefix, total);
        Invariants.check(seg.objects() == n, "segment %s: %d stripes written for %d bytes", prefix, n, total);
        return new Written(seg, md5.digest());
    }

    /**
     * The next stripe of the body: a whole stripe, or a shorter (possibly empty) last one once the
     * body has ended. {@code remaining} (-1 unknown) sizes the buffer; a body longer than announced
     * still reads correctly.
     */
    private static int capFor(long remaining) {
        int stripe = ObjectEntry.Segment.STRIPE_BYTES;
        return remaining < 0 ? stripe : (int) Math.min(stripe, Math.max(1, remaining));
    }

    /** {@code held[0]}: budget reserved for the buffer (grown here when the body is longer than announced). */
    private static byte[] nextStripe(InputStream in, int[] held) throws IOException {
        int stripe = ObjectEntry.Segment.STRIPE_BYTES;
        int cap = held[0];
        byte[] buf = new byte[cap];
        int got = in.readNBytes(buf, 0, cap);
        if (got < cap) {
            return Arrays.copyOf(buf, got);
        }
        if (cap == stripe) {
            return buf;
        }
        int b = in.read();   // the announced end: make sure the body really ends here
        if (b < 0) {
            return buf;
        }
        BUDGET.acquire(stripe - cap);
        held[0] = stripe;
        byte[] big = Arrays.copyOf(buf, stripe);
        big[cap] = (byte) b;
        int more = in.readNBytes(big, cap + 1, stripe - cap - 1);
        int have = cap + 1 + more;
        return have == stripe ? big : Arrays.copyOf(big, have);
    }

    /** A body longer than allowed (EntityTooLarge). */
    public static final class TooLarge extends IOException {
        public TooLarge(long max) {
            super("body larger than " + max + " bytes");
        }
    }

    /**
     * Writes bytes {@code [offset, offset + length)} of the data described by {@code manifest} to
     * {@code out}, reading {@link #READS_AHEAD} stripes ahead.
     */
    public void read(List<ObjectEntry.Segment> manifest, long offset, long length, OutputStream out) throws IOException {
        List<long[]> pieces = new ArrayList<>();   // {segment index, stripe index, offset in stripe, length}
        long segStart = 0;
        long end = offset + length;
        for (int s = 0; s < manifest.size() && segStart < end; s++) {
            ObjectEntry.Segment seg = manifest.get(s);
            long segEnd = segStart + seg.size();
            long from = Math.max(offset, segStart);
            long to = Math.min(end, segEnd);
            for (long pos = from; pos < to; ) {
                long inSeg = pos - segStart;
                long stripe = inSeg / ObjectEntry.Segment.STRIPE_BYTES;
                long inStripe = inSeg % ObjectEntry.Segment.STRIPE_BYTES;
                long len = Math.min(to - pos, ObjectEntry.Segment.STRIPE_BYTES - inStripe);
                pieces.add(new long[] {s, stripe, inStripe, len});
                pos += len;
            }
            segStart = segEnd;
        }
        ArrayDeque<CompletableFuture<byte[]>> ahead = new ArrayDeque<>();
        int next = 0;
        long reserved = 0;
        try {
            for (int i = 0; i < pieces.size(); i++) {
                while (next < pieces.size() && next <= i + READS_AHEAD) {
                    long[] p = pieces.get(next++);
                    BUDGET.acquire((int) p[3]);
                    reserved += p[3];
                    ahead.add(data.readAsync(manifest.get((int) p[0]).object((int) p[1]), p[2], p[3]));
                }
                byte[] b = IoContextAwait.join(ahead.pollFirst());
                long want = pieces.get(i)[3];
                if (b.length != want) {
                    throw new IOException("data object " + manifest.get((int) pieces.get(i)[0]).object((int) pieces.get(i)[1])
                            + " returned " + b.length + " bytes, expected " + want + " (data lost or being collected)");
                }
                for (int off = 0; off < b.length; off += SOCKET_WRITE_BYTES) {
                    out.write(b, off, Math.min(SOCKET_WRITE_BYTES, b.length - off));
                }
                BUDGET.release((int) want);
                reserved -= want;
            }
        } finally {
            BUDGET.release((int) reserved);   // reads still in flight after a failure: their buffers die with them
        }
    }

    /** Removes a segment's stripes (missing ones are fine: removal is idempotent). */
    public void remove(ObjectEntry.Segment seg) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < Math.max(1, seg.objects()); i++) {
            fs.add(data.removeAsync(seg.object(i)).exceptionally(t -> null));
            if (fs.size() >= 16) {
                fs.forEach(CompletableFuture::join);
                fs.clear();
            }
        }
        fs.forEach(CompletableFuture::join);
    }

    /** Copies bytes {@code [offset, offset+length)} of {@code manifest} into a new segment {@code prefix}. */
    public Written copy(List<ObjectEntry.Segment> manifest, long offset, long length, String prefix) throws IOException {
        var pipe = new java.io.PipedInputStream(ObjectEntry.Segment.STRIPE_BYTES);
        var sink = new java.io.PipedOutputStream(pipe);
        CompletableFuture<Void> reader = new CompletableFuture<>();
        Thread.ofVirtual().name("rgw-copy").start(() -> {
            try (sink) {
                read(manifest, offset, length, sink);
                reader.complete(null);
            } catch (IOException | RuntimeException e) {
                reader.completeExceptionally(e);
            }
        });
        try (pipe) {
            Written w = write(pipe, prefix, length, Long.MAX_VALUE);
            try {
                reader.join();
            } catch (java.util.concurrent.CompletionException e) {
                remove(w.segment());
                throw e.getCause() instanceof IOException io ? io : new IOException("copy source read failed", e.getCause());
            }
            if (w.segment().size() != length) {
                remove(w.segment());
                throw new IOException("copy of " + length + " bytes produced " + w.segment().size());
            }
            return w;
        }
    }
}
