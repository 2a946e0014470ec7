package io.loligo.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.mon.client.MonClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A monitor forwards changes to the leader its own Raft server follows, not to the one its Ratis
 * client last heard from.
 */
class SilentLeaderMonitorTest {
    /**
     * Regression, packet-loss's one-way phase (run seed 9170605868799332040): host h0 kept hearing but
     * every packet it sent was dropped. mon.a, the leader there, lost the lead and mon.c won, but
     * mon.c's Ratis client kept sending forwarded commands to mon.a (a Ratis client learns of a new
     * leader only from the old one's replies), each waiting out a timeout; OSD failure reports and
     * beacons stalled behind them. Here: mon.a leads and has just served a change forwarded by mon.b;
     * h0 goes silent one way; once mon.b's own Raft server follows a new leader, a change sent
     * through mon.b alone must commit within 6 s. The old code sent it to mon.a and waited its 10 s
     * request timeout first.
     */
    @Test
    void aChangeForwardedAfterTheElectionGoesToTheNewLeader() throws Exception {
        try (TestCluster cluster = new TestCluster(3, 3, 1)) {
            assumeTrue(cluster.netns(), "skipped: needs network namespaces (" + Net.unavailableReason() + ")");
            String nft = Net.nftUnavailableReason();
            assumeTrue(nft == null, "skipped: " + nft);
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(60), t);
            }
        }
    }

    private void run(TestCluster cluster) throws Exception {
        cluster.start();
        cluster.transferLeadership("a", Duration.ofSeconds(60));
        assertThat(cluster.onHost(0)).contains("mon.a");
        MonConnection viaB = cluster.monOnly("mon.b");
        MonReply before = viaB.command(MonClient.cmd("config set", "who", "global", "name", "silent_leader_test", "value", "1"));
        assertThat(before.ok()).as("a change through mon.b before the silence: %s", before.outs()).isTrue();

        cluster.loss(0, 100, Net.Direction.OUT);
        long silent = System.nanoTime();
        String[] leader = {null};
        try (MonClient local = MonClient.connect(io.loligo.maps.monc.ClusterConf.load(cluster.confPath))) {
            TestCluster.await("mon.b's Raft server following a new leader", Duration.ofSeconds(60), () -> {
                try {
                    leader[0] = local.queryLocal(MonClient.cmd("quorum_status"), "b").data().path("quorum_leader_name")
                            .asText(null);
                    return leader[0] != null && !leader[0].isEmpty() && !leader[0].equals("a");
                } catch (IOException e) {
                    return false;
                }
            });
        }
        long elected = System.nanoTime();
        MonReply after = viaB.command(MonClient.cmd("config set", "who", "global", "name", "silent_leader_test", "value", "2"),
                Duration.ofSeconds(30));
        long took = (System.nanoTime() - elected) / 1_000_000;
        System.out.printf("[silent-leader] mon.b followed mon.%s %d ms after mon.a fell silent; a change through mon.b"
                + " then took %d ms%n", leader[0], (elected - silent) / 1_000_000, took);
        assertThat(after.ok()).as("the change through mon.b after the election: %s", after.outs()).isTrue();
        assertThat(took).as("ms for a change forwarded by mon.b once it follows mon.%s", leader[0]).isLessThan(6000);
        cluster.clearLoss(0);
    }
}
