package io.loligo.osd.objectstore;

import io.loligo.common.Invariants;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The store's on-disk format: the metadata key schema in RocksDB (one column family) and the layout
 * of the data file. All integers are big-endian, so keys sort in numeric order.
 *
 * <pre>
 * DIR/block            the data area: a preallocated file of blockCount 4 KiB blocks; block n is at
 *                      byte n * 4096. Only the metadata says which blocks are in use and by whom.
 * DIR/log              the commit log ({@link CommitLog}): preallocated, overwritten in place; each
 *                      record is one batch's RocksDB WriteBatch, written with O_DSYNC before RocksDB
 *                      (which runs without its own WAL) is given the batch. Format in CommitLog.
 * DIR/db/              RocksDB, holding everything else:
 *
 * key                                         value
 * 'S'                                         superblock: u32 magic "LOBS", u32 format version (1),
 *                                             u32 block bytes (4096), u64 block count
 * 'C' pool:u64f seed:u32                      collection: u32 hash bits
 * 'O' objkey                                  onode: u64 size, u64 version, u32 attr count,
 *                                             then per attr: u16 name length, name (UTF-8), u32 value length, value
 * 'X' objkey shard:u32                        block map of logical blocks [shard*16, shard*16+16) (64 KiB):
 *                                             u16 bitmap of mapped blocks (bit i = block shard*16+i),
 *                                             then per mapped block in order: u64 physical block, u32 crc32c
 * 'H' objkey                                  omap header bytes
 * 'M' objkey key                              omap value of key (key: UTF-8, raw)
 * 'F' chunk:u32                               freelist: 128-byte bitmap of blocks [chunk*1024, chunk*1024+1024),
 *                                             bit (i % 8) of byte (i / 8) set when block chunk*1024+i is in use
 * 'P' pool:u64f                               pool usage: u64 objects, u64 stored bytes, u64 allocated blocks
 * 'D' seq:u64 index:u32                       deferred write not yet applied to the data file:
 *                                             u64 first physical block, then whole 4 KiB blocks of data
 * 'L'                                         u64 seq of the last batch applied (written by every batch)
 * 'W'                                         u64 id of the commit log's records since the last open
 *
 * objkey  = pool:u64f rhash:u32 esc(namespace) 0x00 esc(name) 0x00
 * u64f    = the signed pool id with its sign bit flipped, so negative pools sort first
 * rhash   = Integer.reverse(hash): Ceph's bitwise order, in which a PG (low hash bits = seed) is one range
 * esc     = UTF-8 with 0x00 written as 0x01 0x01 and 0x01 as 0x01 0x02, so order and termination hold
 * </pre>
 *
 * A hole (a logical block with no mapping) reads as zeros. Every mapped block's CRC32C is in its shard
 * and is verified on every read. 'D' records are written in the same batch as the metadata that
 * gives the blocks their new checksums; after a restart the commit log is replayed into RocksDB, then
 * the 'D' records in key order, before anything else happens, which is safe because a block is never reused while a 'D' record may still target it.
 */
public final class Keys {
    public static final int BLOCK_BYTES = 4096;
    public static final int BLOCK_SHIFT = 12;
    public static final int SHARD_BLOCKS = 16;
    public static final int FREELIST_CHUNK_BLOCKS = 1024;
    public static final int FORMAT_VERSION = 1;
    public static final int MAGIC = 0x4c4f4253; // "LOBS"

    static final byte SUPER = 'S';
    static final byte COLL = 'C';
    static final byte ONODE = 'O';
    static final byte SHARD = 'X';
    static final byte HEADER = 'H';
    static final byte OMAP = 'M';
    static final byte FREELIST = 'F';
    static final byte POOL = 'P';
    static final byte DEFERRED = 'D';
    static final byte LOG_SEQ = 'L';
    static final byte LOG_ID = 'W';

    public static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

    static {
        Invariants.check(1 << BLOCK_SHIFT == BLOCK_BYTES, "block shift");
        Invariants.check(SHARD_BLOCKS <= 16, "shard bitmap is a u16");
        Invariants.check(FREELIST_CHUNK_BLOCKS % 8 == 0, "freelist chunk is whole bytes");
    }

    private Keys() {}

    public static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] superKey() {
        return new byte[] {SUPER};
    }

    /** The seq of the last batch in this state (every batch writes it): the commit log replays after it. */
    static byte[] logSeq() {
        return new byte[] {LOG_SEQ};
    }

    /** The commit log's current id: only records carrying it are replayed. */
    static byte[] logId() {
        return new byte[] {LOG_ID};
    }

    /**
     * {@code prefix objkey}, built straight into its array: a 4 MiB write looks up and stores 64
     * shards, each key built from this (through a ByteArrayOutputStream, one synchronized call per
     * byte, it was over half of the store's CPU for 4 MiB writes).
     */
    static byte[] objKey(byte prefix, ObjectId oid) {
        byte[] ns = oid.namespace().getBytes(StandardCharsets.UTF_8);
        byte[] name = oid.name().getBytes(StandardCharsets.UTF_8);
        int length = 1 + 8 + 4 + escapedLength(ns) + escapedLength(name);
        byte[] out = new byte[length];
        out[0] = prefix;
        long pool = oid.pool() ^ Long.MIN_VALUE;
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (pool >>> (56 - 8 * i));
        }
        int rhash = Integer.reverse(oid.hash());
        for (int i = 0; i < 4; i++) {
            out[9 + i] = (byte) (rhash >>> (24 - 8 * i));
        }
        int at = escapeInto(out, 13, ns);
        escapeInto(out, at, name);
        return out;
    }

    private static int escapedLength(byte[] raw) {
        int n = raw.length + 1;
        for (byte x : raw) {
            n += x == 0 || x == 1 ? 1 : 0;
        }
        return n;
    }

    /** Writes esc(raw) and its 0x00 terminator at {@code at}; returns the index after it. */
    private static int escapeInto(byte[] out, int at, byte[] raw) {
        for (byte x : raw) {
            if (x == 0 || x == 1) {
                out[at++] = 1;
                out[at++] = (byte) (x + 1);
            } else {
                out[at++] = x;
            }
        }
        out[at++] = 0;
        return at;
    }

    static byte[] onode(ObjectId oid) {
        return objKey(ONODE, oid);
    }

    static byte[] header(ObjectId oid) {
        return objKey(HEADER, oid);
    }

    static byte[] shardPrefix(ObjectId oid) {
        return objKey(SHARD, oid);
    }

    static byte[] shard(ObjectId oid, long shardIndex) {
        byte[] prefix = shardPrefix(oid);
        return ByteBuffer.allocate(prefix.length + 4).put(prefix).putInt((int) shardIndex).array();
    }

    static byte[] omapPrefix(ObjectId oid) {
        return objKey(OMAP, oid);
    }

    static byte[] omap(byte[] omapPrefix, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(omapPrefix, omapPrefix.length + k.length);
        System.arraycopy(k, 0, out, omapPrefix.length, k.length);
        return out;
    }

    static String omapKeyOf(byte[] omapPrefix, byte[] fullKey) {
        return new String(fullKey, omapPrefix.length, fullKey.length - omapPrefix.length, StandardCharsets.UTF_8);
    }

    static byte[] collection(CollectionId c) {
        return ByteBuffer.allocate(13).put(COLL).putLong(c.pool() ^ Long.MIN_VALUE).putInt(c.seed()).array();
    }

    static CollectionId collectionOf(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key, 1, 12);
        return new CollectionId(b.getLong() ^ Long.MIN_VALUE, b.getInt());
    }

    static byte[] freelist(long chunk) {
        return ByteBuffer.allocate(5).put(FREELIST).putInt((int) chunk).array();
    }

    static byte[] pool(long pool) {
        return ByteBuffer.allocate(9).put(POOL).putLong(pool ^ Long.MIN_VALUE).array();
    }

    static long poolOf(byte[] key) {
        return ByteBuffer.wrap(key, 1, 8).getLong() ^ Long.MIN_VALUE;
    }

    static byte[] deferred(long seq, int index) {
        return ByteBuffer.allocate(13).put(DEFERRED).putLong(seq).putInt(index).array();
    }

    /** First onode key of a collection's hash range. */
    static byte[] collectionStart(CollectionId c, int bits) {
        int low = bits == 0 ? 0 : Integer.reverse(c.seed());
        return ByteBuffer.allocate(13).put(ONODE).putLong(c.pool() ^ Long.MIN_VALUE).putInt(low).array();
    }

    /** Exclusive end of a collection's hash range (0xFF never occurs in UTF-8, so it ends every key). */
    static byte[] collectionEnd(CollectionId c, int bits) {
        int low = bits == 0 ? 0 : Integer.reverse(c.seed());
        int high = bits == 0 ? -1 : low | (int) (0xFFFFFFFFL >>> bits);
        return ByteBuffer.allocate(14).put(ONODE).putLong(c.pool() ^ Long.MIN_VALUE).putInt(high).put((byte) 0xFF).array();
    }

    /** The smallest key greater than every key starting with {@code prefix}. */
    static byte[] prefixEnd(byte[] prefix) {
        int n = prefix.length;
        while (n > 0 && prefix[n - 1] == (byte) 0xFF) {
            n--;
        }
        Invariants.check(n > 0, "prefix of only 0xFF bytes has no end");
        byte[] end = Arrays.copyOf(prefix, n);
        end[n - 1]++;
        return end;
    }

    /** Decodes an 'O' key back into its object id. */
    static ObjectId objectIdOf(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key);
        b.get();
        long pool = b.getLong() ^ Long.MIN_VALUE;
        int hash = Integer.reverse(b.getInt());
        String namespace = unescape(b);
        String name = unescape(b);
        return new ObjectId(pool, namespace, name, hash);
    }

    private static String unescape(ByteBuffer b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x = b.get(); x != 0; x = b.get()) {
            out.write(x == 1 ? b.get() - 1 : x);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
