package io.loligo.rgw.store;

import java.util.List;

/**
 * A gateway user, stored as JSON in {@code .rgw.meta} namespace {@code users}, object = uid.
 * A tenant's user has uid {@code TENANT$USER}. Records written before a field existed read it as
 * empty.
 *
 * @param uid the id the S3 API returns as Owner ID
 * @param maxBuckets 0 = unlimited (radosgw's default is 1000)
 * @param subusers Swift subusers ({@code uid:name}), as radosgw-admin's {@code subuser create}
 * @param swiftKeys Swift (TempAuth) keys: {@code user} is the uid or a subuser id
 * @param caps admin capabilities, as radosgw-admin's {@code caps add} ({@code users=*} lets the
 *     user call the admin REST API for users)
 */
public record UserInfo(String uid, String displayName, String email, String tenant, List<AccessKey> keys,
                       boolean suspended, int maxBuckets, Quota userQuota, Quota bucketQuota, long createdMillis,
                       List<Subuser> subusers, List<SwiftKey> swiftKeys, List<Cap> caps) {
    public static final int MAX_BUCKETS_DEFAULT = 1000;

    @com.fasterxml.jackson.annotation.JsonCreator
    public UserInfo {
        keys = keys == null ? List.of() : List.copyOf(keys);
        subusers = subusers == null ? List.of() : List.copyOf(subusers);
        swiftKeys = swiftKeys == null ? List.of() : List.copyOf(swiftKeys);
        caps = caps == null ? List.of() : List.copyOf(caps);
    }

    public UserInfo(String uid, String displayName, String email, String tenant, List<AccessKey> keys, boolean suspended,
                    int maxBuckets, Quota userQuota, Quota bucketQuota, long createdMillis) {
        this(uid, displayName, email, tenant, keys, suspended, maxBuckets, userQuota, bucketQuota, createdMillis, null, null, null);
    }

    /** One S3 key pair. */
    public record AccessKey(String accessKey, String secretKey) {}

    /** A Swift subuser {@code uid:name} and its permission (read, write, readwrite, full). */
    public record Subuser(String id, String permissions) {}

    /** A Swift key: {@code user} (uid or subuser id) authenticates with {@code secretKey} (X-Auth-Key). */
    public record SwiftKey(String user, String secretKey) {}

    /** An admin capability: {@code type} (users, buckets, usage, ...) with {@code perm} (read, write, *). */
    public record Cap(String type, String perm) {}

    /** A size/object-count limit; negative = unlimited. */
    public record Quota(boolean enabled, long maxSizeBytes, long maxObjects) {
        public static final Quota NONE = new Quota(false, -1, -1);
    }

    public UserInfo withKeys(List<AccessKey> k) {
        return new UserInfo(uid, displayName, email, tenant, k, suspended, maxBuckets, userQuota, bucketQuota, createdMillis,
                subusers, swiftKeys, caps);
    }

    public UserInfo withSuspended(boolean s) {
        return new UserInfo(uid, displayName, email, tenant, keys, s, maxBuckets, userQuota, bucketQuota, createdMillis,
                subusers, swiftKeys, caps);
    }

    public UserInfo withProfile(String name, String mail, int max) {
        return new UserInfo(uid, name, mail, tenant, keys, suspended, max, userQuota, bucketQuota, createdMillis,
                subusers, swiftKeys, caps);
    }

    public UserInfo withQuotas(Quota user, Quota bucket) {
        return new UserInfo(uid, displayName, email, tenant, keys, suspended, maxBuckets, user, bucket, createdMillis,
                subusers, swiftKeys, caps);
    }

    public UserInfo withSwift(List<Subuser> subs, List<SwiftKey> swift) {
        return new UserInfo(uid, displayName, email, tenant, keys, suspended, maxBuckets, userQuota, bucketQuota, createdMillis,
                subs, swift, caps);
    }

    public UserInfo withCaps(List<Cap> c) {
        return new UserInfo(uid, displayName, email, tenant, keys, suspended, maxBuckets, userQuota, bucketQuota, createdMillis,
                subusers, swiftKeys, c);
    }

    /** True when the user holds capability {@code type} with {@code perm} (or "*"). */
    public boolean hasCap(String type, String perm) {
        return caps.stream().anyMatch(c -> c.type().equals(type) && (c.perm().equals("*") || c.perm().equals(perm)));
    }
}
