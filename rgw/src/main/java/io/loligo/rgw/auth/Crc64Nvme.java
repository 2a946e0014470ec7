package io.loligo.rgw.auth;

import java.util.zip.Checksum;

/**
 * CRC-64/NVME (the x-amz-checksum-crc64nvme of S3): reflected polynomial 0x9a6c9329ac4bc9b5,
 * initial value and final xor all ones; check value of "123456789" is 0xae8b14860a799888.
 * Slice-by-8 over eight 256-entry tables: one table lookup per byte, eight bytes per step.
 */
public final class Crc64Nvme implements Checksum {
    private static final long POLY_REFLECTED = 0x9a6c9329ac4bc9b5L;
    private static final long[][] TABLES = tables();

    private long crc = -1L;

    private static long[][] tables() {
        long[][] t = new long[8][256];
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            t[0][i] = c;
        }
        for (int i = 0; i < 256; i++) {
            for (int s = 1; s < 8; s++) {
                t[s][i] = (t[s - 1][i] >>> 8) ^ t[0][(int) (t[s - 1][i] & 0xff)];
            }
        }
        return t;
    }

    @Override
    public void update(int b) {
        crc = (crc >>> 8) ^ TABLES[0][(int) ((crc ^ b) & 0xff)];
    }

    @Override
    public void update(byte[] b, int off, int len) {
        long c = crc;
        long[] t0 = TABLES[0], t1 = TABLES[1], t2 = TABLES[2], t3 = TABLES[3];
        long[] t4 = TABLES[4], t5 = TABLES[5], t6 = TABLES[6], t7 = TABLES[7];
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            long x = c ^ ((b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16
                    | (b[i + 3] & 0xffL) << 24 | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40
                    | (b[i + 6] & 0xffL) << 48 | (b[i + 7] & 0xffL) << 56);
            c = t7[(int) (x & 0xff)] ^ t6[(int) ((x >>> 8) & 0xff)] ^ t5[(int) ((x >>> 16) & 0xff)]
                    ^ t4[(int) ((x >>> 24) & 0xff)] ^ t3[(int) ((x >>> 32) & 0xff)]
                    ^ t2[(int) ((x >>> 40) & 0xff)] ^ t1[(int) ((x >>> 48) & 0xff)] ^ t0[(int) (x >>> 56)];
        }
        for (; i < end; i++) {
            c = (c >>> 8) ^ t0[(int) ((c ^ b[i]) & 0xff)];
        }
        crc = c;
    }

    @Override
    public long getValue() {
        return ~crc;
    }

    @Override
    public void reset() {
        crc = -1L;
    }
}
