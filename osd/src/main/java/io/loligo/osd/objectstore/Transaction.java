package io.loligo.osd.objectstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A list of operations that the store applies atomically and durably, in order (Ceph's
 * {@code ObjectStore::Transaction}). Build one with the fluent methods and hand it to
 * {@link ObjectStore#commit}. Operations that write to an object create it when it is missing;
 * operations that only take away (remove, truncate, rmattr, omap removals, clone sources) need it to
 * exist, and fail the whole transaction with {@link ObjectNotFoundException} otherwise.
 *
 * <p>Data: the {@code byte[]} methods copy the caller's array. The {@link ByteBuffer} methods take
 * the buffer's remaining bytes as they are, without a copy: the caller must not change them until the
 * commit completes. A direct buffer from {@link BlockObjectStore#allocateAligned} is written to the
 * data file straight from its memory (O_DIRECT), with no copy at all.
 */
public final class Transaction {
    /** Largest single write: bounds the memory one operation can pin. */
    public static final int WRITE_BYTES_MAX = 64 << 20;
    /** Largest object size (Ceph's osd_max_object_size is 128 MiB; we allow more for images). */
    public static final long OBJECT_BYTES_MAX = 1L << 40;

    public sealed interface Op {
        CollectionId coll();
    }

    /** An op that carries data: {@code buffer()} from index 0 to its limit, never moved. */
    public sealed interface DataOp extends Op {
        ByteBuffer buffer();

        /** The data as an array: the buffer's own array when it is exactly that, else a copy. */
        default byte[] data() {
            return bytes(buffer());
        }

        default int length() {
            return buffer().limit();
        }
    }

    public record Touch(CollectionId coll, ObjectId oid) implements Op {}
    /** {@code buffer}: the data, from index 0 to its limit; never moved (read it with absolute indices or a duplicate). */
    public record Write(CollectionId coll, ObjectId oid, long offset, ByteBuffer buffer) implements DataOp {
        public Write(CollectionId coll, ObjectId oid, long offset, byte[] data) {
            this(coll, oid, offset, ByteBuffer.wrap(data));
        }
    }
    /** {@code buffer}: the data, from index 0 to its limit; never moved (read it with absolute indices or a duplicate). */
    public record WriteFull(CollectionId coll, ObjectId oid, ByteBuffer buffer) implements DataOp {
        public WriteFull(CollectionId coll, ObjectId oid, byte[] data) {
            this(coll, oid, ByteBuffer.wrap(data));
        }
    }
    /** {@code buffer}: the data, from index 0 to its limit; never moved (read it with absolute indices or a duplicate). */
    public record Append(CollectionId coll, ObjectId oid, ByteBuffer buffer) implements DataOp {
        public Append(CollectionId coll, ObjectId oid, byte[] data) {
            this(coll, oid, ByteBuffer.wrap(data));
        }
    }
    public record Zero(CollectionId coll, ObjectId oid, long offset, long length) implements Op {}
    public record Truncate(CollectionId coll, ObjectId oid, long size) implements Op {}
    public record Remove(CollectionId coll, ObjectId oid) implements Op {}
    public record Clone(CollectionId coll, ObjectId src, ObjectId dst) implements Op {}
    public record CloneRange(CollectionId coll, ObjectId src, long srcOffset, long length, ObjectId dst, long dstOffset)
            implements Op {}
    public record SetAttr(CollectionId coll, ObjectId oid, String name, byte[] value) implements Op {}
    public record RmAttr(CollectionId coll, ObjectId oid, String name) implements Op {}
    public record OmapSet(CollectionId coll, ObjectId oid, SortedMap<String, byte[]> entries) implements Op {}
    public record OmapRmKeys(CollectionId coll, ObjectId oid, List<String> keys) implements Op {}
    /** Removes omap keys in [first, last). */
    public record OmapRmRange(CollectionId coll, ObjectId oid, String first, String last) implements Op {}
    public record OmapClear(CollectionId coll, ObjectId oid) implements Op {}
    public record OmapSetHeader(CollectionId coll, ObjectId oid, byte[] header) implements Op {}
    public record CreateCollection(CollectionId coll, int bits) implements Op {}
    public record RemoveCollection(CollectionId coll) implements Op {}
    /** Splits {@code coll}: it keeps {@code newBits} hash bits, and the objects whose hash matches {@code dest} move there. */
    public record SplitCollection(CollectionId coll, int newBits, CollectionId dest) implements Op {}
    /** Merges {@code coll} into its sibling {@code dest}, which then has {@code newBits} hash bits; {@code coll} is removed. */
    public record MergeCollection(CollectionId coll, CollectionId dest, int newBits) implements Op {}

    /** {@code b}'s bytes [0, limit) as an array: its backing array when that is exactly them, else a copy. */
    static byte[] bytes(ByteBuffer b) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.limit() == b.array().length) {
            return b.array();
        }
        byte[] out = new byte[b.limit()];
        b.get(0, out);
        return out;
    }

    private final List<Op> ops = new ArrayList<>();
    private long dataBytes;

    public List<Op> ops() {
        return Collections.unmodifiableList(ops);
    }

    /** Bytes of object data carried by this transaction. */
    public long dataBytes() {
        return dataBytes;
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    private Transaction add(Op op) {
        Objects.requireNonNull(op.coll(), "collection");
        ops.add(op);
        return this;
    }

    private static byte[] checkData(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length > WRITE_BYTES_MAX) {
            throw new BadRequestException("write of " + data.length + " bytes exceeds " + WRITE_BYTES_MAX);
        }
        return data;
    }

    /** The remaining bytes of {@code data} as a buffer indexed from 0, not copied. */
    private static ByteBuffer checkData(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (data.remaining() > WRITE_BYTES_MAX) {
            throw new BadRequestException("write of " + data.remaining() + " bytes exceeds " + WRITE_BYTES_MAX);
        }
        return data.slice();
    }

    private static void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > OBJECT_BYTES_MAX) {
            throw new BadRequestException(String.format(
                    "range [%d, +%d) outside [0, %d)", offset, length, OBJECT_BYTES_MAX));
        }
    }

    public Transaction touch(CollectionId c, ObjectId oid) {
        return add(new Touch(c, oid));
    }

    public Transaction write(CollectionId c, ObjectId oid, long offset, byte[] data) {
        checkRange(offset, checkData(data).length);
        dataBytes += data.length;
        return add(new Write(c, oid, offset, data.clone()));
    }

    /**
     * {@link #write} without the defensive copy: the transaction takes {@code data} over, and the
     * caller never modifies it afterwards (a buffer just decoded from a message). A 4 MiB write
     * otherwise costs every OSD a 4 MiB copy and as much young garbage.
     */
    public Transaction writeOwned(CollectionId c, ObjectId oid, long offset, byte[] data) {
        checkRange(offset, checkData(data).length);
        dataBytes += data.length;
        return add(new Write(c, oid, offset, data));
    }

    /** {@link #writeFull} taking {@code data} over, as {@link #writeOwned} does. */
    public Transaction writeFullOwned(CollectionId c, ObjectId oid, byte[] data) {
        dataBytes += checkData(data).length;
        return add(new WriteFull(c, oid, data));
    }

    /** Writes {@code data}'s remaining bytes at {@code offset}, without copying them (see the class comment). */
    public Transaction write(CollectionId c, ObjectId oid, long offset, ByteBuffer data) {
        ByteBuffer b = checkData(data);
        checkRange(offset, b.limit());
        dataBytes += b.limit();
        return add(new Write(c, oid, offset, b));
    }

    /** Replaces the object's data with {@code data}'s remaining bytes, without copying them. */
    public Transaction writeFull(CollectionId c, ObjectId oid, ByteBuffer data) {
        ByteBuffer b = checkData(data);
        dataBytes += b.limit();
        return add(new WriteFull(c, oid, b));
    }

    /** Appends {@code data}'s remaining bytes, without copying them. */
    public Transaction append(CollectionId c, ObjectId oid, ByteBuffer data) {
        ByteBuffer b = checkData(data);
        dataBytes += b.limit();
        return add(new Append(c, oid, b));
    }

    public Transaction writeFull(CollectionId c, ObjectId oid, byte[] data) {
        dataBytes += checkData(data).length;
        return add(new WriteFull(c, oid, data.clone()));
    }

    public Transaction append(CollectionId c, ObjectId oid, byte[] data) {
        dataBytes += checkData(data).length;
        return add(new Append(c, oid, data.clone()));
    }

    public Transaction zero(CollectionId c, ObjectId oid, long offset, long length) {
        checkRange(offset, length);
        return add(new Zero(c, oid, offset, length));
    }

    public Transaction truncate(CollectionId c, ObjectId oid, long size) {
        checkRange(size, 0);
        return add(new Truncate(c, oid, size));
    }

    public Transaction remove(CollectionId c, ObjectId oid) {
        return add(new Remove(c, oid));
    }

    public Transaction clone(CollectionId c, ObjectId src, ObjectId dst) {
        return add(new Clone(c, src, dst));
    }

    public Transaction cloneRange(CollectionId c, ObjectId src, long srcOffset, long length, ObjectId dst, long dstOffset) {
        checkRange(srcOffset, length);
        checkRange(dstOffset, length);
        if (length > WRITE_BYTES_MAX) {
            throw new BadRequestException("clone_range of " + length + " bytes exceeds " + WRITE_BYTES_MAX);
        }
        dataBytes += length;
        return add(new CloneRange(c, src, srcOffset, length, dst, dstOffset));
    }

    public Transaction setAttr(CollectionId c, ObjectId oid, String name, byte[] value) {
        if (name.isEmpty() || name.length() > 1024 || value.length > 65536) {
            throw new BadRequestException("xattr '" + name + "': name must be 1..1024 chars and value at most 64 KiB");
        }
        return add(new SetAttr(c, oid, name, value.clone()));
    }

    public Transaction rmAttr(CollectionId c, ObjectId oid, String name) {
        return add(new RmAttr(c, oid, name));
    }

    public Transaction omapSet(CollectionId c, ObjectId oid, SortedMap<String, byte[]> entries) {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        entries.forEach((k, v) -> copy.put(Objects.requireNonNull(k), v.clone()));
        return add(new OmapSet(c, oid, copy));
    }

    public Transaction omapSet(CollectionId c, ObjectId oid, String key, byte[] value) {
        TreeMap<String, byte[]> one = new TreeMap<>();
        one.put(key, value);
        return omapSet(c, oid, one);
    }

    public Transaction omapRmKeys(CollectionId c, ObjectId oid, List<String> keys) {
        return add(new OmapRmKeys(c, oid, List.copyOf(keys)));
    }

    public Transaction omapRmRange(CollectionId c, ObjectId oid, String first, String last) {
        return add(new OmapRmRange(c, oid, first, last));
    }

    public Transaction omapClear(CollectionId c, ObjectId oid) {
        return add(new OmapClear(c, oid));
    }

    public Transaction omapSetHeader(CollectionId c, ObjectId oid, byte[] header) {
        return add(new OmapSetHeader(c, oid, header.clone()));
    }

    public Transaction createCollection(CollectionId c, int bits) {
        if (bits < 0 || bits > 31) {
            throw new BadRequestException("collection " + c + ": bits " + bits + " (expected: 0..31)");
        }
        return add(new CreateCollection(c, bits));
    }

    public Transaction removeCollection(CollectionId c) {
        return add(new RemoveCollection(c));
    }

    public Transaction splitCollection(CollectionId c, int newBits, CollectionId dest) {
        return add(new SplitCollection(c, newBits, dest));
    }

    public Transaction mergeCollection(CollectionId c, CollectionId dest, int newBits) {
        return add(new MergeCollection(c, dest, newBits));
    }
}
