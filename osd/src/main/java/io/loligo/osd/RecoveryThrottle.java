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
 * compares the window's mean latency with the quiet baseline, learned while no recovery ran (while
 * recovery runs it only falls, or creeps up {@link #CREEP} per window so a lasting change of workload
 * is accepted eventually). Two levers: the pushes allowed in flight ({@link #limit}, 1..max_active)
 * and a pace, the least time between two push starts on this OSD ({@link #pace}, 0 or {@link
 * #PACE_MIN}..{@link #PACE_MAX}). Above {@link #HIGH} times the baseline the limit halves, then, at
 * one, the pace doubles; below {@link #LOW} times it the pace halves away first, then the limit grows
 * by one. Recovery that starts after a quiet window starts slow (one push, {@link #PACE_START}) and
 * speeds up while clients do not notice. Without client ops it runs at the limits. One push at a
 * time is always allowed, so recovery completes whatever the load.
 */
final class RecoveryThrottle {
    static final Duration WINDOW = Duration.ofSeconds(1);
    static final double HIGH = 1.5;
    static final double LOW = 1.2;
    static final double CREEP = 1.003;
    static final Duration PACE_MIN = Duration.ofMillis(10);
    static final Duration PACE_START = Duration.ofMillis(80);
    static final Duration PACE_MAX = Duration.ofMillis(500);
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
    /** System.nanoTime() before which no push may start (the pace). */
    private final java.util.concurrent.atomic.AtomicLong nextStart = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    /** Whether the last window had recovery running (a quiet-to-busy edge restarts slow). */
    private boolean wasRecovering;

    RecoveryThrottle(int maxActive, int maxBackfills, Duration sleep) {
        this.maxActive = maxActive;
        this.maxBackfills = maxBackfills;
        this.sleep = sleep;
        this.limit = 1;
        this.paceNanos = PACE_START.toNanos();
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

    /** Once per {@link #WINDOW} (one thread): moves the limit and the pace by the clients' latency; returns the worst ratio to baseline (0: no signal). */
    synchronized double adapt() {
        boolean recovering = startedInWindow.getAndSet(0) > 0 || ops.get() > 0;
        double worst = 0;
        for (int c = 0; c < 2; c++) {
            long n = latencyCount[c].sum();
            if (n < MIN_SAMPLES) {
                continue;
            }
            double mean = (double) latencySum[c].sumThenReset() / latencyCount[c].sumThenReset();
            if (Double.isNaN(baseline[c])) {
                baseline[c] = mean;
            } else if (!recovering || mean < baseline[c]) {
                baseline[c] = 0.8 * baseline[c] + 0.2 * mean;
            } else {
                worst = Math.max(worst, mean / baseline[c]);
                baseline[c] *= CREEP;
            }
        }
        boolean started = recovering && !wasRecovering;
        wasRecovering = recovering;
        if (!recovering) {
            limit = 1;   // the next recovery starts slow
            paceNanos = PACE_START.toNanos();
            return worst;
        }
        if (started) {
            return worst;   // this window's latency is mostly from before the slow start
        }
        if (worst > HIGH) {
            if (limit > 1) {
                limit = Math.max(1, limit / 2);
            } else {
                paceNanos = Math.min(PACE_MAX.toNanos(), Math.max(PACE_MIN.toNanos(), paceNanos * 2));
            }
        } else if (worst < LOW) {
            if (paceNanos > 0) {
                paceNanos = paceNanos / 2 < PACE_MIN.toNanos() ? 0 : paceNanos / 2;
            } else if (limit < maxActive) {
                limit++;
            }
        }
        return worst;
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
