package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark working (it is not a timing test): a short run of each pattern completes,
 * accounts at least every client byte as written (durable writes cannot cost less than the data),
 * and leaves a store that fsck finds clean.
 */
class StoreBenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void shortRunsOfEachPatternLeaveACleanStore() throws Exception {
        try (BlockObjectStore store = TestStores.create(dir, StoreOptions.small(128L << 20))) {
            StoreBench.prefill(store, "rw", 4, 1 << 20);
            StoreBench.Result small = StoreBench.randomWrites4k(store, 4, 1 << 20, 4, Duration.ofMillis(100), Duration.ofMillis(300));
            StoreBench.Result large = StoreBench.writes4m(store, 4, 2, Duration.ofMillis(100), Duration.ofMillis(300));
            for (StoreBench.Result r : new StoreBench.Result[] {small, large}) {
                assertThat(r.ops()).as(r.name()).isPositive();
                assertThat(r.processWriteBytes()).as(r.name() + ": bytes written").isGreaterThanOrEqualTo(r.clientBytes());
            }
            assertThat(Fsck.run(store).errors()).isEmpty();
        }
    }
}
