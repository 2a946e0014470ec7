package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The adaptive part of the recovery throttle, driven window by window with made-up client latencies. */
class RecoveryThrottleTest {
    private static final long MS = 1_000_000L;

    /** One window: ten client ops of {@code latencyMs} (negative: none), and (when {@code recovering}) a push whenever the pace allows one. */
    private static void window(RecoveryThrottle t, long latencyMs, long bytes, boolean recovering) throws InterruptedException {
        for (int i = 0; latencyMs >= 0 && i < 10; i++) {
            t.clientOpDone(latencyMs * MS, bytes);
        }
        if (recovering) {
            push(t);
        }
        t.adapt();
    }

    /** One push, once the pace allows it. */
    private static void push(RecoveryThrottle t) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!t.tryStartOp()) {
            assertThat(System.nanoTime()).as("a push starts within the pace").isLessThan(deadline);
            Thread.sleep(5);   // waiting out the pace (at most PACE_MAX)
        }
        t.endOp();
    }

    @Test
    void startsSlowBacksOffWhileClientsSlowDownAndComesBackWhenTheyRecover() throws Exception {
        RecoveryThrottle t = new RecoveryThrottle(3, 1, Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            window(t, 10, 4096, false);   // quiet: the baseline is 10 ms
        }
        assertThat(t.limit()).as("slow start").isEqualTo(1);
        assertThat(t.pace()).isEqualTo(Duration.ofMillis(250));
        window(t, 10, 4096, true);   // the first busy window only marks the start
        window(t, 11, 4096, true);   // 1.1x: clients do not notice, recovery speeds up by one push a second
        assertThat(t.pace()).as("5 pushes/s").isEqualTo(Duration.ofMillis(200));
        window(t, 13, 4096, true);   // 1.3x: between LOW and HIGH, holds
        assertThat(t.pace()).isEqualTo(Duration.ofMillis(200));
        window(t, 30, 4096, true);   // 3x: the rate halves
        assertThat(t.pace()).isEqualTo(Duration.ofMillis(400));
        window(t, 30, 4096, true);
        assertThat(t.pace()).as("never slower than PACE_MAX").isEqualTo(RecoveryThrottle.PACE_MAX);
        assertThat(t.tryStartOp()).as("the pace holds the next push back").isFalse();
        for (int i = 0; i < 120; i++) {
            window(t, 10, 4096, true);   // clients fine for two minutes: additive steps to pace zero
        }
        assertThat(t.pace()).isEqualTo(Duration.ZERO);
        assertThat(t.limit()).as("then, slowly, more pushes in flight").isEqualTo(3);
        assertThat(t.tryStartOp()).isTrue();
        assertThat(t.tryStartOp()).isTrue();
        assertThat(t.tryStartOp()).isTrue();
        assertThat(t.tryStartOp()).as("never more than osd_recovery_max_active").isFalse();
        t.endOp();
        t.endOp();
        t.endOp();
        window(t, 30, 4096, true);
        assertThat(t.limit()).as("3x: back to one push in flight").isEqualTo(1);
        assertThat(t.pace()).as("the rate is cut next").isEqualTo(Duration.ZERO);
        window(t, 30, 4096, true);
        assertThat(t.pace()).isEqualTo(RecoveryThrottle.PACE_MIN.multipliedBy(2));
    }

    @Test
    void oneSlowSmallOpAmongManyDoesNotReadAsASlowdown() throws Exception {
        RecoveryThrottle t = new RecoveryThrottle(3, 1, Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            window(t, 5, 4096, false);
            window(t, 100, 4 << 20, false);
        }
        window(t, 5, 4096, true);
        Duration before = t.pace();
        for (int i = 0; i < 9; i++) {
            t.clientOpDone(5 * MS, 4096);
        }
        t.clientOpDone(50 * MS, 4096);   // one 4 KiB op queued behind something: mean 1.9x for its class
        for (int i = 0; i < 4; i++) {
            t.clientOpDone(100 * MS, 4 << 20);
        }
        push(t);
        assertThat(t.adapt()).as("time spent vs expected: 495 / 450 ms").isLessThan(RecoveryThrottle.LOW);
        assertThat(t.pace()).isLessThan(before);
    }

    @Test
    void sizeClassesAreComparedWithTheirOwnBaselineAndFewSamplesCarryOver() throws Exception {
        RecoveryThrottle t = new RecoveryThrottle(4, 1, Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            window(t, 2, 4096, false);
            window(t, 200, 4 << 20, false);
        }
        window(t, 200, 4 << 20, true);
        Duration start = t.pace();
        window(t, 250, 4 << 20, true);   // 1.25x for large ops: between LOW and HIGH, unchanged
        assertThat(t.pace()).isEqualTo(start);
        t.clientOpDone(2 * MS, 4096);   // below MIN_SAMPLES: no signal yet, the throttle holds
        push(t);
        assertThat(t.adapt()).isZero();
        assertThat(t.pace()).isEqualTo(start);
        for (int i = 0; i < RecoveryThrottle.MIN_SAMPLES; i++) {
            t.clientOpDone(8 * MS, 4096);   // the small class at ~3.4x its own baseline
        }
        push(t);
        assertThat(t.adapt()).isGreaterThan(RecoveryThrottle.HIGH);
        assertThat(t.pace()).as("the rate halves").isEqualTo(start.multipliedBy(2));
    }

    @Test
    void withoutClientOpsRecoveryRunsAtTheLimits() throws Exception {
        RecoveryThrottle t = new RecoveryThrottle(2, 1, Duration.ofMillis(50));
        for (int i = 0; i < 10; i++) {
            window(t, -1, 0, true);
        }
        assertThat(t.limit()).isEqualTo(2);
        assertThat(t.pace()).isEqualTo(Duration.ZERO);
        assertThat(t.sleep).as("osd_recovery_sleep stays as configured").isEqualTo(Duration.ofMillis(50));
    }
}
