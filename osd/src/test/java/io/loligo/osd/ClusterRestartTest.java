package io.loligo.osd;

import io.loligo.maps.monc.MonConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Restarting the whole cluster loses nothing: objects written to 1 monitor + 3 OSDs are all
 * readable with their content after every process is killed with -9 and started again on the
 * same data directories (the OSDs reload their PGs and logs from their stores and peer again).
 */
class ClusterRestartTest {
    static final Duration SETTLE = Duration.ofSeconds(90);

    @Test
    void everythingIsThereAfterAFullRestart() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of())) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        Map<String, byte[]> acked = new LinkedHashMap<>();
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            OsdClusterTest.writeObjects(client, acked, new SplittableRandom(3), 0, 40);
        }
        admin.close();
        for (String name : java.util.List.copyOf(cluster.procs.keySet())) {
            cluster.kill(name);
        }
        cluster.startMon();
        for (int i = 0; i < 3; i++) {
            cluster.startOsd(i);
        }
        MonConnection again = cluster.admin();
        again.subscribe(m -> { });
        OsdCluster.awaitMap(again, "3 osds up after the restart", SETTLE, m -> m.numUp() == 3);
        OsdCluster.awaitPgStates(again, "active+clean", 8, SETTLE);
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            OsdClusterTest.checkAll(client, acked);
        }
    }
}
