package io.loligo.msg;

import io.loligo.common.Invariants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Writes the Loligo binary encoding into a {@link ByteBuf}; {@link Decoder} reads it back.
 *
 * <p>Encoding (big-endian, "network order"):
 * <pre>
 *   byte, boolean    1 byte (boolean: 0 or 1)
 *   short            2 bytes
 *   int              4 bytes
 *   long             8 bytes
 *   string           u32 byte count, then UTF-8 bytes
 *   bytes            u32 byte count, then the bytes
 *   list             u32 element count, then each element
 *   map              u32 entry count, then key, value, key, value...
 *   struct           u8 version, u8 compat, u32 byte count of the body, then the body
 * </pre>
 * A struct is Ceph's ENCODE_START(version, compat, bl) / ENCODE_FINISH (src/include/encoding.h):
 * a writer that adds fields appends them at the end of the body and bumps {@code version}; an old
 * reader skips the fields it does not know because the header says where the body ends. {@code
 * compat} is the oldest version a reader must support to make sense of the body at all.
 *
 * <p>Map encoding follows the map's iteration order: pass a sorted map when the bytes must be
 * deterministic (maps stored by the monitors are).
 */
public final class Encoder {
    /** Deepest struct nesting an encoding may use; deeper is a bug, not data. */
    static final int STRUCT_DEPTH_MAX = 32;
    /** Byte fields at least this large size the buffer exactly (see {@link #reserve}). */
    static final int LARGE_FIELD_BYTES = 64 << 10;
    static final int TAIL_SLACK_BYTES = 4096;

    private final ByteBuf out;
    private final int[] structStarts = new int[STRUCT_DEPTH_MAX];
    private int depth;

    /** Appends to {@code out} from its writer index; the caller keeps ownership of the buffer. */
    public Encoder(ByteBuf out) {
        this.out = out;
    }

    /** Encodes with {@code body} into a fresh byte array, e.g. to store a map in the monitors' database. */
    public static byte[] toBytes(Consumer<Encoder> body) {
        Scratch scratch = SCRATCH.get();
        boolean reuse = !scratch.inUse;   // a body that itself calls toBytes gets a fresh buffer
        ByteBuf buf = reuse ? scratch.buf.clear() : Unpooled.buffer(256);
        scratch.inUse |= reuse;
        try {
            Encoder encoder = new Encoder(buf);
            body.accept(encoder);
            Invariants.check(encoder.depth == 0, "encoding left %d structs open", encoder.depth);
            return ByteBufUtil.getBytes(buf);
        } finally {
            if (reuse) {
                scratch.inUse = false;
                if (buf.capacity() > SCRATCH_BYTES_MAX) {
                    scratch.buf = Unpooled.buffer(256);
                }
            } else {
                buf.release();
            }
        }
    }

    /**
     * A per-thread heap buffer for {@link #toBytes}: the OSD encodes each replicated transaction
     * (4 MiB of data for an object write) this way, and a fresh buffer cost a zeroed 4 MiB
     * allocation and a copy on top of the one copy into the result. Kept up to 16 MiB.
     */
    private static final class Scratch {
        ByteBuf buf = Unpooled.buffer(256);
        boolean inUse;
    }

    private static final int SCRATCH_BYTES_MAX = 16 << 20;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    public ByteBuf buffer() {
        return out;
    }

    public Encoder putByte(int value) {
        out.writeByte(value);
        return this;
    }

    public Encoder putBoolean(boolean value) {
        out.writeByte(value ? 1 : 0);
        return this;
    }

    public Encoder putShort(int value) {
        out.writeShort(value);
        return this;
    }

    public Encoder putInt(int value) {
        out.writeInt(value);
        return this;
    }

    public Encoder putLong(long value) {
        out.writeLong(value);
        return this;
    }

    public Encoder putDouble(double value) {
        out.writeLong(Double.doubleToRawLongBits(value));
        return this;
    }

    public Encoder putString(String value) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        int written = out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.setInt(lengthIndex, written);
        return this;
    }

    public Encoder putBytes(byte[] value) {
        return putBytes(value, 0, value.length);
    }

    public Encoder putBytes(byte[] value, int offset, int length) {
        reserve(4 + length);
        out.writeInt(length);
        out.writeBytes(value, offset, length);
        return this;
    }

    /** Writes the readable bytes of {@code value} (without moving its reader index) as a byte string. */
    public Encoder putBytes(ByteBuf value) {
        reserve(4 + value.readableBytes());
        out.writeInt(value.readableBytes());
        out.writeBytes(value, value.readerIndex(), value.readableBytes());
        return this;
    }

    /**
     * Writes a byte string whose bytes {@code body} encodes straight into the buffer (same wire form
     * as {@link #putBytes(byte[])}: u32 length, then the bytes), so a large nested encoding (an OSD
     * transaction inside a replication message) is not first built in an array of its own and then
     * copied. {@code sizeHint} is the expected length, used to size the buffer once.
     */
    public Encoder putBytes(int sizeHint, Consumer<Encoder> body) {
        reserve(4 + Math.max(0, sizeHint));
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        int openDepth = depth;
        body.accept(this);
        Invariants.check(depth == openDepth, "nested byte string left %d structs open", depth - openDepth);
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
        return this;
    }

    /**
     * Grows the buffer once to fit a large field (plus room for the small fields after it), instead
     * of the allocator's doublings, each of which copied everything written so far: a 4 MiB payload
     * went through about a dozen reallocations and ended in an 8 MiB buffer.
     */
    private void reserve(int bytes) {
        if (bytes < LARGE_FIELD_BYTES || out.writableBytes() >= bytes) {
            return;
        }
        long wanted = (long) out.writerIndex() + bytes + TAIL_SLACK_BYTES;
        if (wanted <= out.maxCapacity()) {
            out.capacity((int) wanted);
        }
    }

    public <T> Encoder putList(Collection<T> values, BiConsumer<Encoder, T> element) {
        out.writeInt(values.size());
        int count = 0;
        for (T value : values) {
            element.accept(this, value);
            count++;
        }
        Invariants.check(count == values.size(), "collection changed while encoding: %d != %d", count, values.size());
        return this;
    }

    public <K, V> Encoder putMap(Map<K, V> map, BiConsumer<Encoder, K> key, BiConsumer<Encoder, V> value) {
        out.writeInt(map.size());
        int count = 0;
        for (Map.Entry<K, V> entry : map.entrySet()) {
            key.accept(this, entry.getKey());
            value.accept(this, entry.getValue());
            count++;
        }
        Invariants.check(count == map.size(), "map changed while encoding: %d != %d", count, map.size());
        return this;
    }

    /** Convenience for the common string→string map (caps, config). */
    public Encoder putStringMap(Map<String, String> map) {
        return putMap(map, Encoder::putString, Encoder::putString);
    }

    /** Opens a versioned struct; every startStruct needs its {@link #endStruct}. */
    public Encoder startStruct(int version, int compat) {
        Invariants.check(version >= 1 && version <= 255, "struct version %d outside 1..255", version);
        Invariants.check(compat >= 1 && compat <= version, "struct compat %d outside 1..%d", compat, version);
        Invariants.check(depth < STRUCT_DEPTH_MAX, "structs nested deeper than %d", STRUCT_DEPTH_MAX);
        out.writeByte(version);
        out.writeByte(compat);
        structStarts[depth++] = out.writerIndex();
        out.writeInt(0);
        return this;
    }

    /** Closes the innermost struct and writes its body length into its header. */
    public Encoder endStruct() {
        Invariants.check(depth > 0, "endStruct without startStruct");
        int lengthIndex = structStarts[--depth];
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
        return this;
    }

    /** Convenience: a struct around {@code body}. */
    public Encoder struct(int version, int compat, Consumer<Encoder> body) {
        startStruct(version, compat);
        body.accept(this);
        return endStruct();
    }

    int depth() {
        return depth;
    }
}
