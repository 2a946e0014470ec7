package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.Objects;

/**
 * An object within a pool as OSDs exchange it: namespace, name and raw placement hash (the pool and
 * PG are given by the enclosing message). Listing cursors are ObjectRefs too: objects of a PG are
 * listed in hash order (bit-reversed hash unsigned, then namespace, then name).
 *
 * <p>Wire: string namespace, string name, u32 hash.
 */
public record ObjectRef(String namespace, String name, int hash) {
    public ObjectRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    public void encode(Encoder out) {
        out.putString(namespace).putString(name).putInt(hash);
    }

    public static ObjectRef decode(Decoder in) {
        return new ObjectRef(in.getString(), in.getString(), in.getInt());
    }

    @Override
    public String toString() {
        return (namespace.isEmpty() ? "" : namespace + "/") + name + "@" + String.format("%08x", hash);
    }
}
