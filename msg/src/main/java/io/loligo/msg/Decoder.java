package io.loligo.msg;

import io.loligo.common.Invariants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads what {@link Encoder} wrote (the format is described there). Every read is bounds-checked
 * against the innermost open struct, so bad input fails with a {@link DecodeException} naming the
 * offset, never with an index error or a huge allocation.
 */
public final class Decoder {
    private final ByteBuf in;
    private final int[] structEnds = new int[Encoder.STRUCT_DEPTH_MAX];
    private int depth;

    /** Reads from {@code in}'s reader index up to its writer index; the caller keeps ownership. */
    public Decoder(ByteBuf in) {
        this.in = in;
    }

    /** A decoder over a byte array (no copy, nothing to release). */
    public static Decoder of(byte[] bytes) {
        return new Decoder(Unpooled.wrappedBuffer(bytes));
    }

    public int remaining() {
        return limit() - in.readerIndex();
    }

    public int getByte() {
        need(1);
        return in.readByte();
    }

    public boolean getBoolean() {
        need(1);
        int value = in.readByte();
        if (value != 0 && value != 1) {
            throw new DecodeException("boolean at offset " + (in.readerIndex() - 1) + " is " + value + " (expected 0 or 1)");
        }
        return value == 1;
    }

    public int getShort() {
        need(2);
        return in.readShort();
    }

    public int getUnsignedShort() {
        need(2);
        return in.readUnsignedShort();
    }

    public int getInt() {
        need(4);
        return in.readInt();
    }

    public long getLong() {
        need(8);
        return in.readLong();
    }

    public double getDouble() {
        return Double.longBitsToDouble(getLong());
    }

    public String getString() {
        int length = getLength("string");
        String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return value;
    }

    public byte[] getBytes() {
        int length = getLength("byte string");
        byte[] value = new byte[length];
        in.readBytes(value);
        return value;
    }

    /** Reads the next {@code length} bytes as they are (no length prefix). */
    public byte[] getRaw(int length) {
        if (length < 0) {
            throw new DecodeException("negative raw length " + length);
        }
        need(length);
        byte[] value = new byte[length];
        in.readBytes(value);
        return value;
    }

    /**
     * Reads a byte string (as {@link #getBytes()} would) by decoding its bytes in place with {@code
     * body}, without copying them into an array first; {@code body} must consume exactly the string.
     */
    public <T> T getBytes(Function<Decoder, T> body) {
        int length = getLength("byte string");
        if (depth == Encoder.STRUCT_DEPTH_MAX) {
            throw new DecodeException("structs nested deeper than " + Encoder.STRUCT_DEPTH_MAX);
        }
        int end = in.readerIndex() + length;
        structEnds[depth++] = end;
        int openDepth = depth;
        T value = body.apply(this);
        if (depth != openDepth) {
            throw new DecodeException("byte string at offset " + (end - length) + " left structs open");
        }
        if (in.readerIndex() != end) {
            throw new DecodeException("byte string at offset " + (end - length) + " has " + (end - in.readerIndex())
                    + " bytes its decoder did not read");
        }
        depth--;
        return value;
    }

    public <T> List<T> getList(Function<Decoder, T> element) {
        int count = getCount("list");
        List<T> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(element.apply(this));
        }
        return values;
    }

    /** Returns the entries in wire order (a {@link LinkedHashMap}); duplicate keys are bad input. */
    public <K, V> Map<K, V> getMap(Function<Decoder, K> key, Function<Decoder, V> value) {
        int count = getCount("map");
        Map<K, V> map = LinkedHashMap.newLinkedHashMap(count);
        for (int i = 0; i < count; i++) {
            K k = key.apply(this);
            if (map.put(k, value.apply(this)) != null) {
                throw new DecodeException("map has duplicate key " + k);
            }
        }
        return map;
    }

    public Map<String, String> getStringMap() {
        return getMap(Decoder::getString, Decoder::getString);
    }

    /**
     * Opens a struct written by {@link Encoder#startStruct} and returns the version it was written
     * with. Fails when the writer says a reader needs at least a version newer than {@code
     * supportedVersion} (Ceph's DECODE_START). Fields added after {@code supportedVersion} are
     * skipped by {@link #endStruct}.
     */
    public int startStruct(int supportedVersion) {
        need(6);
        int version = in.readUnsignedByte();
        int compat = in.readUnsignedByte();
        int length = in.readInt();
        if (compat > supportedVersion) {
            throw new DecodeException("struct at offset " + (in.readerIndex() - 6) + " needs decoder version "
                    + compat + " but this reader supports up to " + supportedVersion);
        }
        if (compat > version || version == 0) {
            throw new DecodeException("struct header version " + version + " compat " + compat + " is inconsistent");
        }
        if (length < 0 || length > remaining()) {
            throw new DecodeException("struct at offset " + (in.readerIndex() - 6) + " claims " + length
                    + " bytes but " + remaining() + " remain");
        }
        if (depth == Encoder.STRUCT_DEPTH_MAX) {
            throw new DecodeException("structs nested deeper than " + Encoder.STRUCT_DEPTH_MAX);
        }
        structEnds[depth++] = in.readerIndex() + length;
        return version;
    }

    /** Closes the innermost struct, skipping fields a newer writer appended. */
    public void endStruct() {
        Invariants.check(depth > 0, "endStruct without startStruct");
        int end = structEnds[--depth];
        Invariants.check(in.readerIndex() <= end, "read past struct end %d at %d", end, in.readerIndex());
        in.readerIndex(end);
    }

    /** True while unread bytes remain in the innermost struct: how a reader probes for optional trailing fields. */
    public boolean hasMore() {
        return remaining() > 0;
    }

    private int limit() {
        return depth > 0 ? structEnds[depth - 1] : in.writerIndex();
    }

    private void need(int bytes) {
        if (remaining() < bytes) {
            throw new DecodeException("truncated: need " + bytes + " bytes at offset " + in.readerIndex()
                    + " but only " + remaining() + " remain");
        }
    }

    private int getLength(String what) {
        int length = getInt();
        if (length < 0 || length > remaining()) {
            throw new DecodeException(what + " at offset " + (in.readerIndex() - 4) + " claims " + length
                    + " bytes but " + remaining() + " remain");
        }
        return length;
    }

    /** Every element of a list or map takes at least one byte, so a count above the bytes left is bad input. */
    private int getCount(String what) {
        int count = getInt();
        if (count < 0 || count > remaining()) {
            throw new DecodeException(what + " at offset " + (in.readerIndex() - 4) + " claims " + count
                    + " elements but " + remaining() + " bytes remain");
        }
        return count;
    }
}
