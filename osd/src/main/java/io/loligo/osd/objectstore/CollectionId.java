package io.loligo.osd.objectstore;

/**
 * A collection: one placement group's objects, named (pool, seed) like Ceph's {@code coll_t} "1.2a_head".
 * The collection also has a number of hash bits, kept in the store and changed by split and merge; an
 * object belongs to it when its pool matches and {@code (hash & ((1 << bits) - 1)) == seed}.
 */
public record CollectionId(long pool, int seed) implements Comparable<CollectionId> {
    public CollectionId {
        if (seed < 0) {
            throw new BadRequestException("collection " + pool + "." + Integer.toHexString(seed) + ": seed is negative");
        }
    }

    /** Whether an object with this pool and hash falls in this collection when it has {@code bits} hash bits. */
    public boolean contains(ObjectId oid, int bits) {
        if (oid.pool() != pool) {
            return false;
        }
        return bits == 0 || (oid.hash() & (int) ((1L << bits) - 1)) == seed;
    }

    @Override
    public int compareTo(CollectionId other) {
        int byPool = Long.compare(pool, other.pool);
        return byPool != 0 ? byPool : Integer.compare(seed, other.seed);
    }

    @Override
    public String toString() {
        return pool + "." + Integer.toHexString(seed) + "_head";
    }
}
