package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A full cluster stays survivable (issue 6): with 3 MiB stores, 16 KiB writes fill the OSDs until a
 * write is refused with ENOSPC (the client library's ClusterFull) and health shows OSD_FULL naming
 * the OSD; no OSD dies, every acknowledged object stays readable, a refused write applies nothing,
 * every delete succeeds, and once the deletes freed space health returns to HEALTH_OK (every PG
 * active+clean) and writes are accepted again.
 *
 * <p>osd.0 runs with {@code osd_failsafe_full_ratio = 0.5}, far below the map's full ratio, so as a
 * replica it passes its failsafe while its primaries still accept writes: it must log those writes
 * without their data (never refuse them, which would wedge the PG's later entries, deletes included)
 * and have the objects recovered, here by the deletes, afterwards.
 */
class FullOsdTest {
    @Test
    void fullOsdRefusesWritesKeepsReadsAndDeletesThenRecovers() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of("osd_block_file_bytes", String.valueOf(3 << 20)))) {
            var conf = cluster.dir.resolve("loligo.conf");
            Files.writeString(conf, Files.readString(conf).replace("[osd.0]\nhost = h0\n",
                    "[osd.0]\nhost = h0\nosd_failsafe_full_ratio = 0.5\n"));
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
            SplittableRandom random = new SplittableRandom(5);
            Map<String, byte[]> acked = new LinkedHashMap<>();
            MOSDOpReply refused = null;
            for (int i = 0; i < 400 && refused == null; i++) {
                byte[] data = new byte[16 << 10];
                random.nextBytes(data);
                MOSDOpReply r = client.op("p", "fill-" + i, new OsdOp.WriteFull(data),
                        new OsdOp.SetXattr("len", String.valueOf(data.length).getBytes(StandardCharsets.UTF_8)));
                if (r.result() == OsdResult.OK) {
                    acked.put("fill-" + i, data);
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("a write was refused before 400 x 16 KiB filled 3 MiB").isNotNull();
            assertThat(refused.result()).as(refused.toString()).isEqualTo(OsdResult.ENOSPC);
            System.out.printf("[full] %d objects of 16 KiB acknowledged, then: %s%n", acked.size(), refused.message());
            JsonNode health = awaitHealth(admin, "OSD_FULL", h -> h.path("checks").has("OSD_FULL"));
            assertThat(health.path("status").asText()).isEqualTo("HEALTH_ERR");
            String detail = health.path("checks").path("OSD_FULL").path("detail").get(0).path("message").asText();
            assertThat(detail).matches("osd\\.\\d is full \\(\\d+% used\\).*delete objects.*");
            System.out.println("[full] health: " + detail + "; pg stat " + OsdCluster.pgStates(admin));
            for (var p : cluster.procs.entrySet()) {
                assertThat(p.getValue().isAlive()).as("%s still running", p.getKey()).isTrue();
            }
            assertThat(client.op("p", "refused", new OsdOp.WriteFull(new byte[4096])).result())
                    .as("a write while the map marks an OSD full").isEqualTo(OsdResult.ENOSPC);
            assertThat(client.op("p", "refused", new OsdOp.Stat()).result()).as("the refused write applied nothing")
                    .isEqualTo(OsdResult.ENOENT);
            OsdClusterTest.checkAll(client, acked);
            List<String> names = new ArrayList<>(acked.keySet());
            for (String name : names) {
                assertThat(client.op("p", name, new OsdOp.Remove()).result()).as("delete %s on a full cluster", name)
                        .isEqualTo(OsdResult.OK);
                acked.remove(name);
            }
            awaitHealth(admin, "HEALTH_OK after the deletes", h -> h.path("status").asText().equals("HEALTH_OK"));
            OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(60));
            byte[] after = new byte[16 << 10];
            random.nextBytes(after);
            assertThat(client.op("p", "after", new OsdOp.WriteFull(after),
                    new OsdOp.SetXattr("len", String.valueOf(after.length).getBytes(StandardCharsets.UTF_8))).result())
                    .as("writes accepted again after deletes").isEqualTo(OsdResult.OK);
            OsdClusterTest.checkAll(client, Map.of("after", after));
        }
    }

    private static JsonNode awaitHealth(MonConnection admin, String what, java.util.function.Predicate<JsonNode> ok)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = OsdCluster.command(admin, Duration.ofSeconds(30), "health").data();
            if (ok.test(last)) {
                return last;
            }
            Thread.sleep(200);   // polling interval of a deadline-bounded wait
        }
        throw new AssertionError("timed out waiting for " + what + "; last health: " + last);
    }
}
