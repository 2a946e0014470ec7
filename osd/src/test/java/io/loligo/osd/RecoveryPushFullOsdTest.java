package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A recovery push to an OSD whose store cannot take it is refused, not fatal (issue 6; before, the
 * OSD stopped FATAL on "push commit failed"): osd.2 (an 8 MiB store with {@code
 * osd_failsafe_full_ratio = 0.5}) is down while 9 MiB are written, then comes back. Its recovery
 * pushes fill it to its failsafe ratio, and it refuses the rest (ENOSPC); one push is also refused by
 * the store itself (fault point {@code osd.push.store_full}, as when other PGs' writes take the room
 * after the check), so the PG's log is re-read from the store. The primaries back off, health shows
 * OSD_FULL, no OSD dies and every acknowledged object reads back. Deleting most of the objects frees
 * osd.2; recovery resumes on its own, every PG goes active+clean, and with osd.0 killed the
 * remaining objects are still read back, through osd.1 and osd.2.
 */
class RecoveryPushFullOsdTest {
    static final Duration SETTLE = Duration.ofSeconds(120);

    @Test
    void pushesToAFullOsdAreRefusedAndRetriedUntilThereIsRoom() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of())) {
            var conf = cluster.dir.resolve("loligo.conf");
            java.nio.file.Files.writeString(conf, java.nio.file.Files.readString(conf).replace("[osd.2]\nhost = h2\n",
                    "[osd.2]\nhost = h2\nosd_block_file_bytes = " + (8 << 20) + "\nosd_failsafe_full_ratio = 0.5\n"));
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            SplittableRandom random = new SplittableRandom(11);
            Map<String, byte[]> acked = new LinkedHashMap<>();
            write(client, acked, random, "before-", 8);
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);

            cluster.kill("osd.2");
            OsdCluster.awaitMap(admin, "osd.2 down", SETTLE, m -> !m.osd(2).up());
            List<String> whileDown = write(client, acked, random, "down-", 144);   // 9 MiB: more than osd.2's store
            cluster.startOsd(2, "-Dloligo.faults=osd.push.store_full:ioerror:10");
            OsdCluster.await("osd.2 refusing pushes (its failsafe ratio and the store)", SETTLE, () -> {
                String log = cluster.log("osd.2");
                return log.contains("refused a push of") && log.contains("store refused a push from")
                        && log.contains("re-read from the store");
            });
            OsdCluster.await("a primary backing off", SETTLE, () -> cluster.log("osd.0").contains("refused a recovery push")
                    || cluster.log("osd.1").contains("refused a recovery push"));
            var health = OsdCluster.command(admin, SETTLE, "health").data();
            List<String> checks = new ArrayList<>();
            health.path("checks").fieldNames().forEachRemaining(checks::add);
            System.out.println("[push-full] health " + health.path("status").asText() + " checks " + checks
                    + "; pg stat " + OsdCluster.pgStates(admin));
            for (var p : cluster.procs.entrySet()) {
                assertThat(p.getValue().isAlive()).as("%s still running", p.getKey()).isTrue();
            }
            assertThat(cluster.log("osd.2")).doesNotContain("FATAL");
            OsdClusterTest.checkAll(client, acked);

            for (String name : whileDown.subList(0, whileDown.size() - 8)) {   // frees osd.2 below its failsafe
                assertThat(client.op("p", name, new OsdOp.Remove()).result()).as("delete %s", name).isEqualTo(OsdResult.OK);
                acked.remove(name);
            }
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            OsdCluster.await("HEALTH_OK", SETTLE, () -> {
                try {
                    return OsdCluster.command(admin, SETTLE, "health").data().path("status").asText().equals("HEALTH_OK");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(cluster.procs.get("osd.2").isAlive()).as("osd.2 still running").isTrue();
            OsdClusterTest.checkAll(client, acked);

            cluster.kill("osd.0");   // what remains is read through osd.1 and osd.2
            OsdCluster.awaitMap(admin, "osd.0 down", SETTLE, m -> !m.osd(0).up());
            OsdClusterTest.checkAll(client, acked);
        }
    }

    /** Writes {@code n} objects of 64 KiB named {@code prefix + i}; returns their names. */
    private static List<String> write(TestClient client, Map<String, byte[]> acked, SplittableRandom random,
                                      String prefix, int n) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[64 << 10];
            random.nextBytes(data);
            String name = prefix + i;
            var r = client.op("p", name, new OsdOp.WriteFull(data), new OsdOp.SetXattr("len",
                    String.valueOf(data.length).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(r.result()).as("write %s: %s", name, r).isEqualTo(OsdResult.OK);
            acked.put(name, data);
            names.add(name);
        }
        return names;
    }
}
