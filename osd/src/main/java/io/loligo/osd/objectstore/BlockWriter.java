package io.loligo.osd.objectstore;

import io.loligo.common.Invariants;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The data half of a transaction: writes, zeroing, truncation and reads of an object's blocks inside
 * a {@link Staging}. Large writes get new blocks (copy-on-write, written before the commit); small
 * ones are staged as deferred whole-block writes into the blocks they already have. The invariants:
 * no block is mapped at or past the object's size rounded up, and the bytes of the last block past
 * the size are zero. Used by the commit thread only.
 */
final class BlockWriter {
    static final int POOL_OBJECTS = 0;
    static final int POOL_STORED = 1;
    static final int POOL_BLOCKS = 2;

    /** Reads a committed block: from the deferred overlay when pending there, else the data file. */
    interface BlockSource {
        byte[] readCommitted(long pblock);
    }

    private final BlockSource source;
    private final Allocator allocator;
    private final int largeWriteBytes;
    private final CRC32C crc = new CRC32C();

    BlockWriter(BlockSource source, Allocator allocator, int largeWriteBytes) {
        this.source = source;
        this.allocator = allocator;
        this.largeWriteBytes = largeWriteBytes;
    }

    int crcOf(byte[] buf, int offset) {
        crc.reset();
        crc.update(buf, offset, Keys.BLOCK_BYTES);
        return (int) crc.getValue();
    }

    /** CRC32C of {@code buf[offset, offset + 4096)}; {@code view} is a duplicate of it whose position and limit this moves. */
    int crcOf(ByteBuffer view, int offset) {
        return crcOf(crc, view, offset);
    }

    /** {@link #crcOf(ByteBuffer, int)} with the caller's {@code crc} (for threads other than the commit thread). */
    static int crcOf(CRC32C crc, ByteBuffer view, int offset) {
        crc.reset();
        if (view.hasArray()) {
            crc.update(view.array(), view.arrayOffset() + offset, Keys.BLOCK_BYTES);
        } else {
            view.limit(offset + Keys.BLOCK_BYTES).position(offset);
            crc.update(view); // intrinsic over direct memory too: no copy
        }
        return (int) crc.getValue();
    }

    /**
     * Per op, the CRC32Cs of the 4 KiB blocks of a write that may go to new space whole (data at
     * least {@code largeWriteBytes} long, a multiple of 4 KiB), or null for other ops; null when no
     * op has any. Called on the committing caller's thread, before the transaction is queued, so the
     * one commit thread does not checksum large writes: they are used when the write turns out
     * block-aligned ({@link #write}), and the data is not changed meanwhile (a transaction owns its
     * buffers until the commit completes), so they are the CRCs of the bytes the data file gets.
     */
    static int[][] blockCrcs(List<Transaction.Op> ops, int largeWriteBytes) {
        int[][] out = null;
        CRC32C crc = null;
        for (int i = 0; i < ops.size(); i++) {
            if (!(ops.get(i) instanceof Transaction.DataOp op)) {
                continue;
            }
            ByteBuffer data = op.buffer();
            int len = data.limit();
            if (len < largeWriteBytes || (len & (Keys.BLOCK_BYTES - 1)) != 0) {
                continue;
            }
            if (out == null) {
                out = new int[ops.size()][];
                crc = new CRC32C();
            }
            ByteBuffer view = data.duplicate();
            int[] crcs = new int[len >>> Keys.BLOCK_SHIFT];
            for (int b = 0; b < crcs.length; b++) {
                crcs[b] = crcOf(crc, view, b << Keys.BLOCK_SHIFT);
            }
            out[i] = crcs;
        }
        return out;
    }

    static Shard loadShard(KvView meta, ObjectId oid, long shardIndex) {
        byte[] v = meta.get(Keys.shard(oid, shardIndex));
        return v == null ? new Shard() : Shard.decode(v);
    }

    private static void storeShard(Staging st, ObjectId oid, long shardIndex, Shard s) {
        if (s.isEmpty()) {
            st.meta.delete(Keys.shard(oid, shardIndex));
        } else {
            st.meta.put(Keys.shard(oid, shardIndex), s.encode());
        }
    }

    void setSize(Staging st, ObjectId oid, Onode n, long size) {
        st.addPool(oid.pool(), POOL_STORED, size - n.size);
        n.size = size;
    }

    /** Writes {@code data} at {@code offset}; the object grows to cover it. */
    void write(Staging st, ObjectId oid, Onode n, long offset, byte[] data) {
        write(st, oid, n, offset, ByteBuffer.wrap(data));
    }

    /** Writes {@code data[0, limit)} (absolute indices; the buffer is not moved) at {@code offset}. */
    void write(Staging st, ObjectId oid, Onode n, long offset, ByteBuffer data) {
        write(st, oid, n, offset, data, null);
    }

    /**
     * As above; {@code crcs}, when not null, are the CRC32Cs of {@code data}'s 4 KiB blocks
     * ({@link #blockCrcs}), used if the whole buffer goes to new space as it is.
     */
    void write(Staging st, ObjectId oid, Onode n, long offset, ByteBuffer data, int[] crcs) {
        int len = data.limit();
        if (len == 0) {
            return;
        }
        long b0 = offset >>> Keys.BLOCK_SHIFT;
        long b1 = ((offset + len - 1) >>> Keys.BLOCK_SHIFT) + 1;
        int nb = (int) (b1 - b0);
        int headSkip = (int) (offset & (Keys.BLOCK_BYTES - 1));
        boolean aligned = headSkip == 0 && (len & (Keys.BLOCK_BYTES - 1)) == 0;
        if (aligned && len >= largeWriteBytes) {
            // Transactions own their data, so a large aligned write goes to disk from the caller's
            // buffer as it is: no copy here, and none at all for an aligned direct buffer.
            placeNew(st, oid, b0, nb, data, crcs);
        } else {
            byte[] buf;
            if (aligned && data.hasArray() && data.arrayOffset() == 0 && data.array().length == len) {
                buf = data.array();
            } else {
                buf = new byte[nb * Keys.BLOCK_BYTES];
                if (headSkip != 0) {
                    readBlockInto(st, oid, b0, buf, 0);
                }
                if (((offset + len) & (Keys.BLOCK_BYTES - 1)) != 0 && (nb > 1 || headSkip == 0)) {
                    readBlockInto(st, oid, b1 - 1, buf, (nb - 1) * Keys.BLOCK_BYTES);
                }
                data.get(0, buf, headSkip, len);
            }
            if (len >= largeWriteBytes) {
                placeNew(st, oid, b0, nb, ByteBuffer.wrap(buf), null);
            } else {
                placeDeferred(st, oid, b0, nb, buf);
            }
        }
        if (offset + len > n.size) {
            setSize(st, oid, n, offset + len);
        }
    }

    private List<Allocator.Run> allocate(Staging st, int blocks) {
        List<Allocator.Run> runs = allocator.allocate(blocks, 0);
        st.allocated.addAll(runs);
        return runs;
    }

    /** Copy-on-write: new blocks, written to the data file before the commit; {@code crcs}: of {@code buf}'s blocks, or null. */
    private void placeNew(Staging st, ObjectId oid, long b0, int nb, ByteBuffer buf, int[] crcs) {
        long[] pblocks = new long[nb];
        int i = 0;
        for (Allocator.Run run : allocate(st, nb)) {
            st.stageDirect(run.start(), buf, i * Keys.BLOCK_BYTES, run.blocks());
            for (int k = 0; k < run.blocks(); k++) {
                pblocks[i++] = run.start() + k;
            }
        }
        Invariants.check(i == nb, "allocated %d blocks, wanted %d", i, nb);
        Invariants.check(crcs == null || crcs.length == nb, "%d block CRCs for a write of %d blocks", crcs == null ? 0 : crcs.length, nb);
        remap(st, oid, b0, pblocks, buf.duplicate(), crcs);
    }

    /** Deferred: into the blocks already mapped (new ones for holes), through the WAL. */
    private void placeDeferred(Staging st, ObjectId oid, long b0, int nb, byte[] buf) {
        long[] pblocks = new long[nb];
        int holes = 0;
        for (int i = 0; i < nb; i++) {
            long lb = b0 + i;
            pblocks[i] = loadShard(st.meta, oid, lb / Keys.SHARD_BLOCKS).pblock[(int) (lb % Keys.SHARD_BLOCKS)];
            holes += pblocks[i] == Shard.HOLE ? 1 : 0;
        }
        if (holes > 0) {
            long[] fresh = new long[holes];
            int f = 0;
            for (Allocator.Run run : allocate(st, holes)) {
                for (int k = 0; k < run.blocks(); k++) {
                    fresh[f++] = run.start() + k;
                }
            }
            f = 0;
            for (int i = 0; i < nb; i++) {
                if (pblocks[i] == Shard.HOLE) {
                    pblocks[i] = fresh[f++];
                }
            }
        }
        for (int i = 0; i < nb; i++) {
            // A copy even of a whole-block buffer: the overlay serves it after the commit completes,
            // when the caller may reuse its own buffer.
            st.stageDeferred(pblocks[i], Arrays.copyOfRange(buf, i * Keys.BLOCK_BYTES, (i + 1) * Keys.BLOCK_BYTES));
        }
        remap(st, oid, b0, pblocks, ByteBuffer.wrap(buf), null);
    }

    /**
     * Points logical blocks [b0, b0 + pblocks.length) at {@code pblocks} with the CRCs of {@code buf}
     * (absolute indices from 0; its position and limit are moved), or {@code crcs} when given (taken
     * of the same bytes beforehand); frees replaced blocks.
     */
    private void remap(Staging st, ObjectId oid, long b0, long[] pblocks, ByteBuffer buf, int[] crcs) {
        int i = 0;
        long mapped = 0;
        while (i < pblocks.length) {
            long lb = b0 + i;
            long shardIndex = lb / Keys.SHARD_BLOCKS;
            Shard s = loadShard(st.meta, oid, shardIndex);
            for (int j = (int) (lb % Keys.SHARD_BLOCKS); j < Keys.SHARD_BLOCKS && i < pblocks.length; j++, i++) {
                long old = s.pblock[j];
                if (old != Shard.HOLE && old != pblocks[i]) {
                    freeBlock(st, old);
                    mapped--;
                }
                if (old != pblocks[i]) {
                    mapped++;
                }
                s.pblock[j] = pblocks[i];
                s.crc[j] = crcs != null ? crcs[i] : crcOf(buf, i * Keys.BLOCK_BYTES);
            }
            storeShard(st, oid, shardIndex, s);
        }
        st.addPool(oid.pool(), POOL_BLOCKS, mapped);
    }

    private void freeBlock(Staging st, long pblock) {
        allocator.free(pblock);
        st.freed.add(pblock);
    }

    /**
     * Shards looked up one by one, by key, when an unmapped range spans at most this many (64 MiB of
     * object); wider ranges, sparse objects' typically, are found by a range scan. A 4 MiB
     * writeFull's truncate used to scan its object's 64 shard keys in RocksDB (iterator, memtable
     * versions and tombstones included) on the commit thread: timed at ≈ 0.46 ms of its ≈ 1 ms per
     * write (2026-12-07), where lookups by key mostly hit the write-through cache.
     */
    static final long UNMAP_SHARDS_BY_KEY_MAX = 1024;

    /**
     * Unmaps and frees every mapped logical block in [b0, b1) of an object of {@code sizeBytes}:
     * no block at or past its size rounded up is mapped (the class invariant), so the range ends there.
     */
    void unmap(Staging st, ObjectId oid, long sizeBytes, long b0, long b1) {
        b1 = Math.min(b1, (sizeBytes + Keys.BLOCK_BYTES - 1) >>> Keys.BLOCK_SHIFT);
        if (b0 >= b1) {
            return;
        }
        long firstShard = b0 / Keys.SHARD_BLOCKS;
        long lastShard = (b1 - 1) / Keys.SHARD_BLOCKS;
        long unmapped = 0;
        if (lastShard - firstShard < UNMAP_SHARDS_BY_KEY_MAX) {
            for (long shardIndex = firstShard; shardIndex <= lastShard; shardIndex++) {
                byte[] v = st.meta.get(Keys.shard(oid, shardIndex));
                if (v != null) {
                    unmapped += unmapShard(st, oid, shardIndex, v, b0, b1);
                }
            }
        } else {
            byte[] from = Keys.shard(oid, firstShard);
            byte[] to = lastShard >= 0xFFFFFFFFL ? Keys.prefixEnd(Keys.shardPrefix(oid)) : Keys.shard(oid, lastShard + 1);
            for (Map.Entry<byte[], byte[]> e : st.meta.range(from, to).entrySet()) {
                byte[] key = e.getKey();
                long shardIndex = Integer.toUnsignedLong(ByteBuffer.wrap(key, key.length - 4, 4).getInt());
                unmapped += unmapShard(st, oid, shardIndex, e.getValue(), b0, b1);
            }
        }
        st.addPool(oid.pool(), POOL_BLOCKS, -unmapped);
    }

    /** Unmaps the blocks of shard {@code shardIndex} (its stored value {@code v}) inside [b0, b1); returns how many were mapped. */
    private int unmapShard(Staging st, ObjectId oid, long shardIndex, byte[] v, long b0, long b1) {
        Shard s = Shard.decode(v);
        int unmapped = 0;
        for (int j = 0; j < Keys.SHARD_BLOCKS; j++) {
            long lb = shardIndex * Keys.SHARD_BLOCKS + j;
            if (lb >= b0 && lb < b1 && s.pblock[j] != Shard.HOLE) {
                freeBlock(st, s.pblock[j]);
                unmapped++;
                s.pblock[j] = Shard.HOLE;
                s.crc[j] = 0;
            }
        }
        if (unmapped > 0) {
            storeShard(st, oid, shardIndex, s);
        }
        return unmapped;
    }

    /** Zeros bytes [from, to) inside one logical block, in place (deferred); a hole stays a hole. */
    private void zeroWithinBlock(Staging st, ObjectId oid, long lb, int from, int to) {
        Shard s = loadShard(st.meta, oid, lb / Keys.SHARD_BLOCKS);
        long p = s.pblock[(int) (lb % Keys.SHARD_BLOCKS)];
        if (p == Shard.HOLE) {
            return;
        }
        byte[] block = new byte[Keys.BLOCK_BYTES];
        readBlockInto(st, oid, lb, block, 0);
        Arrays.fill(block, from, to, (byte) 0);
        st.stageDeferred(p, block);
        remap(st, oid, lb, new long[] {p}, ByteBuffer.wrap(block), null);
    }

    void zero(Staging st, ObjectId oid, Onode n, long offset, long length) {
        if (length == 0) {
            return;
        }
        long end = offset + length;
        long full0 = (offset + Keys.BLOCK_BYTES - 1) >>> Keys.BLOCK_SHIFT;
        long full1 = end >>> Keys.BLOCK_SHIFT;
        unmap(st, oid, n.size, full0, full1);
        long headBlock = offset >>> Keys.BLOCK_SHIFT;
        long tailBlock = (end - 1) >>> Keys.BLOCK_SHIFT;
        long[] edges = headBlock == tailBlock ? new long[] {headBlock} : new long[] {headBlock, tailBlock};
        for (long b : edges) {
            if (b >= full0 && b < full1) {
                continue;
            }
            long bs = b << Keys.BLOCK_SHIFT;
            zeroWithinBlock(st, oid, b, (int) (Math.max(offset, bs) - bs), (int) (Math.min(end, bs + Keys.BLOCK_BYTES) - bs));
        }
        if (end > n.size) {
            setSize(st, oid, n, end);
        }
    }

    void truncate(Staging st, ObjectId oid, Onode n, long size) {
        if (size < n.size) {
            int tail = (int) (size & (Keys.BLOCK_BYTES - 1));
            if (tail != 0) {
                zeroWithinBlock(st, oid, size >>> Keys.BLOCK_SHIFT, tail, Keys.BLOCK_BYTES);
            }
            unmap(st, oid, n.size, (size + Keys.BLOCK_BYTES - 1) >>> Keys.BLOCK_SHIFT, Long.MAX_VALUE / 2);
        }
        setSize(st, oid, n, size);
    }

    /** Copies logical block {@code lb}'s current content into {@code dst}, verifying its checksum; a hole leaves zeros. */
    void readBlockInto(Staging st, ObjectId oid, long lb, byte[] dst, int dstOffset) {
        Shard s = loadShard(st.meta, oid, lb / Keys.SHARD_BLOCKS);
        int j = (int) (lb % Keys.SHARD_BLOCKS);
        long p = s.pblock[j];
        if (p == Shard.HOLE) {
            Arrays.fill(dst, dstOffset, dstOffset + Keys.BLOCK_BYTES, (byte) 0);
            return;
        }
        Staging.BlockRef staged = st.block(p);
        if (staged != null) {
            staged.copyTo(dst, dstOffset);
        } else {
            System.arraycopy(source.readCommitted(p), 0, dst, dstOffset, Keys.BLOCK_BYTES);
        }
        int actual = crcOf(dst, dstOffset);
        if (actual != s.crc[j]) {
            throw new ChecksumMismatchException(oid, lb << Keys.BLOCK_SHIFT, p, s.crc[j], actual);
        }
    }

    /** Bytes [offset, offset + length) of the object as staged, zeros past its size. */
    byte[] read(Staging st, ObjectId oid, Onode n, long offset, int length) {
        byte[] out = new byte[length];
        long end = Math.min(offset + length, n.size);
        byte[] block = new byte[Keys.BLOCK_BYTES];
        for (long pos = offset; pos < end; ) {
            long lb = pos >>> Keys.BLOCK_SHIFT;
            int within = (int) (pos & (Keys.BLOCK_BYTES - 1));
            int take = (int) Math.min(Keys.BLOCK_BYTES - within, end - pos);
            readBlockInto(st, oid, lb, block, 0);
            System.arraycopy(block, within, out, (int) (pos - offset), take);
            pos += take;
        }
        return out;
    }
}
