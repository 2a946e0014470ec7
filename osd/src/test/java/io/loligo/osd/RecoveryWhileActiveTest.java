package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.monc.MonConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Recovery while active (Ceph's active+recovering): 1 monitor + 3 OSD processes, pool size 3 /
 * min_size 2, recovery slowed by its own knobs (osd_recovery_max_active 1, osd_recovery_sleep
 * 0.4 s) so the window is wide. osd.2 is killed, objects are written and overwritten without it,
 * and it returns: its PGs go active at once and recover in the background (pg stat shows
 * active+recovering+degraded, not peering), client writes to objects osd.2 still lacks and reads
 * of any object are answered while recovery runs. After active+clean, the other two OSDs are
 * killed and osd.2 alone (min_size 1) must serve every acknowledged object with its content:
 * what it recovered is really on its disk.
 */
class RecoveryWhileActiveTest {
    static final Duration SETTLE = Duration.ofSeconds(120);

    @Test
    void aReturningOsdIsRecoveredWhileThePgServes() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of("osd_recovery_max_active", "1",
                "osd_recovery_sleep", "0.4"))) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
        Map<String, byte[]> acked = new LinkedHashMap<>();
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            OsdClusterTest.writeObjects(client, acked, new SplittableRandom(7), 0, 20);
            cluster.kill("osd.2");
            assertThat(OsdCluster.command(admin, SETTLE, "osd down", "ids", 2).ok()).isTrue();
            OsdCluster.awaitMap(admin, "osd.2 down", SETTLE, m -> !m.osd(2).up());
            OsdClusterTest.writeObjects(client, acked, new SplittableRandom(8), 10, 60);   // overwrites 10..19
            cluster.startOsd(2);
            OsdCluster.awaitMap(admin, "osd.2 up", SETTLE, m -> m.osd(2).up());
            String seen = awaitRecovering(admin);
            assertThat(seen).as("PGs active while recovering").contains("active+recovering+degraded");
            long start = System.nanoTime();
            OsdClusterTest.writeObjects(client, acked, new SplittableRandom(9), 40, 60);   // objects osd.2 lacks
            OsdClusterTest.checkAll(client, Map.of("obj-0", acked.get("obj-0"), "obj-59", acked.get("obj-59")));
            long servedMillis = (System.nanoTime() - start) / 1_000_000;
            Map<String, Integer> during = OsdCluster.pgStates(admin);
            System.out.println("RecoveryWhileActiveTest: 20 writes to missing objects and 2 reads in " + servedMillis
                    + " ms while pg stat showed " + seen + "; after: " + during);
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            OsdClusterTest.checkAll(client, acked);
            assertThat(OsdCluster.command(admin, SETTLE, "osd pool set", "pool", "p", "var", "min_size", "val", 1).ok())
                    .isTrue();
            for (int o : List.of(0, 1)) {
                cluster.kill("osd." + o);
                assertThat(OsdCluster.command(admin, SETTLE, "osd down", "ids", o).ok()).isTrue();
            }
            OsdCluster.awaitMap(admin, "only osd.2 up", SETTLE, m -> m.numUp() == 1 && m.osd(2).up());
            OsdClusterTest.checkAll(client, acked);
        }
    }

    /** Waits until some PG reports recovering; returns the pg stat then. */
    private static String awaitRecovering(MonConnection admin) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Map<String, Integer> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = OsdCluster.pgStates(admin);
            if (last.keySet().stream().anyMatch(s -> s.contains("recovering"))) {
                return last.toString();
            }
            Thread.sleep(50);   // polling interval of a deadline-bounded wait
        }
        throw new AssertionError("no PG reported recovering within " + SETTLE + "; last pg stat: " + last);
    }
}
