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
 * written, then — nothing stopped — bytes are flipped in the data file: a replica's copy of A and
 * the primary's copy of C (same PG), the primary's copies of B and D and a replica's copy of E
 * (another PG). Client reads return
 * the written bytes (B's primary recovers its copy from a replica and marks its PG inconsistent, and
 * does the same before a partial overwrite of D, damaged on the primary under the write; a replica
 * whose copy of E is damaged under a partial overwrite takes the primary's copy with the write); a
 * deep scrub names A on the replica and C on the primary (read_error), health shows
 * OSD_SCRUB_ERRORS and PG_DAMAGED with the repair command, the finding survives a restart of the
 * primary; pg repair rewrites both copies, a deep scrub during concurrent overwrites finds nothing,
 * a second deep scrub is clean, the PGs return to active+clean and health to OK.
 */
class ScrubRepairProcessTest {
    static final Duration SETTLE = Duration.ofSeconds(60);
    static final int OBJECT_BYTES = 128 << 10;   // ≥ 64 KiB: written straight to the data file (not deferred)

    @Test
    void deepScrubFindsFlippedBytesAndRepairFixesThem() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of("client.ro", "allow r pool=p"), Map.of("osd_scrub_sleep", "0"))) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    /**
     * Scheduled deep scrubs with osd_scrub_auto_repair: with intervals of seconds, a copy damaged
     * on a replica is found and rewritten without any operator command.
     */
    @Test
    void scheduledDeepScrubFindsAndAutoRepairs() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of("osd_scrub_sleep", "0", "osd_scrub_min_interval", "1",
                "osd_deep_scrub_interval", "2", "osd_scrub_auto_repair", "true"))) {
            try {
                MonConnection admin = cluster.startWithPool(3);
                try (ScrubTestClient client = new ScrubTestClient(cluster, "client.admin")) {
                    Map<String, byte[]> objects = new LinkedHashMap<>();
                    SplittableRandom random = new SplittableRandom(7);
                    for (int i = 0; i < 8; i++) {
                        write(client, objects, "obj-" + i, random);
                    }
                    OsdMap map = admin.osdMap();
                    var m = map.placement().mapObject(map.poolByName("p"), "", "obj-0");
                    PgId pg = new PgId(map.poolByName("p").id(), m.pg().seed());
                    int bad = m.acting()[2];
                    flipByte(cluster.dir.resolve("osd." + bad), objects.get("obj-0"), 20_000);
                    long flipped = System.currentTimeMillis();
                    OsdCluster.await("automatic repair of obj-0 on osd." + bad, SETTLE,
                            () -> cluster.log("osd." + m.actingPrimary()).contains("repaired the copy of obj-0@"));
                    OsdCluster.await("a clean deep scrub of pg " + pg + " after the repair", SETTLE, () -> {
                        try {
                            MOSDScrubReply r = client.scrub(pg, MOSDScrub.LIST);
                            return r.lastDeepScrubMillis() > flipped && r.inconsistents().isEmpty() && !r.busy();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
                    assertThat(read(client, "obj-0")).isEqualTo(objects.get("obj-0"));
                }
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
                write(client, objects, "obj-" + i, random);
            }
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            OsdMap map = admin.osdMap();
            Pool pool = map.poolByName("p");
            String a = "obj-0";   // damaged on a replica, read by clients
            var mA = map.placement().mapObject(pool, "", a);
            PgId pgA = new PgId(pool.id(), mA.pg().seed());
            int primaryA = mA.actingPrimary();
            int badReplica = mA.acting()[1];
            String c = null;      // in the same PG, damaged on the primary, not read before the repair
            for (int i = 100; c == null; i++) {
                if (map.placement().mapObject(pool, "", "obj-" + i).pg().seed() == pgA.seed()) {
                    c = "obj-" + i;
                    write(client, objects, c, random);
                }
            }
            String b = objects.keySet().stream().filter(n -> map.placement().mapObject(pool, "", n).pg().seed()
                    != pgA.seed()).findFirst().orElseThrow();   // another PG, damaged on its primary, read by clients
            var mB = map.placement().mapObject(pool, "", b);
            PgId pgB = new PgId(pool.id(), mB.pg().seed());
            String d = null;      // in B's PG, damaged on the primary, then partly overwritten
            String eName = null;  // in B's PG, damaged on a replica, then partly overwritten
            for (int i = 200; eName == null; i++) {
                if (map.placement().mapObject(pool, "", "obj-" + i).pg().seed() == pgB.seed()) {
                    if (d == null) {
                        d = "obj-" + i;
                    } else {
                        eName = "obj-" + i;
                    }
                    write(client, objects, "obj-" + i, random);
                }
            }
            int replicaB = mB.acting()[1];

            flipByte(cluster.dir.resolve("osd." + badReplica), objects.get(a), 5000);
            flipByte(cluster.dir.resolve("osd." + primaryA), objects.get(c), 100_000);
            flipByte(cluster.dir.resolve("osd." + mB.actingPrimary()), objects.get(b), 70_000);
            flipByte(cluster.dir.resolve("osd." + mB.actingPrimary()), objects.get(d), 1000);
            flipByte(cluster.dir.resolve("osd." + replicaB), objects.get(eName), 500);

            // A write that must read the damaged block (it cuts it) is applied after the primary recovers its copy.
            byte[] patch = "patched".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            MOSDOpReply patched = client.op("p", d, new OsdOp.Write(1000, patch));
            assertThat(patched.result()).as("partial overwrite of %s: %s", d, patched.message()).isEqualTo(OsdResult.OK);
            System.arraycopy(patch, 0, objects.get(d), 1000, patch.length);
            String primaryLog = cluster.log("osd." + mB.actingPrimary());
            assertThat(primaryLog).as("the write was held for a repair").contains("read of " + d + "@")
                    .contains("repaired own copy of " + d + "@").doesNotContain("FATAL");
            MOSDOpReply patchedOnReplica = client.op("p", eName, new OsdOp.Write(500, patch));
            assertThat(patchedOnReplica.result()).as("partial overwrite of %s", eName).isEqualTo(OsdResult.OK);
            System.arraycopy(patch, 0, objects.get(eName), 500, patch.length);
            assertThat(cluster.log("osd." + replicaB)).as("the replica took the primary's copy under the write")
                    .contains("cuts a damaged block of our copy of " + eName + "@")
                    .contains("repaired own copy of " + eName + "@")
                    .doesNotContain("FATAL");

            // No client read returns damaged bytes: the replica's damage is not read, the primary's is recovered.
            for (var e : objects.entrySet()) {
                if (!e.getKey().equals(c)) {
                    assertThat(read(client, e.getKey())).as("read of %s", e.getKey()).isEqualTo(e.getValue());
                }
            }
            MOSDScrubReply afterRead = client.scrub(pgB, MOSDScrub.LIST);
            assertThat(afterRead.inconsistents()).as("the primary's read errors are recorded").hasSize(2)
                    .allSatisfy(i -> assertThat(i.badOsds()).containsExactly(mB.actingPrimary()));

            try (ScrubTestClient readOnly = new ScrubTestClient(cluster, "client.ro")) {
                MOSDScrubReply refused = readOnly.scrub(pgA, MOSDScrub.REPAIR);
                assertThat(refused.result()).as(refused.message()).isEqualTo(OsdResult.EACCES);
                assertThat(refused.message()).contains("client.ro lacks osd 'rwx'");
                assertThat(readOnly.scrub(pgA, MOSDScrub.LIST).result()).isEqualTo(OsdResult.OK);
            }
            MOSDScrubReply found = scrubAndWait(client, pgA, MOSDScrub.DEEP_SCRUB);
            checkFound(found, pgA, a, badReplica, c, primaryA);
            assertThat(found.scrubErrors()).isEqualTo(2);
            assertThat(found.state()).contains("+inconsistent");

            JsonNode health = awaitHealth(admin,
                    h -> h.path("checks").path("PG_DAMAGED").path("summary").path("count").asInt() == 2
                            && h.path("checks").path("OSD_SCRUB_ERRORS").path("summary").path("count").asInt() == 4);
            assertThat(health.path("status").asText()).isEqualTo("HEALTH_ERR");
            assertThat(health.path("checks").path("OSD_SCRUB_ERRORS").path("summary").path("message").asText())
                    .isEqualTo("4 scrub errors");
            assertThat(health.path("checks").path("PG_DAMAGED").path("summary").path("message").asText())
                    .isEqualTo("Possible data damage: 2 pgs inconsistent");
            assertThat(health.path("checks").path("PG_DAMAGED").path("detail").toString()).contains("loligo pg repair " + pgA);
            assertThat(OsdCluster.pgStates(admin)).containsEntry("active+clean+inconsistent", 2);

            // What a scrub found survives the primary's death and restart (kept in every member's PG meta object).
            cluster.kill("osd." + primaryA);
            OsdCluster.awaitMap(admin, "osd." + primaryA + " down", SETTLE, m -> !m.osd(primaryA).up());
            OsdCluster.await("pg " + pgA + " listed by its next primary (the record is kept by every member)", SETTLE, () -> {
                try {
                    MOSDScrubReply r = client.scrub(pgA, MOSDScrub.LIST);
                    return r.primary() != primaryA && r.inconsistents().size() == 2;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            cluster.startOsd(primaryA);
            OsdCluster.awaitMap(admin, "osd." + primaryA + " up", SETTLE, m -> m.osd(primaryA).up());
            OsdCluster.await("pg " + pgA + " listed by its restarted primary", SETTLE, () -> {
                try {
                    MOSDScrubReply r = client.scrub(pgA, MOSDScrub.LIST);
                    return r.primary() == primaryA && r.inconsistents().size() == 2;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });

            MOSDScrubReply repaired = scrubAndWait(client, pgA, MOSDScrub.REPAIR);
            assertThat(repaired.inconsistents()).as("after repair of pg %s", pgA).isEmpty();
            assertThat(repaired.scrubErrors()).isZero();
            assertThat(cluster.log("osd." + primaryA)).contains("repaired own copy of " + c)
                    .contains("repaired the copy of " + a);
            deepScrubWhileWriting(client, pgB, objects, pool, map, random);
            MOSDScrubReply again = scrubAndWait(client, pgA, MOSDScrub.DEEP_SCRUB);
            assertThat(again.inconsistents()).as("second deep scrub of pg %s", pgA).isEmpty();

            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            awaitHealth(admin, h -> h.path("status").asText().equals("HEALTH_OK"));
            for (var e : objects.entrySet()) {
                assertThat(read(client, e.getKey())).as("read of %s after repair", e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    private static void checkFound(MOSDScrubReply found, PgId pg, String a, int badReplica, String c, int primary) {
        assertThat(found.inconsistents()).as("deep scrub of pg %s", pg).hasSize(2);
        for (ScrubInconsistency inc : found.inconsistents()) {
            int bad = inc.ref().name().equals(a) ? badReplica : primary;
            assertThat(inc.ref().name()).isIn(a, c);
            assertThat(inc.badOsds()).as("%s", inc).containsExactly(bad);
            assertThat(inc.authOsd()).isNotEqualTo(bad).isNotNegative();
            assertThat(inc.shards().stream().filter(s -> s.osd() == bad).findFirst().orElseThrow().errors())
                    .containsExactly(ScrubCompare.READ_ERROR);
        }
    }

    /** A deep scrub while a client keeps overwriting the PG's objects: no false inconsistency, every write lands. */
    private static void deepScrubWhileWriting(ScrubTestClient client, PgId pg, Map<String, byte[]> objects, Pool pool,
                                              OsdMap map, SplittableRandom random) throws Exception {
        var names = objects.keySet().stream().filter(n -> map.placement().mapObject(pool, "", n).pg().seed() == pg.seed())
                .toList();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        SplittableRandom writerRandom = random.split();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    write(client, objects, names.get(i % names.size()), writerRandom);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            MOSDScrubReply clean = scrubAndWait(client, pg, MOSDScrub.DEEP_SCRUB);
            assertThat(clean.inconsistents()).as("pg %s, its primary's copy recovered on read, scrubbed while written", pg)
                    .isEmpty();
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(failure.get()).as("writer").isNull();
    }

    private static void write(ScrubTestClient client, Map<String, byte[]> objects, String name, SplittableRandom random)
            throws Exception {
        byte[] data = new byte[OBJECT_BYTES];
        random.nextBytes(data);
        MOSDOpReply r = client.op("p", name, new OsdOp.WriteFull(data));
        assertThat(r.result()).as("write %s: %s", name, r.message()).isEqualTo(OsdResult.OK);
        synchronized (objects) {
            objects.put(name, data);
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
