package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.util.List;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Restarting the whole cluster loses nothing: objects written to 1 monitor + 3 OSDs are all
 * readable with their content after every process is killed with -9 and started again on the
 * same data directories (the OSDs reload their PGs and logs from their stores and peer again).
 * An OSD marked down while alive boots again. Then, with min_size raised to 3 and an OSD down, a write waits and gets EAGAIN rather than
 * being applied under-replicated, and goes through once min_size is lowered again.
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
            wronglyMarkedDownReasserts(again);
            belowMinSizeWritesWaitThenGetEagain(cluster, again, client);
        }
    }

    /** An OSD the monitors mark down while it is alive boots again and is marked up. */
    private static void wronglyMarkedDownReasserts(MonConnection admin) throws Exception {
        long before = admin.osdMap().epoch();
        assertThat(OsdCluster.command(admin, SETTLE, "osd down", "ids", 1).ok()).isTrue();
        OsdCluster.awaitMap(admin, "osd.1 marked down", SETTLE, m -> m.epoch() > before && !m.osd(1).up()
                || m.osd(1).upFrom() > before);
        OsdCluster.awaitMap(admin, "osd.1 re-asserts itself", SETTLE, m -> m.osd(1).up() && m.osd(1).upFrom() > before);
        OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
    }

    /** With min_size 3 and one OSD down, a write is not applied under-replicated: it waits, then EAGAIN. */
    private static void belowMinSizeWritesWaitThenGetEagain(OsdCluster cluster, MonConnection admin, TestClient client)
            throws Exception {
        assertThat(OsdCluster.command(admin, SETTLE, "osd pool set", "pool", "p", "var", "min_size", "val", 3).ok()).isTrue();
        OsdCluster.awaitMap(admin, "min_size 3", SETTLE, m -> m.poolByName("p").minSize() == 3);
        cluster.kill("osd.2");
        OsdCluster.awaitMap(admin, "osd.2 down", SETTLE, m -> !m.osd(2).up());
        OsdMap map = admin.osdMap();
        Pool pool = map.poolByName("p");
        PgMapping mapping = map.placement().mapObject(pool, "", "blocked");
        OsdCluster.await("a primary for 'blocked'", SETTLE, () -> mapping.actingPrimary() >= 0);
        MOSDOp write = new MOSDOp(client.newReqid(), pool.id(), "", "blocked", 0, mapping.pg().seed(), map.epoch(), 0,
                List.of(new OsdOp.WriteFull(new byte[] {1})));
        MOSDOpReply r = client.call(map.osd(mapping.actingPrimary()).address(), write);
        assertThat(r.result()).as("write below min_size: %s", r).isEqualTo(OsdResult.EAGAIN);
        assertThat(OsdCluster.command(admin, SETTLE, "osd pool set", "pool", "p", "var", "min_size", "val", 2).ok()).isTrue();
        assertThat(client.op("p", "blocked", new OsdOp.WriteFull(new byte[] {2})).result())
                .as("accepted once min_size is met").isEqualTo(OsdResult.OK);
        MOSDOpReply read = client.op("p", "blocked", new OsdOp.Read(0, 0));
        assertThat(((OpOutput.Data) read.results().get(0).output()).bytes()).as("the refused write left nothing")
                .containsExactly(2);
    }
}
