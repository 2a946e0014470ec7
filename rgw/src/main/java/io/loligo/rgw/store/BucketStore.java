package io.loligo.rgw.store;

import io.loligo.client.ObjectWriteOperation;
import io.loligo.client.RadosException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bucket records: {@code .rgw.meta} ns {@code buckets}, object {@code b/NAME} = JSON {@link BucketInfo}
 * (created exclusively: bucket names are global, as in S3); object {@code u/UID} has one omap
 * entry per bucket the user owns (name → creation time in ms, decimal).
 */
public final class BucketStore {
    private final RgwPools pools;
    private final BucketIndex index;

    /** Why a create failed. */
    public enum CreateOutcome { CREATED, EXISTS_OWNED, EXISTS_OTHER }

    public BucketStore(RgwPools pools, BucketIndex index) {
        this.pools = pools;
        this.index = index;
    }

    static String recordOid(String bucket) {
        return "b/" + bucket;
    }

    static String userOid(String uid) {
        return "u/" + uid;
    }

    /**
     * The bucket's record, cached for {@link #CACHE_TTL_NANOS} (found records only: a bucket just
     * created elsewhere is seen at once). A change made through another gateway shows within the
     * TTL; index writes are guarded by the bucket id, so a stale record never writes into a
     * deleted bucket.
     */
    public Optional<BucketInfo> get(String name) {
        long now = System.nanoTime();
        Cached c = cache.get(name);
        if (c != null && now - c.expiresNanos() < 0) {
            return Optional.of(c.info());
        }
        try {
            BucketInfo b = RgwPools.fromJson(pools.buckets.read(recordOid(name)), BucketInfo.class);
            if (cache.size() >= CACHE_ENTRIES_MAX) {
                cache.clear();
            }
            cache.put(name, new Cached(b, now + CACHE_TTL_NANOS));
            return Optional.of(b);
        } catch (RadosException.ObjectNotFound e) {
            cache.remove(name);
            return Optional.empty();
        }
    }

    private record Cached(BucketInfo info, long expiresNanos) {}

    static final long CACHE_TTL_NANOS = 1_000_000_000L;
    private static final int CACHE_ENTRIES_MAX = 10_000;
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    /** Creates a bucket: index shards first, then the record (exclusive), then the owner's list entry. */
    public CreateOutcome create(String name, String owner, String zonegroup, int shards, String acl) {
        String id = HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong()));
        BucketInfo b = new BucketInfo(name, id, owner, System.currentTimeMillis(), shards, zonegroup, "", acl, null, null, Map.of());
        index.createShards(b);
        try {
            pools.buckets.operate(recordOid(name), new ObjectWriteOperation().create(true).writeFull(RgwPools.toJson(b)));
        } catch (RadosException.ObjectExists e) {
            index.removeShards(b);
            return get(name).map(other -> other.owner().equals(owner) ? CreateOutcome.EXISTS_OWNED : CreateOutcome.EXISTS_OTHER)
                    .orElse(CreateOutcome.EXISTS_OTHER);
        }
        pools.buckets.omapSet(userOid(owner), Map.of(name, Long.toString(b.createdMillis()).getBytes(StandardCharsets.UTF_8)));
        return CreateOutcome.CREATED;
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    /** Replaces a bucket's record (versioning, ACL, policy, CORS, tags). */
    public void save(BucketInfo b) {
        cache.remove(b.name());
        pools.buckets.writeFull(recordOid(b.name()), RgwPools.toJson(b));
        cache.remove(b.name());
    }

    /** Removes the record, the owner's entry and the index shards; the caller checked emptiness. */
    public void remove(BucketInfo b) {
        cache.remove(b.name());
        pools.buckets.remove(recordOid(b.name()));
        cache.remove(b.name());
        pools.buckets.omapRmKeys(userOid(b.owner()), List.of(b.name()));
        index.removeShards(b);
    }

    /** Names of the buckets {@code uid} owns, sorted. */
    public static List<String> bucketsOf(RgwPools pools, String uid) {
        try {
            SortedMap<String, byte[]> m = pools.buckets.omapList(userOid(uid), true);
            return new ArrayList<>(m.keySet());
        } catch (RadosException.ObjectNotFound e) {
            return List.of();
        }
    }

    public List<BucketInfo> bucketsOf(String uid) {
        List<BucketInfo> out = new ArrayList<>();
        for (String name : bucketsOf(pools, uid)) {
            get(name).filter(b -> b.owner().equals(uid)).ifPresent(out::add);
        }
        return out;
    }
}
