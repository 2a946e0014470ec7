package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ReqId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Real processes: 1 monitor and 3 OSDs on loopback, a pool of size 3 / min_size 2, a minimal test
 * client. Proves that OSDs boot into CRUSH under their hosts, serve compound ops applied
 * atomically, enforce caps, answer bad pools, stale and misdirected ops with clear codes, apply a
 * resent reqid once, and that every acknowledged write stays readable after kill -9 of an OSD,
 * after it comes back (recovered by peering) and after another OSD is killed in turn.
 */
class OsdClusterTest {
    static final Duration BOOT = Duration.ofSeconds(90);
    static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    void servesReplicatesAndSurvivesKills() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of("client.ro", "allow r pool=p"))) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        cluster.startMon();
        MonConnection admin = cluster.admin();
        assertThat(OsdCluster.command(admin, BOOT, "osd stat").ok()).isTrue();
        for (int i = 0; i < 3; i++) {
            cluster.startOsd(i);
        }
        admin.subscribe(m -> { });
        OsdCluster.awaitMap(admin, "3 osds up and in", BOOT, m -> m.numUp() == 3 && m.numIn() == 3);
        assertThat(admin.osdMap().crush().bucketByName("h2")).as("osd.2 placed under its host").isNotNull();
        MonReply created = OsdCluster.command(admin, SETTLE, "osd pool create", "pool", "p", "pg_num", 8, "size", 3,
                "min_size", 2);
        assertThat(created.ok()).as(created.outs()).isTrue();
        OsdCluster.awaitMap(admin, "pool p", SETTLE, m -> m.poolByName("p") != null);

        try (TestClient client = new TestClient(cluster, "client.admin");
             TestClient readOnly = new TestClient(cluster, "client.ro")) {
            Map<String, byte[]> acked = new LinkedHashMap<>();
            SplittableRandom random = new SplittableRandom(42);
            writeObjects(client, acked, random, 0, 24);
            checkAll(client, acked);
            OsdCluster.awaitPgStates(admin, "active+clean", 8, SETTLE);
            compoundOpsAndGuards(client);
            badInput(client, readOnly, admin);
            resendIsAppliedOnce(client);

            MonReply split = OsdCluster.command(admin, SETTLE, "osd pool set", "pool", "p", "var", "pg_num", "val", 16);
            assertThat(split.ok()).as(split.outs()).isTrue();
            OsdCluster.awaitPgStates(admin, "active+clean", 16, SETTLE);
            checkAll(client, acked);   // objects of split PGs are found in their new PGs
            MonReply pgp = OsdCluster.command(admin, SETTLE, "osd pool set", "pool", "p", "var", "pgp_num", "val", 16);
            assertThat(pgp.ok()).as(pgp.outs()).isTrue();
            writeObjects(client, acked, random, 100, 110);
            OsdCluster.awaitPgStates(admin, "active+clean", 16, SETTLE);
            checkAll(client, acked);

            cluster.kill("osd.2");
            writeObjects(client, acked, random, 24, 32);   // the PGs re-peer without osd.2: acting sets of 2 >= min_size
            OsdCluster.awaitMap(admin, "osd.2 marked down", SETTLE, m -> !m.osd(2).up());
            writeObjects(client, acked, random, 32, 40);
            checkAll(client, acked);
            OsdCluster.awaitPgStates(admin, "active+undersized+degraded", 16, SETTLE);

            cluster.startOsd(2);
            OsdCluster.awaitMap(admin, "osd.2 back up", SETTLE, m -> m.osd(2).up());
            writeObjects(client, acked, random, 40, 48);
            checkAll(client, acked);
            OsdCluster.awaitPgStates(admin, "active+clean", 16, SETTLE);

            cluster.kill("osd.0");   // osd.2 must now hold what it missed while down: peering recovered it
            OsdCluster.awaitMap(admin, "osd.0 marked down", SETTLE, m -> !m.osd(0).up());
            checkAll(client, acked);
            writeObjects(client, acked, random, 48, 56);
            checkAll(client, acked);
        }
    }

    static void writeObjects(TestClient client, Map<String, byte[]> acked, SplittableRandom random, int from, int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            String name = "obj-" + i;
            byte[] data = new byte[1 + random.nextInt(20_000)];
            random.nextBytes(data);
            MOSDOpReply r = client.op("p", name, new OsdOp.WriteFull(data),
                    new OsdOp.SetXattr("len", String.valueOf(data.length).getBytes(StandardCharsets.UTF_8)));
            assertThat(r.result()).as("write %s: %s", name, r).isEqualTo(OsdResult.OK);
            acked.put(name, data);
        }
    }

    static void checkAll(TestClient client, Map<String, byte[]> acked) throws Exception {
        for (Map.Entry<String, byte[]> e : acked.entrySet()) {
            MOSDOpReply r = client.op("p", e.getKey(), new OsdOp.Read(0, 0), new OsdOp.GetXattr("len"));
            assertThat(r.result()).as("read %s: %s", e.getKey(), r).isEqualTo(OsdResult.OK);
            assertThat(((OpOutput.Data) r.results().get(0).output()).bytes()).as("content of %s", e.getKey())
                    .isEqualTo(e.getValue());
            assertThat(new String(((OpOutput.Data) r.results().get(1).output()).bytes(), StandardCharsets.UTF_8))
                    .isEqualTo(String.valueOf(e.getValue().length));
        }
    }

    private static void compoundOpsAndGuards(TestClient client) throws Exception {
        var omap = new TreeMap<String, byte[]>();
        omap.put("a", new byte[] {1});
        omap.put("b", new byte[] {2});
        omap.put("c", new byte[] {3});
        MOSDOpReply w = client.op("p", "compound", new OsdOp.Create(true), new OsdOp.Append("hello".getBytes()),
                new OsdOp.OmapSetVals(omap), new OsdOp.OmapSetHeader("hdr".getBytes()));
        assertThat(w.result()).as(w.toString()).isEqualTo(OsdResult.OK);
        assertThat(client.op("p", "compound", new OsdOp.Create(true)).result()).isEqualTo(OsdResult.EEXIST);
        MOSDOpReply guarded = client.op("p", "compound", new OsdOp.AssertVersion(w.objectVersion()),
                new OsdOp.Append(" world".getBytes()));
        assertThat(guarded.result()).as(guarded.toString()).isEqualTo(OsdResult.OK);
        MOSDOpReply stale = client.op("p", "compound", new OsdOp.AssertVersion(w.objectVersion()),
                new OsdOp.Append("!!".getBytes()));
        assertThat(stale.result()).as("older version guard").isEqualTo(OsdResult.ERANGE);
        MOSDOpReply r = client.op("p", "compound", new OsdOp.Read(0, 0), new OsdOp.Stat(),
                new OsdOp.OmapList("a", "", 10, false), new OsdOp.OmapGetHeader(), new OsdOp.CmpXattr("none",
                        OsdOp.CmpOp.EQ, new byte[0]));
        assertThat(r.result()).as(r.toString()).isEqualTo(OsdResult.OK);
        assertThat(new String(((OpOutput.Data) r.results().get(0).output()).bytes())).isEqualTo("hello world");
        OpOutput.Stat st = (OpOutput.Stat) r.results().get(1).output();
        assertThat(st.size()).isEqualTo(11);
        assertThat(st.version()).isEqualTo(guarded.objectVersion());
        assertThat(((OpOutput.KeyValues) r.results().get(2).output()).entries()).containsOnlyKeys("b", "c");
        assertThat(new String(((OpOutput.Data) r.results().get(3).output()).bytes())).isEqualTo("hdr");
        MOSDOpReply failed = client.op("p", "compound", new OsdOp.CmpXattr("x", OsdOp.CmpOp.EQ, "nope".getBytes()),
                new OsdOp.WriteFull("gone".getBytes()));
        assertThat(failed.result()).as("failed guard").isEqualTo(OsdResult.ECANCELED);
        MOSDOpReply after = client.op("p", "compound", new OsdOp.Read(0, 0));
        assertThat(new String(((OpOutput.Data) after.results().get(0).output()).bytes()))
                .as("a failed compound op applies nothing").isEqualTo("hello world");
        assertThat(client.op("p", "compound", new OsdOp.Remove()).result()).isEqualTo(OsdResult.OK);
        assertThat(client.op("p", "compound", new OsdOp.Stat()).result()).isEqualTo(OsdResult.ENOENT);
    }

    private static void badInput(TestClient client, TestClient readOnly, MonConnection admin) throws Exception {
        MOSDOpReply denied = readOnly.op("p", "obj-1", new OsdOp.WriteFull(new byte[] {1}));
        assertThat(denied.result()).as(denied.toString()).isEqualTo(OsdResult.EACCES);
        assertThat(readOnly.op("p", "obj-1", new OsdOp.Stat()).result()).isEqualTo(OsdResult.OK);

        OsdMap map = admin.osdMap();
        Pool pool = map.poolByName("p");
        PgMapping mapping = map.placement().mapObject(pool, "", "obj-1");
        int primary = mapping.actingPrimary();
        int other = mapping.acting()[1];
        MOSDOp noPool = new MOSDOp(client.newReqid(), 99, "", "x", 0, 0, map.epoch(), 0, List.of(new OsdOp.Stat()));
        MOSDOpReply r = client.call(map.osd(primary).address(), noPool);
        assertThat(r.result()).as(r.toString()).isEqualTo(OsdResult.ENXIO);
        assertThat(r.message()).contains("pool 99");

        MOSDOp misdirected = new MOSDOp(client.newReqid(), pool.id(), "", "obj-1", 0, mapping.pg().seed(), map.epoch(), 0,
                List.of(new OsdOp.Stat()));
        MOSDOpReply m = client.call(map.osd(other).address(), misdirected);
        assertThat(m.result()).as(m.toString()).isEqualTo(OsdResult.EMISDIRECTED);

        MOSDOp stale = new MOSDOp(client.newReqid(), pool.id(), "", "obj-1", 0, mapping.pg().seed(), 1, 0,
                List.of(new OsdOp.Stat()));
        MOSDOpReply s = client.call(map.osd(primary).address(), stale);
        assertThat(s.result()).as("a stale epoch is served when placement agrees").isEqualTo(OsdResult.OK);
        assertThat(s.mapEpoch()).as("and the reply tells the newer epoch").isGreaterThan(1);

        try (java.net.Socket garbage = new java.net.Socket()) {
            String addr = map.osd(primary).address();
            garbage.connect(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1))));
            byte[] junk = new byte[4096];
            new SplittableRandom(7).nextBytes(junk);
            garbage.getOutputStream().write(junk);
        } catch (java.io.IOException closedByOsd) {
            // the OSD may drop the connection while we write: that is the point
        }
        assertThat(client.op("p", "obj-1", new OsdOp.Stat()).result()).as("serving after garbage").isEqualTo(OsdResult.OK);

        MOSDOp future = new MOSDOp(client.newReqid(), pool.id(), "", "obj-1", 0, mapping.pg().seed(), map.epoch() + 1000,
                0, List.of(new OsdOp.Stat()));
        MOSDOpReply f = client.call(map.osd(primary).address(), future);
        assertThat(f.result()).as("an epoch the OSD never gets: %s", f).isEqualTo(OsdResult.EMAPBEHIND);

        MOSDOp empty = new MOSDOp(client.newReqid(), pool.id(), "", "obj-1", 0, 0, map.epoch(), 0, List.of());
        assertThat(client.call(map.osd(primary).address(), empty).result()).isEqualTo(OsdResult.EINVAL);
    }

    private static void resendIsAppliedOnce(TestClient client) throws Exception {
        ReqId reqid = client.newReqid();
        List<OsdOp> append = List.of(new OsdOp.Append("x".getBytes()));
        MOSDOpReply first = client.send(reqid, "p", "resend", append, Duration.ofSeconds(30));
        MOSDOpReply again = client.send(reqid, "p", "resend", append, Duration.ofSeconds(30));
        assertThat(first.result()).isEqualTo(OsdResult.OK);
        assertThat(again.result()).isEqualTo(OsdResult.OK);
        assertThat(again.duplicate()).as("resend recognised from the PG log").isTrue();
        assertThat(again.objectVersion()).isEqualTo(first.objectVersion());
        MOSDOpReply read = client.op("p", "resend", new OsdOp.Read(0, 0));
        assertThat(((OpOutput.Data) read.results().get(0).output()).bytes()).as("applied once").hasSize(1);
    }
}
