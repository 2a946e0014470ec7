package io.loligo.rgw.store;

import java.util.List;

/**
 * A gateway user, stored as JSON in {@code .rgw.meta} namespace {@code users}, object = uid.
 * A tenant's user has uid {@code TENANT$USER}.
 *
 * @param uid the id the S3 API returns as Owner ID
 * @param maxBuckets 0 = unlimited (radosgw's default is 1000)
 */
public record UserInfo(String uid, String displayName, String email, String tenant, List<AccessKey> keys,
                       boolean suspended, int maxBuckets, Quota userQuota, Quota bucketQuota, long createdMillis) {
    public static final int MAX_BUCKETS_DEFAULT = 1000;

    /** One S3 key pair. */
    public record AccessKey(String accessKey, String secretKey) {}

    /** A size/object-count limit; negative = unlimited. */
    public record Quota(boolean enabled, long maxSizeBytes, long maxObjects) {
        public static final Quota NONE = new Quota(false, -1, -1);
    }

    public UserInfo withKeys(List<AccessKey> k) {
        return new UserInfo(uid, displayName, email, tenant, List.copyOf(k), suspended, maxBuckets, userQuota, bucketQuota, createdMillis);
    }

    public UserInfo withSuspended(boolean s) {
        return new UserInfo(uid, displayName, email, tenant, keys, s, maxBuckets, userQuota, bucketQuota, createdMillis);
    }

    public UserInfo withProfile(String name, String mail, int max) {
        return new UserInfo(uid, name, mail, tenant, keys, suspended, max, userQuota, bucketQuota, createdMillis);
    }

    public UserInfo withQuotas(Quota user, Quota bucket) {
        return new UserInfo(uid, displayName, email, tenant, keys, suspended, maxBuckets, user, bucket, createdMillis);
    }
}
