package io.loligo.osd.objectstore;

/**
 * The store's knobs. Memory is bounded by {@code blockCacheBytes} plus {@code memtableBytes} (RocksDB's
 * memtables are charged to the block cache through a write buffer manager, so both stay inside the sum).
 *
 * @param blockFileBytes size of the data file made by mkfs; 0 takes the filesystem's free space less
 *        twice the metadata reserve
 * @param largeWriteBytes writes at least this long go to new space (copy-on-write); smaller ones are
 *        deferred through the RocksDB WAL. 64 KiB: below it the WAL's sequential write plus the later
 *        in-place write costs less than a separate data fsync (BlueStore's bluestore_prefer_deferred_size)
 * @param blockCacheBytes RocksDB's LRU block cache
 * @param memtableBytes RocksDB memtable budget, split over two write buffers
 * @param metadataReserveBytes free filesystem space kept for RocksDB: below it the store refuses every
 *        transaction that is not purely a delete, so deletes can always commit. Four memtables' worth
 *        covers a flush and the compaction behind it
 * @param batchTxnsMax most transactions grouped under one fsync
 */
public record StoreOptions(long blockFileBytes, int largeWriteBytes, long blockCacheBytes, long memtableBytes,
        long metadataReserveBytes, int batchTxnsMax) {
    public StoreOptions {
        if (blockFileBytes < 0 || (blockFileBytes > 0 && blockFileBytes < 64L * Keys.BLOCK_BYTES)) {
            throw new BadRequestException("blockFileBytes " + blockFileBytes + " (expected: 0 or at least 256 KiB)");
        }
        if (largeWriteBytes < Keys.BLOCK_BYTES) {
            throw new BadRequestException("largeWriteBytes " + largeWriteBytes + " (expected: 4096+)");
        }
        if (blockCacheBytes < (1 << 20) || memtableBytes < (1 << 20)) {
            throw new BadRequestException("blockCacheBytes and memtableBytes must be at least 1 MiB");
        }
        if (batchTxnsMax < 1) {
            throw new BadRequestException("batchTxnsMax " + batchTxnsMax + " (expected: 1+)");
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(1L << 30, 64 << 10, 64L << 20, 32L << 20, 128L << 20, 256);
    }

    /** Small settings for tests and tiny filesystems. */
    public static StoreOptions small(long blockFileBytes) {
        return new StoreOptions(blockFileBytes, 64 << 10, 4L << 20, 2L << 20, 6L << 20, 64);
    }

    public StoreOptions withBlockFileBytes(long bytes) {
        return new StoreOptions(bytes, largeWriteBytes, blockCacheBytes, memtableBytes, metadataReserveBytes, batchTxnsMax);
    }
}
