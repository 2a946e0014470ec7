package io.loligo.rgw;

import static io.loligo.rgw.S3BucketObjectTest.code;
import static io.loligo.rgw.S3BucketObjectTest.md5Hex;
import static io.loligo.rgw.S3BucketObjectTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Listing (v1, v2), DeleteObjects, CopyObject and multipart uploads through the AWS SDK v2 against a real cluster. */
class S3ListMultipartTest extends S3ClusterTest {
    @Override
    int indexShards() {
        return 5;
    }

    @Test
    void listingsMergeShardsInOrderWithPrefixesDelimitersAndPages() {
        s3.createBucket(b -> b.bucket("list"));
        TreeSet<String> keys = new TreeSet<>();
        for (String dir : List.of("a/", "b/", "b/c/", "")) {
            for (int i = 0; i < 7; i++) {
                keys.add(dir + "k" + i);
            }
        }
        keys.add("b/x y+z");
        keys.add("é/ü");
        for (String k : keys) {
            s3.putObject(b -> b.bucket("list").key(k), RequestBody.fromString(k));
        }
        // all keys, in order, over the shards, in pages of 4
        List<String> seen = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket("list").maxKeys(4)).contents().forEach(o -> seen.add(o.key()));
        assertThat(seen).containsExactlyElementsOf(keys);
        assertThat(listV1("", 3)).containsExactlyElementsOf(keys);
        // delimiter: top level
        var top = s3.listObjectsV2(b -> b.bucket("list").delimiter("/"));
        assertThat(top.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("a/", "b/", "é/");
        assertThat(top.contents()).extracting(S3Object::key).containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6");
        assertThat(top.keyCount()).isEqualTo(10);
        // prefix + delimiter, paged so a common prefix ends a page
        List<String> items = new ArrayList<>();
        var pages = s3.listObjectsV2Paginator(b -> b.bucket("list").prefix("b/").delimiter("/").maxKeys(2));
        pages.forEach(p -> {
            p.commonPrefixes().forEach(cp -> items.add("P:" + cp.prefix()));
            p.contents().forEach(o -> items.add(o.key()));
        });
        assertThat(items).containsExactlyInAnyOrder("P:b/c/", "b/k0", "b/k1", "b/k2", "b/k3", "b/k4", "b/k5", "b/k6", "b/x y+z");
        // v1 with delimiter pages via NextMarker
        assertThat(listV1("/", 2)).hasSize(10).contains("P:a/", "P:b/", "P:é/");
        // start-after, fetch-owner, encoding-type=url
        var after = s3.listObjectsV2(b -> b.bucket("list").startAfter("b/k6").fetchOwner(true).maxKeys(2));
        assertThat(after.contents()).extracting(S3Object::key).containsExactly("b/x y+z", "k0");
        assertThat(after.contents().get(0).owner().displayName()).isEqualTo("Alice A.");
        assertThat(after.isTruncated()).isTrue();
        var noOwner = s3.listObjectsV2(b -> b.bucket("list").maxKeys(1));
        assertThat(noOwner.contents().get(0).owner()).isNull();
        var enc = s3.listObjectsV2(b -> b.bucket("list").prefix("b/x").encodingType(EncodingType.URL));
        assertThat(enc.contents()).extracting(S3Object::key).containsExactly("b/x y+z");   // the SDK decodes
        var one = s3.listObjectsV2(b -> b.bucket("list").prefix("a/k3"));
        assertThat(one.contents().get(0).size()).isEqualTo(4L);
        assertThat(one.contents().get(0).eTag()).isEqualTo("\"" + HexFormat.of().formatHex(md5("a/k3".getBytes())) + "\"");
        assertThat(s3.listObjectsV2(b -> b.bucket("list").maxKeys(0)).contents()).isEmpty();
        assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket("list").continuationToken("%%%")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidArgument"));
        // DeleteObjects: all keys, one of them missing (still "Deleted", as S3 answers)
        List<ObjectIdentifier> ids = new ArrayList<>();
        keys.forEach(k -> ids.add(ObjectIdentifier.builder().key(k).build()));
        ids.add(ObjectIdentifier.builder().key("never-existed").build());
        var del = s3.deleteObjects(b -> b.bucket("list").delete(d -> d.objects(ids)));
        assertThat(del.deleted()).hasSize(keys.size() + 1);
        assertThat(del.errors()).isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket("list")).contents()).isEmpty();
        s3.deleteBucket(b -> b.bucket("list"));
    }

    /** ListObjects v1 page by page, following NextMarker (or the last key) as clients do. */
    private List<String> listV1(String delimiter, int max) {
        List<String> out = new ArrayList<>();
        String marker = "";
        while (true) {
            String m = marker;
            var p = s3.listObjects(b -> b.bucket("list").delimiter(delimiter.isEmpty() ? null : delimiter).maxKeys(max).marker(m));
            p.commonPrefixes().forEach(cp -> out.add("P:" + cp.prefix()));
            p.contents().forEach(o -> out.add(o.key()));
            if (!p.isTruncated()) {
                return out;
            }
            marker = p.nextMarker() != null ? p.nextMarker() : p.contents().get(p.contents().size() - 1).key();
        }
    }

    static byte[] md5(byte[] b) {
        try {
            return MessageDigest.getInstance("MD5").digest(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void copyObjectSameAndCrossBucketWithDirectivesAndConditions() throws Exception {
        s3.createBucket(b -> b.bucket("src"));
        s3.createBucket(b -> b.bucket("dst"));
        byte[] data = random(5 * 1024 * 1024 + 7, 4);
        var put = s3.putObject(b -> b.bucket("src").key("orig").contentType("text/x-orig").metadata(Map.of("m", "1")),
                RequestBody.fromBytes(data));
        var copy = s3.copyObject(b -> b.sourceBucket("src").sourceKey("orig").destinationBucket("dst").destinationKey("copy"));
        assertThat(copy.copyObjectResult().eTag()).isEqualTo(put.eTag());
        var got = s3.getObjectAsBytes(b -> b.bucket("dst").key("copy"));
        assertThat(got.asByteArray()).isEqualTo(data);
        assertThat(got.response().contentType()).isEqualTo("text/x-orig");
        assertThat(got.response().metadata()).containsEntry("m", "1");
        s3.copyObject(b -> b.sourceBucket("src").sourceKey("orig").destinationBucket("src").destinationKey("orig")
                .metadataDirective(MetadataDirective.REPLACE).contentType("text/x-new").metadata(Map.of("n", "2")));
        var replaced = s3.headObject(b -> b.bucket("src").key("orig"));
        assertThat(replaced.contentType()).isEqualTo("text/x-new");
        assertThat(replaced.metadata()).containsEntry("n", "2").doesNotContainKey("m");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("src").key("orig")).asByteArray()).isEqualTo(data);
        assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket("src").sourceKey("orig").destinationBucket("src").destinationKey("orig")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidRequest"));
        assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket("src").sourceKey("orig").destinationBucket("dst").destinationKey("c2")
                .copySourceIfMatch("\"other\""))).satisfies(t -> assertThat(S3BucketObjectTest.status(t)).isEqualTo(412));
        assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket("src").sourceKey("orig").destinationBucket("dst").destinationKey("c2")
                .copySourceIfUnmodifiedSince(Instant.now().minusSeconds(3600))))
                .satisfies(t -> assertThat(S3BucketObjectTest.status(t)).isEqualTo(412));
        assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket("src").sourceKey("missing").destinationBucket("dst").destinationKey("c3")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("NoSuchKey"));
        assertThat(s3.listObjectsV2(b -> b.bucket("dst")).contents()).extracting(S3Object::key).containsExactly("copy");
    }

    @Test
    void multipartUploadCompleteAbortListAndErrors() throws Exception {
        s3.createBucket(b -> b.bucket("mpu"));
        String id = s3.createMultipartUpload(b -> b.bucket("mpu").key("big").contentType("video/x-test").metadata(Map.of("a", "b")))
                .uploadId();
        int five = 5 * 1024 * 1024;
        byte[] p1 = random(five, 10);
        byte[] p2 = random(five + 1000, 11);
        byte[] p3 = random(1234, 12);
        String e1 = s3.uploadPart(b -> b.bucket("mpu").key("big").uploadId(id).partNumber(1), RequestBody.fromBytes(p1)).eTag();
        String e2 = s3.uploadPart(b -> b.bucket("mpu").key("big").uploadId(id).partNumber(2), RequestBody.fromBytes(random(100, 99))).eTag();
        String e2b = s3.uploadPart(b -> b.bucket("mpu").key("big").uploadId(id).partNumber(2), RequestBody.fromBytes(p2)).eTag();
        assertThat(e2b).isNotEqualTo(e2);   // a re-uploaded part replaces the first
        String e3 = s3.uploadPart(b -> b.bucket("mpu").key("big").uploadId(id).partNumber(3), RequestBody.fromBytes(p3)).eTag();
        var parts = s3.listParts(b -> b.bucket("mpu").key("big").uploadId(id));
        assertThat(parts.parts()).extracting(p -> p.partNumber()).containsExactly(1, 2, 3);
        assertThat(parts.parts().get(1).size()).isEqualTo((long) p2.length);
        var paged = s3.listParts(b -> b.bucket("mpu").key("big").uploadId(id).maxParts(2));
        assertThat(paged.isTruncated()).isTrue();
        assertThat(paged.nextPartNumberMarker()).isEqualTo(2);
        assertThat(s3.listMultipartUploads(b -> b.bucket("mpu")).uploads()).extracting(u -> u.uploadId()).containsExactly(id);
        // errors: order, unknown part/etag, a small part that is not the last
        assertThatThrownBy(() -> complete(id, List.of(part(2, e2b), part(1, e1)))).satisfies(t -> assertThat(code(t)).isEqualTo("InvalidPartOrder"));
        assertThatThrownBy(() -> complete(id, List.of(part(1, e1), part(2, e2)))).satisfies(t -> assertThat(code(t)).isEqualTo("InvalidPart"));
        assertThatThrownBy(() -> complete(id, List.of(part(1, e1), part(3, e3), part(4, e3)))).satisfies(t -> assertThat(code(t)).isEqualTo("InvalidPart"));
        assertThatThrownBy(() -> complete(id, List.of(part(3, e3), part(4, e1)))).satisfies(t -> assertThat(code(t)).isIn("InvalidPart", "EntityTooSmall"));
        String small = s3.createMultipartUpload(b -> b.bucket("mpu").key("small")).uploadId();
        String s1 = s3.uploadPart(b -> b.bucket("mpu").key("small").uploadId(small).partNumber(1), RequestBody.fromString("tiny")).eTag();
        String s2 = s3.uploadPart(b -> b.bucket("mpu").key("small").uploadId(small).partNumber(2), RequestBody.fromString("tiny")).eTag();
        assertThatThrownBy(() -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("small").uploadId(small)
                .multipartUpload(m -> m.parts(part(1, s1), part(2, s2))))).satisfies(t -> assertThat(code(t)).isEqualTo("EntityTooSmall"));
        // complete: etag is md5 of the parts' md5s, -3
        var done = complete(id, List.of(part(1, e1), part(2, e2b), part(3, e3)));
        ByteArrayOutputStream md5s = new ByteArrayOutputStream();
        for (String e : List.of(e1, e2b, e3)) {
            md5s.write(HexFormat.of().parseHex(e.replace("\"", "")));
        }
        assertThat(done.eTag()).isEqualTo("\"" + HexFormat.of().formatHex(md5(md5s.toByteArray())) + "-3\"");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(p1);
        all.write(p2);
        all.write(p3);
        var got = s3.getObjectAsBytes(b -> b.bucket("mpu").key("big"));
        assertThat(md5Hex(got.asByteArray())).isEqualTo(md5Hex(all.toByteArray()));
        assertThat(got.response().contentType()).isEqualTo("video/x-test");
        assertThat(got.response().metadata()).containsEntry("a", "b");
        var part2 = s3.getObjectAsBytes(b -> b.bucket("mpu").key("big").partNumber(2));
        assertThat(part2.asByteArray()).isEqualTo(p2);
        int from = five - 3;
        assertThat(s3.getObjectAsBytes(b -> b.bucket("mpu").key("big").range("bytes=" + from + "-" + (from + 5))).asByteArray())
                .isEqualTo(java.util.Arrays.copyOfRange(all.toByteArray(), from, from + 6));
        assertThatThrownBy(() -> complete(id, List.of(part(1, e1)))).isInstanceOf(NoSuchUploadException.class);
        // UploadPartCopy with a range, then abort
        String cp = s3.createMultipartUpload(b -> b.bucket("mpu").key("copied")).uploadId();
        var pc = s3.uploadPartCopy(b -> b.sourceBucket("mpu").sourceKey("big").destinationBucket("mpu").destinationKey("copied")
                .uploadId(cp).partNumber(1).copySourceRange("bytes=" + five + "-" + (five + p2.length - 1)));
        assertThat(pc.copyPartResult().eTag()).isEqualTo(e2b);
        assertThatThrownBy(() -> s3.uploadPartCopy(b -> b.sourceBucket("mpu").sourceKey("big").destinationBucket("mpu").destinationKey("copied")
                .uploadId(cp).partNumber(2).copySourceRange("bytes=0-999999999"))).satisfies(t -> assertThat(code(t)).isEqualTo("InvalidRange"));
        var cdone = s3.completeMultipartUpload(b -> b.bucket("mpu").key("copied").uploadId(cp)
                .multipartUpload(m -> m.parts(part(1, pc.copyPartResult().eTag()))));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("mpu").key("copied")).asByteArray()).isEqualTo(p2);
        assertThat(cdone.eTag()).endsWith("-1\"");
        s3.abortMultipartUpload(b -> b.bucket("mpu").key("small").uploadId(small));
        assertThatThrownBy(() -> s3.abortMultipartUpload(b -> b.bucket("mpu").key("small").uploadId(small)))
                .isInstanceOf(NoSuchUploadException.class);
        assertThatThrownBy(() -> s3.uploadPart(b -> b.bucket("mpu").key("small").uploadId(small).partNumber(1), RequestBody.fromString("x")))
                .isInstanceOf(NoSuchUploadException.class);
        assertThatThrownBy(() -> s3.uploadPart(b -> b.bucket("mpu").key("big").uploadId("nope").partNumber(1), RequestBody.fromString("x")))
                .isInstanceOf(NoSuchUploadException.class);
        assertThat(s3.listMultipartUploads(b -> b.bucket("mpu")).uploads()).isEmpty();
        // everything not referenced by an object is collected: only the objects' stripes remain
        String bucketId = c.rgw.gateway().buckets.get("mpu").orElseThrow().id();
        var pool = c.cluster.ioContext(io.loligo.rgw.store.RgwPools.DATA);
        RgwTestCluster.await("unused parts collected", Duration.ofSeconds(30), () -> pool.listAll().stream()
                .filter(n -> n.startsWith(bucketId)).count() == 2 + 2 + 1 + 2);   // p1: 2 stripes (5 MiB), p2: 2, p3: 1, copied: 2
    }

    /** ListMultipartUploads and ListObjectVersions page with their markers and roll up with a delimiter. */
    @Test
    void uploadAndVersionListingsPage() {
        s3.createBucket(b -> b.bucket("pages"));
        List<String> ids = new ArrayList<>();
        for (String k : List.of("a/1", "a/2", "b", "c", "c")) {
            ids.add(s3.createMultipartUpload(b -> b.bucket("pages").key(k)).uploadId());
        }
        List<String> seen = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        while (true) {
            String km = keyMarker;
            String im = idMarker;
            var page = s3.listMultipartUploads(b -> b.bucket("pages").maxUploads(2).keyMarker(km).uploadIdMarker(im));
            page.uploads().forEach(u -> seen.add(u.key() + "@" + u.uploadId()));
            if (!page.isTruncated()) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            idMarker = page.nextUploadIdMarker();
        }
        assertThat(seen).hasSize(5).extracting(x -> x.substring(0, x.indexOf('@'))).containsExactly("a/1", "a/2", "b", "c", "c");
        var rolled = s3.listMultipartUploads(b -> b.bucket("pages").delimiter("/"));
        assertThat(rolled.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("a/");
        assertThat(rolled.uploads()).extracting(u -> u.key()).containsExactly("b", "c", "c");
        ids.forEach(id -> {
            String key = s3.listMultipartUploads(b -> b.bucket("pages")).uploads().stream()
                    .filter(u -> u.uploadId().equals(id)).findFirst().orElseThrow().key();
            s3.abortMultipartUpload(b -> b.bucket("pages").key(key).uploadId(id));
        });
        s3.putBucketVersioning(b -> b.bucket("pages").versioningConfiguration(v -> v.status("Enabled")));
        for (int i = 0; i < 3; i++) {
            for (String k : List.of("x", "y/z")) {
                s3.putObject(b -> b.bucket("pages").key(k), RequestBody.fromString(k));
            }
        }
        List<String> versions = new ArrayList<>();
        String km = null;
        String vm = null;
        while (true) {
            String k0 = km;
            String v0 = vm;
            var page = s3.listObjectVersions(b -> b.bucket("pages").maxKeys(4).keyMarker(k0).versionIdMarker(v0));
            page.versions().forEach(v -> versions.add(v.key() + (v.isLatest() ? "*" : "")));
            if (!page.isTruncated()) {
                break;
            }
            km = page.nextKeyMarker();
            vm = page.nextVersionIdMarker();
        }
        assertThat(versions).containsExactly("x*", "x", "x", "y/z*", "y/z", "y/z");
        var top = s3.listObjectVersions(b -> b.bucket("pages").delimiter("/"));
        assertThat(top.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("y/");
        assertThat(top.versions()).extracting(v -> v.key()).containsExactly("x", "x", "x");
    }

    private software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse complete(String id, List<CompletedPart> parts) {
        return s3.completeMultipartUpload(b -> b.bucket("mpu").key("big").uploadId(id).multipartUpload(m -> m.parts(parts)));
    }

    private static CompletedPart part(int n, String etag) {
        return CompletedPart.builder().partNumber(n).eTag(etag).build();
    }
}
