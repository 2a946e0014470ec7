package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.OsdMap;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.mon.client.MonClient;
import io.loligo.maps.monc.MonConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Failure handling end to end: a monitor process and four stub OSD processes on four hosts that
 * heartbeat each other. kill -9 of an OSD: its peers report it, the monitor marks it down once
 * reporters from 2 distinct hosts agree, then out after mon_osd_down_out_interval (3 s here);
 * with noout set a dead OSD stays in until noout is unset; an OSD wrongly marked down boots again;
 * an OSD with too few live peers to report it is marked down when its beacons stop.
 */
class OsdFailureProcessTest {
    static final long INTERVAL_S = 3;

    @Test
    void reportsMarkDownThenOutAfterIntervalAndNooutHolds() throws Exception {
        try (MonCluster cluster = new MonCluster(1, Map.of("mon_osd_down_out_interval", String.valueOf(INTERVAL_S),
                "mon_osd_min_down_reporters", "2", "mon_osd_report_timeout", "8"))) {
            cluster.startAll();
            MonCluster.retry(cluster.client(), MonClient.cmd("osd stat"), Duration.ofSeconds(60));
            ClusterConf conf = ClusterConf.load(cluster.confPath);
            List<Process> osds = new ArrayList<>();
            try (MonConnection admin = MonConnection.connect(conf, "client.admin")) {
                for (int i = 0; i < 4; i++) {
                    MonReply key = admin.command(MonClient.cmd("auth get-or-create", "entity", "osd." + i,
                            "caps", List.of("mon", "allow rw", "osd", "allow *")));
                    osds.add(startOsd(cluster, i, key.data().get(0).path("key").asText(), conf.get(null, "mon_host")));
                }
                admin.subscribe(m -> { });
                try {
                    await(admin, "4 osds up and in", m -> m.numUp() == 4 && m.numIn() == 4);
                    assertThat(admin.osdMap().crush().bucketByName("h3")).isNotNull();

                    osds.get(0).destroyForcibly().waitFor();
                    await(admin, "osd.0 down", m -> !m.osd(0).up());
                    assertThat(admin.osdMap().osd(0).in()).as("still in right after going down").isTrue();
                    await(admin, "osd.0 out after the interval", m -> !m.osd(0).in());
                    OsdMap afterOut = admin.osdMap();
                    assertThat(afterOut.modifiedMillis() - afterOut.osd(0).downStampMillis())
                            .as("marked out no sooner than the interval").isGreaterThanOrEqualTo(INTERVAL_S * 1000);

                    assertThat(admin.command(MonClient.cmd("osd set", "key", "noout")).ok()).isTrue();
                    osds.get(1).destroyForcibly().waitFor();
                    await(admin, "osd.1 down", m -> !m.osd(1).up());
                    long due = admin.osdMap().osd(1).downStampMillis() + INTERVAL_S * 1000 + 1500;
                    MonCluster.await("the down-out interval to pass (plus ticks)", Duration.ofSeconds(30),
                            () -> System.currentTimeMillis() > due);
                    assertThat(admin.command(MonClient.cmd("osd stat")).ok()).isTrue();
                    assertThat(admin.osdMap().osd(1).in()).as("noout keeps osd.1 in").isTrue();
                    assertThat(admin.command(MonClient.cmd("health")).data().path("checks").has("OSD_DOWN")).isTrue();
                    assertThat(admin.command(MonClient.cmd("osd unset", "key", "noout")).ok()).isTrue();
                    await(admin, "osd.1 out once noout is unset", m -> !m.osd(1).in());

                    long before = admin.osdMap().epoch();
                    assertThat(admin.command(MonClient.cmd("osd down", "ids", List.of("2"))).ok()).isTrue();
                    await(admin, "osd.2 down", m -> m.epoch() > before && !m.osd(2).up());
                    await(admin, "osd.2 re-asserts itself", m -> m.osd(2).up());

                    // One reporter is not enough to mark osd.3 down; its silence is (mon_osd_report_timeout).
                    osds.get(3).destroyForcibly().waitFor();
                    await(admin, "silent osd.3 marked down by the report timeout", m -> !m.osd(3).up());
                    assertThat(admin.osdMap().osd(2).up()).isTrue();
                } finally {
                    for (Process p : osds) {
                        p.destroyForcibly();
                        p.waitFor();
                    }
                }
            }
        }
    }

    static void await(MonConnection c, String what, Predicate<OsdMap> condition) throws InterruptedException {
        MonCluster.await(what, Duration.ofSeconds(60), () -> c.osdMap() != null && condition.test(c.osdMap()));
    }

    static Process startOsd(MonCluster cluster, int id, String key, String monHost) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                "io.loligo.mon.StubOsd", String.valueOf(id), "h" + id, key, monHost)
                .redirectErrorStream(true).redirectOutput(cluster.dir.resolve("osd." + id + ".log").toFile()).start();
    }
}
