package io.loligo.common;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C (Castagnoli), the checksum of frames on the wire and of blocks on disk. Hardware accelerated by the JDK. */
public final class Crc32c {
    private Crc32c() {}

    public static int of(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    public static int of(byte[] data) {
        return of(data, 0, data.length);
    }

    /** Checksums the remaining bytes of {@code buffer} without moving its position. */
    public static int of(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate());
        return (int) crc.getValue();
    }

    /**
     * The CRC32C of A followed by B, from {@code crcA}, {@code crcB} and B's length, without
     * reading the bytes again (zlib's crc32_combine: B's length in zero bits applied to {@code crcA}
     * by repeated squaring of the CRC's shift operator, O(log length)).
     */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        int[] even = new int[32];
        int[] odd = new int[32];
        odd[0] = 0x82F63B78;   // the reflected Castagnoli polynomial: the operator for one zero bit
        for (int n = 1, row = 1; n < 32; n++, row <<= 1) {
            odd[n] = row;
        }
        square(even, odd);   // two zero bits
        square(odd, even);   // four zero bits
        int crc = crcA;
        long len = lengthB;
        do {
            square(even, odd);   // one zero byte, then 2, 4, ... bytes
            if ((len & 1) != 0) {
                crc = times(even, crc);
            }
            len >>>= 1;
            if (len == 0) {
                break;
            }
            square(odd, even);
            if ((len & 1) != 0) {
                crc = times(odd, crc);
            }
            len >>>= 1;
        } while (len != 0);
        return crc ^ crcB;
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(int[] square, int[] matrix) {
        for (int n = 0; n < 32; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }
}
