package io.loligo.rgw.store;

import java.util.List;
import java.util.Map;

/**
 * An object's head: one bucket index entry (an omap value in the bucket's index shard, JSON), so
 * making an object visible, replacing it or deleting it is a single atomic omap update.
 *
 * @param size bytes of data
 * @param etag quoted-free hex MD5, or md5-of-md5s "-N" for a multipart object
 * @param meta user metadata: x-amz-meta-NAME (lower case, without the prefix) → value
 * @param headers stored standard headers (Content-Type, Content-Encoding, Content-Disposition,
 *     Content-Language, Cache-Control, Expires) by their canonical names
 * @param manifest where the data is: segments in order, each striped over RADOS objects
 *     {@code prefix.0}, {@code prefix.1}, ... of {@link Segment#STRIPE_BYTES} (the last shorter)
 * @param versionId "null" for an unversioned write, else the version's id
 * @param deleteMarker true for a versioning delete marker (no data)
 * @param acl canned ACL of the object
 * @param tags object tags
 * @param parts for a multipart object, each part's size in order (GET ?partNumber), else empty
 */
public record ObjectEntry(String key, long size, String etag, long mtimeMillis, String owner,
                          Map<String, String> meta, Map<String, String> headers, List<Segment> manifest,
                          String versionId, boolean deleteMarker, String acl, Map<String, String> tags, List<Long> parts) {
    /** A run of data striped over {@code ceil(size / STRIPE_BYTES)} RADOS objects named {@code prefix.i}. */
    public record Segment(String prefix, long size) {
        public static final int STRIPE_BYTES = 4 << 20;

        public int objects() {
            return (int) ((size + STRIPE_BYTES - 1) / STRIPE_BYTES);
        }

        public String object(int i) {
            return prefix + "." + i;
        }
    }

    public String contentType() {
        String t = headers.get("Content-Type");
        return t == null ? "binary/octet-stream" : t;
    }

    public ObjectEntry withTags(Map<String, String> t) {
        return new ObjectEntry(key, size, etag, mtimeMillis, owner, meta, headers, manifest, versionId, deleteMarker, acl, t, parts);
    }

    public ObjectEntry withAcl(String a) {
        return new ObjectEntry(key, size, etag, mtimeMillis, owner, meta, headers, manifest, versionId, deleteMarker, a, tags, parts);
    }

    public ObjectEntry withVersionId(String v) {
        return new ObjectEntry(key, size, etag, mtimeMillis, owner, meta, headers, manifest, v, deleteMarker, acl, tags, parts);
    }
}
