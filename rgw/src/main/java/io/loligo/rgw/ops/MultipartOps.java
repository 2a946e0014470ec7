package io.loligo.rgw.ops;

import io.loligo.client.ObjectWriteOperation;
import io.loligo.client.RadosException;
import io.loligo.messages.OsdOp;
import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;
import io.loligo.rgw.http.Xml;
import io.loligo.rgw.store.BucketIndex;
import io.loligo.rgw.store.BucketInfo;
import io.loligo.rgw.store.DataIo;
import io.loligo.rgw.store.ObjectEntry;
import io.loligo.rgw.store.ObjectStore;
import io.loligo.rgw.store.Quotas;
import io.loligo.rgw.store.RgwPools;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ThreadLocalRandom;
import org.w3c.dom.Element;

/**
 * Multipart uploads. An upload is an index entry {@code m KEY NUL UPLOADID} (JSON {@link Upload},
 * in the key's shard, so completing can swap it for the object head atomically) plus a record
 * object {@code BUCKETID_mp_UPLOADID} in the data pool: xattr {@code state} (open → completing or
 * aborting, changed by compare-and-set so a complete and an abort never both win) and one omap
 * entry per part ({@code %05d} part number → JSON {@link Part}). Part data is striped like any
 * object under its own unique prefix; a re-uploaded part's old data goes to GC.
 */
final class MultipartOps {
    static final long PART_BYTES_MIN = 5L << 20;
    static final int PARTS_MAX = 10_000;
    private static final byte[] OPEN = "open".getBytes(StandardCharsets.UTF_8);
    private final Gateway g;
    private final ObjectOps objectOps;

    /** An upload in progress: what the final object gets. */
    record Upload(String key, String uploadId, long initiatedMillis, String owner, Map<String, String> meta,
                  Map<String, String> headers, String acl, Map<String, String> tags) {}

    /** One uploaded part. */
    record Part(int number, String etag, long size, long mtimeMillis, ObjectEntry.Segment segment) {}

    MultipartOps(Gateway g) {
        this.objectOps = new ObjectOps(g);
        this.g = g;
    }

    private static String recordOid(BucketInfo b, String uploadId) {
        return b.id() + "_mp_" + uploadId;
    }

    private static String indexKey(String key, String uploadId) {
        return BucketIndex.UPLOAD + key + BucketIndex.SEP + uploadId;
    }

    void create(S3Exchange ex) throws Exception {
        String key = ex.key();
        ObjectOps.checkKey(ex.bucket(), key);
        BucketInfo b = g.bucketForWrite(ex, key);
        String uploadId = "2~" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String owner = Gateway.caller(ex);
        Map<String, String> tags = Tagging.fromHeader(ex.header("x-amz-tagging"));
        Upload u = new Upload(key, uploadId, System.currentTimeMillis(), owner == null ? b.owner() : owner,
                ObjectOps.userMeta(ex), ObjectOps.storedHeaders(ex), BucketOps.cannedFromRequest(ex, "private"), tags);
        g.pools.data.operate(recordOid(b, uploadId), new ObjectWriteOperation().create(true).setXattr("state", OPEN));
        g.index.update(b, key, Map.of(indexKey(key, uploadId), RgwPools.toJson(u)), List.of());
        ex.sendXml(200, Xml.doc("InitiateMultipartUploadResult").elem("Bucket", b.name()).elem("Key", key).elem("UploadId", uploadId));
    }

    private Upload upload(BucketInfo b, String key, String uploadId) {
        if (uploadId == null || uploadId.isEmpty()) {
            throw S3Exception.noSuchUpload(String.valueOf(uploadId));
        }
        return g.index.get(b, key, indexKey(key, uploadId)).map(v -> RgwPools.fromJson(v, Upload.class))
                .orElseThrow(() -> S3Exception.noSuchUpload(uploadId));
    }

    String uploadPart(S3Exchange ex) throws Exception {
        String key = ex.key();
        BucketInfo b = g.bucketForWrite(ex, key);
        String uploadId = ex.query("uploadId");
        int number = Http.intParam(ex.query("partNumber"), "partNumber", -1, 1, Integer.MAX_VALUE);
        if (number < 1 || number > PARTS_MAX) {
            throw S3Exception.invalidArgument("Part number must be an integer between 1 and 10000, inclusive");
        }
        upload(b, key, uploadId);
        boolean copy = ex.header("x-amz-copy-source") != null;
        DataIo.Written w;
        String etag;
        if (copy) {
            w = copyPart(ex, b);
            etag = HexFormat.of().formatHex(w.md5());
        } else {
            byte[] md5Header = ObjectOps.contentMd5(ex);
            if (ex.contentLength() > Gateway.PUT_BYTES_MAX) {
                throw new S3Exception("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.");
            }
            try (InputStream in = ex.body()) {
                w = g.data.write(in, ObjectStore.newPrefix(b), ex.contentLength(), Gateway.PUT_BYTES_MAX);
            }
            if (md5Header != null && !MessageDigest.isEqual(md5Header, w.md5())) {
                g.data.remove(w.segment());
                throw new S3Exception("BadDigest", 400, "The Content-MD5 you specified did not match what we received.");
            }
            etag = HexFormat.of().formatHex(w.md5());
        }
        Part part = new Part(number, etag, w.segment().size(), System.currentTimeMillis(), w.segment());
        String partKey = String.format("%05d", number);
        Optional<Part> old = parts(b, uploadId).stream().filter(p -> p.number() == number).findFirst();
        try {
            g.pools.data.operate(recordOid(b, uploadId), new ObjectWriteOperation()
                    .cmpXattr("state", OsdOp.CmpOp.EQ, OPEN).omapSet(Map.of(partKey, RgwPools.toJson(part))));
        } catch (RadosException.Canceled | RadosException.ObjectNotFound e) {
            g.data.remove(w.segment());
            throw S3Exception.noSuchUpload(uploadId);
        }
        old.ifPresent(o -> g.gc.enqueue(List.of(o.segment())));
        if (copy) {
            ex.sendXml(200, Xml.doc("CopyPartResult").elem("LastModified", Http.iso(part.mtimeMillis())).elem("ETag", Http.quote(etag)));
            return "UploadPartCopy";
        }
        ex.header("ETag", Http.quote(etag));
        ex.send(200);
        return "UploadPart";
    }

    private DataIo.Written copyPart(S3Exchange ex, BucketInfo b) throws Exception {
        CopySource src = CopySource.parse(ex.header("x-amz-copy-source"));
        BucketInfo sb = g.bucket(src.bucket());
        Optional<ObjectEntry> found = src.versionId() == null ? g.objects.head(sb, src.key()) : g.objects.version(sb, src.key(), src.versionId());
        g.checkObjectRead(ex, sb, found.map(ObjectEntry::acl), found.map(ObjectEntry::owner), src.key());
        ObjectEntry se = found.filter(e -> !e.deleteMarker()).orElseThrow(() -> S3Exception.noSuchKey(src.bucket(), src.key()));
        ObjectOps.checkConditions(ex, se, "x-amz-copy-source-");
        String range = ex.header("x-amz-copy-source-range");
        long[] r = range == null ? new long[] {0, se.size()} : Ranges.parseCopyRange(range, se.size());
        if (r[1] > Gateway.PUT_BYTES_MAX) {
            throw new S3Exception("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.");
        }
        if (ObjectStore.isInline(se)) {
            byte[] all = g.objects.inlineData(sb, se);
            return g.data.write(new java.io.ByteArrayInputStream(all, (int) r[0], (int) r[1]), ObjectStore.newPrefix(b), r[1],
                    Gateway.PUT_BYTES_MAX);
        }
        return g.data.copy(se.manifest(), r[0], r[1], ObjectStore.newPrefix(b));
    }

    private List<Part> parts(BucketInfo b, String uploadId) {
        List<Part> out = new ArrayList<>();
        try {
            SortedMap<String, byte[]> m = g.pools.data.omapList(recordOid(b, uploadId), false);
            m.values().forEach(v -> out.add(RgwPools.fromJson(v, Part.class)));
        } catch (RadosException.ObjectNotFound e) {
            // the upload was completed or aborted meanwhile
        }
        return out;
    }

    /** Moves the upload's state from open to {@code to}; false if another request got there first. */
    private boolean claim(BucketInfo b, String uploadId, String to) {
        try {
            g.pools.data.operate(recordOid(b, uploadId), new ObjectWriteOperation().cmpXattr("state", OsdOp.CmpOp.EQ, OPEN)
                    .setXattr("state", to.getBytes(StandardCharsets.UTF_8)));
            return true;
        } catch (RadosException.Canceled | RadosException.ObjectNotFound e) {
            return false;
        }
    }

    void complete(S3Exchange ex) throws Exception {
        String key = ex.key();
        BucketInfo b = g.bucketForWrite(ex, key);
        String uploadId = ex.query("uploadId");
        Upload u = upload(b, key, uploadId);
        Element root = Xml.parse(ex.smallBody(4 << 20));
        List<Element> requested = Xml.children(root, "Part");
        if (requested.isEmpty()) {
            throw S3Exception.malformedXml("You must specify at least one part");
        }
        Map<Integer, Part> have = new java.util.HashMap<>();
        parts(b, uploadId).forEach(p -> have.put(p.number(), p));
        List<Part> chosen = new ArrayList<>();
        int last = 0;
        for (Element pe : requested) {
            int n;
            try {
                n = Integer.parseInt(String.valueOf(Xml.text(pe, "PartNumber")).trim());
            } catch (NumberFormatException e) {
                throw S3Exception.malformedXml("PartNumber is not a number");
            }
            if (n <= last) {
                throw new S3Exception("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.");
            }
            last = n;
            Part p = have.get(n);
            String etag = Xml.text(pe, "ETag");
            if (p == null || etag == null || !Http.unquote(etag).equals(p.etag())) {
                throw new S3Exception("InvalidPart", 400, "One or more of the specified parts could not be found. The part may not have"
                        + " been uploaded, or the specified entity tag may not match the part's entity tag.");
            }
            chosen.add(p);
        }
        for (int i = 0; i < chosen.size() - 1; i++) {
            if (chosen.get(i).size() < PART_BYTES_MIN) {
                throw new S3Exception("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.");
            }
        }
        long total = chosen.stream().mapToLong(Part::size).sum();
        objectOps.checkQuotaBefore(b, key, total);
        if (!claim(b, uploadId, "completing")) {
            throw S3Exception.noSuchUpload(uploadId);
        }
        MessageDigest md5 = DataIo.md5();
        long size = 0;
        List<ObjectEntry.Segment> manifest = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (Part p : chosen) {
            md5.update(HexFormat.of().parseHex(p.etag()));
            size += p.size();
            manifest.add(p.segment());
            sizes.add(p.size());
        }
        String etag = HexFormat.of().formatHex(md5.digest()) + "-" + chosen.size();
        ObjectEntry e = new ObjectEntry(key, size, etag, System.currentTimeMillis(), u.owner(), u.meta(), u.headers(), manifest,
                ObjectStore.versionFor(b), false, u.acl(), u.tags(), sizes);
        try {
            g.objects.commitReplacing(b, e, null, List.of(indexKey(key, uploadId)));
        } catch (Quotas.Exceeded refused) {
            reopen(b, uploadId);   // the upload stays open: the client may delete something and complete again
            throw refused;
        }
        List<ObjectEntry.Segment> unused = new ArrayList<>();
        have.values().stream().filter(p -> !chosen.contains(p)).forEach(p -> unused.add(p.segment()));
        g.gc.enqueue(unused);
        removeRecord(b, uploadId);
        if (b.versioned()) {
            ex.header("x-amz-version-id", e.versionId());
        }
        ex.sendXml(200, Xml.doc("CompleteMultipartUploadResult").elem("Location", "/" + b.name() + "/" + key)
                .elem("Bucket", b.name()).elem("Key", key).elem("ETag", Http.quote(etag)));
    }

    private void reopen(BucketInfo b, String uploadId) {
        g.pools.data.operate(recordOid(b, uploadId), new ObjectWriteOperation().cmpXattr("state", OsdOp.CmpOp.EQ,
                "completing".getBytes(StandardCharsets.UTF_8)).setXattr("state", OPEN));
    }

    private void removeRecord(BucketInfo b, String uploadId) {
        try {
            g.pools.data.remove(recordOid(b, uploadId));
        } catch (RadosException.ObjectNotFound e) {
            // already gone
        }
    }

    void abort(S3Exchange ex) {
        String key = ex.key();
        BucketInfo b = g.bucketForWrite(ex, key);
        String uploadId = ex.query("uploadId");
        upload(b, key, uploadId);
        if (!claim(b, uploadId, "aborting")) {
            throw S3Exception.noSuchUpload(uploadId);
        }
        List<ObjectEntry.Segment> segs = new ArrayList<>();
        parts(b, uploadId).forEach(p -> segs.add(p.segment()));
        g.gc.enqueue(segs);
        g.index.update(b, key, Map.of(), List.of(indexKey(key, uploadId)));
        removeRecord(b, uploadId);
        ex.send(204);
    }

    void listParts(S3Exchange ex) {
        String key = ex.key();
        BucketInfo b = g.bucket(ex, Gateway.Permission.READ);
        String uploadId = ex.query("uploadId");
        Upload u = upload(b, key, uploadId);
        int marker = Http.intParam(ex.query("part-number-marker"), "part-number-marker", 0, 0, PARTS_MAX);
        int max = Http.intParam(ex.query("max-parts"), "max-parts", 1000, 0, 1000);
        List<Part> all = parts(b, uploadId).stream().filter(p -> p.number() > marker).toList();
        boolean truncated = all.size() > max;
        List<Part> page = all.subList(0, Math.min(max, all.size()));
        String name = g.displayName(u.owner());
        Xml x = Xml.doc("ListPartsResult").elem("Bucket", b.name()).elem("Key", key).elem("UploadId", uploadId)
                .start("Initiator").elem("ID", u.owner()).elem("DisplayName", name).end()
                .start("Owner").elem("ID", u.owner()).elem("DisplayName", name).end()
                .elem("StorageClass", "STANDARD").elem("PartNumberMarker", marker)
                .elem("NextPartNumberMarker", page.isEmpty() ? marker : page.get(page.size() - 1).number())
                .elem("MaxParts", max).elem("IsTruncated", truncated);
        for (Part p : page) {
            x.start("Part").elem("PartNumber", p.number()).elem("LastModified", Http.iso(p.mtimeMillis()))
                    .elem("ETag", Http.quote(p.etag())).elem("Size", p.size()).end();
        }
        ex.sendXml(200, x);
    }

    void listUploads(S3Exchange ex) {
        BucketInfo b = g.bucket(ex, Gateway.Permission.READ);
        String prefix = ListOps.orEmpty(ex.query("prefix"));
        String delimiter = ListOps.orEmpty(ex.query("delimiter"));
        String keyMarker = ListOps.orEmpty(ex.query("key-marker"));
        String idMarker = ListOps.orEmpty(ex.query("upload-id-marker"));
        boolean url = "url".equals(ex.query("encoding-type"));
        int max = Http.intParam(ex.query("max-uploads"), "max-uploads", 1000, 0, 1000);
        String after = keyMarker.isEmpty() ? "" : idMarker.isEmpty() ? keyMarker + BucketIndex.SEP + BucketIndex.MAX_CHAR
                : keyMarker + BucketIndex.SEP + idMarker;
        Xml x = Xml.doc("ListMultipartUploadsResult").elem("Bucket", b.name()).elem("KeyMarker", Http.urlEncode(keyMarker, url))
                .elem("UploadIdMarker", idMarker);
        Xml body = Xml.fragment();
        List<String> prefixes = new ArrayList<>();
        int count = 0;
        boolean truncated = false;
        String nextKey = "";
        String nextId = "";
        try (BucketIndex.Scan scan = g.index.scan(b, BucketIndex.UPLOAD, prefix, after)) {
            while (scan.hasNext()) {
                Upload u = RgwPools.fromJson(scan.next().getValue(), Upload.class);
                int d = delimiter.isEmpty() ? -1 : u.key().indexOf(delimiter, prefix.length());
                String cp = d >= 0 ? u.key().substring(0, d + delimiter.length()) : null;
                if (cp != null && prefixes.contains(cp)) {
                    continue;
                }
                if (count == max) {
                    truncated = true;
                    break;
                }
                count++;
                if (cp != null) {
                    prefixes.add(cp);
                    continue;
                }
                String name = g.displayName(u.owner());
                body.start("Upload").elem("Key", Http.urlEncode(u.key(), url)).elem("UploadId", u.uploadId())
                        .start("Initiator").elem("ID", u.owner()).elem("DisplayName", name).end()
                        .start("Owner").elem("ID", u.owner()).elem("DisplayName", name).end()
                        .elem("StorageClass", "STANDARD").elem("Initiated", Http.iso(u.initiatedMillis())).end();
                nextKey = u.key();
                nextId = u.uploadId();
            }
        }
        x.elem("NextKeyMarker", Http.urlEncode(nextKey, url)).elem("NextUploadIdMarker", nextId);
        if (!delimiter.isEmpty()) {
            x.elem("Delimiter", Http.urlEncode(delimiter, url));
        }
        x.elem("Prefix", Http.urlEncode(prefix, url)).elem("MaxUploads", max).elem("IsTruncated", truncated);
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
