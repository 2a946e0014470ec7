package io.loligo.osd.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.MOSDScrub;
import io.loligo.messages.MOSDScrubReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ScrubInconsistency;
import io.loligo.osd.OsdCluster;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's scrub scenario with real processes (1 monitor, 3 OSDs, pool size 3): objects are
 * written, then — nothing stopped — bytes are flipped in the data file of one replica's copy of
 * one object and of the primary's copy of another. Client reads still return the written bytes
 * (the primary recovers its damaged copy from a replica and marks the PG inconsistent); a deep
 * scrub names the damaged replica copy (read_error on that OSD) and health shows OSD_SCRUB_ERRORS
 * and PG_DAMAGED with the repair command; pg repair rewrites the copy, the verifying deep scrub is
 * clean, the PGs return to active+clean and health to OK.
 */
class ScrubRepairProcessTest {
    static final Duration SETTLE = Duration.ofSeconds(60);
    static final int OBJECT_BYTES = 128 << 10;   // ≥ 64 KiB: written straight to the data file (not deferred)

    @Test
    void deepScrubFindsFlippedBytesAndRepairFixesThem() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of("osd_scrub_sleep", "0"))) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        try (ScrubTestClient client = new ScrubTestClient(cluster, "client.admin")) {
            SplittableRandom random = new SplittableRandom(6);
            Map<String, byte[]> objects = new LinkedHashMap<>();
            for (int i = 0; i < 12; i++) {
                byte[] data = new byte[OBJECT_BYTES];
                random.nextBytes(data);
                String name = "obj-" + i;
                assertThat(client.op("p", name, new OsdOp.WriteFull(data)).result()).isEqualTo(OsdResult.OK);
                objects.put(name, data);
            }
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            OsdMap map = admin.osdMap();
            Pool pool = map.poolByName("p");
            String onReplica = "obj-0";
            var mA = map.placement().mapObject(pool, "", onReplica);
            PgId pgA = new PgId(pool.id(), mA.pg().seed());
            int badReplica = mA.acting()[1];
            String onPrimary = objects.keySet().stream().filter(n -> map.placement().mapObject(pool, "", n).pg().seed()
                    != mA.pg().seed()).findFirst().orElseThrow();
            var mB = map.placement().mapObject(pool, "", onPrimary);
            PgId pgB = new PgId(pool.id(), mB.pg().seed());

            flipByte(cluster.dir.resolve("osd." + badReplica), objects.get(onReplica), 5000);
            flipByte(cluster.dir.resolve("osd." + mB.actingPrimary()), objects.get(onPrimary), 70_000);

            // No client read returns damaged bytes: the replica's damage is not read, the primary's is recovered.
            for (var e : objects.entrySet()) {
                assertThat(read(client, e.getKey())).as("read of %s", e.getKey()).isEqualTo(e.getValue());
            }
            MOSDScrubReply afterRead = client.scrub(pgB, MOSDScrub.LIST);
            assertThat(afterRead.inconsistents()).as("the primary's read error is recorded").hasSize(1);
            assertThat(afterRead.inconsistents().getFirst().badOsds()).containsExactly(mB.actingPrimary());

            MOSDScrubReply found = scrubAndWait(client, pgA, MOSDScrub.DEEP_SCRUB);
            assertThat(found.inconsistents()).as("deep scrub of pg %s", pgA).hasSize(1);
            ScrubInconsistency inc = found.inconsistents().getFirst();
            assertThat(inc.ref().name()).isEqualTo(onReplica);
            assertThat(inc.badOsds()).containsExactly(badReplica);
            assertThat(inc.authOsd()).isNotEqualTo(badReplica);
            assertThat(inc.shards().stream().filter(s -> s.osd() == badReplica).findFirst().orElseThrow().errors())
                    .containsExactly(ScrubCompare.READ_ERROR);
            assertThat(found.scrubErrors()).isEqualTo(1);
            assertThat(found.state()).contains("+inconsistent");

            JsonNode health = awaitHealth(admin,
                    h -> h.path("checks").path("PG_DAMAGED").path("summary").path("count").asInt() == 2);
            assertThat(health.path("status").asText()).isEqualTo("HEALTH_ERR");
            assertThat(health.path("checks").path("OSD_SCRUB_ERRORS").path("summary").path("message").asText())
                    .isEqualTo("2 scrub errors");
            assertThat(health.path("checks").path("PG_DAMAGED").path("summary").path("message").asText())
                    .isEqualTo("Possible data damage: 2 pgs inconsistent");
            assertThat(health.path("checks").path("PG_DAMAGED").path("detail").toString()).contains("loligo pg repair " + pgA);
            assertThat(OsdCluster.pgStates(admin)).containsEntry("active+clean+inconsistent", 2);

            MOSDScrubReply repaired = scrubAndWait(client, pgA, MOSDScrub.REPAIR);
            assertThat(repaired.inconsistents()).as("after repair of pg %s", pgA).isEmpty();
            assertThat(repaired.scrubErrors()).isZero();
            MOSDScrubReply cleanB = scrubAndWait(client, pgB, MOSDScrub.DEEP_SCRUB);
            assertThat(cleanB.inconsistents()).as("pg %s, its primary's copy recovered on read", pgB).isEmpty();
            MOSDScrubReply again = scrubAndWait(client, pgA, MOSDScrub.DEEP_SCRUB);
            assertThat(again.inconsistents()).as("second deep scrub of pg %s", pgA).isEmpty();

            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            awaitHealth(admin, h -> h.path("status").asText().equals("HEALTH_OK"));
            for (var e : objects.entrySet()) {
                assertThat(read(client, e.getKey())).as("read of %s after repair", e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    private static byte[] read(ScrubTestClient client, String name) throws Exception {
        MOSDOpReply r = client.op("p", name, new OsdOp.Read(0, 0));
        assertThat(r.result()).as("read %s: %s", name, r.message()).isEqualTo(OsdResult.OK);
        return ((OpOutput.Data) r.results().getFirst().output()).bytes();
    }

    /** Starts a scrub and waits until it (and the verifying scrub of a repair) has finished. */
    static MOSDScrubReply scrubAndWait(ScrubTestClient client, PgId pg, int command) throws Exception {
        long before = client.scrub(pg, MOSDScrub.LIST).lastDeepScrubMillis();
        MOSDScrubReply started = client.scrub(pg, command);
        assertThat(started.result()).as(started.message()).isEqualTo(OsdResult.OK);
        MOSDScrubReply[] last = {started};
        OsdCluster.await("scrub of pg " + pg, SETTLE, () -> {
            try {
                last[0] = client.scrub(pg, MOSDScrub.LIST);
                return !last[0].busy() && last[0].lastDeepScrubMillis() > before;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return last[0];
    }

    private static JsonNode awaitHealth(MonConnection admin, java.util.function.Predicate<JsonNode> condition)
            throws Exception {
        JsonNode[] last = {null};
        try {
            OsdCluster.await("health", SETTLE, () -> {
                try {
                    last[0] = admin.command(MonReply.json().createObjectNode().put("prefix", "health").put("detail", true))
                            .data();
                    return condition.test(last[0]);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last health: " + last[0], e);
        }
        return last[0];
    }

    /**
     * Flips one byte of the copy of {@code data} in the OSD's data file, found by content: the
     * 4 KiB block of {@code data} that holds {@code offset} is unique (random bytes, written once).
     */
    static void flipByte(Path osdDir, byte[] data, int offset) throws IOException {
        int blockStart = offset / 4096 * 4096;
        byte[] block = Arrays.copyOfRange(data, blockStart, blockStart + 4096);
        try (RandomAccessFile f = new RandomAccessFile(osdDir.resolve("store").resolve("block").toFile(), "rw")) {
            byte[] buf = new byte[1 << 20];
            for (long pos = 0; pos < f.length(); pos += buf.length) {
                f.seek(pos);
                int n = (int) Math.min(buf.length, f.length() - pos);
                f.readFully(buf, 0, n);
                for (int b = 0; b + 4096 <= n; b += 4096) {
                    if (Arrays.equals(buf, b, b + 4096, block, 0, 4096)) {
                        long at = pos + b + offset % 4096;
                        f.seek(at);
                        int old = f.read();
                        f.seek(at);
                        f.write(old ^ 0x5a);
                        f.getFD().sync();
                        return;
                    }
                }
            }
        }
        throw new AssertionError("block of offset " + offset + " not found in " + osdDir);
    }
}
