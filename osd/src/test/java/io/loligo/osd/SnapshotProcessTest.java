package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pool snapshots on real processes (1 monitor + 3 OSDs, pool size 3, PG logs of 4 entries so a
 * returning OSD is backfilled in most PGs): snapshot, overwrite, delete and create objects, then
 * read the old and the new content; an OSD that missed a second snapshot's clones is killed,
 * returns, and after active+clean serves both snapshots alone; {@code rmsnap} trims the clones
 * only the removed snap needed (the PGs' object counts drop to the exact expected figure).
 */
class SnapshotProcessTest {
    static final Duration SETTLE = Duration.ofSeconds(120);

    @Test
    void snapshotsSurviveOverwritesDeletesBackfillAndTrim() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of("osd_max_pg_log_entries", "4"))) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private static byte[] content(String name, int version) {
        return (name + " version " + version + " ").repeat(1 + name.length() * version).getBytes(StandardCharsets.UTF_8);
    }

    private static long mksnap(MonConnection admin, TestClient client, String snap) throws Exception {
        MonReply r = OsdCluster.command(admin, SETTLE, "osd pool mksnap", "pool", "p", "snap", snap);
        assertThat(r.ok()).as(r.outs()).isTrue();
        long id = r.data().path("snapid").asLong();
        OsdCluster.awaitMap(client.mon, "snap " + snap, SETTLE,
                m -> m.poolByName("p").snapshots().snaps().containsKey(id));
        return id;
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            for (int i = 0; i < 20; i++) {
                write(client, "obj-" + i, 1);
            }
            long s1 = mksnap(admin, client, "s1");
            assertThat(s1).isEqualTo(1);
            for (int i = 0; i < 10; i++) {
                write(client, "obj-" + i, 2);
            }
            for (int i = 10; i < 15; i++) {
                assertThat(client.op("p", "obj-" + i, new OsdOp.Remove()).result()).isEqualTo(OsdResult.OK);
            }
            for (int i = 20; i < 25; i++) {
                write(client, "obj-" + i, 2);
            }
            Map<String, Integer> atS1 = new LinkedHashMap<>();
            Map<String, Integer> head = new LinkedHashMap<>();
            for (int i = 0; i < 25; i++) {
                atS1.put("obj-" + i, i < 20 ? 1 : 0);
                head.put("obj-" + i, i < 10 ? 2 : i < 15 ? 0 : i < 20 ? 1 : 2);
            }
            check(client, s1, atS1);
            check(client, 0, head);
            MOSDOpReply stat = client.opAtSnap("p", "obj-3", s1, new OsdOp.Stat());
            assertThat(((OpOutput.Stat) stat.results().get(0).output()).size()).isEqualTo(content("obj-3", 1).length);
            assertThat(client.opAtSnap("p", "obj-3", s1, new OsdOp.WriteFull(new byte[1])).result())
                    .isEqualTo(OsdResult.EROFS);
            assertThat(client.opAtSnap("p", "obj-3", 99, new OsdOp.Read(0, 0)).result()).isEqualTo(OsdResult.ENOENT);

            cluster.kill("osd.2");
            assertThat(OsdCluster.command(admin, SETTLE, "osd down", "ids", 2).ok()).isTrue();
            OsdCluster.awaitMap(admin, "osd.2 down", SETTLE, m -> !m.osd(2).up());
            long s2 = mksnap(admin, client, "s2");
            for (int i : List.of(0, 1, 2, 3, 4, 15, 16, 17, 18, 19)) {
                write(client, "obj-" + i, 3);
            }
            for (int i = 30; i < 70; i++) {
                write(client, "obj-" + i, 1);   // pushes the 4-entry logs past osd.2: backfill
            }
            Map<String, Integer> atS2 = new LinkedHashMap<>(head);
            for (int i = 0; i < 25; i++) {
                head.put("obj-" + i, i < 5 ? 3 : i < 15 ? head.get("obj-" + i) : i < 20 ? 3 : 2);
            }
            for (int i = 30; i < 70; i++) {
                head.put("obj-" + i, 1);
                atS2.put("obj-" + i, 0);
            }
            cluster.startOsd(2);
            OsdCluster.awaitMap(admin, "osd.2 up", SETTLE, m -> m.osd(2).up());
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            awaitObjects(admin, 90);   // 60 heads, 5 snapdirs, 25 clones

            assertThat(OsdCluster.command(admin, SETTLE, "osd pool set", "pool", "p", "var", "min_size", "val", 1).ok())
                    .isTrue();
            for (int o : List.of(0, 1)) {
                cluster.kill("osd." + o);
                assertThat(OsdCluster.command(admin, SETTLE, "osd down", "ids", o).ok()).isTrue();
            }
            OsdCluster.awaitMap(admin, "only osd.2 up", SETTLE, m -> m.numUp() == 1 && m.osd(2).up());
            check(client, s1, atS1);
            check(client, s2, atS2);
            check(client, 0, head);
            cluster.startOsd(0);
            cluster.startOsd(1);
            OsdCluster.awaitMap(admin, "all up", SETTLE, m -> m.numUp() == 3);
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            trim(admin, client, s1, s2, atS2, head);
        }
    }

    /** rmsnap s1: its clones go, s2 and the heads stay. */
    private void trim(MonConnection admin, TestClient client, long s1, long s2, Map<String, Integer> atS2,
                      Map<String, Integer> head) throws Exception {
        MonReply r = OsdCluster.command(admin, SETTLE, "osd pool rmsnap", "pool", "p", "snap", "s1");
        assertThat(r.ok()).as(r.outs()).isTrue();
        OsdCluster.awaitMap(client.mon, "s1 removed", SETTLE, m -> m.poolByName("p").snapshots().removed().contains(s1));
        awaitObjects(admin, 70);   // s1's 15 clones and the 5 snapdirs of the objects deleted before s2 are gone
        assertThat(client.opAtSnap("p", "obj-0", s1, new OsdOp.Read(0, 0)).result()).isEqualTo(OsdResult.ENOENT);
        check(client, s2, atS2);
        check(client, 0, head);
        OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
        assertThat(OsdCluster.command(admin, SETTLE, "osd pool rmsnap", "pool", "p", "snap", "s2").ok()).isTrue();
        awaitObjects(admin, 60);   // only the heads remain
        check(client, 0, head);
    }

    private static void write(TestClient client, String name, int version) throws Exception {
        MOSDOpReply r = client.op("p", name, new OsdOp.WriteFull(content(name, version)));
        assertThat(r.result()).as("write %s: %s", name, r).isEqualTo(OsdResult.OK);
    }

    /** Every object reads as its expected version at {@code snap} (0: the head); version 0 means absent. */
    private static void check(TestClient client, long snap, Map<String, Integer> expected) throws Exception {
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            MOSDOpReply r = client.opAtSnap("p", e.getKey(), snap, new OsdOp.Read(0, 0));
            if (e.getValue() == 0) {
                assertThat(r.result()).as("%s at snap %d: %s", e.getKey(), snap, r).isEqualTo(OsdResult.ENOENT);
                continue;
            }
            assertThat(r.result()).as("%s at snap %d: %s", e.getKey(), snap, r).isEqualTo(OsdResult.OK);
            assertThat(new String(((OpOutput.Data) r.results().get(0).output()).bytes(), StandardCharsets.UTF_8))
                    .as("%s at snap %d", e.getKey(), snap)
                    .isEqualTo(new String(content(e.getKey(), e.getValue()), StandardCharsets.UTF_8));
        }
    }

    /** Waits until the PGs' primaries report {@code expected} objects in pool p. */
    static void awaitObjects(MonConnection admin, long expected) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            last = objectCount(admin);
            if (last == expected) {
                return;
            }
            Thread.sleep(200);   // polling interval of a deadline-bounded wait (stats come every second)
        }
        throw new AssertionError("pool p reports " + last + " objects, expected " + expected);
    }

    /** The pool's objects as its PGs' primaries count them (store objects: heads, snapdirs, clones). */
    static long objectCount(MonConnection admin) throws Exception {
        MonReply df = OsdCluster.command(admin, SETTLE, "df");
        for (var p : df.data().path("pools")) {
            if (p.path("name").asText().equals("p")) {
                return p.path("stats").path("objects").asLong();
            }
        }
        throw new AssertionError("no pool p in df: " + df.data());
    }
}
