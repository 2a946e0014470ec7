package io.loligo.maps.codec;

import io.loligo.common.Invariants;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * Encoding of the cluster maps (wire and disk), in the spirit of Ceph's ENCODE_START:
 *
 *   integers   little-endian: u8, i32 (4 bytes), i64 (8 bytes)
 *   boolean    u8 0 or 1
 *   string     i32 byte length, then UTF-8 bytes (length -1 encodes null)
 *   bytes      i32 length, then the bytes
 *   struct     u8 version, u8 compat (oldest version a reader must understand), i32 body length,
 *              then the body. A reader that knows version >= compat decodes the fields it knows and
 *              skips the rest of the body, so new fields are only ever appended.
 *
 * Collections are written as an i32 count followed by the elements, always in sorted key order, so
 * that equal maps encode to equal bytes (the monitors compare and checksum encodings).
 *
 * This is the maps module's own small codec until the msg module's Encoder/Decoder lands.
 */
/** Appends encoded fields to a growing little-endian buffer. Not thread-safe. */
public final class MapWriter {
    private byte[] buf;
    private int pos;
    private int[] structStarts = new int[16];
    private int depth;

    public MapWriter() {
        this(256);
    }

    public MapWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    public MapWriter u8(int v) {
        Invariants.check(v >= 0 && v <= 255, "u8 out of range: %d", v);
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public MapWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public MapWriter i32(int v) {
        ensure(4);
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        buf[pos + 2] = (byte) (v >>> 16);
        buf[pos + 3] = (byte) (v >>> 24);
        pos += 4;
        return this;
    }

    public MapWriter i64(long v) {
        i32((int) v);
        return i32((int) (v >>> 32));
    }

    public MapWriter string(String s) {
        if (s == null) {
            return i32(-1);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    public MapWriter bytes(byte[] b) {
        i32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    /** Opens a struct; every call is paired with {@link #endStruct()}. */
    public MapWriter startStruct(int version, int compat) {
        Invariants.check(compat >= 1 && compat <= version, "struct compat %d not in 1..%d", compat, version);
        u8(version);
        u8(compat);
        if (depth == structStarts.length) {
            structStarts = Arrays.copyOf(structStarts, depth * 2);
        }
        structStarts[depth++] = pos;
        return i32(0);
    }

    public MapWriter endStruct() {
        Invariants.check(depth > 0, "endStruct without startStruct");
        int start = structStarts[--depth];
        int length = pos - start - 4;
        int saved = pos;
        pos = start;
        i32(length);
        pos = saved;
        return this;
    }

    public int size() {
        return pos;
    }

    public byte[] toByteArray() {
        Invariants.check(depth == 0, "%d structs still open", depth);
        return Arrays.copyOf(buf, pos);
    }
}
