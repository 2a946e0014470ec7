package io.loligo.common;

import java.time.Clock;
import java.time.Duration;

/**
 * The daemons' wall clock: the system clock plus a fixed offset, so a test can give one daemon a
 * skewed clock (issue 9's clock-skew fault) the way a host with a wrong clock would. Every place
 * where a daemon's wall time matters reads it here: the monitor leader's command stamps, report
 * timeouts and down-out timing; an OSD's scrub scheduling and object mtimes; the gateway's SigV4
 * request-time check and object mtimes. Intervals are measured with {@link System#nanoTime}, which
 * a skewed wall clock does not move.
 *
 * <p>The offset is the environment variable {@value #OFFSET_ENV}: a signed whole number of
 * milliseconds, default 0 (no skew), read once per process; a daemon calls {@link #check()} at start,
 * which refuses a malformed value with a clear error and logs a non-zero one.
 */
public final class WallClock {
    private WallClock() {}

    /** Environment variable holding the offset in milliseconds (default 0; may be negative). */
    public static final String OFFSET_ENV = "LOLIGO_CLOCK_OFFSET_MS";

    /** Largest offset accepted: a day either way, far past any skew worth testing. */
    static final long OFFSET_MAX_MILLIS = Duration.ofDays(1).toMillis();

    private static final String RAW = System.getenv(OFFSET_ENV);
    private static final String PROBLEM = problem(RAW);
    private static final long OFFSET_MILLIS = PROBLEM == null && RAW != null && !RAW.isBlank() ? Long.parseLong(RAW.strip()) : 0;
    private static final Clock CLOCK = OFFSET_MILLIS == 0 ? Clock.systemUTC()
            : Clock.offset(Clock.systemUTC(), Duration.ofMillis(OFFSET_MILLIS));

    /** Milliseconds since the epoch by this process's (possibly skewed) wall clock. */
    public static long millis() {
        return System.currentTimeMillis() + OFFSET_MILLIS;
    }

    /** The same clock as a {@link Clock}, for code that takes one (UTC). */
    public static Clock clock() {
        return CLOCK;
    }

    /** The offset in force (0 unless {@value #OFFSET_ENV} says otherwise). */
    public static long offsetMillis() {
        return OFFSET_MILLIS;
    }

    /**
     * Called by each daemon at start: throws {@link IllegalArgumentException} naming the variable
     * and value when {@value #OFFSET_ENV} is malformed; returns a line to log when the offset is not
     * zero, else null.
     */
    public static String check() {
        if (PROBLEM != null) {
            throw new IllegalArgumentException(PROBLEM);
        }
        return OFFSET_MILLIS == 0 ? null : "wall clock offset " + OFFSET_MILLIS + " ms (" + OFFSET_ENV + "): a skewed clock for testing";
    }

    /** Why {@code raw} is not a valid offset, or null when it is (or is unset). */
    static String problem(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        long v;
        try {
            v = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            return OFFSET_ENV + "=" + raw + " (expected: a whole number of milliseconds, e.g. 90000 or -90000)";
        }
        if (Math.abs(v) > OFFSET_MAX_MILLIS) {
            return OFFSET_ENV + "=" + raw + " exceeds " + OFFSET_MAX_MILLIS + " ms either way";
        }
        return null;
    }
}
