package io.loligo.osd.objectstore;

import java.nio.file.Path;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.IndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB instance that holds the metadata, opened with bounded memory: an LRU block cache, and
 * memtables charged to that cache by a write buffer manager. Owns and closes every native handle.
 */
final class MetaDb implements AutoCloseable {
    static {
        RocksNative.load();
    }

    final RocksDB db;
    final WriteOptions syncWrite;
    final WriteOptions asyncWrite;
    /** Batches already durable in the store's commit log go to RocksDB without its WAL. */
    final WriteOptions noWalWrite;
    private final Options options;
    private final LRUCache cache;
    private final WriteBufferManager writeBuffers;
    private final BloomFilter bloom;

    MetaDb(Path dir, StoreOptions opts, boolean create) throws RocksDBException {
        // Half the cache is kept for high-priority blocks: the index and filter partitions.
        cache = new LRUCache(opts.blockCacheBytes() + opts.memtableBytes(), -1, false, 0.5);
        writeBuffers = new WriteBufferManager(opts.memtableBytes(), cache);
        bloom = new BloomFilter(10, false);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                // Index and filters live in the (bounded) cache, partitioned so a lookup reads one
                // small partition, never a whole SST's index: with whole-file index and filter blocks
                // evicted by memtable charges, creating a million objects read 1.8 TB.
                .setIndexType(IndexType.kTwoLevelIndexSearch)
                .setPartitionFilters(true)
                .setMetadataBlockSize(4096)
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinTopLevelIndexAndFilter(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        options = new Options()
                .setCreateIfMissing(create)
                .setErrorIfExists(create)
                .setTableFormatConfig(table)
                .setWriteBufferManager(writeBuffers)
                .setWriteBufferSize(opts.memtableBytes() / 2)
                .setMaxWriteBufferNumber(2)
                .setMaxTotalWalSize(opts.memtableBytes() * 2)
                // No WAL recycling: RocksDB refuses disableWAL writes with it, and its WAL now
                // carries only the rare batches too large for the commit log.
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setMaxBackgroundJobs(2)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setMaxLogFileSize(1 << 20)
                .setMaxManifestFileSize(4 << 20)
                // RocksDB preallocates 4 MiB for the MANIFEST by default: a quarter of a small disk.
                .setManifestPreallocationSize(256 << 10);
        db = RocksDB.open(options, dir.toString());
        syncWrite = new WriteOptions().setSync(true);
        asyncWrite = new WriteOptions().setSync(false);
        noWalWrite = new WriteOptions().setSync(false).setDisableWAL(true);
    }

    long property(String name) {
        try {
            return db.getLongProperty(name);
        } catch (RocksDBException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        syncWrite.close();
        asyncWrite.close();
        noWalWrite.close();
        db.close();
        options.close();
        writeBuffers.close();
        cache.close();
        bloom.close();
    }
}
