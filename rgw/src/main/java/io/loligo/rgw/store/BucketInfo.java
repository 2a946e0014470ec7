package io.loligo.rgw.store;

import java.util.Map;

/**
 * A bucket's record, JSON in {@code .rgw.meta} ns {@code buckets}, object {@code b/NAME}.
 *
 * @param id unique per creation (so a deleted and re-created bucket never sees the old index or data);
 *     prefixes the index shard objects ({@code .dir.ID.N}) and every data object ({@code ID_...})
 * @param shards number of index shards, fixed at creation
 * @param versioning "" (never enabled), "Enabled" or "Suspended"
 * @param acl canned ACL: private, public-read, public-read-write, authenticated-read
 * @param policy the bucket policy JSON as given, or null
 * @param cors the CORS configuration XML as given, or null
 */
public record BucketInfo(String name, String id, String owner, long createdMillis, int shards, String zonegroup,
                         String versioning, String acl, String policy, String cors, Map<String, String> tags) {
    public BucketInfo withVersioning(String v) {
        return new BucketInfo(name, id, owner, createdMillis, shards, zonegroup, v, acl, policy, cors, tags);
    }

    public BucketInfo withAcl(String a) {
        return new BucketInfo(name, id, owner, createdMillis, shards, zonegroup, versioning, a, policy, cors, tags);
    }

    public BucketInfo withPolicy(String p) {
        return new BucketInfo(name, id, owner, createdMillis, shards, zonegroup, versioning, acl, p, cors, tags);
    }

    public BucketInfo withCors(String c) {
        return new BucketInfo(name, id, owner, createdMillis, shards, zonegroup, versioning, acl, policy, c, tags);
    }

    public BucketInfo withTags(Map<String, String> t) {
        return new BucketInfo(name, id, owner, createdMillis, shards, zonegroup, versioning, acl, policy, cors, t);
    }

    public boolean versioned() {
        return !versioning.isEmpty();
    }
}
