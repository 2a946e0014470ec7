package io.loligo.osd.objectstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Gathers one read's blocks into runs of contiguous physical blocks (one pread each), verifies each
 * block's CRC32C and copies the requested bytes out. A mismatch throws before any byte is returned.
 */
final class BlockReader {
    private static final int RUN_BLOCKS_MAX = 256;

    private final FileChannel data;
    private final ObjectId oid;
    private final long offset;
    private final byte[] out;
    private final int[] runCrc = new int[RUN_BLOCKS_MAX];
    private final CRC32C crc = new CRC32C();
    private long runLb;
    private long runP;
    private int runLen;

    BlockReader(FileChannel data, ObjectId oid, long offset, byte[] out) {
        this.data = data;
        this.oid = oid;
        this.offset = offset;
        this.out = out;
    }

    void fromMemory(long lb, long pblock, int expectedCrc, byte[] block) {
        flush();
        verify(lb, pblock, expectedCrc, block, 0);
        copy(lb, block, 0);
    }

    void fromFile(long lb, long pblock, int expectedCrc) {
        boolean extends_ = runLen > 0 && runLen < RUN_BLOCKS_MAX && pblock == runP + runLen && lb == runLb + runLen;
        if (!extends_) {
            flush();
            runLb = lb;
            runP = pblock;
        }
        runCrc[runLen++] = expectedCrc;
    }

    void flush() {
        if (runLen == 0) {
            return;
        }
        int bytes = runLen * Keys.BLOCK_BYTES;
        long runStart = runLb << Keys.BLOCK_SHIFT;
        // A run wholly inside the requested range is read straight into the result and verified
        // there (nothing is returned before every block passed): no staging array, no second copy.
        boolean inPlace = runStart >= offset && runStart + bytes <= offset + out.length;
        byte[] buf = inPlace ? out : new byte[bytes];
        int at = inPlace ? (int) (runStart - offset) : 0;
        ByteBuffer bb = ByteBuffer.wrap(buf, at, bytes);
        long pos = (runP << Keys.BLOCK_SHIFT) - at;
        try {
            while (bb.hasRemaining()) {
                if (data.read(bb, pos + bb.position()) < 0) {
                    throw new IOException("short read at block " + (runP + (bb.position() - at) / Keys.BLOCK_BYTES));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read of object " + oid + " failed", e);
        }
        for (int i = 0; i < runLen; i++) {
            verify(runLb + i, runP + i, runCrc[i], buf, at + i * Keys.BLOCK_BYTES);
            if (!inPlace) {
                copy(runLb + i, buf, i * Keys.BLOCK_BYTES);
            }
        }
        runLen = 0;
    }

    private void verify(long lb, long pblock, int expected, byte[] buf, int off) {
        crc.reset();
        crc.update(buf, off, Keys.BLOCK_BYTES);
        int actual = (int) crc.getValue();
        if (actual != expected) {
            throw new ChecksumMismatchException(oid, lb << Keys.BLOCK_SHIFT, pblock, expected, actual);
        }
    }

    private void copy(long lb, byte[] src, int srcOff) {
        long blockStart = lb << Keys.BLOCK_SHIFT;
        long from = Math.max(blockStart, offset);
        long to = Math.min(blockStart + Keys.BLOCK_BYTES, offset + out.length);
        if (from < to) {
            System.arraycopy(src, srcOff + (int) (from - blockStart), out, (int) (from - offset), (int) (to - from));
        }
    }
}
