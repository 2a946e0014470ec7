package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Data moves when the cluster changes: with PG logs of only 4 entries (so new members must be
 * backfilled by a hash-order scan, not recovered from the log), a fourth OSD joins and takes its
 * PGs, then osd.0 is marked out and its PGs are re-replicated elsewhere. Every object stays
 * readable throughout, and still is after osd.0 and then osd.1 are killed — so the data really
 * lives on osd.2 and the newcomer osd.3.
 */
class RebalanceTest {
    static final Duration SETTLE = Duration.ofSeconds(90);

    @Test
    void newOsdIsBackfilledAndOutOsdIsDrained() throws Exception {
        try (OsdCluster cluster = new OsdCluster(4, Map.of(), Map.of("osd_max_pg_log_entries", "4"))) {
            try {
                run(cluster);
            } catch (Throwable t) {
                String pgLogs = t instanceof OsdCluster.PgStatesTimeout stuck ? cluster.pgLogs(stuck.pgids) : "";
                throw new AssertionError(t.getMessage() + "\n" + pgLogs + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            Map<String, byte[]> acked = new LinkedHashMap<>();
            SplittableRandom random = new SplittableRandom(7);
            OsdClusterTest.writeObjects(client, acked, random, 0, 64);
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);

            cluster.startOsd(3);
            OsdCluster.awaitMap(admin, "osd.3 up and in", SETTLE, m -> m.osd(3) != null && m.osd(3).up() && m.osd(3).in());
            OsdClusterTest.checkAll(client, acked);
            OsdClusterTest.writeObjects(client, acked, random, 64, 72);
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);

            MonReply out = OsdCluster.command(admin, SETTLE, "osd out", "ids", 0);
            assertThat(out.ok()).as(out.outs()).isTrue();
            OsdCluster.awaitMap(admin, "osd.0 out", SETTLE, m -> !m.osd(0).in());
            OsdClusterTest.checkAll(client, acked);
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);

            cluster.kill("osd.0");
            OsdCluster.awaitMap(admin, "osd.0 down", SETTLE, m -> !m.osd(0).up());
            OsdClusterTest.checkAll(client, acked);
            cluster.kill("osd.1");
            OsdCluster.awaitMap(admin, "osd.1 down", SETTLE, m -> !m.osd(1).up());
            OsdClusterTest.checkAll(client, acked);
        }
    }
}
