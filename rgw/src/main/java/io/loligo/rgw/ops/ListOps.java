package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;
import io.loligo.rgw.http.Xml;
import io.loligo.rgw.store.BucketIndex;
import io.loligo.rgw.store.BucketInfo;
import io.loligo.rgw.store.ObjectEntry;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** ListBuckets, ListObjects (v1 and v2) and ListObjectVersions over the merged index shards. */
final class ListOps {
    static final int MAX_KEYS = 1000;
    private final Gateway g;

    ListOps(Gateway g) {
        this.g = g;
    }

    void listBuckets(S3Exchange ex) {
        UserInfo u = g.callerInfo(ex);
        Xml x = Xml.doc("ListAllMyBucketsResult").start("Owner").elem("ID", u.uid()).elem("DisplayName", u.displayName()).end()
                .start("Buckets");
        for (BucketInfo b : g.buckets.bucketsOf(u.uid())) {
            x.start("Bucket").elem("Name", b.name()).elem("CreationDate", Http.iso(b.createdMillis())).end();
        }
        ex.sendXml(200, x.end());
    }

    /** One listed item: an entry or a common prefix. */
    record Item(String key, ObjectEntry entry, String commonPrefix) {}

    /** A page of a listing: items in order, whether more follow, and where the next page starts. */
    record Page(List<Item> items, boolean truncated, String nextAfter) {}

    /**
     * Lists current objects: keys with {@code prefix} after {@code startAfter}, rolled up at the
     * first {@code delimiter} after the prefix, at most {@code max} items (entries + prefixes).
     * Delete markers are invisible. A common prefix is found once, then the scan jumps past it.
     */
    Page page(BucketInfo b, String prefix, String delimiter, String startAfter, int max) {
        List<Item> items = new ArrayList<>();
        if (max == 0) {
            return new Page(items, false, null);
        }
        String after = startAfter;
        boolean restart = true;
        BucketIndex.Scan scan = null;
        try {
            while (true) {
                if (restart) {
                    if (scan != null) {
                        scan.close();
                    }
                    scan = g.index.scan(b, BucketIndex.OBJECT, prefix, after);
                    restart = false;
                }
                if (!scan.hasNext()) {
                    return new Page(items, false, null);
                }
                Map.Entry<String, byte[]> next = scan.next();
                String key = next.getKey();
                ObjectEntry e = RgwPools.fromJson(next.getValue(), ObjectEntry.class);
                if (e.deleteMarker()) {
                    continue;
                }
                int d = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
                if (items.size() == max) {
                    return new Page(items, true, items.get(items.size() - 1).key());
                }
                if (d >= 0) {
                    String cp = key.substring(0, d + delimiter.length());
                    items.add(new Item(cp, null, cp));
                    after = cp + BucketIndex.MAX_CHAR;
                    restart = true;
                } else {
                    items.add(new Item(key, e, null));
                }
            }
        } finally {
            if (scan != null) {
                scan.close();
            }
        }
    }

    /** Where to start after a v1 marker: past the whole common prefix when the marker is one. */
    static String afterMarker(String marker, String prefix, String delimiter) {
        if (!delimiter.isEmpty() && marker.startsWith(prefix) && marker.endsWith(delimiter)
                && marker.indexOf(delimiter, prefix.length()) == marker.length() - delimiter.length()) {
            return marker + BucketIndex.MAX_CHAR;
        }
        return marker;
    }

    void listObjects(S3Exchange ex, boolean v2) {
        BucketInfo b = g.bucket(ex, Gateway.Permission.READ);
        String prefix = orEmpty(ex.query("prefix"));
        String delimiter = orEmpty(ex.query("delimiter"));
        String encoding = ex.query("encoding-type");
        if (encoding != null && !encoding.equals("url")) {
            throw S3Exception.invalidArgument("Invalid Encoding Method specified in Request");
        }
        boolean url = "url".equals(encoding);
        int max = Http.intParam(ex.query("max-keys"), "max-keys", MAX_KEYS, 0, MAX_KEYS);
        String startAfter;
        String token = ex.query("continuation-token");
        if (v2) {
            if (token != null) {
                startAfter = decodeToken(token);
            } else {
                startAfter = orEmpty(ex.query("start-after"));
            }
        } else {
            startAfter = orEmpty(ex.query("marker"));
        }
        String scanAfter = token != null ? startAfter : afterMarker(startAfter, prefix, delimiter);
        Page p = page(b, prefix, delimiter, scanAfter, max);
        Xml x = Xml.doc("ListBucketResult").elem("Name", b.name()).elem("Prefix", Http.urlEncode(prefix, url));
        if (v2) {
            x.elem("KeyCount", p.items().size());
            if (token != null) {
                x.elem("ContinuationToken", token);
            }
            if (ex.query("start-after") != null) {
                x.elem("StartAfter", Http.urlEncode(ex.query("start-after"), url));
            }
        } else {
            x.elem("Marker", Http.urlEncode(startAfter, url));
        }
        x.elem("MaxKeys", max);
        if (!delimiter.isEmpty()) {
            x.elem("Delimiter", Http.urlEncode(delimiter, url));
        }
        if (url) {
            x.elem("EncodingType", "url");
        }
        x.elem("IsTruncated", p.truncated());
        if (p.truncated()) {
            Item last = p.items().get(p.items().size() - 1);
            String resumeAfter = last.commonPrefix() != null ? last.commonPrefix() + BucketIndex.MAX_CHAR : last.key();
            if (v2) {
                x.elem("NextContinuationToken", encodeToken(resumeAfter));
            } else if (!delimiter.isEmpty()) {
                x.elem("NextMarker", Http.urlEncode(last.key(), url));
            }
        }
        boolean owner = !v2 || "true".equals(ex.query("fetch-owner"));
        Map<String, String> names = new HashMap<>();
        for (Item i : p.items()) {
            if (i.entry() == null) {
                continue;
            }
            ObjectEntry e = i.entry();
            x.start("Contents").elem("Key", Http.urlEncode(e.key(), url)).elem("LastModified", Http.iso(e.mtimeMillis()))
                    .elem("ETag", Http.quote(e.etag())).elem("Size", e.size()).elem("StorageClass", "STANDARD");
            if (owner) {
                x.start("Owner").elem("ID", e.owner()).elem("DisplayName", names.computeIfAbsent(e.owner(), g::displayName)).end();
            }
            x.end();
        }
        for (Item i : p.items()) {
            if (i.commonPrefix() != null) {
                x.start("CommonPrefixes").elem("Prefix", Http.urlEncode(i.commonPrefix(), url)).end();
            }
        }
        ex.sendXml(200, x);
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    static String encodeToken(String after) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(after.getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw S3Exception.invalidArgument("The continuation token provided is incorrect");
        }
    }

    void listVersions(S3Exchange ex) {
        BucketInfo b = g.bucket(ex, Gateway.Permission.READ);
        String prefix = orEmpty(ex.query("prefix"));
        String delimiter = orEmpty(ex.query("delimiter"));
        boolean url = "url".equals(ex.query("encoding-type"));
        int max = Http.intParam(ex.query("max-keys"), "max-keys", MAX_KEYS, 0, MAX_KEYS);
        String keyMarker = orEmpty(ex.query("key-marker"));
        String vidMarker = orEmpty(ex.query("version-id-marker"));
        String after = keyMarker.isEmpty() ? "" : vidMarker.isEmpty() ? keyMarker + BucketIndex.SEP + BucketIndex.MAX_CHAR
                : keyMarker + BucketIndex.SEP;
        boolean skipping = !keyMarker.isEmpty() && !vidMarker.isEmpty();
        Xml x = Xml.doc("ListVersionsResult").elem("Name", b.name()).elem("Prefix", Http.urlEncode(prefix, url))
                .elem("KeyMarker", Http.urlEncode(keyMarker, url)).elem("VersionIdMarker", vidMarker).elem("MaxKeys", max);
        if (!delimiter.isEmpty()) {
            x.elem("Delimiter", Http.urlEncode(delimiter, url));
        }
        Xml body = Xml.fragment();
        List<String> prefixes = new ArrayList<>();
        int count = 0;
        boolean truncated = false;
        String nextKey = null;
        String nextVid = null;
        Map<String, String> latest = new HashMap<>();
        String lastPrefix = null;
        try (BucketIndex.Scan scan = g.index.scan(b, BucketIndex.VERSION, prefix, after)) {
            while (scan.hasNext()) {
                Map.Entry<String, byte[]> n = scan.next();
                ObjectEntry e = RgwPools.fromJson(n.getValue(), ObjectEntry.class);
                if (skipping) {
                    if (e.key().equals(keyMarker)) {
                        if (e.versionId().equals(vidMarker)) {
                            skipping = false;
                        }
                        continue;
                    }
                    skipping = false;
                }
                int d = delimiter.isEmpty() ? -1 : e.key().indexOf(delimiter, prefix.length());
                String cp = d >= 0 ? e.key().substring(0, d + delimiter.length()) : null;
                if (cp != null && cp.equals(lastPrefix)) {
                    continue;
                }
                if (count == max) {
                    truncated = true;
                    break;
                }
                count++;
                if (cp != null) {
                    prefixes.add(cp);
                    lastPrefix = cp;
                    nextKey = cp;
                    nextVid = null;
                    continue;
                }
                String cur = latest.computeIfAbsent(e.key(), k -> g.objects.head(b, k).map(ObjectEntry::versionId).orElse(""));
                body.start(e.deleteMarker() ? "DeleteMarker" : "Version").elem("Key", Http.urlEncode(e.key(), url))
                        .elem("VersionId", e.versionId()).elem("IsLatest", cur.equals(e.versionId()))
                        .elem("LastModified", Http.iso(e.mtimeMillis()));
                if (!e.deleteMarker()) {
                    body.elem("ETag", Http.quote(e.etag())).elem("Size", e.size()).elem("StorageClass", "STANDARD");
                }
                body.start("Owner").elem("ID", e.owner()).elem("DisplayName", g.displayName(e.owner())).end().end();
                nextKey = e.key();
                nextVid = e.versionId();
            }
        }
        x.elem("IsTruncated", truncated);
        if (truncated) {
            x.elem("NextKeyMarker", Http.urlEncode(nextKey, url)).elem("NextVersionIdMarker", nextVid);
        }
        if (url) {
            x.elem("EncodingType", "url");
        }
        x.raw(body);
        for (String cp : prefixes) {
            x.start("CommonPrefixes").elem("Prefix", Http.urlEncode(cp, url)).end();
        }
        ex.sendXml(200, x);
    }
}
