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

    /**
     * Regression, full-osd (seed 1564534407197455156): once osd.0 (the one small disk) was full,
     * deleting the filler objects never completed. A write that a non-full primary had accepted was
     * refused (ENOSPC) by the full replica osd.0; the primary retried it forever, and a replica
     * applies a PG's entries strictly in version order, so every later entry of that PG, the deletes
     * among them, queued behind it. Here osd.0 is the only small store (4 MiB, failsafe ratio 0.5;
     * osd.1 and osd.2 keep 48 MiB) and holds a quarter of it; the write that crosses its failsafe ratio
     * is made certain: one 2.5 MiB write to a PG whose primary is another OSD, which neither the map
     * nor the primary sees as full. osd.0 must log it without the data (the old code refused it, and
     * this write and every later one of its PG got no answer); writes then go on until one is refused
     * because the map marks osd.0 full, and every delete, that PG's first, must complete and free
     * osd.0's space ({@code osd df}), and health return to HEALTH_OK.
     */
    @Test
    void fullOsd1564534407197455156_deletesCompleteAfterAFullReplicaWasSentAWrite() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of())) {
            var conf = cluster.dir.resolve("loligo.conf");
            Files.writeString(conf, Files.readString(conf).replace("[osd.0]\nhost = h0\n",
                    "[osd.0]\nhost = h0\nosd_block_file_bytes = " + SMALL_STORE_BYTES + "\nosd_failsafe_full_ratio = 0.5\n"));
            try {
                runFullReplica(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private static final int SMALL_STORE_BYTES = 4 << 20;

    private void runFullReplica(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(90));
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            SplittableRandom random = new SplittableRandom(1564534407197455156L);
            List<String> pgX = namesInOnePgNotPrimariedBy(admin.osdMap(), 0, 4);
            Map<String, byte[]> acked = new LinkedHashMap<>();
            // A quarter of osd.0's store (every PG has a copy there), so the deletes have space to free.
            for (int i = 0; i < SMALL_STORE_BYTES / 4 / (16 << 10); i++) {
                assertThat(write(client, random, "before-" + i, 16 << 10, acked)).as("write before-%d", i).isNull();
            }
            for (String name : pgX.subList(1, pgX.size())) {
                assertThat(write(client, random, name, 4 << 10, acked)).as("write %s", name).isNull();
            }
            String big = pgX.get(0);   // 5/8 of the store on top of the quarter: past the failsafe ratio 0.5
            byte[] bigData = new byte[SMALL_STORE_BYTES * 5 / 8];
            random.nextBytes(bigData);
            MOSDOpReply r = client.op("p", big, new OsdOp.WriteFull(bigData),
                    new OsdOp.SetXattr("len", String.valueOf(bigData.length).getBytes(StandardCharsets.UTF_8)));
            assertThat(r.result()).as("a write past osd.0's failsafe ratio, its primary not full: %s", r)
                    .isEqualTo(OsdResult.OK);
            acked.put(big, bigData);
            assertThat(cluster.log("osd.0")).as("osd.0 logged the big write without its data")
                    .contains("past osd_failsafe_full_ratio: logged").contains("without the data of " + big);
            MOSDOpReply refused = null;
            for (int i = 0; i < 400 && refused == null; i++) {
                refused = write(client, random, "fill-" + i, 16 << 10, acked);
            }
            assertThat(refused).as("a write was refused before 400 x 16 KiB filled osd.0").isNotNull();
            assertThat(refused.result()).as(refused.toString()).isEqualTo(OsdResult.ENOSPC);
            // Refused because the map marks osd.0 full: past its failsafe ratio it reports itself full,
            // by the big write alone (until a tick finds it nearly empty) or by the filler.
            assertThat(refused.message()).as(refused.toString()).startsWith("osd.0 is full");
            System.out.printf("[full-osd] %d objects acknowledged, then: %s%n", acked.size(), refused.message());
            OsdClusterTest.checkAll(client, acked);
            long quarterKb = SMALL_STORE_BYTES / 4 / 1024;
            long usedKb = awaitKbUsed(admin, 0, "osd.0 holding the first quarter", kb -> kb >= quarterKb);
            // The PG of the big write first: its deletes are the entries the old code queued for good.
            List<String> deletes = new ArrayList<>(pgX);
            acked.keySet().stream().filter(n -> !pgX.contains(n)).forEach(deletes::add);
            for (String name : deletes) {
                assertThat(client.op("p", name, new OsdOp.Remove()).result()).as("delete %s with osd.0 full", name)
                        .isEqualTo(OsdResult.OK);
            }
            long freedKb = awaitKbUsed(admin, 0, "the deletes freeing osd.0", kb -> kb < quarterKb / 4);
            System.out.printf("[full-osd] osd.0: %d KiB used before the deletes, %d KiB after%n", usedKb, freedKb);
            awaitHealth(admin, "HEALTH_OK after the deletes", h -> h.path("status").asText().equals("HEALTH_OK"));
            OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(60));
            for (var p : cluster.procs.entrySet()) {
                assertThat(p.getValue().isAlive()).as("%s still running", p.getKey()).isTrue();
            }
        }
    }

    /** Waits until {@code osd df} shows {@code osd}'s kb_used passing {@code ok}; returns it. */
    private static long awaitKbUsed(MonConnection admin, int osd, String what, java.util.function.LongPredicate ok)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            for (JsonNode n : OsdCluster.command(admin, Duration.ofSeconds(30), "osd df").data().path("nodes")) {
                if (n.path("id").asInt() == osd) {
                    last = n.path("kb_used").asLong();
                }
            }
            if (last >= 0 && ok.test(last)) {
                return last;
            }
            Thread.sleep(200);   // polling interval of a deadline-bounded wait (usage is reported every second)
        }
        throw new AssertionError("timed out waiting for " + what + "; osd." + osd + " kb_used " + last);
    }

    /** A WriteFull of {@code bytes} random bytes; null when acknowledged (then in {@code acked}), else the reply. */
    private static MOSDOpReply write(TestClient client, SplittableRandom random, String name, int bytes,
                                     Map<String, byte[]> acked) throws Exception {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        MOSDOpReply r = client.op("p", name, new OsdOp.WriteFull(data),
                new OsdOp.SetXattr("len", String.valueOf(data.length).getBytes(StandardCharsets.UTF_8)));
        if (r.result() != OsdResult.OK) {
            return r;
        }
        acked.put(name, data);
        return null;
    }

    /** {@code count} object names of pool p in one PG whose acting primary is not {@code osd}. */
    private static List<String> namesInOnePgNotPrimariedBy(io.loligo.maps.OsdMap map, int osd, int count) {
        var pool = map.poolByName("p");
        Map<Integer, List<String>> byPg = new java.util.HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            String name = "pgx-" + i;
            var mapping = map.placement().mapObject(pool, "", name);
            if (mapping.actingPrimary() != osd) {
                List<String> names = byPg.computeIfAbsent(mapping.pg().seed(), k -> new ArrayList<>());
                names.add(name);
                if (names.size() == count) {
                    return names;
                }
            }
        }
        throw new AssertionError("no PG of pool p with a primary other than osd." + osd);
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
