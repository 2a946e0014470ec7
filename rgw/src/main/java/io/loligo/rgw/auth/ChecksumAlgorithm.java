package io.loligo.rgw.auth;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The additional checksums S3 accepts in an {@code x-amz-checksum-<name>} header or trailer: the
 * value is the base64 of the checksum's big-endian bytes (4 for the CRC32s, 8 for CRC64NVME, the
 * digest for the SHAs).
 */
public enum ChecksumAlgorithm {
    CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5;

    /** A running checksum over a payload. */
    public interface Running {
        void update(byte[] b, int off, int len);

        /** The value's bytes; call once. */
        byte[] finish();
    }

    /** "x-amz-checksum-crc32", ... */
    public String headerName() {
        return "x-amz-checksum-" + name().toLowerCase(Locale.ROOT);
    }

    /** The algorithm named by a header such as "x-amz-checksum-crc32c", case-insensitive; null if none. */
    public static ChecksumAlgorithm ofHeader(String header) {
        String h = header.toLowerCase(Locale.ROOT).strip();
        for (ChecksumAlgorithm a : values()) {
            if (a.headerName().equals(h)) {
                return a;
            }
        }
        return null;
    }

    public Running start() {
        return switch (this) {
            case CRC32 -> crc(new CRC32(), 4);
            case CRC32C -> crc(new CRC32C(), 4);
            case CRC64NVME -> crc(new Crc64Nvme(), 8);
            case SHA1 -> digest("SHA-1");
            case SHA256 -> digest("SHA-256");
            case SHA512 -> digest("SHA-512");
            case MD5 -> digest("MD5");
        };
    }

    private static Running crc(Checksum checksum, int bytes) {
        return new Running() {
            @Override
            public void update(byte[] b, int off, int len) {
                checksum.update(b, off, len);
            }

            @Override
            public byte[] finish() {
                ByteBuffer out = ByteBuffer.allocate(8).putLong(checksum.getValue());
                byte[] value = new byte[bytes];
                System.arraycopy(out.array(), 8 - bytes, value, 0, bytes);
                return value;
            }
        };
    }

    private static Running digest(String algorithm) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
        return new Running() {
            @Override
            public void update(byte[] b, int off, int len) {
                md.update(b, off, len);
            }

            @Override
            public byte[] finish() {
                return md.digest();
            }
        };
    }
}
