package io.loligo.osd.objectstore;

import io.loligo.common.Invariants;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The store's own commit log ({@code DIR/log}): a preallocated file, overwritten in place, that makes
 * each batch durable with one O_DSYNC positional write. Several batches are written by several
 * threads at once, each to its own 512-byte-aligned region, so several syncs are in flight (the
 * RocksDB WAL allows one). A record is the batch's RocksDB {@code WriteBatch} (metadata and 'D'
 * records); RocksDB itself is written without its WAL once the record is durable, in batch order,
 * so RocksDB's content is always a prefix of the log. The records a RocksDB flush made durable
 * (batch seq at most the 'L' key in the flushed state) may be overwritten.
 *
 * <pre>
 * record at a 512-byte boundary, padded to a multiple of 512:
 *   u32 magic "LOLG", u32 crc32c of bytes [8, 32 + length), u64 log id, u64 batch seq,
 *   u32 payload length, u32 zero, payload (WriteBatch.data())
 * </pre>
 *
 * The log id is a random number chosen at every open and stored in RocksDB ('W'), so records of
 * earlier opens (and data that only looks like a record) are never replayed. Replay takes the
 * records with seq greater than 'L' in seq order and stops at the first missing seq.
 */
final class CommitLog implements AutoCloseable {
    static final String FILE = "log";
    static final int ALIGN = 512;
    static final int HEADER_BYTES = 32;
    static final int MAGIC = 0x4c4f4c47; // "LOLG"

    /** A record not yet covered by a RocksDB flush, at [start, end) in a virtual, ever-growing position. */
    private record Live(long seq, long start, long end) {}

    private final FileChannel ch;
    private final long bytes;
    /** Next virtual position to write; file offset = position % bytes. Commit thread only. */
    private long head;
    private final ArrayDeque<Live> live = new ArrayDeque<>();

    private CommitLog(FileChannel ch, long bytes) {
        this.ch = ch;
        this.bytes = bytes;
    }

    /** Size of the log a store with these options gets at mkfs: two memtables' worth, at least 1 MiB. */
    static long sizeFor(StoreOptions options) {
        return Math.max(1L << 20, 2 * options.memtableBytes()) / ALIGN * ALIGN;
    }

    static void create(Path file, long bytes) throws IOException {
        BlockObjectStore.preallocate(file, bytes);
    }

    static CommitLog open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
        long size = ch.size();
        if (size < 4 * ALIGN || size % ALIGN != 0) {
            ch.close();
            throw new IOException("commit log " + file + " is " + size + " bytes (expected a multiple of " + ALIGN + ", 2 KiB+)");
        }
        return new CommitLog(ch, size);
    }

    /** Largest payload one record may carry: a quarter of the log, so a wrap never waits on a batch in flight for long. */
    long payloadMax() {
        return bytes / 4 - HEADER_BYTES;
    }

    static int recordBytes(int payload) {
        return (HEADER_BYTES + payload + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * Reserves room for a record of batch {@code seq}; returns its file offset, or -1 when the room
     * still holds records no flush has covered (the caller flushes RocksDB and calls {@link #checkpointed}).
     */
    long reserve(long seq, int payload) {
        int len = recordBytes(payload);
        Invariants.check(len <= bytes / 4 + ALIGN, "record of %d bytes in a log of %d", len, bytes);
        long start = head;
        if (start % bytes + len > bytes) {
            start += bytes - start % bytes; // records never wrap around the end of the file
        }
        long end = start + len;
        if (!live.isEmpty() && end - live.peekFirst().start() > bytes) {
            return -1;
        }
        live.addLast(new Live(seq, start, end));
        head = end;
        return start % bytes;
    }

    /** Records up to batch {@code seq} are in flushed RocksDB state: their room may be reused. */
    void checkpointed(long seq) {
        while (!live.isEmpty() && live.peekFirst().seq() <= seq) {
            live.pollFirst();
        }
    }

    /** Writes one record durably (O_DSYNC); safe from several threads at once, each on its own reserved room. */
    void write(long offset, long logId, long seq, byte[] payload) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(recordBytes(payload.length));
        buf.putInt(MAGIC).putInt(0).putLong(logId).putLong(seq).putInt(payload.length).putInt(0).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 8, HEADER_BYTES - 8 + payload.length);
        buf.putInt(4, (int) crc.getValue());
        buf.clear();
        long pos = offset;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    /**
     * The payloads of the records of log {@code logId} with seq {@code after + 1, after + 2, ...} up
     * to the first missing one, in seq order.
     */
    static List<byte[]> replay(Path file, long logId, long after) throws IOException {
        TreeMap<Long, byte[]> found = new TreeMap<>();
        // Plain reads, no mapping: a mapped file stays open until the GC unmaps it.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            CRC32C crc = new CRC32C();
            long skipTo = 0;
            for (long base = 0; base < size; base += chunk.capacity()) {
                chunk.clear();
                readFully(ch, chunk, base);
                for (int p = 0; p + HEADER_BYTES <= chunk.limit(); p += ALIGN) {
                    long pos = base + p;
                    if (pos < skipTo || chunk.getInt(p) != MAGIC || chunk.getLong(p + 8) != logId) {
                        continue;
                    }
                    long seq = chunk.getLong(p + 16);
                    int len = chunk.getInt(p + 24);
                    if (seq <= after || len < 0 || pos + HEADER_BYTES + len > size) {
                        continue;
                    }
                    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + len);
                    readFully(ch, record, pos);
                    crc.reset();
                    crc.update(record.array(), 8, HEADER_BYTES - 8 + len);
                    if ((int) crc.getValue() != record.getInt(4)) {
                        continue;
                    }
                    found.put(seq, java.util.Arrays.copyOfRange(record.array(), HEADER_BYTES, HEADER_BYTES + len));
                    skipTo = pos + recordBytes(len);
                }
            }
        }
        List<byte[]> out = new ArrayList<>();
        for (long seq = after + 1; found.containsKey(seq); seq++) {
            out.add(found.get(seq));
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                break;
            }
        }
        buf.flip();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
