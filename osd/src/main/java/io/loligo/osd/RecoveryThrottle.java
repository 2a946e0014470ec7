package io.loligo.osd;

import io.loligo.maps.monc.ClusterConf;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-OSD limits on recovery and backfill (Ceph's option names), so client IO keeps flowing:
 * {@code osd_recovery_max_active} recovery pushes in flight at most (default 3, Ceph's HDD value),
 * {@code osd_max_backfills} PGs backfilling from this OSD at once (default 1), and {@code
 * osd_recovery_sleep} seconds between a PG's recovery pushes at least (default 0). Recovery steps
 * also run at background priority on the shards (only when no client op waits, or one turn in
 * {@link OsdShards#BACKGROUND_EVERY} under load).
 *
 * <p>Within those limits the throttle <b>adapts</b> to what the clients see (Ceph's mclock idea
 * without its knobs). The OSD reports every client op it serves as primary (dispatch to reply, in
 * two size classes: 4 KiB and 4 MiB ops differ 10-100x) and once per {@link #WINDOW} {@link #adapt}
 * compares the clients' time in the window with what the same ops took in quiet windows: the sum of
 * their latencies over the sum of their classes' quiet baselines (so one slow 4 KiB op among ten does
 * not read as a 2x slowdown, and 4 MiB ops weigh by what they cost). The baseline is learned while no
 * recovery runs; while it runs it only creeps up {@link #CREEP} per window so a lasting change of
 * workload is accepted eventually. (It used to fall to any lower window mean as well: with 1 s
 * windows of ~13 ops that ratchets it to the low envelope of the noise, and at 10 GiB the throttle
 * sat at its slowest pace while the clients' p99 was below its baseline, recovery ~6 minutes.) Two levers: the pushes allowed in flight ({@link #limit},
 * 1..max_active) and a rate, pushes started per second on this OSD, applied as a pace between push
 * starts ({@link #pace}: {@link #PACE_MIN}..{@link #PACE_MAX}, zero above 1/PACE_MIN). The rate moves
 * AIMD, as TCP's congestion window does: above {@link #HIGH} times the baseline the limit drops to one,
 * then the rate halves; below {@link #LOW} the rate grows by {@link #RATE_STEP} per window (the limit
 * grows by one after {@link #LIMIT_AFTER} such windows at pace zero); in between it holds. The earlier
 * controller halved and doubled the pace and swung between 15 and 320 ms within seconds (client p99
 * 2.4x at 8 GiB, docs/benchmarks.md). Recovery that starts after a quiet window starts at {@link
 * #RATE_START}; with no client ops at all the rate doubles each window, so it runs at the limits. One
 * push at a time at {@link #PACE_MAX} is always allowed, so recovery completes whatever the load.
 */
final class RecoveryThrottle {
    static final Duration WINDOW = Duration.ofSeconds(1);
    static final double HIGH = 1.4;
    static final double LOW = 1.2;
    static final double CREEP = 1.001;
    static final Duration PACE_MIN = Duration.ofMillis(10);
    static final Duration PACE_MAX = Duration.ofMillis(500);
    /** Pushes per second when recovery starts after a quiet window (a 250 ms pace: ~16 MiB/s of 4 MiB objects). */
    static final double RATE_START = 4;
    /** Additive increase per window below {@link #LOW}: +1 push/s (+4 MiB/s of 4 MiB objects) every second. */
    static final double RATE_STEP = 1;
    /** Good windows at pace zero before one more push may be in flight. */
    static final int LIMIT_AFTER = 5;
    private static final double RATE_MIN = 1e9 / PACE_MAX.toNanos();
    private static final double RATE_UNPACED = 1e9 / PACE_MIN.toNanos();
    /** A client op moving at least this many bytes is "large" (4 MiB vs. 4 KiB ops differ 10-100x in latency). */
    static final long LARGE_BYTES = 256 << 10;
    /** A size class's window counts once it has this many ops (fewer: they carry over into the next window). */
    static final int MIN_SAMPLES = 4;

    final int maxActive;
    final int maxBackfills;
    final Duration sleep;
    private final AtomicInteger ops = new AtomicInteger();
    private final AtomicInteger backfills = new AtomicInteger();
    /** Client ops and recovery pushes ever: grows while the OSD is busy ({@link IdleHeapTrim}). */
    private final java.util.concurrent.atomic.LongAdder activity = new java.util.concurrent.atomic.LongAdder();
    /** Recovery ops started since the last {@link #adapt}: the window is not quiet. */
    private final AtomicInteger startedInWindow = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder[] latencySum = {new java.util.concurrent.atomic.LongAdder(),
            new java.util.concurrent.atomic.LongAdder()};
    private final java.util.concurrent.atomic.LongAdder[] latencyCount = {new java.util.concurrent.atomic.LongAdder(),
            new java.util.concurrent.atomic.LongAdder()};
    /** Per size class: the quiet mean latency in ns (NaN: not seen yet). Touched by {@link #adapt} only. */
    private final double[] baseline = {Double.NaN, Double.NaN};
    private volatile int limit;
    private volatile long paceNanos;
    /** Pushes per second allowed (touched by {@link #adapt} only); {@link #paceNanos} follows from it. */
    private double rate = RATE_START;
    /** Good windows in a row at pace zero (for {@link #LIMIT_AFTER}). */
    private int goodAtFullPace;
    /** System.nanoTime() before which no push may start (the pace). */
    private final java.util.concurrent.atomic.AtomicLong nextStart = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    /** Whether the last window had recovery running (a quiet-to-busy edge restarts slow). */
    private boolean wasRecovering;

    RecoveryThrottle(int maxActive, int maxBackfills, Duration sleep) {
        this.maxActive = maxActive;
        this.maxBackfills = maxBackfills;
        this.sleep = sleep;
        this.limit = 1;
        setRate(RATE_START);
    }

    private void setRate(double r) {
        rate = Math.max(RATE_MIN, Math.min(RATE_UNPACED, r));
        paceNanos = rate >= RATE_UNPACED ? 0 : (long) (1e9 / rate);
    }

    static RecoveryThrottle from(ClusterConf conf, String who) throws ClusterConf.ConfException {
        return new RecoveryThrottle(positive(conf, who, "osd_recovery_max_active", 3),
                positive(conf, who, "osd_max_backfills", 1), sleep(conf, who));
    }

    private static int positive(ClusterConf conf, String who, String key, int def) throws ClusterConf.ConfException {
        String v = conf.get(who, key);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ClusterConf.ConfException(conf.path() + ": " + key + " = '" + v + "' (expected: an integer 1..1000)");
    }

    private static Duration sleep(ClusterConf conf, String who) throws ClusterConf.ConfException {
        String v = conf.get(who, "osd_recovery_sleep");
        if (v == null || v.isBlank()) {
            return Duration.ZERO;
        }
        try {
            double s = Double.parseDouble(v.trim());
            if (s >= 0 && s <= 60) {
                return Duration.ofNanos((long) (s * 1e9));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ClusterConf.ConfException(conf.path() + ": osd_recovery_sleep = '" + v + "' (expected: seconds 0..60)");
    }

    boolean tryStartOp() {
        long now = System.nanoTime();
        long next = nextStart.get();
        if (now - next < 0 || !tryTake(ops, limit)) {
            return false;
        }
        long pace = paceNanos;
        if (pace > 0 && !nextStart.compareAndSet(next, now + pace)) {
            ops.decrementAndGet();   // another shard started one just now
            return false;
        }
        startedInWindow.incrementAndGet();
        activity.increment();
        return true;
    }

    /** A client op served by this OSD as primary took {@code nanos}, moving {@code bytes} of data. */
    void clientOpDone(long nanos, long bytes) {
        int c = bytes >= LARGE_BYTES ? 1 : 0;
        latencySum[c].add(nanos);
        latencyCount[c].increment();
        activity.increment();
    }

    /** Grows with every client op and recovery push. */
    long activity() {
        return activity.sum();
    }

    /** Recovery pushes allowed in flight now (1..osd_recovery_max_active). */
    int limit() {
        return limit;
    }

    /** The least time between two push starts on this OSD now (zero: no pacing). */
    Duration pace() {
        return Duration.ofNanos(paceNanos);
    }

    /**
     * Once per {@link #WINDOW} (one thread): moves the limit and the rate by the clients' latency;
     * returns the window's ratio to baseline (0: no signal).
     */
    synchronized double adapt() {
        boolean recovering = startedInWindow.getAndSet(0) > 0 || ops.get() > 0;
        double spent = 0;
        double expected = 0;
        long samples = 0;
        for (int c = 0; c < 2; c++) {
            long n = latencyCount[c].sum();
            if (n < MIN_SAMPLES) {
                continue;   // carries over into the next window
            }
            double sum = latencySum[c].sumThenReset();
            n = latencyCount[c].sumThenReset();
            double mean = sum / n;
            samples += n;
            if (Double.isNaN(baseline[c])) {
                baseline[c] = mean;
                continue;
            }
            if (recovering) {
                spent += sum;
                expected += n * baseline[c];
            }
            if (!recovering) {
                baseline[c] = 0.8 * baseline[c] + 0.2 * mean;
            } else {
                baseline[c] *= CREEP;   // never down while recovering: noisy windows would ratchet it below the truth
            }
        }
        double ratio = expected > 0 ? spent / expected : 0;
        boolean started = recovering && !wasRecovering;
        wasRecovering = recovering;
        if (!recovering) {
            limit = 1;   // the next recovery starts slow
            setRate(RATE_START);
            goodAtFullPace = 0;
            return ratio;
        }
        if (started) {
            return ratio;   // this window's latency is mostly from before the start
        }
        boolean clientsSeen = samples > 0 || latencyCount[0].sum() > 0 || latencyCount[1].sum() > 0;
        if (ratio > HIGH) {
            goodAtFullPace = 0;
            if (limit > 1) {
                limit = 1;
            } else {
                setRate(rate / 2);
            }
        } else if (!clientsSeen) {
            setRate(rate * 2);   // nobody to disturb: run at the limits soon
            if (paceNanos == 0 && limit < maxActive) {
                limit++;
            }
        } else if (expected == 0) {
            return ratio;   // too few client ops to judge: they carry over, the throttle holds
        } else if (ratio < LOW) {
            setRate(rate + RATE_STEP);
            growLimit();
        } else {
            goodAtFullPace = 0;
        }
        return ratio;
    }

    private void growLimit() {
        if (paceNanos > 0) {
            goodAtFullPace = 0;
        } else if (++goodAtFullPace >= LIMIT_AFTER && limit < maxActive) {
            limit++;
            goodAtFullPace = 0;
        }
    }

    void endOp() {
        ops.decrementAndGet();
    }

    boolean tryReserveBackfill() {
        return tryTake(backfills, maxBackfills);
    }

    void releaseBackfill() {
        backfills.decrementAndGet();
    }

    private static boolean tryTake(AtomicInteger n, int max) {
        while (true) {
            int v = n.get();
            if (v >= max) {
                return false;
            }
            if (n.compareAndSet(v, v + 1)) {
                return true;
            }
        }
    }
}
