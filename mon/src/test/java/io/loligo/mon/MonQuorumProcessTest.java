package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.mon.client.MonClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real monitor processes on loopback. A 3-monitor quorum elects a leader and bootstraps the
 * cluster; kill -9 of the leader: a new leader serves, no committed change is lost, epochs only
 * grow; the killed monitor restarts and catches up (via log or snapshot). A 1-monitor cluster
 * restarts with its state.
 */
class MonQuorumProcessTest {
    static final Duration STARTUP = Duration.ofSeconds(60);

    @Test
    void leaderKillFailsOverWithoutLosingCommitsAndRestartedMonitorCatchesUp() throws Exception {
        try (MonCluster cluster = new MonCluster(3, Map.of("mon_raft_snapshot_every", "16"))) {
            cluster.startAll();
            MonClient c = cluster.client();
            MonReply first = MonCluster.retry(c, MonClient.cmd("osd pool create", "pool", "p0", "pg_num", 8), STARTUP);
            assertThat(first.code()).as(first.outs() + cluster.log("a")).isZero();
            for (int i = 1; i < 30; i++) {
                assertThat(c.command(MonClient.cmd("osd pool create", "pool", "p" + i, "pg_num", 8)).code()).isZero();
            }
            MonReply q = c.command(MonClient.cmd("quorum_status"));
            String leader = q.data().path("quorum_leader_name").asText();
            assertThat(q.data().path("quorum_names")).hasSize(3);
            long epochBefore = q.epoch();
            assertThat(epochBefore).isGreaterThanOrEqualTo(31);

            cluster.kill(leader);
            long killedAt = System.nanoTime();
            MonReply after = MonCluster.retry(c, MonClient.cmd("osd pool create", "pool", "after-failover", "pg_num", 8),
                    Duration.ofSeconds(60));
            long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertThat(after.code()).as(after.outs()).isZero();
            assertThat(after.epoch()).as("epochs only grow").isEqualTo(epochBefore + 1);
            MonReply q2 = c.command(MonClient.cmd("quorum_status"));
            assertThat(q2.data().path("quorum_leader_name").asText()).isNotEqualTo(leader);
            MonReply pools = c.command(MonClient.cmd("osd pool ls"));
            assertThat(pools.data()).as("no committed pool lost").hasSize(31);
            String killed = leader;
            MonCluster.await("health to report mon." + killed + " down", Duration.ofSeconds(30), () -> {
                try {
                    var checks = c.command(MonClient.cmd("health")).data().path("checks");
                    return checks.path("MON_DOWN").path("summary").path("message").asText().startsWith("1/3 mons down");
                } catch (Exception e) {
                    return false;
                }
            });
            System.out.println("failover: new leader " + q2.data().path("quorum_leader_name").asText() + " served after "
                    + failoverMs + " ms");

            cluster.start(leader);
            long want = after.epoch();
            MonCluster.await("restarted mon." + leader + " to catch up to e" + want, Duration.ofSeconds(60), () -> {
                try {
                    return c.queryLocal(MonClient.cmd("osd stat"), leader).epoch() >= want;
                } catch (Exception e) {
                    return false;
                }
            });
            MonReply local = c.queryLocal(MonClient.cmd("osd pool ls"), leader);
            assertThat(local.data()).hasSize(31);
        }
    }

    @Test
    void singleMonitorRestartsWithItsState() throws Exception {
        try (MonCluster cluster = new MonCluster(1, Map.of("mon_raft_snapshot_every", "8", "mon_raft_segment_bytes", "4096"))) {
            cluster.startAll();
            MonClient c = cluster.client();
            assertThat(MonCluster.retry(c, MonClient.cmd("osd pool create", "pool", "keep", "pg_num", 8), STARTUP).code()).isZero();
            for (int i = 0; i < 300; i++) {
                c.command(MonClient.cmd("config set", "who", "global", "name", "opt" + i, "value", String.valueOf(i)));
            }
            c.command(MonClient.cmd("osd set", "key", "noout"));
            long epoch = c.command(MonClient.cmd("osd stat")).epoch();
            cluster.kill("a");
            cluster.start("a");
            MonReply pools = MonCluster.retry(c, MonClient.cmd("osd pool ls"), STARTUP);
            assertThat(pools.data()).extracting(n -> n.asText()).containsExactly("keep");
            assertThat(pools.epoch()).isEqualTo(epoch);
            assertThat(c.command(MonClient.cmd("config get", "who", "global", "key", "opt19")).data().path("opt19").asText())
                    .isEqualTo("19");
            assertThat(c.command(MonClient.cmd("osd dump")).data().path("flags").asText()).contains("noout");
            try (var files = java.nio.file.Files.walk(cluster.dir.resolve("mon.a"))) {
                List<String> snapshots = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("snapshot.") && !n.endsWith(".md5") && !n.endsWith(".tmp")).toList();
                assertThat(snapshots).as("snapshots taken, old ones removed (2 kept + 1 being replaced)").isNotEmpty().hasSizeLessThanOrEqualTo(3);
            }
            try (var files = java.nio.file.Files.walk(cluster.dir.resolve("mon.a"))) {
                List<String> segments = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("log_")).toList();
                System.out.println("log segments after 300 commits: " + segments);
                assertThat(segments).as("log purged below the snapshots (4 KiB segments, ~60 KiB of entries)").hasSizeLessThan(8);
            }
        }
    }
}
