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
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!t.tryStartOp()) {
                assertThat(System.nanoTime()).as("a push starts within the pace").isLessThan(deadline);
                Thread.sleep(5);   // waiting out the pace (at most PACE_MAX)
            }
            t.endOp();
        }
        t.adapt();
    }

    @Test
    void startsSlowBacksOffWhileClientsSlowDownAndComesBackWhenTheyRecover() throws Exception {
        RecoveryThrottle t = new RecoveryThrottle(3, 1, Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            window(t, 10, 4096, false);   // quiet: the baseline is 10 ms
        }
        assertThat(t.limit()).as("slow start").isEqualTo(1);
        assertThat(t.pace()).isEqualTo(RecoveryThrottle.PACE_START);
        window(t, 10, 4096, true);   // the first busy window only marks the start
        for (int i = 0; i < 6; i++) {
            window(t, 11, 4096, true);   // 1.1x: clients do not notice, recovery speeds up
        }
        assertThat(t.pace()).as("the pace halves away first").isEqualTo(Duration.ZERO);
        assertThat(t.limit()).as("then the limit grows").isEqualTo(3);
        window(t, 30, 4096, true);
        assertThat(t.limit()).as("3x: halved").isEqualTo(1);
        assertThat(t.pace()).isEqualTo(Duration.ZERO);
        window(t, 30, 4096, true);
        assertThat(t.pace()).as("at one push, a pace starts").isEqualTo(RecoveryThrottle.PACE_MIN);
        for (int i = 0; i < 8; i++) {
            window(t, 30, 4096, true);
        }
        assertThat(t.pace()).as("capped").isEqualTo(RecoveryThrottle.PACE_MAX);
        assertThat(t.tryStartOp()).as("the pace holds the next push back").isFalse();
        for (int i = 0; i < 12; i++) {
            window(t, 10, 4096, true);
        }
        assertThat(t.pace()).isEqualTo(Duration.ZERO);
        assertThat(t.limit()).isEqualTo(3);
        assertThat(t.tryStartOp()).isTrue();
        assertThat(t.tryStartOp()).isTrue();
        assertThat(t.tryStartOp()).isTrue();
        assertThat(t.tryStartOp()).as("never more than osd_recovery_max_active").isFalse();
    }

    @Test
    void sizeClassesAreComparedWithTheirOwnBaselineAndFewSamplesCarryOver() throws Exception {
        RecoveryThrottle t = new RecoveryThrottle(4, 1, Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            window(t, 2, 4096, false);
            window(t, 200, 4 << 20, false);
        }
        for (int i = 0; i < 10; i++) {
            window(t, 200, 4 << 20, true);
        }
        assertThat(t.limit()).isEqualTo(4);
        window(t, 250, 4 << 20, true);   // 1.25x for large ops: between LOW and HIGH, unchanged
        assertThat(t.limit()).isEqualTo(4);
        t.clientOpDone(2 * MS, 4096);   // below MIN_SAMPLES: no signal yet
        assertThat(t.tryStartOp()).isTrue();
        t.endOp();
        assertThat(t.adapt()).isZero();
        for (int i = 0; i < RecoveryThrottle.MIN_SAMPLES; i++) {
            t.clientOpDone(8 * MS, 4096);   // the small class at ~3.4x its own baseline
        }
        assertThat(t.tryStartOp()).isTrue();
        t.endOp();
        assertThat(t.adapt()).isGreaterThan(RecoveryThrottle.HIGH);
        assertThat(t.limit()).isEqualTo(2);
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
