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
}
