package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Past intervals with up_thru keep a PG from going active on stale data (Ceph's "down" PG): with
 * a min_size 1 pool on 1 monitor + 3 OSD processes, A, B and C hold the PG; B and C are killed
 * and A alone accepts a write (the monitors record A's up_thru, so that interval may have gone
 * read-write); A is killed; B and C return. They must not go active without A (that would serve
 * and overwrite the old value: the acknowledged write lost): the PG is down, health names osd A,
 * and a read gets no stale answer. When A returns, the PG goes active+clean with the write intact.
 */
class PastIntervalsProcessTest {
    static final Duration SETTLE = Duration.ofSeconds(90);

    @Test
    void aPgWhoseOnlyWriterIsDownStaysDownUntilItReturns() throws Exception {
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
        MonReply created = OsdCluster.command(admin, SETTLE, "osd pool create", "pool", "d", "pg_num", 1, "size", 3,
                "min_size", 1);
        assertThat(created.ok()).as(created.outs()).isTrue();
        OsdCluster.awaitMap(admin, "pool d", SETTLE, m -> m.poolByName("d") != null);
        OsdCluster.awaitPgStates(admin, "active+clean", 9, SETTLE);
        OsdMap map = admin.osdMap();
        Pool pool = map.poolByName("d");
        PgMapping mapping = map.placement().mapPg(pool, 0);
        int a = mapping.actingPrimary();
        List<Integer> others = new ArrayList<>();
        for (int o : mapping.acting()) {
            if (o != a) {
                others.add(o);
            }
        }
        assertThat(others).hasSize(2);
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            write(client, "x", "v1");
            for (int o : others) {
                cluster.kill("osd." + o);
            }
            markDown(admin, others);
            write(client, "x", "v2");   // acknowledged by A alone (min_size 1)
            assertThat(admin.osdMap().osd(a).upThru()).as("A's up_thru recorded for its lone interval")
                    .isGreaterThan(map.epoch());
            cluster.kill("osd." + a);
            markDown(admin, List.of(a));
            for (int o : others) {
                cluster.startOsd(o);
            }
            OsdCluster.awaitMap(admin, "B and C up again", SETTLE, m -> m.osd(others.get(0)).up() && m.osd(others.get(1)).up());
            awaitPgState(admin, "d", "down", SETTLE);
            String health = OsdCluster.command(admin, SETTLE, "health", "detail", "detail").data().toString();
            assertThat(health).contains("is down, osds [" + a + "] needed");
            noStaleRead(client);
            cluster.startOsd(a);
            awaitPgState(admin, "d", "active+clean", SETTLE);
            assertThat(read(client, "x")).isEqualTo("v2");
        }
    }

    private static void write(TestClient client, String name, String value) throws Exception {
        MOSDOpReply r = client.op("d", name, new OsdOp.WriteFull(value.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.result()).as("write %s=%s: %s", name, value, r).isEqualTo(OsdResult.OK);
    }

    private static String read(TestClient client, String name) throws Exception {
        MOSDOpReply r = client.op("d", name, new OsdOp.Read(0, 0));
        assertThat(r.result()).as("read %s: %s", name, r).isEqualTo(OsdResult.OK);
        return new String(((OpOutput.Data) r.results().get(0).output()).bytes(), StandardCharsets.UTF_8);
    }

    /** While down, a read waits and is never answered with the stale value. */
    private static void noStaleRead(TestClient client) throws Exception {
        try {
            MOSDOpReply r = client.send(client.newReqid(), "d", "x", List.of(new OsdOp.Read(0, 0)), Duration.ofSeconds(7));
            assertThat(r.result()).as("a read of a down PG was answered: %s", r).isNotEqualTo(OsdResult.OK);
        } catch (AssertionError expected) {
            assertThat(expected.getMessage()).contains("got no answer");
        }
    }

    private static void markDown(MonConnection admin, List<Integer> osds) throws Exception {
        for (int o : osds) {
            assertThat(OsdCluster.command(admin, SETTLE, "osd down", "ids", o).ok()).isTrue();
        }
        OsdCluster.awaitMap(admin, "osds " + osds + " down", SETTLE, m -> osds.stream().noneMatch(o -> m.osd(o).up()));
    }

    /** Waits until pool {@code poolName}'s PG 0 is reported in {@code state}. */
    private static void awaitPgState(MonConnection admin, String poolName, String state, Duration timeout) throws Exception {
        int poolId = admin.osdMap().poolByName(poolName).id();
        String pgid = poolId + ".0";
        String[] last = {""};
        OsdCluster.await("pg " + pgid + " " + state + " (last: " + last[0] + ")", timeout, () -> {
            try {
                MonReply r = admin.command(MonReply.json().createObjectNode().put("prefix", "pg dump"));
                last[0] = r.data() == null ? r.outs() : r.data().toString();
                for (var n : r.data().path("pg_map").path("pg_stats")) {
                    if (n.path("pgid").asText().equals(pgid)) {
                        return n.path("state").asText().equals(state);
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
    }
}
