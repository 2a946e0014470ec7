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
 * OSDs marked out and in again, one at a time, with writes between (4-entry PG logs, so members
 * coming back are recovered from the log or backfilled): after each change every PG returns to
 * active+clean and every acknowledged object reads back. Each change makes an OSD activate
 * several PGs at once, which is what left a PG recovering for good when the recovery throttle
 * turned away an interval's first kick (PgRecoveryKickTest; reproduced here in the first cycle).
 */
class OutInCyclesTest {
    static final int CYCLES = 6;

    @Test
    void everyPgReturnsToCleanAfterEachOutAndIn() throws Exception {
        try (OsdCluster cluster = new OsdCluster(4, Map.of(), Map.of("osd_max_pg_log_entries", "4"))) {
            try {
                MonConnection admin = cluster.startWithPool(3);
                cluster.startOsd(3);
                OsdCluster.awaitMap(admin, "osd.3 up", Duration.ofSeconds(60), m -> m.osd(3) != null && m.osd(3).up());
                try (TestClient client = new TestClient(cluster, "client.admin")) {
                    Map<String, byte[]> acked = new LinkedHashMap<>();
                    SplittableRandom random = new SplittableRandom(11);
                    int n = 0;
                    OsdClusterTest.writeObjects(client, acked, random, n, n += 40);
                    for (int cycle = 0; cycle < CYCLES; cycle++) {
                        int osd = random.nextInt(4);
                        MonReply out = OsdCluster.command(admin, Duration.ofSeconds(30), "osd out", "ids", osd);
                        assertThat(out.ok()).as(out.outs()).isTrue();
                        OsdClusterTest.writeObjects(client, acked, random, n, n += 6);
                        OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(90));
                        MonReply in = OsdCluster.command(admin, Duration.ofSeconds(30), "osd in", "ids", osd);
                        assertThat(in.ok()).as(in.outs()).isTrue();
                        OsdClusterTest.writeObjects(client, acked, random, n, n += 6);
                        OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(90));
                        OsdClusterTest.checkAll(client, acked);
                        System.out.println("cycle " + cycle + " ok (osd." + osd + ")");
                    }
                }
            } catch (Throwable t) {
                String pgLogs = t instanceof OsdCluster.PgStatesTimeout stuck ? cluster.pgLogs(stuck.pgids) : "";
                throw new AssertionError(t.getMessage() + "\n" + pgLogs + cluster.logs(), t);
            }
        }
    }
}
