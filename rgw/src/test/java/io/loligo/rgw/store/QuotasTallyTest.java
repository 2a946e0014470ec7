package io.loligo.rgw.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A gateway's cached quota usage ({@link Quotas.Tally}) against a fake RADOS count. The race CI
 * found (RgwQuotaAdminTest, 19 of 20 writers admitted under a 20-object quota): two writers each
 * made the first read; the later read already held the earlier writer's commit, which the tally
 * also kept locally, so it counted that commit twice and refused a writer below the limit.
 */
class QuotasTallyTest {
    @Test
    void aWriterArrivingDuringTheFirstReadWaitsForItAndIsCountedOnce() throws Exception {
        AtomicLong stored = new AtomicLong();   // the objects "RADOS" holds
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch firstReadStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstRead = new CountDownLatch(1);
        Quotas.Tally t = new Quotas.Tally(() -> {
            if (reads.incrementAndGet() == 1) {
                firstReadStarted.countDown();
                awaitUninterruptibly(releaseFirstRead);
            }
            return new BucketIndex.Usage(stored.get(), 0);
        }, TimeUnit.MINUTES.toNanos(1));
        UserInfo.Quota twoObjects = new UserInfo.Quota(true, -1, 2);

        Thread first = Thread.ofPlatform().start(t::refreshIfStale);
        firstReadStarted.await();
        Thread second = Thread.ofPlatform().start(() -> {
            t.refreshIfStale();
            t.reserve(twoObjects, "bucket", 1, 0);
            stored.incrementAndGet();   // its write lands in RADOS
            t.settle(1, 0, true);
        });
        // the second writer either waits for the first read (fixed) or has read and committed on its own
        while (second.getState() != Thread.State.WAITING && second.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        releaseFirstRead.countDown();
        first.join();
        second.join();

        assertThat(reads.get()).as("one read of RADOS at a time").isEqualTo(1);
        assertThat(t.current()).as("one object stored, counted once").isEqualTo(new BucketIndex.Usage(1, 0));
        t.reserve(twoObjects, "bucket", 1, 0);   // the second object of two is admitted
    }

    private static void awaitUninterruptibly(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
