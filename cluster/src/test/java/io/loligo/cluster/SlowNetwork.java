package io.loligo.cluster;

import io.loligo.cluster.History.Outcome;
import io.loligo.cluster.Scenarios.Fault;
import io.loligo.maps.OsdMap;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Added latency under load: every frame one host's daemons (its monitor and OSD) send is held
 * {@code slow}, then {@code slower}, before it leaves (their messenger's send delay,
 * {@link TestCluster#delay}; the kernel has no sch_netem for {@code tc netem delay}). Both stay
 * below the heartbeat grace (4 s here), as a slow but working link would.
 *
 * <p>Shows: IO keeps flowing on every key at each latency; the delay is real (with three hosts and
 * size 3 the slow host holds a copy of every PG, so every write acknowledged while it was slow took
 * at least the delay: its own reply or its replication is held); no OSD is marked down; after the
 * latency ends the cluster is HEALTH_OK; and the checker finds nothing lost, invented or
 * non-linearizable.
 */
final class SlowNetwork {
    private SlowNetwork() {}

    /** Time for every daemon of the host to read the new delay ({@code SendDelay.POLL_MILLIS} is 100 ms) with slack. */
    private static final Duration TAKES_EFFECT = Duration.ofMillis(500);

    static Fault latencyOnOneHost(Duration slow, Duration slower) {
        return run -> {
            TestCluster c = run.cluster();
            int host = run.random.nextInt(c.hosts);
            Map<Integer, Long> upFrom = upFrom(c.admin().osdMap());
            String first = phase(run, host, slow);
            String second = phase(run, host, slower);
            c.clearDelay(host);
            run.healed();
            run.hold(TAKES_EFFECT);
            long epoch = c.command(Duration.ofSeconds(30), "osd stat").epoch();
            c.awaitMap("osdmap e" + epoch, Duration.ofSeconds(30), m -> m.epoch() >= epoch);
            Map<Integer, Long> now = upFrom(c.admin().osdMap());
            check(now.equals(upFrom), "OSDs were marked down while host h" + host + " was slow: up_from before " + upFrom
                    + ", now " + now);
            run.note("host h%d's daemons send with %s; then %s; no OSD marked down", host, first, second);
        };
    }

    /** One latency phase: returns a note on it. */
    private static String phase(Scenarios.Run run, int host, Duration delay) throws Exception {
        TestCluster c = run.cluster();
        c.delay(host, delay);
        run.hold(TAKES_EFFECT);
        long from = run.now();
        double flowing = run.awaitAllKeysProgress(from, Duration.ofSeconds(60));
        check(flowing >= 0, "IO stopped on some key with " + delay.toMillis() + " ms added on host h" + host);
        run.hold();
        long to = run.now();
        long[] latencies = run.workload.history.ops().stream()
                .filter(o -> o.isWrite() && o.outcome() == Outcome.OK && o.invokeNanos() >= from && o.invokeNanos() <= to)
                .mapToLong(o -> o.completeNanos() - o.invokeNanos()).sorted().toArray();
        check(latencies.length > 0, "no write acknowledged with " + delay.toMillis() + " ms added on host h" + host);
        double minMs = latencies[0] / 1e6;
        double medianMs = latencies[latencies.length / 2] / 1e6;
        check(minMs >= delay.toMillis(), String.format("a write acknowledged in %.0f ms while host h%d added %d ms to"
                + " every frame: the delay did not apply", minMs, host, delay.toMillis()));
        return String.format("%d ms added: IO on every key within %.1f s, %d writes acknowledged in %.0f ms at least,"
                + " %.0f ms median", delay.toMillis(), flowing, latencies.length, minMs, medianMs);
    }

    static Map<Integer, Long> upFrom(OsdMap m) {
        Map<Integer, Long> out = new TreeMap<>();
        m.osds().values().forEach(o -> out.put(o.id(), o.up() ? o.upFrom() : -1));
        return out;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
