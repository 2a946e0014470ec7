package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.OsdMap;
import io.loligo.mon.client.MonClient;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The monitors' replicated state machine without Raft: commands in, state and replies out. Proves
 * the OSD lifecycle (boot, failure reports from distinct hosts, down-out after the interval, noout),
 * pools, config and auth behave as Ceph's, and that replaying the same commands on a state decoded
 * from a snapshot gives the same bytes (determinism).
 */
class MonStateTest {
    MonState s;
    long clock = 1_000_000;

    MonReply run(String prefix, Object... args) {
        ObjectNode c = MonClient.cmd(prefix, args);
        c.put("stamp", clock);
        return s.apply(new Cmd(c));
    }

    @BeforeEach
    void bootstrap() {
        s = new MonState();
        ObjectNode c = MonClient.cmd("mon bootstrap", "fsid", "6b8e1a52-7f2a-4a9e-9c57-0f0d6d0c6a11");
        c.put("stamp", clock);
        c.putArray("mons").addObject().put("name", "a").put("addr", "127.0.0.1:1").put("raft_addr", "127.0.0.1:2");
        c.putObject("config").put(MonOptions.DOWN_OUT_INTERVAL, "60");
        assertThat(s.apply(new Cmd(c)).code()).isZero();
        assertThat(s.epoch()).isEqualTo(1);
    }

    void boot(int i, String host) {
        MonReply r = run("osd boot", "uuid", "u" + i, "addr", "127.0.0.1:" + (6800 + i), "host", host, "capacity", 1L << 40);
        assertThat(r.code()).as(r.outs()).isZero();
        assertThat(r.data().path("osdid").asInt()).isEqualTo(i);
    }

    @Test
    void bootAssignsIdsPlacesInCrushAndMarksUpAndIn() {
        boot(0, "h0");
        boot(1, "h1");
        OsdMap m = s.osdmap();
        assertThat(m.epoch()).isEqualTo(3);
        assertThat(m.osd(1).up()).isTrue();
        assertThat(m.osd(1).in()).isTrue();
        assertThat(m.crush().bucketByName("h1").items).extracting(i -> i.id()).containsExactly(1);
        assertThat(m.crush().bucketByName("default").weight()).isEqualTo(2 * 0x10000);
        boot(1, "h1");
        assertThat(s.epoch()).as("re-boot at the same address changes nothing").isEqualTo(3);
    }

    @Test
    void failureReportsFromDistinctHostsMarkDownThenOutAfterInterval() {
        boot(0, "h0");
        boot(1, "h1");
        boot(2, "h1");
        boot(3, "h2");
        long e = s.epoch();
        run("osd failure", "target", 0, "reporter", 1, "failed", true);
        run("osd failure", "target", 0, "reporter", 2, "failed", true);
        assertThat(s.osdmap().osd(0).up()).as("two reporters but one host").isTrue();
        assertThat(s.epoch()).isEqualTo(e);
        run("osd failure", "target", 0, "reporter", 3, "failed", true);
        assertThat(s.osdmap().osd(0).up()).isFalse();
        assertThat(s.epoch()).isEqualTo(e + 1);
        clock += 59_000;
        run("osd out", "ids", List.of("0"), "auto", true);
        assertThat(s.osdmap().osd(0).in()).as("interval not yet elapsed").isTrue();
        clock += 1_000;
        run("osd set", "key", "noout");
        run("osd out", "ids", List.of("0"), "auto", true);
        assertThat(s.osdmap().osd(0).in()).as("noout holds it in").isTrue();
        run("osd unset", "key", "noout");
        run("osd out", "ids", List.of("0"), "auto", true);
        assertThat(s.osdmap().osd(0).in()).isFalse();
        boot(0, "h0");
        assertThat(s.osdmap().osd(0).up()).as("a wrongly-downed OSD re-asserts itself").isTrue();
        run("osd failure", "target", 0, "reporter", 1, "failed", true);
        clock += OsdCommands.FAILURE_REPORT_MAX_AGE_MS + 1;
        run("osd failure", "target", 0, "reporter", 3, "failed", true);
        assertThat(s.osdmap().osd(0).up()).as("a stale report does not count").isTrue();
    }

    /**
     * Regression, packet-loss (seed 7611029335041956332): osd.2's host went silent one way; its
     * failure reports about osd.0 and osd.1 waited in its monitor's queue and reached the leader after
     * the heal, when osd.2 had been marked down and booted again, and marked both down (one reporter
     * is enough in the suite). A report sent before the reporter's or the target's current up_from
     * must not count; a report sent since still does.
     */
    @Test
    void packetLoss7611029335041956332_aFailureReportFromBeforeAReporterOrTargetBootDoesNotCount() {
        run("config set", "who", "mon", "name", MonOptions.MIN_DOWN_REPORTERS, "value", "1");
        boot(0, "h0");
        boot(1, "h1");
        boot(2, "h2");
        long silentSince = s.epoch();   // osd.2's map when its host went silent
        run("osd failure", "target", 2, "reporter", 1, "failed", true, "epoch", s.epoch());
        assertThat(s.osdmap().osd(2).up()).isFalse();
        boot(2, "h2");   // healed: it saw itself down and booted again
        MonReply r = run("osd failure", "target", 0, "reporter", 2, "failed", true, "epoch", silentSince);
        assertThat(r.outs()).contains("report ignored");
        assertThat(s.osdmap().osd(0).up()).as("a report from osd.2's previous life").isTrue();
        long before0Rebooted = s.epoch();
        run("osd down", "ids", List.of("0"));
        boot(0, "h0");
        run("osd failure", "target", 0, "reporter", 1, "failed", true, "epoch", before0Rebooted);
        assertThat(s.osdmap().osd(0).up()).as("a report about osd.0's previous life").isTrue();
        run("osd failure", "target", 0, "reporter", 2, "failed", true, "epoch", s.epoch());
        assertThat(s.osdmap().osd(0).up()).as("a current report").isFalse();
    }

    @Test
    void silentOsdsAreMarkedDownOnlyAfterTheReportTimeout() {
        boot(0, "h0");
        run("config set", "who", "mon", "name", MonOptions.REPORT_TIMEOUT, "value", "10");
        clock += 5_000;
        run("osd beacon", "osd", 0);
        clock += 9_000;
        run("osd down", "ids", List.of("0"), "report_timeout", true);
        assertThat(s.osdmap().osd(0).up()).as("beacon 9 s ago").isTrue();
        clock += 1_000;
        run("osd set", "key", "nodown");
        run("osd down", "ids", List.of("0"), "report_timeout", true);
        assertThat(s.osdmap().osd(0).up()).as("nodown").isTrue();
        run("osd unset", "key", "nodown");
        run("osd down", "ids", List.of("0"), "report_timeout", true);
        assertThat(s.osdmap().osd(0).up()).isFalse();
    }

    @Test
    void downWithOutMarksBothInOneEpoch() {
        boot(0, "h0");
        boot(1, "h1");
        long before = s.epoch();
        MonReply r = run("osd down", "ids", List.of("0"), "out", true);
        assertThat(r.code()).as(r.outs()).isZero();
        assertThat(s.epoch()).as("one map change").isEqualTo(before + 1);
        assertThat(s.osdmap().osd(0).up()).isFalse();
        assertThat(s.osdmap().osd(0).in()).isFalse();
        assertThat(s.osdmap().osd(1).in()).isTrue();
        run("osd down", "ids", List.of("1"));
        run("osd down", "ids", List.of("1"), "out", true);
        assertThat(s.osdmap().osd(1).in()).as("already down: marked out").isFalse();
    }

    @Test
    void poolsFollowCephRules() {
        assertThat(run("osd pool create", "pool", "rbd").code()).isZero();
        var p = s.osdmap().poolByName("rbd");
        assertThat(p.size()).isEqualTo(3);
        assertThat(p.minSize()).isEqualTo(2);
        assertThat(Integer.bitCount(p.pgNum())).isEqualTo(1);
        assertThat(p.hashpspool()).isTrue();
        assertThat(run("osd pool create", "pool", "data", "pg_num", 16, "size", 2).code()).isZero();
        assertThat(s.osdmap().poolByName("data").minSize()).isEqualTo(1);
        assertThat(run("osd pool rm", "pool", "rbd").code()).isEqualTo(Errno.EPERM);
        assertThat(run("osd pool rename", "srcpool", "rbd", "destpool", "data").code()).isEqualTo(Errno.EEXIST);
        assertThat(run("osd pool set", "pool", "data", "var", "min_size", "val", "3").code()).isEqualTo(Errno.EINVAL);
        assertThat(run("osd pool set", "pool", "data", "var", "size", "val", "3").code()).isZero();
        assertThat(run("osd pool application enable", "pool", "data", "app", "rgw").code()).isZero();
        assertThat(s.osdmap().poolByName("data").applications()).containsExactly("rgw");
        assertThat(run("osd pool rm", "pool", "rbd", "pool2", "rbd", "yes_i_really_really_mean_it", true).code()).isZero();
        assertThat(s.osdmap().poolByName("rbd")).isNull();
        assertThat(run("osd pool get", "pool", "nope", "var", "size").code()).isEqualTo(Errno.EINVAL);
        MonReply get = MonQueries.answer(s, QuorumInfo.unknown(), new Cmd(MonClient.cmd("osd pool get", "pool", "nope", "var", "size")));
        assertThat(get.code()).isEqualTo(Errno.ENOENT);
        assertThat(get.outs()).contains("loligo osd pool ls");
    }

    @Test
    void poolSnapshotsGetIncreasingIdsAndRemovedOnesAreRecorded() {
        assertThat(run("osd pool create", "pool", "p").code()).isZero();
        MonReply a = run("osd pool mksnap", "pool", "p", "snap", "a");
        assertThat(a.code()).isZero();
        assertThat(a.data().path("snapid").asLong()).isEqualTo(1);
        assertThat(run("osd pool mksnap", "pool", "p", "snap", "b").data().path("snapid").asLong()).isEqualTo(2);
        long epoch = s.epoch();
        MonReply again = run("osd pool mksnap", "pool", "p", "snap", "a");
        assertThat(again.code()).isZero();
        assertThat(again.outs()).contains("already exists");
        assertThat(s.epoch()).isEqualTo(epoch);
        assertThat(run("osd pool mksnap", "pool", "p", "snap", "").code()).isEqualTo(Errno.EINVAL);
        assertThat(run("osd pool mksnap", "pool", "nope", "snap", "x").code()).isEqualTo(Errno.ENOENT);
        assertThat(run("osd pool rmsnap", "pool", "p", "snap", "a").code()).isZero();
        assertThat(run("osd pool rmsnap", "pool", "p", "snap", "a").outs()).contains("does not exist");
        assertThat(run("osd pool mksnap", "pool", "p", "snap", "a").data().path("snapid").asLong()).isEqualTo(3);
        var snaps = s.osdmap().poolByName("p").snapshots();
        assertThat(snaps.seq()).isEqualTo(3);
        assertThat(snaps.snaps().keySet()).containsExactly(2L, 3L);
        assertThat(snaps.removed()).containsExactly(1L);
        assertThat(snaps.snaps().get(3L).stampMillis()).isEqualTo(clock);
        MonReply ls = MonQueries.answer(s, QuorumInfo.unknown(), new Cmd(MonClient.cmd("osd pool lssnap", "pool", "p")));
        assertThat(ls.code()).isZero();
        assertThat(ls.data().toString()).contains("\"snapid\":2,\"name\":\"b\"").contains("\"snapid\":3,\"name\":\"a\"");
    }

    @Test
    void osdMapPlacesObjectsOnDistinctHostsAndSkipsDownOsds() {
        for (int i = 0; i < 6; i++) {
            boot(i, "h" + (i % 3));
        }
        run("osd pool create", "pool", "rbd", "pg_num", 32);
        var q = new Cmd(MonClient.cmd("osd map", "pool", "rbd", "object", "foo"));
        MonReply r = MonQueries.answer(s, QuorumInfo.unknown(), q);
        assertThat(r.code()).as(r.outs()).isZero();
        List<Integer> up = new java.util.ArrayList<>();
        r.data().path("up").forEach(n -> up.add(n.asInt()));
        assertThat(up).hasSize(3).doesNotHaveDuplicates();
        assertThat(up.stream().map(o -> o % 3).distinct().count()).as("one replica per host").isEqualTo(3);
        assertThat(r.data().path("pgid").asText()).startsWith("1.");
        run("osd down", "ids", List.of(String.valueOf(up.get(0))));
        MonReply after = MonQueries.answer(s, QuorumInfo.unknown(), q);
        List<Integer> up2 = new java.util.ArrayList<>();
        after.data().path("up").forEach(n -> up2.add(n.asInt()));
        assertThat(up2).doesNotContain(up.get(0));
        assertThat(after.data().path("up_primary").asInt()).isNotEqualTo(up.get(0));
    }

    MonReply query(String prefix, Object... args) {
        return MonQueries.answer(s, QuorumInfo.unknown(), new Cmd(MonClient.cmd(prefix, args)));
    }

    @Test
    void aDownHostWarnsUntilItsOsdsAreOutAsInCeph() {
        boot(0, "h0");
        boot(1, "h1");
        boot(2, "h2");
        boot(3, "h3");
        run("osd down", "ids", List.of("3"));
        var checks = query("health").data().path("checks");
        assertThat(checks.path("OSD_DOWN").path("summary").path("message").asText()).isEqualTo("1 osds down");
        assertThat(checks.path("OSD_HOST_DOWN").path("summary").path("message").asText()).isEqualTo("1 host (1 osds) down");
        run("osd out", "ids", List.of("3"));
        assertThat(s.osdmap().osd(3).in()).isFalse();
        checks = query("health").data().path("checks");
        assertThat(checks.has("OSD_DOWN")).as("down and out: its data is re-replicated, nothing to do").isFalse();
        assertThat(checks.has("OSD_HOST_DOWN")).as("Ceph walks subtrees from down+in OSDs only").isFalse();
    }

    @Test
    void osdReportsFeedPgSummaryUsageAndHealth() throws Exception {
        for (int i = 0; i < 3; i++) {
            boot(i, "h" + i);
        }
        run("osd pool create", "pool", "rbd", "pg_num", 4);
        assertThat(query("pg stat").data().path("pgs_by_state").get(0).path("state_name").asText()).isEqualTo("unknown");
        ObjectNode report = MonClient.cmd("osd pgstats", "osd", 0, "kb", 1000, "kb_used", 870, "kb_avail", 130);
        report.put("stamp", clock);
        var pgs = report.putArray("pgs");
        pgs.addObject().put("pgid", "1.0").put("state", "active+clean").put("objects", 10).put("bytes", 4096);
        pgs.addObject().put("pgid", "1.1").put("state", "active+undersized+degraded").put("objects", 5).put("bytes", 100);
        pgs.addObject().put("pgid", "1.2").put("state", "peering");
        pgs.addObject().put("pgid", "9.0").put("state", "active+clean");   // no such pool: ignored
        assertThat(s.apply(new Cmd(report)).code()).isZero();
        var stat = query("pg stat").data();
        assertThat(stat.path("num_pgs").asInt()).isEqualTo(4);
        assertThat(stat.path("num_objects").asLong()).isEqualTo(15);
        assertThat(stat.path("bytes_total").asLong()).isEqualTo(1000 * 1024);
        var health = query("health").data();
        assertThat(health.path("status").asText()).isEqualTo("HEALTH_WARN");
        assertThat(health.path("checks").path("OSD_NEARFULL").path("summary").path("message").asText()).isEqualTo("1 nearfull osd(s)");
        assertThat(health.path("checks").path("PG_DEGRADED").path("summary").path("count").asInt()).isEqualTo(1);
        assertThat(health.path("checks").path("PG_AVAILABILITY").path("summary").path("count").asInt()).isEqualTo(1);
        assertThat(query("df").data().path("pools").get(0).path("stats").path("objects").asLong()).isEqualTo(15);
        assertThat(query("osd df").data().path("nodes").get(0).path("kb_used").asLong()).isEqualTo(870);
        assertThat(s.osdmap().osd(0).fullness()).as("nearfull in the map").isEqualTo(io.loligo.maps.OsdState.NEARFULL);
        long before = s.epoch();
        report.put("kb_used", 990).put("kb_avail", 10);
        s.apply(new Cmd(report));
        assertThat(s.epoch()).as("marking osd.0 full is one new map").isEqualTo(before + 1);
        assertThat(s.osdmap().osd(0).isFull()).isTrue();
        assertThat(query("health").data().path("status").asText()).isEqualTo("HEALTH_ERR");
        assertThat(query("health").data().path("checks").path("OSD_FULL").path("detail").get(0).path("message").asText())
                .startsWith("osd.0 is full (99% used)");
        s.apply(new Cmd(report));
        assertThat(s.epoch()).as("the same report again changes nothing").isEqualTo(before + 1);
        assertThat(run("osd set-full-ratio", "ratio", 0.995).code()).isZero();
        assertThat(s.osdmap().fullRatio()).isEqualTo(0.995);
        assertThat(s.osdmap().osd(0).isBackfillFull()).as("below the raised ratio: backfillfull only").isTrue();
        assertThat(s.osdmap().osd(0).isFull()).isFalse();
        assertThat(query("health").data().path("checks").has("OSD_BACKFILLFULL")).isTrue();
        assertThat(run("osd set-full-ratio", "ratio", 1.5).code()).isNotZero();
        assertThat(run("osd set-nearfull-ratio", "ratio", 0.999).code()).isZero();
        assertThat(query("health").data().path("checks").has("OSD_OUT_OF_ORDER_FULL")).isTrue();
        run("osd set-nearfull-ratio", "ratio", 0.85);
        run("osd set-full-ratio", "ratio", 0.95);
        report.put("kb_used", 100).put("kb_avail", 900);
        s.apply(new Cmd(report));
        assertThat(s.osdmap().osd(0).fullness()).as("after deletes").isZero();
        assertThat(query("health").data().path("checks").has("OSD_FULL")).isFalse();
        report.put("kb_used", 990).put("kb_avail", 10);
        s.apply(new Cmd(report));
        assertThat(MonState.decode(s.encode()).encode()).as("pg stats survive a snapshot").isEqualTo(s.encode());
        assertThat(MonService.impersonation("osd.1", new Cmd(report))).contains("osd.1 may not send 'osd pgstats' as osd 0");
        assertThat(MonService.impersonation("osd.0", new Cmd(report))).isNull();
        assertThat(MonService.impersonation("client.admin", new Cmd(report))).isNull();
    }

    @Test
    void pgTempAndPrimaryTempOverrideTheActingSet() {
        for (int i = 0; i < 4; i++) {
            boot(i, "h" + i);
        }
        run("osd pool create", "pool", "rbd", "pg_num", 8);
        long e = s.epoch();
        assertThat(run("osd pg-temp", "pgid", "1.3", "id", List.of("3", "2", "1")).code()).isZero();
        assertThat(s.epoch()).isEqualTo(e + 1);
        var map = MonQueries.answer(s, QuorumInfo.unknown(), new Cmd(MonClient.cmd("pg dump"))).data()
                .path("pg_map").path("pg_stats").get(3);
        assertThat(map.path("acting").toString()).isEqualTo("[3,2,1]");
        assertThat(map.path("acting_primary").asInt()).isEqualTo(3);
        assertThat(run("osd primary-temp", "pgid", "1.3", "id", 2).code()).isZero();
        map = MonQueries.answer(s, QuorumInfo.unknown(), new Cmd(MonClient.cmd("pg dump"))).data().path("pg_map").path("pg_stats").get(3);
        assertThat(map.path("acting_primary").asInt()).isEqualTo(2);
        assertThat(run("osd pg-temp", "pgid", "1.3").code()).isZero();
        assertThat(s.osdmap().pgTemp()).isEmpty();
        assertThat(run("osd pg-temp", "pgid", "1.9").code()).isEqualTo(Errno.ENOENT);
        assertThat(run("osd pg-temp", "pgid", "zz").code()).isEqualTo(Errno.EINVAL);
        assertThat(run("osd pg-temp", "pgid", "1.0", "id", List.of("1", "1")).code()).isEqualTo(Errno.EINVAL);
        assertThat(run("osd primary-temp", "pgid", "1.3", "id", -1).code()).isZero();
        assertThat(s.osdmap().primaryTemp()).isEmpty();
    }

    @Test
    void configAndAuth() {
        assertThat(run("config set", "who", "mon", "name", MonOptions.DOWN_OUT_INTERVAL, "value", "abc").code())
                .isEqualTo(Errno.EINVAL);
        assertThat(run("config set", "who", "osd.3", "name", "debug_osd", "value", "20").code()).isZero();
        ObjectNode c = MonClient.cmd("auth get-or-create", "entity", "client.x", "caps", List.of("mon", "allow r"));
        c.put("stamp", clock).put("key", "S0VZ");
        assertThat(s.apply(new Cmd(c)).data().get(0).path("key").asText()).isEqualTo("S0VZ");
        c.put("key", "OTHER");
        assertThat(s.apply(new Cmd(c)).data().get(0).path("key").asText()).as("get-or-create returns the existing key")
                .isEqualTo("S0VZ");
        assertThat(run("auth caps", "entity", "client.x", "caps", List.of("mon", "allow *")).code()).isZero();
        assertThat(s.auth().get("client.x").caps()).containsEntry("mon", "allow *");
    }

    @Test
    void unknownAndMalformedCommandsAreRefusedWithoutChange() throws Exception {
        byte[] before = s.encode();
        assertThat(run("osd frobnicate").code()).isEqualTo(Errno.EINVAL);
        assertThat(run("osd out", "ids", List.of("99")).code()).isEqualTo(Errno.ENOENT);
        assertThat(run("osd reweight", "id", "x", "weight", "1").code()).isEqualTo(Errno.EINVAL);
        assertThat(MonStateMachine.parse("not json".getBytes())).isNull();
        assertThat(s.encode()).isEqualTo(before);
    }

    @Test
    void snapshotThenReplayIsDeterministic() throws Exception {
        boot(0, "h0");
        run("osd pool create", "pool", "p");
        MonState copy = MonState.decode(s.encode());
        MonState original = s;
        for (MonState target : new MonState[] {original, copy}) {
            s = target;
            boot(1, "h1");
            run("osd down", "ids", List.of("0"));
            run("osd crush add-bucket", "name", "rack1", "type", "rack");
            run("osd crush move", "name", "h1", "args", List.of("rack=rack1"));
        }
        assertThat(copy.encode()).isEqualTo(original.encode());
        assertThat(copy.incrementalsSince(1)).hasSize((int) copy.epoch() - 1);
    }

    @Test
    void osdAliveRecordsUpThruOnceAndIgnoresStaleInstances() {
        boot(0, "h0");
        long upFrom = s.osdmap().osd(0).upFrom();
        long e = s.epoch();
        MonReply r = run("osd alive", "osd", "0", "want", e, "up_from", upFrom);
        assertThat(r.code()).as(r.outs()).isZero();
        assertThat(s.epoch()).isEqualTo(e + 1);
        assertThat(s.osdmap().osd(0).upThru()).isEqualTo(e);
        assertThat(run("osd alive", "osd", "0", "want", e).code()).isZero();
        assertThat(s.epoch()).as("already recorded: no new epoch").isEqualTo(e + 1);
        assertThat(run("osd alive", "osd", "0", "want", e + 1, "up_from", upFrom - 1).code()).isZero();
        assertThat(s.epoch()).as("an earlier incarnation's request changes nothing").isEqualTo(e + 1);
        assertThat(run("osd alive", "osd", "0", "want", e + 5).code()).isEqualTo(Errno.EINVAL);
        run("osd down", "ids", List.of("0"));
        assertThat(s.osdmap().osd(0).upThru()).as("up_thru survives down").isEqualTo(e);
    }

    @Test
    void markMeDownMarksOnlyTheInstanceThatAsks() {
        boot(0, "h0");
        long upFrom = s.osdmap().osd(0).upFrom();
        long e = s.epoch();
        MonReply stale = run("osd mark-me-down", "osd", "0", "up_from", upFrom - 1);
        assertThat(stale.code()).as(stale.outs()).isZero();
        assertThat(s.osdmap().osd(0).up()).as("an earlier incarnation cannot mark the running one down").isTrue();
        assertThat(s.epoch()).isEqualTo(e);
        MonReply r = run("osd mark-me-down", "osd", "0", "up_from", upFrom);
        assertThat(r.code()).as(r.outs()).isZero();
        assertThat(s.osdmap().osd(0).up()).isFalse();
        assertThat(s.epoch()).isEqualTo(e + 1);
        assertThat(run("osd mark-me-down", "osd", "0", "up_from", upFrom).code()).isZero();
        assertThat(s.epoch()).as("already down: no new epoch").isEqualTo(e + 1);
        assertThat(MonService.impersonation("osd.1", new Cmd(MonReply.json().createObjectNode()
                .put("prefix", "osd mark-me-down").put("osd", "0")))).contains("may not send");
    }

    @Test
    void oldMapsAreRebuiltFromTheKeptIncrementals() throws Exception {
        java.util.Map<Long, byte[]> seen = new java.util.HashMap<>();
        seen.put(s.epoch(), s.osdmap().encode());
        for (int i = 0; i < MonState.INCREMENTALS_KEPT + 20; i++) {
            run(i % 2 == 0 ? "osd set" : "osd unset", "key", "noout");
            seen.put(s.epoch(), s.osdmap().encode());
        }
        long oldest = s.oldestMapEpoch();
        assertThat(oldest).isEqualTo(s.epoch() - MonState.INCREMENTALS_KEPT);
        MonState copy = MonState.decode(s.encode());
        for (long e = oldest; e <= s.epoch(); e += 37) {
            assertThat(s.mapAt(e).encode()).as("e%d", e).isEqualTo(seen.get(e));
            assertThat(copy.mapAt(e).encode()).as("e%d after a snapshot", e).isEqualTo(seen.get(e));
        }
        var reply = MonQueries.getMapAt(s, 1);
        assertThat(reply.path("epoch").asLong()).as("older than kept: the oldest kept").isEqualTo(oldest);
        assertThat(reply.path("incrementals").size()).isEqualTo(MonState.INCREMENTALS_KEPT);
    }
}
