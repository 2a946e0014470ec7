package io.loligo.osd.objectstore;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The block map of 16 logical blocks (64 KiB) of one object: for each, its physical block (or
 * {@link #HOLE}) and its CRC32C. Encoded as the 'X' value described in {@link Keys}.
 */
final class Shard {
    static final long HOLE = -1;

    final long[] pblock = new long[Keys.SHARD_BLOCKS];
    final int[] crc = new int[Keys.SHARD_BLOCKS];

    Shard() {
        Arrays.fill(pblock, HOLE);
    }

    boolean isEmpty() {
        for (long p : pblock) {
            if (p != HOLE) {
                return false;
            }
        }
        return true;
    }

    Shard copy() {
        Shard s = new Shard();
        System.arraycopy(pblock, 0, s.pblock, 0, pblock.length);
        System.arraycopy(crc, 0, s.crc, 0, crc.length);
        return s;
    }

    byte[] encode() {
        int bitmap = 0;
        int mapped = 0;
        for (int i = 0; i < Keys.SHARD_BLOCKS; i++) {
            if (pblock[i] != HOLE) {
                bitmap |= 1 << i;
                mapped++;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(2 + 12 * mapped).putShort((short) bitmap);
        for (int i = 0; i < Keys.SHARD_BLOCKS; i++) {
            if (pblock[i] != HOLE) {
                b.putLong(pblock[i]).putInt(crc[i]);
            }
        }
        return b.array();
    }

    static Shard decode(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        int bitmap = Short.toUnsignedInt(b.getShort());
        Shard s = new Shard();
        for (int i = 0; i < Keys.SHARD_BLOCKS; i++) {
            if ((bitmap & (1 << i)) != 0) {
                s.pblock[i] = b.getLong();
                s.crc[i] = b.getInt();
            }
        }
        return s;
    }
}
