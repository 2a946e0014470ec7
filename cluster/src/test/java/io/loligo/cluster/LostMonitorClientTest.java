package io.loligo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.client.Cluster;
import io.loligo.client.IoContext;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client (the client library's {@link Cluster}) whose monitor is lost together with an OSD
 * still learns that the OSD is down, from another monitor, and its ops complete.
 */
class LostMonitorClientTest {
    /**
     * Regression, lose-one-host (seed 4593697621633603768): a client whose monitor was on the lost
     * host kept reconnecting to that monitor and never saw the map marking the host's OSD down; its
     * ops on that OSD's PGs were resent to the dead OSD until they timed out. Fixed in the client:
     * {@code Objecter} asks the monitors again when an OSD cannot be reached, and
     * {@code MonConnection.hunt} renews the map subscription on the monitor it moves to.
     *
     * <p>Three hosts, each a monitor and an OSD. The client's session is with mon.a (mon_host lists it
     * first and a session starts with the first monitor that answers); it writes objects whose
     * primary is osd.0, so it holds a connection to osd.0. Host h0 (mon.a and osd.0) is killed; once
     * the surviving monitors have marked osd.0 down, the client's writes and reads of those objects
     * must complete within its 30 s op timeout, and it must hold the map showing osd.0 down. The old
     * client resent to osd.0 until every op timed out.
     */
    @Test
    void loseOneHost4593697621633603768_clientWhoseMonitorDiedLearnsTheOsdIsDownAndCompletesOps() throws Exception {
        try (TestCluster cluster = new TestCluster(3, 3, 1)) {
            try {
                run(cluster, false);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(60), t);
            }
        }
    }

    /**
     * Regression: the same client with host h0 hung (SIGSTOP) rather than killed. mon.a and osd.0 keep
     * their TCP connections open and answer nothing, so no connection is ever lost: the old client
     * waited out each op's whole deadline on osd.0 ("no reply within 30000 ms (map epoch 8, 1
     * attempts)") and, when it did ask for news, asked the silent mon.a again. Fixed in the client:
     * {@code Objecter} renews its map subscription while an op has waited 3 s for a reply (Ceph's
     * laggy ops), and {@code MonConnection} leaves a monitor that does not answer a subscription
     * within its {@code SUBSCRIBE_TIMEOUT}; both halves are needed.
     */
    @Test
    void hungHost_clientWhoseMonitorAndPrimaryHangLearnsTheOsdIsDownAndCompletesOps() throws Exception {
        try (TestCluster cluster = new TestCluster(3, 3, 1)) {
            try {
                run(cluster, true);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(60), t);
            }
        }
    }

    private static final int LOST_HOST = 0;
    private static final int LOST_OSD = 0;

    /** Loses host h0 (mon.a, osd.0): killed, or hung with SIGSTOP when {@code hang}. */
    private void run(TestCluster cluster, boolean hang) throws Exception {
        cluster.start();
        cluster.createPool("p", 8, 3, 2);
        Cluster client = cluster.client(Duration.ofSeconds(30));
        IoContext io = client.ioContext("p");
        List<String> names = objectsWithPrimary(client.osdMap(), LOST_OSD, 4);
        for (String name : names) {
            io.writeFull(name, (name + " before").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(cluster.onHost(LOST_HOST)).containsExactlyInAnyOrder("mon.a", "osd." + LOST_OSD);
        long epochBefore = client.osdMap().epoch();
        if (hang) {
            cluster.stopHost(LOST_HOST);
        } else {
            cluster.killHost(LOST_HOST);
        }
        // The admin session asks a monitor each time (its commands hunt past the lost one and renew
        // its subscription); the client under test does nothing meanwhile.
        TestCluster.await("osd." + LOST_OSD + " marked down by the surviving monitors", Duration.ofSeconds(90), () -> {
            try {
                cluster.command(Duration.ofSeconds(30), "osd stat");
                OsdMap m = cluster.admin().osdMap();
                return m != null && !m.osd(LOST_OSD).up();
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(client.osdMap().osd(LOST_OSD).up()).as("osd.%d in the client's map e%d (e%d before the kill) before"
                + " it sends anything: no news from its lost monitor", LOST_OSD, client.osdMap().epoch(), epochBefore).isTrue();
        long resumeStart = System.nanoTime();
        for (String name : names) {
            byte[] after = (name + " after").getBytes(StandardCharsets.UTF_8);
            io.writeFull(name, after);   // throws RadosException.Timeout after 30 s: the old behaviour
            assertThat(io.read(name)).as("read of %s", name).isEqualTo(after);
            if (name.equals(names.get(0))) {   // a measurement for the record, not an assertion
                System.out.printf("[lost-monitor] host h%d %s: first write and read after the down mark took %d ms%n",
                        LOST_HOST, hang ? "hung" : "killed", (System.nanoTime() - resumeStart) / 1_000_000);
            }
        }
        assertThat(client.osdMap().osd(LOST_OSD).up()).as("osd.%d in the client's map e%d", LOST_OSD,
                client.osdMap().epoch()).isFalse();
    }

    /** {@code count} object names of pool p whose acting primary is {@code osd}. */
    private static List<String> objectsWithPrimary(OsdMap map, int osd, int count) {
        Pool pool = map.poolByName("p");
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count && i < 10_000; i++) {
            String name = "lost-mon-" + i;
            if (map.placement().mapObject(pool, "", name).actingPrimary() == osd) {
                out.add(name);
            }
        }
        assertThat(out).as("objects with osd.%d primary", osd).hasSize(count);
        return out;
    }
}
