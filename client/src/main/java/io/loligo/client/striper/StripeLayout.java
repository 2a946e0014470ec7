package io.loligo.client.striper;

import io.loligo.common.Invariants;
import java.util.ArrayList;
import java.util.List;

/**
 * How a byte stream is cut into objects, as Ceph's file_layout_t and Striper::file_to_extents do
 * it: the stream is split into stripe units of {@code stripeUnitBytes}; consecutive units go
 * round-robin to {@code stripeCount} objects (one "stripe" is one unit on each of them); once
 * each object of that set holds {@code objectSizeBytes}, the next set of {@code stripeCount}
 * objects starts. With stripe count 1 (the default) the stream is simply cut into
 * {@code objectSizeBytes} pieces.
 *
 * <pre>
 * blockNo     = offset / su            stripeNo  = blockNo / sc        stripePos = blockNo % sc
 * objectSetNo = stripeNo / (os / su)   objectNo  = objectSetNo * sc + stripePos
 * objectOff   = (stripeNo % (os / su)) * su + offset % su
 * </pre>
 */
public record StripeLayout(int stripeUnitBytes, int stripeCount, int objectSizeBytes) {
    /** Ceph's default: 4 MiB objects, one object per stripe. */
    public static final int DEFAULT_OBJECT_SIZE_BYTES = 4 << 20;
    public static final StripeLayout DEFAULT = new StripeLayout(DEFAULT_OBJECT_SIZE_BYTES, 1, DEFAULT_OBJECT_SIZE_BYTES);

    /** Validates a layout given by a user; the compact constructor trusts its caller. */
    public static StripeLayout of(int stripeUnitBytes, int stripeCount, int objectSizeBytes) {
        if (stripeUnitBytes <= 0 || stripeCount <= 0 || objectSizeBytes <= 0) {
            throw new IllegalArgumentException("stripe layout su=" + stripeUnitBytes + " sc=" + stripeCount + " os="
                    + objectSizeBytes + ": every value must be positive");
        }
        if (objectSizeBytes % stripeUnitBytes != 0) {
            throw new IllegalArgumentException("stripe layout: object size " + objectSizeBytes
                    + " is not a multiple of the stripe unit " + stripeUnitBytes);
        }
        return new StripeLayout(stripeUnitBytes, stripeCount, objectSizeBytes);
    }

    public StripeLayout {
        Invariants.check(stripeUnitBytes > 0 && stripeCount > 0 && objectSizeBytes > 0,
                "stripe layout su=%d sc=%d os=%d not positive", stripeUnitBytes, stripeCount, objectSizeBytes);
        Invariants.check(objectSizeBytes % stripeUnitBytes == 0,
                "stripe layout: os %d not a multiple of su %d", objectSizeBytes, stripeUnitBytes);
    }

    /** One contiguous piece of the stream inside one object. */
    public record Extent(long objectNo, long objectOffset, long streamOffset, int length) {}

    int stripesPerObject() {
        return objectSizeBytes / stripeUnitBytes;
    }

    /** The pieces of {@code [offset, offset + length)}, in stream order; adjacent pieces in one object are merged. */
    public List<Extent> extents(long offset, long length) {
        Invariants.check(offset >= 0 && length >= 0, "extents of offset %d length %d", offset, length);
        List<Extent> out = new ArrayList<>();
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long blockNo = pos / stripeUnitBytes;
            long stripeNo = blockNo / stripeCount;
            long stripePos = blockNo % stripeCount;
            long objectSetNo = stripeNo / stripesPerObject();
            long objectNo = objectSetNo * stripeCount + stripePos;
            long inBlock = pos % stripeUnitBytes;
            long objectOff = (stripeNo % stripesPerObject()) * stripeUnitBytes + inBlock;
            int len = (int) Math.min(end - pos, stripeUnitBytes - inBlock);
            Extent last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.objectNo == objectNo && last.objectOffset + last.length == objectOff
                    && (long) last.length + len <= Integer.MAX_VALUE) {
                out.set(out.size() - 1, new Extent(objectNo, last.objectOffset, last.streamOffset, last.length + len));
            } else {
                out.add(new Extent(objectNo, objectOff, pos, len));
            }
            pos += len;
        }
        return out;
    }

    /** How many bytes object {@code objectNo} holds when the stream is {@code streamSize} long (0: none). */
    public long objectLength(long objectNo, long streamSize) {
        long objectSetNo = objectNo / stripeCount;
        long stripePos = objectNo % stripeCount;
        long length = 0;
        for (long k = 0; k < stripesPerObject(); k++) {
            long stripeNo = objectSetNo * stripesPerObject() + k;
            long streamStart = (stripeNo * stripeCount + stripePos) * stripeUnitBytes;
            if (streamStart >= streamSize) {
                break;
            }
            length = k * stripeUnitBytes + Math.min(stripeUnitBytes, streamSize - streamStart);
        }
        return length;
    }

    /** One past the highest object number that may hold data of a stream of {@code streamSize} bytes. */
    public long objectCountBound(long streamSize) {
        if (streamSize == 0) {
            return 0;
        }
        long lastBlock = (streamSize - 1) / stripeUnitBytes;
        long objectSetNo = lastBlock / stripeCount / stripesPerObject();
        return (objectSetNo + 1) * stripeCount;
    }
}
