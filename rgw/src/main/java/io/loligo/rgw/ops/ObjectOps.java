package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;
import io.loligo.rgw.http.Xml;
import io.loligo.rgw.store.BucketInfo;
import io.loligo.rgw.store.DataIo;
import io.loligo.rgw.store.ObjectEntry;
import io.loligo.rgw.store.ObjectStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.w3c.dom.Element;

/** Object operations: Put, Get/Head (ranges, conditionals, overrides), Delete, DeleteObjects, Copy, tagging, ACL. */
final class ObjectOps {
    static final int KEY_BYTES_MAX = 1024;
    static final int META_BYTES_MAX = 2048;
    static final List<String> STORED_HEADERS = List.of("Content-Type", "Content-Encoding", "Content-Disposition",
            "Content-Language", "Cache-Control", "Expires");
    private static final Map<String, String> OVERRIDES = Map.of("response-content-type", "Content-Type",
            "response-content-language", "Content-Language", "response-expires", "Expires",
            "response-cache-control", "Cache-Control", "response-content-disposition", "Content-Disposition",
            "response-content-encoding", "Content-Encoding");
    private final Gateway g;

    ObjectOps(Gateway g) {
        this.g = g;
    }

    static void checkKey(String bucket, String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > KEY_BYTES_MAX) {
            throw new S3Exception("KeyTooLongError", 400, "Your key is too long", bucket, key);
        }
    }

    /** x-amz-meta-* (names lower-cased, prefix dropped), within S3's 2 KB limit. */
    static Map<String, String> userMeta(S3Exchange ex) {
        Map<String, String> meta = new LinkedHashMap<>();
        int bytes = 0;
        for (HttpField f : ex.headerFields()) {
            String n = f.getName().toLowerCase(Locale.ROOT);
            if (n.startsWith("x-amz-meta-")) {
                String name = n.substring("x-amz-meta-".length());
                meta.merge(name, f.getValue(), (a, b) -> a + "," + b);
                bytes += name.length() + f.getValue().length();
            }
        }
        if (bytes > META_BYTES_MAX) {
            throw new S3Exception("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size.");
        }
        return meta;
    }

    static Map<String, String> storedHeaders(S3Exchange ex) {
        Map<String, String> h = new LinkedHashMap<>();
        for (String name : STORED_HEADERS) {
            String v = ex.header(name);
            if (v != null) {
                h.put(name, v);
            }
        }
        return h;
    }

    /** The Content-MD5 header as bytes, or null; a malformed one is InvalidDigest. */
    static byte[] contentMd5(S3Exchange ex) {
        String h = ex.header("Content-MD5");
        if (h == null) {
            return null;
        }
        try {
            byte[] md5 = Base64.getDecoder().decode(h.trim());
            if (md5.length == 16) {
                return md5;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error
        }
        throw new S3Exception("InvalidDigest", 400, "The Content-MD5 you specified is not valid.");
    }

    void put(S3Exchange ex) throws Exception {
        String key = ex.key();
        checkKey(ex.bucket(), key);
        BucketInfo b = g.bucketForWrite(ex, key);
        Map<String, String> meta = userMeta(ex);
        Map<String, String> headers = storedHeaders(ex);
        String acl = BucketOps.cannedFromRequest(ex, "private");
        Map<String, String> tags = Tagging.fromHeader(ex.header("x-amz-tagging"));
        Tagging.checkCount(tags, Tagging.OBJECT_TAGS_MAX);
        byte[] md5Header = contentMd5(ex);
        String ifNoneMatch = ex.header("If-None-Match");
        if ("*".equals(ifNoneMatch) && g.objects.head(b, key).filter(e -> !e.deleteMarker()).isPresent()) {
            throw new S3Exception("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold", b.name(), key);
        }
        if (ex.contentLength() > Gateway.PUT_BYTES_MAX) {
            throw new S3Exception("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.", b.name(), key);
        }
        checkQuotaBefore(b, key, Math.max(0, ex.contentLength()));
        String owner = Gateway.caller(ex);
        ObjectEntry e;
        try (InputStream in = ex.body()) {
            e = write(b, key, in, ex.contentLength(), md5Header, owner == null ? b.owner() : owner, meta, headers, acl, tags);
        }
        String etag = e.etag();
        ex.header("ETag", Http.quote(etag));
        if (b.versioned()) {
            ex.header("x-amz-version-id", e.versionId());
        }
        ex.send(200);
    }

    /**
     * Stores {@code in} ({@code length} bytes, or -1: unknown) as the new current object {@code key}
     * of {@code b}: inline in the index when small, else striped; checks the MD5 against
     * {@code md5Want} (BadDigest) and commits the head (the quota is checked at the commit).
     */
    ObjectEntry write(BucketInfo b, String key, InputStream in, long length, byte[] md5Want, String owner, Map<String, String> meta,
                      Map<String, String> headers, String acl, Map<String, String> tags) throws java.io.IOException {
        byte[] small = null;
        InputStream rest = in;
        if (length >= 0 && length <= ObjectStore.INLINE_BYTES_MAX) {
            small = in.readNBytes(ObjectStore.INLINE_BYTES_MAX + 1);   // short only at EOF: the body is verified
            if (small.length > ObjectStore.INLINE_BYTES_MAX) {
                rest = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(small), in);   // longer than announced
                small = null;
            }
        }
        ObjectEntry e;
        if (small != null) {
            byte[] md5 = DataIo.md5().digest(small);
            checkMd5(md5Want, md5, b, key, null);
            e = new ObjectEntry(key, small.length, HexFormat.of().formatHex(md5), System.currentTimeMillis(), owner, meta, headers,
                    List.of(new ObjectEntry.Segment(ObjectStore.INLINE, small.length)), ObjectStore.versionFor(b), false, acl, tags, List.of());
            g.objects.commitInline(b, e, small);
            return e;
        }
        DataIo.Written w = g.data.write(rest, ObjectStore.newPrefix(b), length, Gateway.PUT_BYTES_MAX);
        checkMd5(md5Want, w.md5(), b, key, w.segment());
        e = new ObjectEntry(key, w.segment().size(), HexFormat.of().formatHex(w.md5()), System.currentTimeMillis(), owner, meta,
                headers, List.of(w.segment()), ObjectStore.versionFor(b), false, acl, tags, List.of());
        try {
            g.objects.commit(b, e);
        } catch (RuntimeException failed) {
            g.data.remove(w.segment());   // the head was not written: nothing references the data
            throw failed;
        }
        return e;
    }

    /**
     * Copies the data of {@code se} (in {@code srcBucket}) to new stripes of {@code b} (inline data
     * stays inline) and commits it as {@code key} with the given attributes; returns the new head.
     */
    ObjectEntry copyInto(BucketInfo srcBucket, ObjectEntry se, BucketInfo b, String key, String owner, Map<String, String> meta,
                         Map<String, String> headers, String acl, Map<String, String> tags) throws java.io.IOException {
        checkQuotaBefore(b, key, se.size());
        List<ObjectEntry.Segment> manifest = new ArrayList<>();
        byte[] inline = ObjectStore.isInline(se) ? g.objects.inlineData(srcBucket, se) : null;
        if (inline != null) {
            manifest.add(se.manifest().get(0));
        } else {
            try {
                for (ObjectEntry.Segment s : se.manifest()) {
                    manifest.add(g.data.copy(List.of(s), 0, s.size(), ObjectStore.newPrefix(b)).segment());
                }
            } catch (java.io.IOException | RuntimeException e) {
                manifest.forEach(g.data::remove);
                throw e;
            }
        }
        ObjectEntry e = new ObjectEntry(key, se.size(), se.etag(), System.currentTimeMillis(), owner, meta, headers, manifest,
                ObjectStore.versionFor(b), false, acl, tags, se.parts());
        try {
            if (inline != null) {
                g.objects.commitInline(b, e, inline);
            } else {
                g.objects.commit(b, e);
            }
        } catch (RuntimeException failed) {
            if (inline == null) {
                manifest.forEach(g.data::remove);
            }
            throw failed;
        }
        return e;
    }

    /**
     * Refuses a write of {@code size} bytes to {@code key} before its body is read when it would
     * pass the owner's quota (the replaced object, if any, counted out); the commit checks again.
     */
    void checkQuotaBefore(BucketInfo b, String key, long size) {
        if (!g.quotas.enforced(b)) {
            return;
        }
        Optional<ObjectEntry> old = "Enabled".equals(b.versioning()) ? Optional.empty()
                : g.objects.head(b, key).filter(e -> !e.deleteMarker() && (!b.versioned() || e.versionId().equals(ObjectStore.NULL_VERSION)));
        g.quotas.check(b, old.isPresent() ? 0 : 1, size - old.map(ObjectEntry::size).orElse(0L));
    }

    private void checkMd5(byte[] want, byte[] got, BucketInfo b, String key, ObjectEntry.Segment written) {
        if (want != null && !java.security.MessageDigest.isEqual(want, got)) {
            if (written != null) {
                g.data.remove(written);
            }
            throw new S3Exception("BadDigest", 400, "The Content-MD5 you specified did not match what we received.", b.name(), key);
        }
    }

    /** The head a GET/HEAD addresses (current, or ?versionId), access checked; with its inline data for a small object. */
    private ObjectStore.HeadAndData addressed(S3Exchange ex, BucketInfo b) {
        String versionId = ex.query("versionId");
        Optional<ObjectStore.HeadAndData> hd = versionId == null || versionId.isEmpty() ? g.objects.headWithData(b, ex.key())
                : g.objects.version(b, ex.key(), versionId).map(v -> new ObjectStore.HeadAndData(v,
                        ObjectStore.isInline(v) ? g.objects.inlineData(b, v) : null));
        Optional<ObjectEntry> e = hd.map(ObjectStore.HeadAndData::head);
        if (e.isEmpty() && versionId != null && !versionId.isEmpty()) {
            g.checkObjectRead(ex, b, Optional.empty(), Optional.empty(), ex.key());
            throw new S3Exception("NoSuchVersion", 404, "The specified version does not exist.", b.name(), ex.key());
        }
        if (e.isEmpty()) {
            g.bucket(ex, b.name(), Gateway.Permission.READ, null);   // who may not list the bucket learns nothing: AccessDenied
            throw S3Exception.noSuchKey(b.name(), ex.key());
        }
        g.checkObjectRead(ex, b, e.map(ObjectEntry::acl), e.map(ObjectEntry::owner), ex.key());
        if (e.get().deleteMarker()) {
            ex.header("x-amz-delete-marker", "true");
            ex.header("x-amz-version-id", e.get().versionId());
            if (versionId != null) {
                throw S3Exception.methodNotAllowed(ex.method());
            }
            throw S3Exception.noSuchKey(b.name(), ex.key());
        }
        return hd.get();
    }

    void get(S3Exchange ex, boolean headOnly) throws Exception {
        BucketInfo b = g.bucket(ex.bucket());
        ObjectStore.HeadAndData hd = addressed(ex, b);
        ObjectEntry e = hd.head();
        checkConditions(ex, e, "");
        long start = 0;
        long length = e.size();
        int status = 200;
        String range = ex.header("Range");
        String partNumber = ex.query("partNumber");
        if (partNumber != null) {
            long[] p = partRange(e, Http.intParam(partNumber, "partNumber", 1, 1, 10000));
            start = p[0];
            length = p[1];
            status = 206;
            ex.header("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + e.size());
            ex.header("x-amz-mp-parts-count", String.valueOf(e.parts().size()));
        } else if (range != null) {
            long[] r = Ranges.parse(range, e.size());
            if (r != null) {
                start = r[0];
                length = r[1];
                status = 206;
                ex.header("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + e.size());
            }
        }
        objectHeaders(ex, b, e);
        for (Map.Entry<String, String> o : OVERRIDES.entrySet()) {
            String v = ex.query(o.getKey());
            if (v != null) {
                if (ex.auth().anonymous()) {
                    throw S3Exception.invalidArgument("Request specific response headers cannot be used for anonymous GET requests.");
                }
                ex.header(o.getValue(), v);
            }
        }
        if (headOnly) {
            ex.header("Content-Length", String.valueOf(length));
            ex.sendBytesHead(status, length);
            return;
        }
        try (OutputStream out = ex.stream(status, length)) {
            if (hd.inline() != null) {
                out.write(hd.inline(), (int) start, (int) length);
            } else {
                g.data.read(e.manifest(), start, length, out);
            }
        }
    }

    private static long[] partRange(ObjectEntry e, int n) {
        if (e.parts().isEmpty()) {
            if (n == 1) {
                return new long[] {0, e.size()};
            }
        } else if (n <= e.parts().size()) {
            long off = 0;
            for (int i = 0; i < n - 1; i++) {
                off += e.parts().get(i);
            }
            return new long[] {off, e.parts().get(n - 1)};
        }
        throw new S3Exception("InvalidPartNumber", 416, "The requested partnumber is not satisfiable");
    }

    static void objectHeaders(S3Exchange ex, BucketInfo b, ObjectEntry e) {
        ex.header("ETag", Http.quote(e.etag()));
        ex.header("Last-Modified", Http.httpDate(e.mtimeMillis()));
        ex.header("Accept-Ranges", "bytes");
        ex.header("Content-Type", e.contentType());
        e.headers().forEach((k, v) -> {
            if (!k.equals("Content-Type")) {
                ex.header(k, v);
            }
        });
        e.meta().forEach((k, v) -> ex.header("x-amz-meta-" + k, v));
        if (b.versioned()) {
            ex.header("x-amz-version-id", e.versionId());
        }
        if (e.tags() != null && !e.tags().isEmpty()) {
            ex.header("x-amz-tagging-count", String.valueOf(e.tags().size()));
        }
        ex.header("x-amz-storage-class", "STANDARD");
    }

    /**
     * RFC 7232 order as S3 applies it: If-Match, If-Unmodified-Since (412), If-None-Match,
     * If-Modified-Since (304). {@code prefix} is "" or "x-amz-copy-source-" (then failures are 412).
     */
    static void checkConditions(S3Exchange ex, ObjectEntry e, String prefix) {
        boolean copy = !prefix.isEmpty();
        String ifMatch = ex.header(prefix + "If-Match");
        String ifNoneMatch = ex.header(prefix + "If-None-Match");
        Long ifModified = Http.parseHttpDate(ex.header(prefix + "If-Modified-Since"));
        Long ifUnmodified = Http.parseHttpDate(ex.header(prefix + "If-Unmodified-Since"));
        long mtimeSec = e.mtimeMillis() / 1000 * 1000;
        boolean matchHeld = false;
        if (ifMatch != null) {
            if (!Http.etagListMatches(ifMatch, e.etag())) {
                throw preconditionFailed(ex);
            }
            matchHeld = true;
        }
        if (ifUnmodified != null && !matchHeld && mtimeSec > ifUnmodified) {
            throw preconditionFailed(ex);
        }
        boolean noneMatchHeld = false;
        if (ifNoneMatch != null) {
            if (Http.etagListMatches(ifNoneMatch, e.etag())) {
                throw copy ? preconditionFailed(ex) : notModified(ex, e);
            }
            noneMatchHeld = true;
        }
        if (ifModified != null && !noneMatchHeld && mtimeSec <= ifModified) {
            throw copy ? preconditionFailed(ex) : notModified(ex, e);
        }
    }

    private static S3Exception preconditionFailed(S3Exchange ex) {
        return new S3Exception("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold",
                ex.bucket(), ex.key());
    }

    private static S3Exception notModified(S3Exchange ex, ObjectEntry e) {
        ex.header("ETag", Http.quote(e.etag()));
        ex.header("Last-Modified", Http.httpDate(e.mtimeMillis()));
        return new S3Exception("NotModified", 304, "Not Modified");
    }

    void delete(S3Exchange ex) {
        String key = ex.key();
        BucketInfo b = g.bucketForWrite(ex, key);
        Result r = deleteOne(b, key, ex.query("versionId"), Gateway.caller(ex));
        if (r.markerVersionId() != null) {
            ex.header("x-amz-delete-marker", "true");
            ex.header("x-amz-version-id", r.markerVersionId());
        } else if (r.versionId() != null) {
            ex.header("x-amz-version-id", r.versionId());
            if (r.wasMarker()) {
                ex.header("x-amz-delete-marker", "true");
            }
        }
        ex.send(204);
    }

    /** What one delete did: a delete marker created (its id), or a version removed (its id). */
    record Result(String markerVersionId, String versionId, boolean wasMarker, boolean existed) {}

    Result deleteOne(BucketInfo b, String key, String versionId, String caller) {
        if (versionId != null && !versionId.isEmpty()) {
            Optional<ObjectEntry> v = g.objects.deleteVersion(b, key, versionId);
            return new Result(null, versionId, v.map(ObjectEntry::deleteMarker).orElse(false), v.isPresent());
        }
        if (!b.versioned()) {
            return new Result(null, null, false, g.objects.delete(b, key).isPresent());
        }
        ObjectEntry marker = new ObjectEntry(key, 0, "", System.currentTimeMillis(), caller == null ? b.owner() : caller,
                Map.of(), Map.of(), List.of(), ObjectStore.versionFor(b), true, "private", Map.of(), List.of());
        g.objects.commit(b, marker);
        return new Result(marker.versionId(), null, true, true);
    }

    void deleteObjects(S3Exchange ex) throws Exception {
        BucketInfo b = g.bucket(ex.bucket());
        Element root = Xml.parse(ex.smallBody(2 << 20));
        boolean quiet = "true".equalsIgnoreCase(Xml.text(root, "Quiet"));
        List<Element> objs = Xml.children(root, "Object");
        if (objs.isEmpty() || objs.size() > 1000) {
            throw S3Exception.malformedXml("Delete needs 1 to 1000 Object elements, got " + objs.size());
        }
        Xml out = Xml.doc("DeleteResult");
        String caller = Gateway.caller(ex);
        for (Element o : objs) {
            String key = Xml.text(o, "Key");
            String vid = Xml.text(o, "VersionId");
            if (key == null || key.isEmpty()) {
                throw S3Exception.malformedXml("an Object without a Key");
            }
            try {
                g.bucketForWrite(ex, key);
                Result r = deleteOne(b, key, vid, caller);
                if (!quiet) {
                    out.start("Deleted").elem("Key", key).elem("VersionId", vid);
                    if (r.markerVersionId() != null) {
                        out.elem("DeleteMarker", "true").elem("DeleteMarkerVersionId", r.markerVersionId());
                    } else if (r.wasMarker()) {
                        out.elem("DeleteMarker", "true");
                    }
                    out.end();
                }
            } catch (S3Exception e) {
                out.start("Error").elem("Key", key).elem("VersionId", vid).elem("Code", e.code()).elem("Message", e.getMessage()).end();
            }
        }
        ex.sendXml(200, out);
    }

    void copy(S3Exchange ex) throws Exception {
        String key = ex.key();
        checkKey(ex.bucket(), key);
        CopySource src = CopySource.parse(ex.header("x-amz-copy-source"));
        BucketInfo srcBucket = g.bucket(src.bucket());
        Optional<ObjectEntry> found = src.versionId() == null ? g.objects.head(srcBucket, src.key())
                : g.objects.version(srcBucket, src.key(), src.versionId());
        g.checkObjectRead(ex, srcBucket, found.map(ObjectEntry::acl), found.map(ObjectEntry::owner), src.key());
        ObjectEntry se = found.filter(e -> !e.deleteMarker()).orElseThrow(() -> S3Exception.noSuchKey(src.bucket(), src.key()));
        BucketInfo b = g.bucketForWrite(ex, key);
        checkConditions(ex, se, "x-amz-copy-source-");
        String directive = ex.header("x-amz-metadata-directive");
        boolean replace = "REPLACE".equals(directive);
        if (directive != null && !replace && !"COPY".equals(directive)) {
            throw S3Exception.invalidArgument("Unknown metadata directive.");
        }
        String taggingDirective = ex.header("x-amz-tagging-directive");
        if (!replace && srcBucket.name().equals(b.name()) && src.key().equals(key) && src.versionId() == null
                && ex.header("x-amz-storage-class") == null) {
            throw new S3Exception("InvalidRequest", 400, "This copy request is illegal because it is trying to copy an object to"
                    + " itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        Map<String, String> meta = replace ? userMeta(ex) : se.meta();
        Map<String, String> headers = replace ? storedHeaders(ex) : se.headers();
        Map<String, String> tags = "REPLACE".equals(taggingDirective) ? Tagging.fromHeader(ex.header("x-amz-tagging")) : se.tags();
        String owner = Gateway.caller(ex);
        ObjectEntry e = copyInto(srcBucket, se, b, key, owner == null ? b.owner() : owner, meta, headers,
                BucketOps.cannedFromRequest(ex, "private"), tags);
        if (srcBucket.versioned()) {
            ex.header("x-amz-copy-source-version-id", se.versionId());
        }
        if (b.versioned()) {
            ex.header("x-amz-version-id", e.versionId());
        }
        ex.sendXml(200, Xml.doc("CopyObjectResult").elem("LastModified", Http.iso(e.mtimeMillis())).elem("ETag", Http.quote(e.etag())));
    }

    // ---- subresources ----

    private ObjectEntry current(S3Exchange ex, BucketInfo b) {
        String vid = ex.query("versionId");
        Optional<ObjectEntry> e = vid == null ? g.objects.head(b, ex.key()) : g.objects.version(b, ex.key(), vid);
        return e.filter(x -> !x.deleteMarker()).orElseThrow(() -> vid == null ? S3Exception.noSuchKey(b.name(), ex.key())
                : new S3Exception("NoSuchVersion", 404, "The specified version does not exist.", b.name(), ex.key()));
    }

    /** Rewrites the head of {@code e}'s version as it is now (a racing overwrite or delete wins: NoSuchKey). */
    private void rewrite(S3Exchange ex, BucketInfo b, ObjectEntry e, java.util.function.UnaryOperator<ObjectEntry> change) {
        if (g.objects.rewriteHead(b, e.key(), e.versionId(), change).isEmpty()) {
            throw S3Exception.noSuchKey(b.name(), ex.key());
        }
    }

    String getSubresource(S3Exchange ex) {
        BucketInfo b = g.bucket(ex.bucket());
        ObjectEntry e = current(ex, b);
        g.checkObjectRead(ex, b, Optional.of(e.acl()), Optional.of(e.owner()), ex.key());
        if (ex.hasQuery("tagging")) {
            if (b.versioned()) {
                ex.header("x-amz-version-id", e.versionId());
            }
            ex.sendXml(200, Tagging.xml(e.tags() == null ? Map.of() : e.tags()));
            return "GetObjectTagging";
        }
        ex.sendXml(200, BucketOps.acl(e.owner(), g.displayName(e.owner()), e.acl()));
        return "GetObjectAcl";
    }

    String putSubresource(S3Exchange ex) throws Exception {
        BucketInfo b = g.bucketForWrite(ex, ex.key());
        ObjectEntry e = current(ex, b);
        if (ex.hasQuery("tagging")) {
            Map<String, String> tags = Tagging.parse(ex.smallBody(64 << 10));
            Tagging.checkCount(tags, Tagging.OBJECT_TAGS_MAX);
            rewrite(ex, b, e, x -> x.withTags(tags));
            if (b.versioned()) {
                ex.header("x-amz-version-id", e.versionId());
            }
            ex.send(200);
            return "PutObjectTagging";
        }
        String acl = BucketOps.cannedFromRequest(ex, e.acl());
        rewrite(ex, b, e, x -> x.withAcl(acl));
        ex.send(200);
        return "PutObjectAcl";
    }

    String deleteTagging(S3Exchange ex) {
        BucketInfo b = g.bucketForWrite(ex, ex.key());
        ObjectEntry e = current(ex, b);
        rewrite(ex, b, e, x -> x.withTags(Map.of()));
        ex.send(204);
        return "DeleteObjectTagging";
    }
}
