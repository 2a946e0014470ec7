package io.loligo.maps.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link MapWriter} wrote (the format is described there). Every read is bounds
 * checked: truncated or corrupt input gives a {@link MapDecodeException}, never an unchecked
 * exception, because encodings arrive from the network and from disk.
 */
public final class MapReader {
    private final byte[] buf;
    private int pos;
    private final int end;
    private int[] structEnds = new int[16];
    private int depth;

    public MapReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public MapReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    private int limit() {
        return depth == 0 ? end : structEnds[depth - 1];
    }

    private void need(int n, String what) throws MapDecodeException {
        if (n < 0 || pos + n > limit()) {
            throw new MapDecodeException("truncated input reading " + what + " at offset " + pos + ": need " + n
                    + " bytes, " + (limit() - pos) + " left");
        }
    }

    public int u8() throws MapDecodeException {
        need(1, "u8");
        return buf[pos++] & 0xff;
    }

    public boolean bool() throws MapDecodeException {
        int v = u8();
        if (v > 1) {
            throw new MapDecodeException("boolean byte " + v + " at offset " + (pos - 1) + " (expected 0 or 1)");
        }
        return v == 1;
    }

    public int i32() throws MapDecodeException {
        need(4, "i32");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    public long i64() throws MapDecodeException {
        long lo = i32() & 0xffffffffL;
        long hi = i32() & 0xffffffffL;
        return lo | hi << 32;
    }

    public String string() throws MapDecodeException {
        int n = i32();
        if (n == -1) {
            return null;
        }
        need(n, "string");
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public byte[] bytes() throws MapDecodeException {
        int n = i32();
        need(n, "bytes");
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** A collection count, checked against what could possibly fit in the remaining bytes. */
    public int count(String what) throws MapDecodeException {
        int n = i32();
        if (n < 0 || n > limit() - pos) {
            throw new MapDecodeException(what + " count " + n + " at offset " + (pos - 4) + " does not fit in "
                    + (limit() - pos) + " remaining bytes");
        }
        return n;
    }

    /** Opens a struct and returns its version; fails if the writer requires a newer reader than {@code supported}. */
    public int startStruct(String what, int supported) throws MapDecodeException {
        int version = u8();
        int compat = u8();
        int length = i32();
        if (compat > supported) {
            throw new MapDecodeException(what + " encoded with version " + version + " compat " + compat
                    + ", this reader understands up to " + supported);
        }
        need(length, what + " body");
        if (depth == structEnds.length) {
            structEnds = Arrays.copyOf(structEnds, depth * 2);
        }
        structEnds[depth++] = pos + length;
        return version;
    }

    /** Closes the innermost struct, skipping fields added by newer writers. */
    public void endStruct() throws MapDecodeException {
        if (depth == 0) {
            throw new MapDecodeException("endStruct without startStruct");
        }
        pos = structEnds[--depth];
    }

    public boolean atEnd() {
        return pos == end && depth == 0;
    }

    /** Fails unless every byte was consumed: trailing garbage is corruption. */
    public void expectEnd(String what) throws MapDecodeException {
        if (!atEnd()) {
            throw new MapDecodeException(what + ": " + (end - pos) + " trailing bytes after the encoding");
        }
    }
}
