package io.loligo.osd.objectstore;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * An OSD's local store of objects, grouped in collections (placement groups). Writes go through
 * {@link Transaction}s; every read verifies checksums and throws {@link ChecksumMismatchException}
 * rather than return damaged data. All errors are {@link StoreException}s.
 */
public interface ObjectStore extends AutoCloseable {
    /** Completes only when the whole transaction is durable; transactions apply in submission order. */
    CompletableFuture<Void> commit(Transaction txn);

    /** Bytes [offset, offset + length) clipped to the object's size; holes read as zeros. */
    byte[] read(CollectionId coll, ObjectId oid, long offset, int length);

    ObjectStat stat(CollectionId coll, ObjectId oid);

    boolean exists(CollectionId coll, ObjectId oid);

    SortedMap<String, byte[]> getattrs(CollectionId coll, ObjectId oid);

    Optional<byte[]> getattr(CollectionId coll, ObjectId oid, String name);

    /** The values of those of {@code keys} that are present. */
    SortedMap<String, byte[]> omapGet(CollectionId coll, ObjectId oid, Collection<String> keys);

    /** Up to {@code max} omap entries with keys after {@code afterKey} (null: from the start) that start with {@code prefix}. */
    OmapPage omapList(CollectionId coll, ObjectId oid, String afterKey, String prefix, int max);

    byte[] omapHeader(CollectionId coll, ObjectId oid);

    /** Up to {@code max} objects after {@code after} (null: from the start) in hash order, for scrub and backfill. */
    ObjectPage list(CollectionId coll, ObjectId after, int max);

    List<CollectionId> collections();

    /** The collection's hash bits, or empty when it does not exist. */
    Optional<Integer> collectionBits(CollectionId coll);

    Statfs statfs();

    @Override
    void close();

    record ObjectStat(long size, long version) {}

    record OmapPage(SortedMap<String, byte[]> entries, boolean more) {}

    /** One page of a listing; {@code next} is the cursor for the next page, empty at the end. */
    record ObjectPage(List<ObjectId> objects, Optional<ObjectId> next) {}

    record PoolStat(long objects, long storedBytes, long allocatedBytes) {}

    record Statfs(long totalBytes, long usedBytes, long availableBytes, long metadataBytes, Map<Long, PoolStat> pools) {}

    /**
     * The used fraction of the data area, from in-memory counters only: cheap enough to call for
     * every write (the OSD's full check), unlike {@link #statfs()}, which also sizes the metadata.
     */
    /**
     * Whether the file system holding the metadata has less free space than the store keeps in
     * reserve: every transaction but deletes then fails (StoreFullException), so the OSD must stop
     * taking writes (it reports itself full) until space is freed.
     */
    default boolean metadataSpaceLow() {
        return false;
    }

    default double usedFraction() {
        Statfs st = statfs();
        return st.totalBytes() == 0 ? 0 : (double) st.usedBytes() / st.totalBytes();
    }
}
