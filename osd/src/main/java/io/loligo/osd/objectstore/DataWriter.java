package io.loligo.osd.objectstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes copy-on-write extents (new blocks, large writes) to the data file with O_DIRECT: from the
 * caller's memory straight to the device, with no copy into the page cache and none into a JDK
 * temporary buffer when the caller's buffer is direct and 4 KiB-aligned
 * ({@link BlockObjectStore#allocateAligned}). Other buffers are copied once, in 1 MiB chunks, into a
 * per-thread aligned buffer. The data file's later {@code fdatasync} then only flushes the device
 * cache. Filesystems without O_DIRECT (tmpfs) get buffered writes. Safe from several threads, each
 * writing blocks no other is writing.
 *
 * <p>Buffered readers stay coherent: the kernel writes back and invalidates cached pages of the range
 * around a direct write, and a block is read only after the batch that wrote it is applied.
 */
final class DataWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataWriter.class);
    static final int ALIGN = Keys.BLOCK_BYTES;
    private static final int CHUNK_BYTES = 1 << 20;

    private final FileChannel buffered;
    /** O_DIRECT channel on the same file, or null when the filesystem refuses O_DIRECT. */
    private final FileChannel direct;
    private final ThreadLocal<ByteBuffer> chunk = ThreadLocal.withInitial(() -> allocateAligned(CHUNK_BYTES));

    DataWriter(Path file, FileChannel buffered) {
        this.buffered = buffered;
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            log.info("objectstore {}: no O_DIRECT ({}); large writes go through the page cache", file, e.toString());
        }
        this.direct = ch;
    }

    static ByteBuffer allocateAligned(int bytes) {
        return ByteBuffer.allocateDirect(bytes + ALIGN).alignedSlice(ALIGN).limit(bytes).slice();
    }

    boolean isDirect() {
        return direct != null;
    }

    /** Writes {@code src[offset, offset + length)} (absolute indices) at block {@code pblock}. */
    void write(long pblock, ByteBuffer src, int offset, int length) throws IOException {
        long pos = pblock << Keys.BLOCK_SHIFT;
        ByteBuffer view = src.duplicate().limit(offset + length).position(offset);
        if (direct == null) {
            DeferredApplier.writeFully(buffered, view, pos);
        } else if (view.isDirect() && view.alignmentOffset(offset, ALIGN) == 0 && length % ALIGN == 0) {
            DeferredApplier.writeFully(direct, view, pos);
        } else {
            ByteBuffer bounce = chunk.get();
            for (int done = 0; done < length; ) {
                int n = Math.min(CHUNK_BYTES, length - done);
                bounce.clear().limit(n);
                view.limit(offset + done + n).position(offset + done);
                bounce.put(view).flip();
                DeferredApplier.writeFully(direct, bounce, pos + done);
                done += n;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (direct != null) {
            direct.close();
        }
    }
}
