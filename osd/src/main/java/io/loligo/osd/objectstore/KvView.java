package io.loligo.osd.objectstore;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;

/**
 * A readable view of the metadata: the committed RocksDB contents, or a staging layer of puts and
 * deletes over another view (a batch over the database, a transaction over its batch). A
 * transaction's layer is merged into its batch when it succeeds and simply dropped when it fails.
 */
abstract sealed class KvView permits KvView.Db, KvView.Layer {
    abstract byte[] get(byte[] key);

    /** A collection's hash bits, or null when it does not exist. */
    abstract Integer collectionBits(CollectionId c);

    static Integer decodeBits(byte[] v) {
        return v == null ? null : java.nio.ByteBuffer.wrap(v).getInt();
    }

    /** Every live key in [from, to), in key order. */
    final NavigableMap<byte[], byte[]> range(byte[] from, byte[] to) {
        return range(from, to, Integer.MAX_VALUE);
    }

    /** The first {@code limit} live keys in [from, to), in key order. */
    abstract NavigableMap<byte[], byte[]> range(byte[] from, byte[] to, int limit);

    static final class Db extends KvView {
        private static final Integer ABSENT = -1;
        private final RocksDB db;
        /**
         * Collection records, read by every transaction and every read (the RocksDB lookups were
         * 21 % of an OSD's CPU under 4 KiB writes). Filled by any thread, emptied of the collections
         * a batch changed by the commit thread right after the batch is written; {@link #epoch}
         * keeps a reader that fetched the old record before that write from caching it after.
         */
        private final java.util.concurrent.ConcurrentHashMap<CollectionId, Integer> bits =
                new java.util.concurrent.ConcurrentHashMap<>();
        private volatile long epoch;
        private static final int RECORDS_MAX = 65536;
        private static final byte[] NONE = new byte[0];
        /** Onode and shard records by key (see {@link #get}); same rules as {@link #bits}. */
        private final java.util.concurrent.ConcurrentHashMap<java.nio.ByteBuffer, byte[]> records =
                new java.util.concurrent.ConcurrentHashMap<>();

        Db(RocksDB db) {
            this.db = db;
        }

        @Override
        Integer collectionBits(CollectionId c) {
            Integer cached = bits.get(c);
            if (cached != null) {
                return cached.equals(ABSENT) ? null : cached;
            }
            long seen = epoch;
            Integer v = decodeBits(get(Keys.collection(c)));
            synchronized (bits) {
                if (epoch == seen) {
                    bits.put(c, v == null ? ABSENT : v);
                }
            }
            return v;
        }

        /**
         * Puts the records {@code batch} wrote into the caches (write-through); called right after the
         * batch is in the database, inside the publication. Forgetting them instead made nearly every
         * 4 KiB overwrite's shard lookup a RocksDB {@code get} (23 % of the store's CPU under random
         * overwrites): a record written is the one most likely to be read next. The staged values are
         * never written into after staging, so they are shared as they are.
         */
        void written(Layer batch) {
            java.util.NavigableMap<byte[], byte[]> colls = prefixed(batch, Keys.COLL);
            java.util.NavigableMap<byte[], byte[]> onodes = prefixed(batch, Keys.ONODE);
            java.util.NavigableMap<byte[], byte[]> shards = prefixed(batch, Keys.SHARD);
            if (colls.isEmpty() && onodes.isEmpty() && shards.isEmpty()) {
                return;
            }
            synchronized (bits) {
                // Readers that fetched a record before this batch's write must not cache it now.
                epoch++;
                for (Map.Entry<byte[], byte[]> e : colls.entrySet()) {
                    Integer v = Layer.isTombstone(e.getValue()) ? null : decodeBits(e.getValue());
                    bits.put(Keys.collectionOf(e.getKey()), v == null ? ABSENT : v);
                }
                if (records.size() + onodes.size() + shards.size() > RECORDS_MAX) {
                    records.clear();
                }
                for (Map.Entry<byte[], byte[]> e : onodes.entrySet()) {
                    cache(e.getKey(), e.getValue());
                }
                for (Map.Entry<byte[], byte[]> e : shards.entrySet()) {
                    cache(e.getKey(), e.getValue());
                }
            }
        }

        private void cache(byte[] key, byte[] staged) {
            records.put(java.nio.ByteBuffer.wrap(key), Layer.isTombstone(staged) ? NONE : staged);
        }

        private static java.util.NavigableMap<byte[], byte[]> prefixed(Layer batch, byte prefix) {
            byte[] from = {prefix};
            return batch.writes.subMap(from, true, Keys.prefixEnd(from), false);
        }

        @Override
        byte[] get(byte[] key) {
            if (key.length == 0 || (key[0] != Keys.ONODE && key[0] != Keys.SHARD)) {
                return dbGet(key);
            }
            // Onodes and block-map shards: a 4 KiB read looked its onode up four times and a write
            // twice. Cached values are shared: callers decode them and never write into them.
            java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(key);
            byte[] cached = records.get(k);
            if (cached != null) {
                return cached == NONE ? null : cached;
            }
            long seen = epoch;
            byte[] v = dbGet(key);
            synchronized (bits) {
                if (epoch == seen) {
                    if (records.size() >= RECORDS_MAX) {
                        records.clear();
                    }
                    records.put(k, v == null ? NONE : v);
                }
            }
            return v;
        }

        private byte[] dbGet(byte[] key) {
            try {
                return db.get(key);
            } catch (RocksDBException e) {
                throw new StoreFailedException("metadata read failed: " + e.getMessage(), e);
            }
        }

        @Override
        NavigableMap<byte[], byte[]> range(byte[] from, byte[] to, int limit) {
            NavigableMap<byte[], byte[]> out = new TreeMap<>(Keys.UNSIGNED);
            try (Slice upper = new Slice(to);
                    ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
                    RocksIterator it = db.newIterator(ro)) {
                for (it.seek(from); it.isValid() && out.size() < limit; it.next()) {
                    out.put(it.key(), it.value());
                }
                it.status();
            } catch (RocksDBException e) {
                throw new StoreFailedException("metadata scan failed: " + e.getMessage(), e);
            }
            return out;
        }
    }

    static final class Layer extends KvView {
        private static final byte[] TOMBSTONE = new byte[0];
        private final KvView parent;
        final TreeMap<byte[], byte[]> writes;

        Layer(KvView parent) {
            this.parent = parent;
            this.writes = new TreeMap<>(Keys.UNSIGNED);
        }

        /** A read-only view of {@code writes} (a batch in flight) over {@code parent}; the map is shared, not copied. */
        Layer(KvView parent, TreeMap<byte[], byte[]> writes) {
            this.parent = parent;
            this.writes = writes;
        }

        void put(byte[] key, byte[] value) {
            writes.put(key, value);
        }

        void delete(byte[] key) {
            writes.put(key, TOMBSTONE);
        }

        static boolean isTombstone(byte[] staged) {
            return staged == TOMBSTONE;
        }

        boolean isEmpty() {
            return writes.isEmpty();
        }

        @Override
        Integer collectionBits(CollectionId c) {
            byte[] v = writes.get(Keys.collection(c));
            if (v == null) {
                return parent.collectionBits(c);
            }
            return v == TOMBSTONE ? null : decodeBits(v);
        }

        @Override
        byte[] get(byte[] key) {
            byte[] v = writes.get(key);
            if (v == null) {
                return parent.get(key);
            }
            return v == TOMBSTONE ? null : v;
        }

        @Override
        NavigableMap<byte[], byte[]> range(byte[] from, byte[] to, int limit) {
            NavigableMap<byte[], byte[]> mine = writes.subMap(from, true, to, false);
            int parentLimit = limit == Integer.MAX_VALUE ? limit : (int) Math.min(Integer.MAX_VALUE, (long) limit + mine.size());
            NavigableMap<byte[], byte[]> out = parent.range(from, to, parentLimit);
            // Keys past the parent's last one may be missing from it when it stopped at its limit.
            byte[] parentLast = out.size() < parentLimit ? null : out.lastKey();
            for (Map.Entry<byte[], byte[]> e : mine.entrySet()) {
                if (parentLast != null && Keys.UNSIGNED.compare(e.getKey(), parentLast) > 0) {
                    break;
                }
                if (e.getValue() == TOMBSTONE) {
                    out.remove(e.getKey());
                } else {
                    out.put(e.getKey(), e.getValue());
                }
            }
            while (out.size() > limit) {
                out.pollLastEntry();
            }
            return out;
        }

        /** Moves this layer's writes into its parent layer. */
        void mergeInto(Layer target) {
            for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
                target.writes.put(e.getKey(), e.getValue());
            }
            writes.clear();
        }

        void writeTo(WriteBatch batch) throws RocksDBException {
            for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
                if (e.getValue() == TOMBSTONE) {
                    batch.delete(e.getKey());
                } else {
                    batch.put(e.getKey(), e.getValue());
                }
            }
        }
    }
}
