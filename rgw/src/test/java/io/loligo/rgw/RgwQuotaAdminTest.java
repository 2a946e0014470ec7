package io.loligo.rgw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.rgw.store.BucketIndex;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Quotas (user and bucket scope, max objects and max size, on PUT, copy and multipart complete),
 * the exact usage counters under concurrent writers, and racing overwrites leaving no orphans.
 */
class RgwQuotaAdminTest extends S3ClusterTest {
    @Override
    int indexShards() {
        return 2;
    }

    static String code(Throwable t) {
        return ((S3Exception) t).awsErrorDetails().errorCode();
    }

    static int status(Throwable t) {
        return ((S3Exception) t).statusCode();
    }

    private S3Client userWithQuota(String uid, UserInfo.Quota user, UserInfo.Quota bucket) {
        UserInfo u = c.user(uid, uid.toUpperCase());
        c.rgw.gateway().users.setQuotas(uid, user, bucket);
        c.rgw.gateway().quotas.invalidate();
        return c.client(u);
    }

    private BucketIndex.Usage usage(String bucket) {
        var g = c.rgw.gateway();
        return g.index.usage(g.buckets.get(bucket).orElseThrow());
    }

    private static void assertQuotaExceeded(Runnable r) {
        assertThatThrownBy(r::run).satisfies(t -> {
            assertThat(code(t)).isEqualTo("QuotaExceeded");
            assertThat(status(t)).isEqualTo(403);
        });
    }

    @Test
    void bucketQuotaOnObjectsAndSizeCountsOverwritesAndDeletes() {
        S3Client s = userWithQuota("quota-b", UserInfo.Quota.NONE, new UserInfo.Quota(true, 100_000, 3));
        s.createBucket(b -> b.bucket("qbk"));
        for (int i = 0; i < 3; i++) {
            int n = i;
            s.putObject(b -> b.bucket("qbk").key("k" + n), RequestBody.fromBytes(new byte[10_000]));
        }
        assertQuotaExceeded(() -> s.putObject(b -> b.bucket("qbk").key("k3"), RequestBody.fromBytes(new byte[1])));
        // an overwrite adds no object; it may grow the bytes up to the limit, not past it
        s.putObject(b -> b.bucket("qbk").key("k0"), RequestBody.fromBytes(new byte[70_000]));
        assertThat(usage("qbk")).isEqualTo(new BucketIndex.Usage(3, 90_000));
        assertQuotaExceeded(() -> s.putObject(b -> b.bucket("qbk").key("k1"), RequestBody.fromBytes(new byte[20_001])));
        assertQuotaExceeded(() -> s.copyObject(b -> b.sourceBucket("qbk").sourceKey("k0").destinationBucket("qbk").destinationKey("k9")));
        s.deleteObject(b -> b.bucket("qbk").key("k2"));
        assertThat(usage("qbk")).isEqualTo(new BucketIndex.Usage(2, 80_000));
        s.copyObject(b -> b.sourceBucket("qbk").sourceKey("k1").destinationBucket("qbk").destinationKey("k9"));
        assertThat(usage("qbk")).isEqualTo(new BucketIndex.Usage(3, 90_000));
        // the bucket quota applies to each bucket: another one starts empty
        s.createBucket(b -> b.bucket("qbk2"));
        s.putObject(b -> b.bucket("qbk2").key("k"), RequestBody.fromBytes(new byte[99_000]));
        // disabled: no limit
        c.rgw.gateway().users.setQuotas("quota-b", null, new UserInfo.Quota(false, 100_000, 3));
        c.rgw.gateway().quotas.invalidate();
        s.putObject(b -> b.bucket("qbk").key("k5"), RequestBody.fromBytes(new byte[50_000]));
        assertThat(usage("qbk")).isEqualTo(new BucketIndex.Usage(4, 140_000));
    }

    @Test
    void userQuotaSpansBucketsAndMultipartCompleteIsChecked() {
        S3Client s = userWithQuota("quota-u", new UserInfo.Quota(true, 8L << 20, 3), UserInfo.Quota.NONE);
        s.createBucket(b -> b.bucket("qu1"));
        s.createBucket(b -> b.bucket("qu2"));
        s.putObject(b -> b.bucket("qu1").key("a"), RequestBody.fromString("a"));
        s.putObject(b -> b.bucket("qu2").key("b"), RequestBody.fromString("b"));
        // 5 MiB + 4 MiB parts: 9 MiB > 8 MiB user limit; refused at complete, the upload stays usable
        String id = s.createMultipartUpload(b -> b.bucket("qu2").key("mp")).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        int[] sizes = {5 << 20, 4 << 20};
        for (int i = 0; i < sizes.length; i++) {
            int n = i + 1;
            String etag = s.uploadPart(b -> b.bucket("qu2").key("mp").uploadId(id).partNumber(n),
                    RequestBody.fromBytes(new byte[sizes[n - 1]])).eTag();
            parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
        }
        assertQuotaExceeded(() -> s.completeMultipartUpload(b -> b.bucket("qu2").key("mp").uploadId(id)
                .multipartUpload(m -> m.parts(parts))));
        assertThat(s.listParts(b -> b.bucket("qu2").key("mp").uploadId(id)).parts()).hasSize(2);
        // only the first part: 5 MiB fits; a third object is still within max objects
        s.completeMultipartUpload(b -> b.bucket("qu2").key("mp").uploadId(id).multipartUpload(m -> m.parts(parts.get(0))));
        assertThat(usage("qu2")).isEqualTo(new BucketIndex.Usage(2, 1 + (5 << 20)));
        assertQuotaExceeded(() -> s.putObject(b -> b.bucket("qu1").key("c"), RequestBody.fromString("c")));
        s.deleteObject(b -> b.bucket("qu2").key("b"));
        s.putObject(b -> b.bucket("qu1").key("c"), RequestBody.fromString("c"));
    }

    @Test
    void concurrentWritersNeverPassTheLimitAndCountsStayExact() throws Exception {
        S3Client s = userWithQuota("quota-c", UserInfo.Quota.NONE, new UserInfo.Quota(true, -1, 20));
        s.createBucket(b -> b.bucket("qcc"));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    try {
                        s.putObject(b -> b.bucket("qcc").key("obj-" + n), RequestBody.fromBytes(new byte[100 + n]));
                        ok.incrementAndGet();
                    } catch (S3Exception e) {
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("QuotaExceeded");
                        refused.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("40 concurrent PUTs (16 threads, 2 shards x %d lanes): %d guarded writes so far, %d lost races%n",
                BucketIndex.LANES, c.rgw.gateway().index.guardedWrites(), c.rgw.gateway().index.lostRaces());
        assertThat(ok.get()).isEqualTo(20);
        assertThat(refused.get()).isEqualTo(20);
        var listed = s.listObjectsV2(b -> b.bucket("qcc")).contents();
        assertThat(listed).hasSize(20);
        assertThat(usage("qcc")).isEqualTo(new BucketIndex.Usage(20, listed.stream().mapToLong(o -> o.size()).sum()));
    }

    @Test
    void racingOverwritesOfOneKeyLeakNothingAndCountOnce() throws Exception {
        s3.createBucket(b -> b.bucket("race"));
        String id = c.rgw.gateway().buckets.get("race").orElseThrow().id();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int n = i;
                // 40 KiB: past the inline limit, so every write has its own stripe in the data pool
                fs.add(pool.submit(() -> s3.putObject(b -> b.bucket("race").key("hot"), RequestBody.fromBytes(new byte[40_000 + n]))));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("32 racing overwrites of one key (8 threads): %d lost races in all so far%n", c.rgw.gateway().index.lostRaces());
        long size = s3.headObject(b -> b.bucket("race").key("hot")).contentLength();
        assertThat(usage("race")).isEqualTo(new BucketIndex.Usage(1, size));
        var data = c.cluster.ioContext(RgwPools.DATA);
        // every replaced write was queued for GC: only the live object's stripe remains once it ran
        RgwTestCluster.await("replaced stripes collected", java.time.Duration.ofSeconds(60),
                () -> data.listAll().stream().filter(n -> n.startsWith(id)).count() == 1);
        assertThat(s3.getObjectAsBytes(b -> b.bucket("race").key("hot")).asByteArray()).hasSize((int) size);
    }
}
