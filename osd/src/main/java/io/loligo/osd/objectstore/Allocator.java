package io.loligo.osd.objectstore;

import io.loligo.common.Invariants;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The block allocator. Two bitmaps: {@code durable} is what the freelist ('F' keys) says once the
 * current batch commits; {@code inUse} is what may not be handed out now. They differ by the blocks
 * freed but not yet released: a freed block stays in use until no deferred write can still target it
 * (see {@link BlockObjectStore}). Next-fit from a moving cursor keeps new extents contiguous.
 * Thread-safe: the commit thread allocates and frees, the deferred applier releases.
 */
final class Allocator {
    /** A run of contiguous physical blocks. */
    record Run(long start, int blocks) {}

    private final long blockCount;
    private final BitSet durable;
    private final BitSet inUse;
    private final TreeSet<Long> dirtyChunks = new TreeSet<>();
    private long usedInUse;
    private long cursor;

    Allocator(long blockCount, BitSet durableUsed) {
        Invariants.check(blockCount > 0 && blockCount <= Integer.MAX_VALUE, "block count %d out of range", blockCount);
        this.blockCount = blockCount;
        this.durable = durableUsed;
        this.inUse = (BitSet) durableUsed.clone();
        this.usedInUse = inUse.cardinality();
    }

    synchronized long blockCount() {
        return blockCount;
    }

    synchronized long freeBlocks() {
        return blockCount - usedInUse;
    }

    synchronized long durableUsedBlocks() {
        return durable.cardinality();
    }

    /** Allocates {@code blocks} blocks in as few runs as next-fit finds, or throws when fewer than that are free. */
    synchronized List<Run> allocate(int blocks, long reserveBlocks) {
        if (blockCount - usedInUse - reserveBlocks < blocks) {
            throw new StoreFullException(String.format(
                    "store full: %d blocks needed, %d free (%d kept in reserve); delete objects to make room",
                    blocks, blockCount - usedInUse, reserveBlocks));
        }
        List<Run> runs = new ArrayList<>();
        int left = blocks;
        boolean wrapped = false;
        while (left > 0) {
            int start = inUse.nextClearBit((int) cursor);
            if (start >= blockCount) {
                Invariants.check(!wrapped, "allocator: %d free blocks counted but none found", blockCount - usedInUse);
                wrapped = true;
                cursor = 0;
                continue;
            }
            int end = Math.min(inUse.nextSetBit(start) < 0 ? (int) blockCount : inUse.nextSetBit(start), (int) blockCount);
            int take = Math.min(left, end - start);
            markUsed(start, take);
            runs.add(new Run(start, take));
            left -= take;
            cursor = start + take;
        }
        return runs;
    }

    private void markUsed(long start, int blocks) {
        Invariants.check(inUse.nextSetBit((int) start) < 0 || inUse.nextSetBit((int) start) >= start + blocks,
                "allocator: block in [%d, +%d) already in use", start, blocks);
        inUse.set((int) start, (int) start + blocks);
        durable.set((int) start, (int) start + blocks);
        usedInUse += blocks;
        markDirty(start, blocks);
    }

    /** Undoes an allocation of a transaction that failed before its batch was written. */
    synchronized void undoAllocate(Run run) {
        inUse.clear((int) run.start(), (int) run.start() + run.blocks());
        durable.clear((int) run.start(), (int) run.start() + run.blocks());
        usedInUse -= run.blocks();
        markDirty(run.start(), run.blocks());
    }

    /** Frees a block in the freelist; it stays unavailable until {@link #release}. */
    synchronized void free(long block) {
        Invariants.check(durable.get((int) block), "allocator: freeing block %d that is not in use", block);
        durable.clear((int) block);
        markDirty(block, 1);
    }

    synchronized void undoFree(long block) {
        Invariants.check(!durable.get((int) block), "allocator: undoing free of block %d that is in use", block);
        durable.set((int) block);
        markDirty(block, 1);
    }

    /** Makes freed blocks available again: no deferred write can target them any more. */
    synchronized void release(long[] blocks, int count) {
        for (int i = 0; i < count; i++) {
            int b = (int) blocks[i];
            Invariants.check(inUse.get(b), "allocator: releasing block %d that is not held", b);
            Invariants.check(!durable.get(b), "allocator: releasing block %d that is in use again", b);
            inUse.clear(b);
        }
        usedInUse -= count;
    }

    private void markDirty(long start, int blocks) {
        for (long c = start / Keys.FREELIST_CHUNK_BLOCKS; c <= (start + blocks - 1) / Keys.FREELIST_CHUNK_BLOCKS; c++) {
            dirtyChunks.add(c);
        }
    }

    /** Freelist values of the chunks changed since the last call, for the batch being written. */
    synchronized List<byte[][]> takeDirtyChunks() {
        List<byte[][]> out = new ArrayList<>(dirtyChunks.size());
        for (long c : dirtyChunks) {
            out.add(new byte[][] {Keys.freelist(c), chunkBytes(durable, c)});
        }
        dirtyChunks.clear();
        return out;
    }

    static byte[] chunkBytes(BitSet bits, long chunk) {
        byte[] out = new byte[Keys.FREELIST_CHUNK_BLOCKS / 8];
        int base = (int) (chunk * Keys.FREELIST_CHUNK_BLOCKS);
        for (int i = bits.nextSetBit(base); i >= 0 && i < base + Keys.FREELIST_CHUNK_BLOCKS; i = bits.nextSetBit(i + 1)) {
            out[(i - base) / 8] |= (byte) (1 << ((i - base) % 8));
        }
        return out;
    }

    static void loadChunk(BitSet bits, long chunk, byte[] value) {
        int base = (int) (chunk * Keys.FREELIST_CHUNK_BLOCKS);
        for (int i = 0; i < Keys.FREELIST_CHUNK_BLOCKS; i++) {
            if ((value[i / 8] & (1 << (i % 8))) != 0) {
                bits.set(base + i);
            }
        }
    }

    /** A copy of the durable bitmap, for fsck. */
    synchronized BitSet durableCopy() {
        return (BitSet) durable.clone();
    }
}
