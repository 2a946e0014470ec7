package io.loligo.rgw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.rgw.store.RgwPools;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Buckets and single objects through the AWS SDK v2 (path-style, us-east-1, default checksums: the
 * SDK sends aws-chunked bodies with CRC32 trailers) against a real cluster of processes.
 */
class S3BucketObjectTest extends S3ClusterTest {
    @Override
    int indexShards() {
        return 3;
    }

    static String md5Hex(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static int status(Throwable t) {
        return ((S3Exception) t).statusCode();
    }

    static String code(Throwable t) {
        return ((S3Exception) t).awsErrorDetails().errorCode();
    }

    @Test
    void bucketLifecycleAndErrors() throws Exception {
        s3.createBucket(b -> b.bucket("life"));
        assertThat(s3.listBuckets().buckets()).extracting(x -> x.name()).contains("life");
        assertThat(s3.listBuckets().owner().displayName()).isEqualTo("Alice A.");
        assertThat(s3.listBuckets().owner().id()).isEqualTo("alice");
        s3.headBucket(b -> b.bucket("life"));
        assertThat(s3.getBucketLocation(b -> b.bucket("life")).locationConstraintAsString()).isEqualTo("default");
        assertThatThrownBy(() -> s3.createBucket(b -> b.bucket("life"))).isInstanceOf(BucketAlreadyOwnedByYouException.class);
        assertThatThrownBy(() -> s3bob.createBucket(b -> b.bucket("life"))).isInstanceOf(BucketAlreadyExistsException.class);
        var bad = RawHttp.send(c.endpoint(), "PUT", "/Bad_Name", Map.of());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("<Code>InvalidBucketName</Code>").contains("<RequestId>tx").contains("<BucketName>Bad_Name</BucketName>");
        assertThat(bad.headers().firstValue("x-amz-request-id")).isPresent();
        assertThatThrownBy(() -> s3.createBucket(b -> b.bucket("elsewhere").createBucketConfiguration(
                cfg -> cfg.locationConstraint(BucketLocationConstraint.EU_WEST_1))))
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidLocationConstraint"));
        s3.createBucket(b -> b.bucket("with-lc").createBucketConfiguration(cfg -> cfg.locationConstraint("default")));
        // another user may not see or delete alice's bucket
        assertThatThrownBy(() -> s3bob.listObjects(b -> b.bucket("life"))).satisfies(t -> assertThat(code(t)).isEqualTo("AccessDenied"));
        assertThatThrownBy(() -> s3bob.deleteBucket(b -> b.bucket("life"))).satisfies(t -> assertThat(status(t)).isEqualTo(403));
        s3.putObject(b -> b.bucket("life").key("k"), RequestBody.fromString("x"));
        assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket("life"))).satisfies(t -> assertThat(code(t)).isEqualTo("BucketNotEmpty"));
        s3.deleteObject(b -> b.bucket("life").key("k"));
        s3.deleteBucket(b -> b.bucket("life"));
        s3.deleteBucket(b -> b.bucket("with-lc"));
        assertThatThrownBy(() -> s3.headBucket(b -> b.bucket("life"))).isInstanceOf(NoSuchBucketException.class);
        assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket("life"))).isInstanceOf(NoSuchBucketException.class);
        assertThat(s3.listBuckets().buckets()).extracting(x -> x.name()).doesNotContain("life");
        // the name is free again, for anyone
        s3bob.createBucket(b -> b.bucket("life"));
        s3bob.deleteBucket(b -> b.bucket("life"));
    }

    @Test
    void putGetHeadWithMetadataRangesAndConditionals() throws Exception {
        s3.createBucket(b -> b.bucket("objs"));
        byte[] data = random(100_000, 1);
        var put = s3.putObject(b -> b.bucket("objs").key("dir/file one.bin").contentType("application/x-test")
                .metadata(Map.of("color", "blue", "Mixed-Case", "v")).cacheControl("max-age=60").contentDisposition("attachment")
                .contentEncoding("identity").contentLanguage("en"), RequestBody.fromBytes(data));
        assertThat(put.eTag()).isEqualTo("\"" + md5Hex(data) + "\"");
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin"));
        assertThat(got.asByteArray()).isEqualTo(data);
        GetObjectResponse r = got.response();
        assertThat(r.contentType()).isEqualTo("application/x-test");
        assertThat(r.metadata()).containsEntry("color", "blue").containsEntry("mixed-case", "v");
        assertThat(r.cacheControl()).isEqualTo("max-age=60");
        assertThat(r.contentDisposition()).isEqualTo("attachment");
        assertThat(r.contentLanguage()).isEqualTo("en");
        assertThat(r.eTag()).isEqualTo(put.eTag());
        HeadObjectResponse h = s3.headObject(b -> b.bucket("objs").key("dir/file one.bin"));
        assertThat(h.contentLength()).isEqualTo(100_000L);
        assertThat(h.lastModified()).isBefore(Instant.now().plusSeconds(5));
        // ranges
        byte[] mid = s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").range("bytes=10-19")).asByteArray();
        assertThat(mid).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 20));
        byte[] tail = s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").range("bytes=-5")).asByteArray();
        assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(data, data.length - 5, data.length));
        var ranged = s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").range("bytes=99990-"));
        assertThat(ranged.response().contentRange()).isEqualTo("bytes 99990-99999/100000");
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").range("bytes=100000-")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidRange"));
        // conditionals
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").ifMatch("\"nope\"")))
                .satisfies(t -> assertThat(status(t)).isEqualTo(412));
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").ifNoneMatch(put.eTag())))
                .satisfies(t -> assertThat(status(t)).isEqualTo(304));
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin")
                .ifModifiedSince(Instant.now().plusSeconds(60)))).satisfies(t -> assertThat(status(t)).isEqualTo(304));
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin")
                .ifUnmodifiedSince(Instant.now().minusSeconds(3600)))).satisfies(t -> assertThat(status(t)).isEqualTo(412));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").ifMatch(put.eTag())
                .ifModifiedSince(Instant.now().minusSeconds(3600))).asByteArray()).isEqualTo(data);
        // response-* overrides
        var over = s3.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin").responseContentType("text/plain")
                .responseContentDisposition("inline").responseCacheControl("no-cache"));
        assertThat(over.response().contentType()).isEqualTo("text/plain");
        assertThat(over.response().contentDisposition()).isEqualTo("inline");
        assertThat(over.response().cacheControl()).isEqualTo("no-cache");
        // errors
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("objs").key("missing"))).isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("no-such-bucket").key("k"))).isInstanceOf(NoSuchBucketException.class);
        assertThatThrownBy(() -> s3bob.getObjectAsBytes(b -> b.bucket("objs").key("dir/file one.bin")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("AccessDenied"));
        assertThatThrownBy(() -> s3.putObject(b -> b.bucket("objs").key("md5").contentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="),
                RequestBody.fromString("not empty"))).satisfies(t -> assertThat(code(t)).as(t.getMessage()).isEqualTo("BadDigest"));
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket("objs").key("md5"))).isInstanceOf(NoSuchKeyException.class);
        // empty objects and odd keys
        s3.putObject(b -> b.bucket("objs").key("empty"), RequestBody.empty());
        assertThat(s3.getObjectAsBytes(b -> b.bucket("objs").key("empty")).asByteArray()).isEmpty();
        String odd = "a/../b//c %2F+?&=ü€😀";
        s3.putObject(b -> b.bucket("objs").key(odd), RequestBody.fromString("odd"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("objs").key(odd)).asUtf8String()).isEqualTo("odd");
    }

    @Test
    void multiStripeObjectsStreamAndOverwrittenDataIsCollected() throws Exception {
        s3.createBucket(b -> b.bucket("big"));
        byte[] data = random(9 * 1024 * 1024 + 123, 2);
        s3.putObject(b -> b.bucket("big").key("nine"), RequestBody.fromBytes(data));
        String id = c.rgw.gateway().buckets.get("big").orElseThrow().id();
        var pool = c.cluster.ioContext(RgwPools.DATA);
        java.util.function.Supplier<java.util.List<String>> stripes = () -> pool.listAll().stream().filter(n -> n.startsWith(id)).toList();
        assertThat(stripes.get()).hasSize(3);   // 4 MiB + 4 MiB + the rest
        assertThat(md5Hex(s3.getObjectAsBytes(b -> b.bucket("big").key("nine")).asByteArray())).isEqualTo(md5Hex(data));
        // a range across the first stripe boundary
        int from = 4 * 1024 * 1024 - 10;
        byte[] across = s3.getObjectAsBytes(b -> b.bucket("big").key("nine").range("bytes=" + from + "-" + (from + 19))).asByteArray();
        assertThat(across).isEqualTo(java.util.Arrays.copyOfRange(data, from, from + 20));
        // overwrite with a bigger object: new data under new names; the old stripes are collected
        byte[] other = random(5 * 1024 * 1024, 5);
        s3.putObject(b -> b.bucket("big").key("nine"), RequestBody.fromBytes(other));
        assertThat(md5Hex(s3.getObjectAsBytes(b -> b.bucket("big").key("nine")).asByteArray())).isEqualTo(md5Hex(other));
        RgwTestCluster.await("old stripes collected", Duration.ofSeconds(30), () -> stripes.get().size() == 2);
        // overwrite with a small object: its data is inline in the index, no stripes at all
        byte[] small = random(1000, 3);
        s3.putObject(b -> b.bucket("big").key("nine"), RequestBody.fromBytes(small));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("big").key("nine")).asByteArray()).isEqualTo(small);
        assertThat(s3.getObjectAsBytes(b -> b.bucket("big").key("nine").range("bytes=10-19")).asByteArray())
                .isEqualTo(java.util.Arrays.copyOfRange(small, 10, 20));
        RgwTestCluster.await("old stripes collected", Duration.ofSeconds(30), () -> stripes.get().isEmpty());
        s3.putObject(b -> b.bucket("big").key("nine"), RequestBody.fromBytes(data));
        s3.deleteObject(b -> b.bucket("big").key("nine"));
        RgwTestCluster.await("deleted object's data collected", Duration.ofSeconds(30), () -> stripes.get().isEmpty());
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("big").key("nine"))).isInstanceOf(NoSuchKeyException.class);
        s3.deleteObject(b -> b.bucket("big").key("nine"));   // deleting a missing key is fine (204)
        s3.deleteBucket(b -> b.bucket("big"));
    }

    /**
     * A gateway process killed with -9 in the middle of overwriting an object leaves the old object
     * intact and visible, and no trace of the new one in the index: data goes first, the head last.
     */
    @Test
    void gatewayKilledMidPutLeavesOldObjectAndNoVisibleHalfWrite() throws Exception {
        s3.createBucket(b -> b.bucket("crash"));
        s3.putObject(b -> b.bucket("crash").key("k"), RequestBody.fromString("old"));
        int port = RgwTestCluster.freePort();
        Process gw = c.startGatewayProcess(port);
        try {
            S3Client viaProcess = c.client(alice, java.net.URI.create("http://127.0.0.1:" + port));
            RgwTestCluster.await("gateway process serving", Duration.ofSeconds(60), () -> {
                try {
                    viaProcess.headBucket(b -> b.bucket("crash"));
                    return true;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            String id = c.rgw.gateway().buckets.get("crash").orElseThrow().id();
            var pool = c.cluster.ioContext(RgwPools.DATA);
            long before = pool.listAll().stream().filter(n -> n.startsWith(id)).count();
            java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
            long length = 64L << 20;
            // a body that sends 12 MiB and then stalls, so the gateway is caught between data and head
            java.io.InputStream stalling = new java.io.InputStream() {
                long sent;

                @Override
                public int read() throws java.io.IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    if (sent >= (12 << 20)) {
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        return -1;
                    }
                    int n = (int) Math.min(len, (12 << 20) - sent);
                    java.util.Arrays.fill(b, off, off + n, (byte) 'n');
                    sent += n;
                    return n;
                }
            };
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    viaProcess.putObject(b -> b.bucket("crash").key("k"), RequestBody.fromInputStream(stalling, length));
                } catch (RuntimeException expected) {
                    // the gateway dies under it
                }
            });
            RgwTestCluster.await("stripes of the new data written", Duration.ofSeconds(60),
                    () -> pool.listAll().stream().filter(n -> n.startsWith(id)).count() >= before + 2);
            gw.destroyForcibly().waitFor();
            never.countDown();
            writer.join(Duration.ofSeconds(30));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("crash").key("k")).asUtf8String()).isEqualTo("old");
            assertThat(s3.listObjectsV2(b -> b.bucket("crash")).contents()).extracting(o -> o.size()).containsExactly(3L);
            assertThat(pool.listAll().stream().filter(n -> n.startsWith(id)).count()).isGreaterThan(before);   // orphans, unreferenced
        } finally {
            gw.destroyForcibly().waitFor();
        }
    }
}
