package io.loligo.crush.binary;

import java.nio.charset.StandardCharsets;

/** Bounds-checked little-endian reads of Ceph's encoding; running off the end is a typed error. */
final class LittleEndianReader {
    private final byte[] data;
    private int pos;

    LittleEndianReader(byte[] data) {
        this.data = data;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return data.length - pos;
    }

    boolean atEnd() {
        return pos >= data.length;
    }

    private void need(int bytes, String what) throws CrushBinaryException {
        if (remaining() < bytes) {
            throw new CrushBinaryException(pos, "truncated: " + what + " needs " + bytes + " bytes, "
                    + remaining() + " left");
        }
    }

    int u8(String what) throws CrushBinaryException {
        need(1, what);
        return data[pos++] & 0xff;
    }

    int u16(String what) throws CrushBinaryException {
        need(2, what);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    /** A 32-bit value (signed or unsigned: the caller decides how to read the int). */
    int s32(String what) throws CrushBinaryException {
        need(4, what);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16
                | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long u64(String what) throws CrushBinaryException {
        long low = Integer.toUnsignedLong(s32(what));
        long high = Integer.toUnsignedLong(s32(what));
        return high << 32 | low;
    }

    /**
     * A u32 count of elements of at least {@code elementBytes} bytes each: larger than what is
     * left of the input means corruption, and is refused before anything is allocated.
     */
    int count(String what, int elementBytes) throws CrushBinaryException {
        int at = pos;
        long n = Integer.toUnsignedLong(s32(what));
        if (n * elementBytes > remaining()) {
            throw new CrushBinaryException(at, what + " " + n + " is larger than the rest of the input allows");
        }
        return (int) n;
    }

    String string(int length, String what) throws CrushBinaryException {
        need(length, what);
        String s = new String(data, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }
}
