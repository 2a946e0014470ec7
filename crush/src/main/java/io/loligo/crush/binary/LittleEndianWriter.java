package io.loligo.crush.binary;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian writes of Ceph's encoding. */
final class LittleEndianWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    void u8(int v) {
        out.write(v);
    }

    void u16(int v) {
        out.write(v);
        out.write(v >>> 8);
    }

    void s32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    void u64(long v) {
        s32((int) v);
        s32((int) (v >>> 32));
    }

    /** Ceph's string: u32 byte length, then the UTF-8 bytes. */
    void string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        s32(bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
