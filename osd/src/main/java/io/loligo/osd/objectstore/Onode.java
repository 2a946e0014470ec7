package io.loligo.osd.objectstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** An object's node: size, version and xattrs. Encoded as the 'O' value described in {@link Keys}. */
final class Onode {
    long size;
    long version;
    final TreeMap<String, byte[]> attrs;

    Onode(long size, long version, TreeMap<String, byte[]> attrs) {
        this.size = size;
        this.version = version;
        this.attrs = attrs;
    }

    static Onode empty() {
        return new Onode(0, 0, new TreeMap<>());
    }

    byte[] encode() {
        int bytes = 20;
        for (Map.Entry<String, byte[]> e : attrs.entrySet()) {
            bytes += 6 + e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().length;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).putLong(size).putLong(version).putInt(attrs.size());
        for (Map.Entry<String, byte[]> e : attrs.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            b.putShort((short) name.length).put(name).putInt(e.getValue().length).put(e.getValue());
        }
        return b.array();
    }

    static Onode decode(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        long size = b.getLong();
        long version = b.getLong();
        int count = b.getInt();
        TreeMap<String, byte[]> attrs = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(name);
            byte[] v = new byte[b.getInt()];
            b.get(v);
            attrs.put(new String(name, StandardCharsets.UTF_8), v);
        }
        return new Onode(size, version, attrs);
    }
}
