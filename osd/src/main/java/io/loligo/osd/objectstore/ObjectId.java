package io.loligo.osd.objectstore;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Objects;

/**
 * An object's identity in the store: (pool, namespace, name, hash). The hash is Ceph's
 * {@code ceph_str_hash_rjenkins(name)} (or the locator's), computed by the caller and stored as given.
 * Objects sort in Ceph's "bitwise" hash order: pool, then the bit-reversed hash as unsigned, then
 * namespace, then name; a placement group (a {@link CollectionId}) is then one contiguous range.
 */
public record ObjectId(long pool, String namespace, String name, int hash) implements Comparable<ObjectId> {
    /** Longest name or namespace in UTF-8 bytes (Ceph's osd_max_object_name_len is 2048). */
    public static final int NAME_BYTES_MAX = 2048;

    public static final Comparator<ObjectId> HASH_ORDER = Comparator
            .comparingLong(ObjectId::pool)
            .thenComparing((a, b) -> Integer.compareUnsigned(Integer.reverse(a.hash), Integer.reverse(b.hash)))
            .thenComparing((a, b) -> Keys.compareUtf8(a.namespace, b.namespace))
            .thenComparing((a, b) -> Keys.compareUtf8(a.name, b.name));

    public ObjectId {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new BadRequestException("object name is empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > NAME_BYTES_MAX
                || namespace.getBytes(StandardCharsets.UTF_8).length > NAME_BYTES_MAX) {
            throw new BadRequestException("object name or namespace longer than " + NAME_BYTES_MAX + " bytes");
        }
    }

    public static ObjectId of(long pool, String name, int hash) {
        return new ObjectId(pool, "", name, hash);
    }

    @Override
    public int compareTo(ObjectId other) {
        return HASH_ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return pool + ":" + (namespace.isEmpty() ? "" : namespace + "/") + name + "@" + String.format("%08x", hash);
    }
}
