package io.loligo.cluster;

import io.loligo.cluster.Scenarios.Fault;
import java.time.Duration;

/**
 * Packet loss under load, made with nftables inside one host's namespace ({@link Net#loss}; the
 * kernel has no sch_netem): first {@code percent} % of the host's packets dropped at random both
 * ways, IO must keep flowing on every key (TCP retransmits); then one-way loss, every packet the host
 * sends dropped while it still hears everything: its OSD is reported failed and marked down, a
 * monitor there drops out of the quorum, and IO must resume on every key; then the loss ends and
 * the cluster returns to HEALTH_OK with nothing acknowledged lost.
 */
final class PacketLoss {
    private PacketLoss() {}

    static Fault randomThenOneWay(int percent) {
        return run -> {
            TestCluster c = run.cluster();
            int host = run.random.nextInt(c.hosts);
            long t = run.now();
            c.loss(host, percent, Net.Direction.BOTH);
            double flowing = run.awaitAllKeysProgress(t, Duration.ofSeconds(60));
            check(flowing >= 0, "IO stopped on some key with " + percent + " % loss on host h" + host);
            run.hold();
            long droppedRandom = c.clearLoss(host);
            long t2 = run.now();
            c.loss(host, 100, Net.Direction.OUT);
            double resumed = run.awaitAllKeysProgress(t2, Duration.ofSeconds(90));
            check(resumed >= 0, "IO did not resume on every key within 90 s of host h" + host + " going silent one way");
            run.hold();
            long droppedOneWay = c.clearLoss(host);
            run.healed();
            run.note("host h%d: %d %% loss both ways (%d packets dropped), IO on every key within %.1f s; then every packet"
                    + " it sent dropped (%d): IO on every key within %.1f s", host, percent, droppedRandom, flowing, droppedOneWay,
                    resumed);
        };
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
