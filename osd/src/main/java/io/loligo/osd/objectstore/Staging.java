package io.loligo.osd.objectstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Changes staged for one group-commit batch, or for one transaction inside it. A transaction's
 * staging sits on its batch's: it sees the batch's writes, and on success its own are merged in; on
 * failure its allocations and frees are undone and its writes dropped, so the batch holds only
 * whole transactions.
 */
final class Staging {
    /**
     * Data bound for new space, {@code buf[offset, offset + length)} (absolute indices), written to the
     * data file by the batch's log thread before the batch's record.
     */
    record DirectWrite(long pblock, ByteBuffer buf, int offset, int length) {}

    /** A block's staged content: {@code buf[offset, offset + 4096)} (absolute indices; heap or direct). */
    record BlockRef(ByteBuffer buf, int offset) {
        void copyTo(byte[] dst, int dstOffset) {
            buf.get(offset, dst, dstOffset, Keys.BLOCK_BYTES);
        }

        byte[] copy() {
            byte[] out = new byte[Keys.BLOCK_BYTES];
            copyTo(out, 0);
            return out;
        }
    }

    final Staging parent;
    final KvView.Layer meta;
    /** Whole 4 KiB blocks written in place (deferred), by physical block. */
    final Map<Long, byte[]> blocks = new HashMap<>();
    final LinkedHashSet<Long> deferred = new LinkedHashSet<>();
    final List<DirectWrite> directs = new ArrayList<>();
    final List<Long> freed = new ArrayList<>();
    final List<Allocator.Run> allocated = new ArrayList<>();
    final Map<Long, long[]> poolDelta = new HashMap<>();
    long directBytes;

    Staging(Staging parent, KvView base) {
        this.parent = parent;
        this.meta = new KvView.Layer(base);
    }

    static Staging forBatch(KvView db) {
        return new Staging(null, db);
    }

    Staging forTransaction() {
        return new Staging(this, meta);
    }

    /** The staged content of a physical block, or null when this batch has not written it. */
    BlockRef block(long pblock) {
        for (Staging s = this; s != null; s = s.parent) {
            byte[] block = s.blocks.get(pblock);
            if (block != null) {
                return new BlockRef(ByteBuffer.wrap(block), 0);
            }
            // Direct writes are few and large: found by range, the latest first.
            for (int i = s.directs.size() - 1; i >= 0; i--) {
                DirectWrite w = s.directs.get(i);
                long index = pblock - w.pblock();
                if (index >= 0 && index < w.length() / Keys.BLOCK_BYTES) {
                    return new BlockRef(w.buf(), w.offset() + (int) index * Keys.BLOCK_BYTES);
                }
            }
        }
        return null;
    }

    void stageDeferred(long pblock, byte[] block) {
        blocks.put(pblock, block);
        deferred.add(pblock);
    }

    /**
     * A block can be written new and then overwritten in place later in the same batch, never the
     * other way round (a mapped block is not allocated again before a later batch), so {@link #block}
     * looks at deferred content before direct writes.
     */
    void stageDirect(long pblock, ByteBuffer buf, int offset, int blockCount) {
        directs.add(new DirectWrite(pblock, buf, offset, blockCount * Keys.BLOCK_BYTES));
        directBytes += (long) blockCount * Keys.BLOCK_BYTES;
    }

    void addPool(long pool, int field, long delta) {
        poolDelta.computeIfAbsent(pool, p -> new long[3])[field] += delta;
    }

    void mergeIntoParent() {
        meta.mergeInto(parent.meta);
        parent.blocks.putAll(blocks);
        parent.deferred.addAll(deferred);
        parent.directs.addAll(directs);
        parent.directBytes += directBytes;
        parent.freed.addAll(freed);
        poolDelta.forEach((pool, d) -> {
            for (int i = 0; i < d.length; i++) {
                parent.addPool(pool, i, d[i]);
            }
        });
    }

    void rollback(Allocator allocator) {
        // Frees first: a block allocated and freed by this transaction must end up free.
        for (int i = freed.size() - 1; i >= 0; i--) {
            allocator.undoFree(freed.get(i));
        }
        for (int i = allocated.size() - 1; i >= 0; i--) {
            allocator.undoAllocate(allocated.get(i));
        }
    }
}
