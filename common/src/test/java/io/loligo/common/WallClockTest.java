package io.loligo.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WallClockTest {
    @Test
    void acceptsSignedMillisecondsAndNothing() {
        assertThat(WallClock.problem(null)).isNull();
        assertThat(WallClock.problem("")).isNull();
        assertThat(WallClock.problem("90000")).isNull();
        assertThat(WallClock.problem(" -90000 ")).isNull();
    }

    @Test
    void refusesMalformedOrHugeOffsetsNamingTheVariable() {
        assertThat(WallClock.problem("90s")).contains("LOLIGO_CLOCK_OFFSET_MS=90s").contains("whole number of milliseconds");
        assertThat(WallClock.problem(String.valueOf(WallClock.OFFSET_MAX_MILLIS + 1))).contains("exceeds");
    }

    @Test
    void withoutTheVariableTheClockIsTheSystemClock() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(WallClock.OFFSET_ENV) == null,
                "this JVM runs with " + WallClock.OFFSET_ENV + " set");
        assertThat(WallClock.offsetMillis()).isZero();
        assertThat(WallClock.check()).isNull();
        long before = System.currentTimeMillis();
        long now = WallClock.millis();
        assertThat(now).isBetween(before, System.currentTimeMillis());
        assertThat(WallClock.clock().millis()).isGreaterThanOrEqualTo(before);
    }
}
