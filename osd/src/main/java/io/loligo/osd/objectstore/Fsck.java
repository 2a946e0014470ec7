package io.loligo.osd.objectstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.rocksdb.RocksIterator;

/**
 * Checks a quiet store end to end: every mapped block's CRC32C against the data file, every block
 * referenced once, the freelist equal to the set of referenced blocks (nothing leaked, nothing
 * doubly used), no block mapped past an object's size, no shard, omap entry or deferred record
 * without its object, objects inside a collection, and the per-pool usage counters.
 */
public final class Fsck {
    /** What fsck found; clean when {@code errors} is empty. */
    public record Report(long objects, long blocksChecked, List<String> errors) {
        public boolean clean() {
            return errors.isEmpty();
        }
    }

    private static final int ERRORS_MAX = 1000;

    private Fsck() {}

    public static Report run(BlockObjectStore store) throws InterruptedException {
        store.drainDeferred();
        List<String> errors = new ArrayList<>();
        BitSet referenced = new BitSet();
        Map<Long, long[]> pools = new HashMap<>();
        List<CollectionId> colls = store.collections();
        Map<CollectionId, Integer> bits = new HashMap<>();
        colls.forEach(c -> bits.put(c, store.collectionBits(c).orElseThrow()));
        long objects = 0;
        long blocks = 0;
        CRC32C crc = new CRC32C();
        try (RocksIterator onodes = store.meta().db.newIterator(); RocksIterator shards = store.meta().db.newIterator()) {
            for (onodes.seek(new byte[] {Keys.ONODE}); onodes.isValid() && onodes.key()[0] == Keys.ONODE; onodes.next()) {
                objects++;
                ObjectId oid = Keys.objectIdOf(onodes.key());
                Onode n = Onode.decode(onodes.value());
                long[] pool = pools.computeIfAbsent(oid.pool(), p -> new long[3]);
                pool[0]++;
                pool[1] += n.size;
                if (colls.stream().noneMatch(c -> c.contains(oid, bits.get(c)))) {
                    add(errors, "object %s is in no collection", oid);
                }
                long sizeBlocks = (n.size + Keys.BLOCK_BYTES - 1) >>> Keys.BLOCK_SHIFT;
                byte[] prefix = Keys.shardPrefix(oid);
                for (shards.seek(prefix); shards.isValid() && startsWith(shards.key(), prefix); shards.next()) {
                    long shardIndex = Integer.toUnsignedLong(ByteBuffer.wrap(shards.key(), prefix.length, 4).getInt());
                    Shard s = Shard.decode(shards.value());
                    for (int j = 0; j < Keys.SHARD_BLOCKS; j++) {
                        long p = s.pblock[j];
                        if (p == Shard.HOLE) {
                            continue;
                        }
                        long lb = shardIndex * Keys.SHARD_BLOCKS + j;
                        blocks++;
                        pool[2]++;
                        checkBlock(store, errors, referenced, crc, oid, lb, p, s.crc[j], sizeBlocks);
                    }
                }
            }
        }
        checkFreelist(store, errors, referenced);
        checkOrphans(store, errors);
        checkPools(store, errors, pools);
        return new Report(objects, blocks, errors);
    }

    private static void checkBlock(BlockObjectStore store, List<String> errors, BitSet referenced, CRC32C crc,
            ObjectId oid, long lb, long p, int expected, long sizeBlocks) {
        if (lb >= sizeBlocks) {
            add(errors, "object %s: block %d mapped past its size", oid, lb);
        }
        if (p < 0 || p >= store.allocator().blockCount()) {
            add(errors, "object %s: logical block %d maps to block %d outside the data file", oid, lb, p);
            return;
        }
        if (referenced.get((int) p)) {
            add(errors, "object %s: block %d is referenced more than once", oid, p);
        }
        referenced.set((int) p);
        byte[] data = store.readCommitted(p);
        crc.reset();
        crc.update(data, 0, Keys.BLOCK_BYTES);
        if ((int) crc.getValue() != expected) {
            add(errors, "object %s: checksum mismatch in extent [%d, %d) at data block %d: crc32c 0x%08x, expected 0x%08x",
                    oid, lb << Keys.BLOCK_SHIFT, (lb + 1) << Keys.BLOCK_SHIFT, p, (int) crc.getValue(), expected);
        }
    }

    private static void checkFreelist(BlockObjectStore store, List<String> errors, BitSet referenced) {
        BitSet durable = store.allocator().durableCopy();
        BitSet leaked = (BitSet) durable.clone();
        leaked.andNot(referenced);
        BitSet unmarked = (BitSet) referenced.clone();
        unmarked.andNot(durable);
        if (!leaked.isEmpty()) {
            add(errors, "allocator: %d blocks marked in use but referenced by no object (first: %d)",
                    leaked.cardinality(), leaked.nextSetBit(0));
        }
        if (!unmarked.isEmpty()) {
            add(errors, "allocator: %d blocks referenced by objects but marked free (first: %d)",
                    unmarked.cardinality(), unmarked.nextSetBit(0));
        }
        BitSet persisted = new BitSet();
        try (RocksIterator it = store.meta().db.newIterator()) {
            for (it.seek(new byte[] {Keys.FREELIST}); it.isValid() && it.key()[0] == Keys.FREELIST; it.next()) {
                Allocator.loadChunk(persisted, ByteBuffer.wrap(it.key(), 1, 4).getInt(), it.value());
            }
        }
        if (!persisted.equals(durable)) {
            add(errors, "allocator: the freelist in the metadata differs from the allocator's durable bitmap");
        }
    }

    private static void checkOrphans(BlockObjectStore store, List<String> errors) {
        try (RocksIterator it = store.meta().db.newIterator()) {
            for (byte prefix : new byte[] {Keys.SHARD, Keys.OMAP, Keys.HEADER}) {
                for (it.seek(new byte[] {prefix}); it.isValid() && it.key()[0] == prefix; it.next()) {
                    ObjectId oid = objectIdOfPrefixed(it.key());
                    if (store.meta().db.get(Keys.onode(oid)) == null) {
                        add(errors, "'%c' record of missing object %s", (char) prefix, oid);
                    }
                }
            }
            it.seek(new byte[] {Keys.DEFERRED});
            if (it.isValid() && it.key()[0] == Keys.DEFERRED) {
                add(errors, "deferred writes left after draining");
            }
        } catch (org.rocksdb.RocksDBException e) {
            add(errors, "metadata read failed: %s", e.getMessage());
        }
    }

    private static void checkPools(BlockObjectStore store, List<String> errors, Map<Long, long[]> counted) {
        store.statfs().pools().forEach((pool, s) -> {
            long[] c = counted.getOrDefault(pool, new long[3]);
            if (c[0] != s.objects() || c[1] != s.storedBytes() || c[2] * Keys.BLOCK_BYTES != s.allocatedBytes()) {
                add(errors, "pool %d usage: recorded %d objects %d bytes %d allocated; counted %d %d %d",
                        pool, s.objects(), s.storedBytes(), s.allocatedBytes(), c[0], c[1], c[2] * Keys.BLOCK_BYTES);
            }
        });
    }

    private static ObjectId objectIdOfPrefixed(byte[] key) {
        byte[] asOnode = key.clone();
        asOnode[0] = Keys.ONODE;
        return Keys.objectIdOf(asOnode);
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static void add(List<String> errors, String format, Object... args) {
        if (errors.size() < ERRORS_MAX) {
            errors.add(String.format(format, args));
        }
    }
}
