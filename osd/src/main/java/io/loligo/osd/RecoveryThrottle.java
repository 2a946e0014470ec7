package io.loligo.osd;

import io.loligo.maps.monc.ClusterConf;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-OSD limits on recovery and backfill (Ceph's option names), so client IO keeps flowing:
 * {@code osd_recovery_max_active} recovery pushes in flight (default 3, Ceph's HDD value),
 * {@code osd_max_backfills} PGs backfilling from this OSD at once (default 1), and {@code
 * osd_recovery_sleep} seconds between a PG's recovery pushes (default 0: recovery steps already run
 * at background priority on the shards — only when no client op waits, or one turn in {@link
 * OsdShards#BACKGROUND_EVERY} under load — which adapts to the client load without a knob).
 */
final class RecoveryThrottle {
    final int maxActive;
    final int maxBackfills;
    final Duration sleep;
    private final AtomicInteger ops = new AtomicInteger();
    private final AtomicInteger backfills = new AtomicInteger();

    RecoveryThrottle(int maxActive, int maxBackfills, Duration sleep) {
        this.maxActive = maxActive;
        this.maxBackfills = maxBackfills;
        this.sleep = sleep;
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
        return tryTake(ops, maxActive);
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
