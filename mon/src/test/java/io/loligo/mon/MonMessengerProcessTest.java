package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.maps.monc.ClusterConf;
import io.loligo.mon.client.MonClient;
import io.loligo.maps.monc.MonConnection;
import io.loligo.msg.Connection;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import io.loligo.maps.proto.MonMessages;
import io.loligo.msg.auth.Keyring;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients reach the monitors through the messenger with cephx-like auth against the monitors'
 * auth database. One 3-monitor cluster (processes) serves every test: no key, a wrong key, an
 * unknown entity and a key without the needed capability are refused; garbage, oversized frames
 * and unknown message types get the connection dropped while the monitor keeps serving and loses
 * nothing; subscribers get OSD map pushes.
 */
class MonMessengerProcessTest {
    static MonCluster cluster;
    static ClusterConf conf;
    static List<InetSocketAddress> mons;

    @BeforeAll
    static void start() throws Exception {
        cluster = new MonCluster(3, Map.of());
        cluster.startAll();
        conf = ClusterConf.load(cluster.confPath);
        mons = new ArrayList<>();
        for (String name : cluster.names) {
            String addr = conf.get("mon." + name, "mon_addr");
            mons.add(new InetSocketAddress("127.0.0.1", Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1))));
        }
        MonCluster.retry(cluster.client(), MonClient.cmd("osd stat"), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    MonConnection admin() throws Exception {
        MonCluster.await("bootstrapped monitors accept client.admin", Duration.ofSeconds(60), () -> {
            try (MonConnection c = MonConnection.connect(conf, "client.admin")) {
                return c.command(MonClient.cmd("osd stat")).ok();
            } catch (Exception e) {
                return false;
            }
        });
        return MonConnection.connect(conf, "client.admin");
    }

    @Test
    void adminRunsCommandsThroughAnyMonitor() throws Exception {
        for (InetSocketAddress mon : mons) {
            try (MonConnection c = MonConnection.connect(List.of(mon), "client.admin", Base64.getDecoder().decode(cluster.adminKey))) {
                MonCluster.await("mon at " + mon + " serves", Duration.ofSeconds(30), () -> {
                    try {
                        return c.command(MonClient.cmd("status")).ok();
                    } catch (Exception e) {
                        return false;
                    }
                });
                MonReply r = c.command(MonClient.cmd("osd pool create", "pool", "via-" + mon.getPort(), "pg_num", 8));
                assertThat(r.code()).as(r.outs()).isZero();
            }
        }
    }

    @Test
    void missingOrWrongKeysAreRefused() throws Exception {
        try (MonConnection ok = admin()) {
            assertThat(ok.command(MonClient.cmd("osd stat")).ok()).isTrue();
        }
        byte[] wrong = Base64.getDecoder().decode(Keyring.generateKey());
        assertThatThrownBy(() -> MonConnection.connect(mons, "client.admin", wrong))
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> MonConnection.connect(mons, "client.nobody", wrong))
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> MonConnection.connect(mons, "client.admin", new byte[0]))
                .isInstanceOf(Exception.class);
    }

    @Test
    void keyWithoutCapabilityIsRefusedTheCommand() throws Exception {
        String key;
        try (MonConnection a = admin()) {
            MonReply r = a.command(MonClient.cmd("auth get-or-create", "entity", "client.ro", "caps", List.of("mon", "allow r")));
            assertThat(r.code()).as(r.outs()).isZero();
            key = r.data().get(0).path("key").asText();
        }
        byte[] roKey = Base64.getDecoder().decode(key);
        // Followers apply the new key a moment after the leader acknowledged it.
        MonCluster.await("client.ro's key on every monitor", Duration.ofSeconds(30), () -> mons.stream().allMatch(m -> {
            try (MonConnection c = MonConnection.connect(List.of(m), "client.ro", roKey)) {
                return true;
            } catch (Exception e) {
                return false;
            }
        }));
        try (MonConnection ro = MonConnection.connect(mons, "client.ro", roKey)) {
            assertThat(ro.command(MonClient.cmd("osd stat")).ok()).isTrue();
            MonReply denied = ro.command(MonClient.cmd("osd pool create", "pool", "nope"));
            assertThat(denied.code()).isEqualTo(Errno.EACCES);
            assertThat(denied.outs()).contains("client.ro").contains("osd pool create");
            assertThat(ro.command(MonClient.cmd("auth ls")).code()).isEqualTo(Errno.EACCES);
        }
    }

    /**
     * A replayed session: a proxy records everything a real client sends (handshake, then a
     * command creating pool "replayed"); the pool is removed; the recording is then sent again on a
     * new connection. The monitor answers with a fresh challenge, refuses the stale proof and closes
     * the connection: the command is not executed again.
     */
    @Test
    void aReplayedSessionIsRefusedAndItsCommandNotRun() throws Exception {
        InetSocketAddress target = mons.get(1);
        java.io.ByteArrayOutputStream recorded = new java.io.ByteArrayOutputStream();
        try (java.net.ServerSocket proxy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread pump = Thread.ofVirtual().start(() -> {
                try (Socket client = proxy.accept(); Socket server = new Socket(target.getAddress(), target.getPort())) {
                    Thread back = Thread.ofVirtual().start(() -> copy(server, client, null));
                    copy(client, server, recorded);
                    back.join();
                } catch (Exception e) {
                    // the proxy ends when either side closes
                }
            });
            try (MonConnection c = MonConnection.connect(List.of(new InetSocketAddress("127.0.0.1", proxy.getLocalPort())),
                    "client.admin", Base64.getDecoder().decode(cluster.adminKey))) {
                MonReply r = c.command(MonClient.cmd("osd pool create", "pool", "replayed", "pg_num", 8));
                assertThat(r.code()).as(r.outs()).isZero();
            }
            pump.join(10_000);
        }
        try (MonConnection a = admin()) {
            assertThat(a.command(MonClient.cmd("osd pool rm", "pool", "replayed", "pool2", "replayed",
                    "yes_i_really_really_mean_it", true)).code()).isZero();
        }
        byte[] replay;
        synchronized (recorded) {
            replay = recorded.toByteArray();
        }
        assertThat(replay.length).as("recorded a handshake and a command").isGreaterThan(64);
        try (Socket s = new Socket(target.getAddress(), target.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(replay);
            s.getOutputStream().flush();
            s.getInputStream().readAllBytes();   // returns at EOF: the monitor closed the connection
        } catch (java.net.SocketException reset) {
            // closed with a reset: refused too
        }
        try (MonConnection a = admin()) {
            MonReply pools = a.command(MonClient.cmd("osd pool ls"));
            assertThat(pools.data()).extracting(n -> n.asText()).doesNotContain("replayed");
        }
    }

    static void copy(Socket from, Socket to, java.io.ByteArrayOutputStream record) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = from.getInputStream().read(buf)) > 0; ) {
                if (record != null) {
                    synchronized (record) {
                        record.write(buf, 0, n);
                    }
                }
                to.getOutputStream().write(buf, 0, n);
                to.getOutputStream().flush();
            }
        } catch (IOException e) {
            // connection closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    record Unknown() implements Message {
        @Override
        public int typeId() {
            return 0x0999;
        }

        @Override
        public void encodeFields(Encoder out) {
            out.putLong(42);
        }
    }

    @Test
    void garbageOversizedAndUnknownMessagesAreDroppedAndTheMonitorKeepsServing() throws Exception {
        long epochBefore;
        try (MonConnection a = admin()) {
            epochBefore = a.command(MonClient.cmd("osd stat")).epoch();
        }
        InetSocketAddress target = mons.get(0);
        for (byte[] junk : new byte[][] {
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(),
            {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8},
            new byte[64 * 1024],
        }) {
            try (Socket s = new Socket(target.getAddress(), target.getPort())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(junk);
                out.flush();
                assertThat(s.getInputStream().readAllBytes().length).as("server answers garbage by closing").isLessThan(4096);
            } catch (java.net.SocketException reset) {
                // a reset is a drop too
            }
        }
        var registry = MonMessages.registry();
        try (Connection raw = Connection.connect(target, "client.admin", Base64.getDecoder().decode(cluster.adminKey), registry)) {
            assertThatThrownBy(() -> raw.call(new Unknown(), Duration.ofSeconds(10)).get()).isInstanceOf(ExecutionException.class);
        }
        try (MonConnection a = admin()) {
            MonReply huge = a.command(MonClient.cmd("config set", "who", "global", "name", "x", "value", "v".repeat(5 << 20)));
            assertThat(huge.code()).isEqualTo(Errno.EINVAL);
            assertThat(huge.outs()).contains("exceeds");
            MonReply notObject = a.command(MonClient.cmd("osd frobnicate"));
            assertThat(notObject.code()).isEqualTo(Errno.EINVAL);
            MonReply r = a.command(MonClient.cmd("osd stat"));
            assertThat(r.ok()).isTrue();
            assertThat(r.epoch()).as("nothing lost, nothing changed by garbage").isGreaterThanOrEqualTo(epochBefore);
        }
    }

    @Test
    void subscribersReceivePushedMaps() throws Exception {
        try (MonConnection a = admin(); MonConnection sub = admin()) {
            sub.subscribe(m -> { });
            MonCluster.await("initial map", Duration.ofSeconds(30), () -> sub.osdMap() != null);
            long want = 0;
            for (int i = 0; i < 5; i++) {
                want = a.command(MonClient.cmd("osd pool create", "pool", "push" + i, "pg_num", 8)).epoch();
            }
            long target = want;
            MonCluster.await("pushed map e" + target, Duration.ofSeconds(30), () -> sub.osdMap().epoch() >= target);
            assertThat(sub.osdMap().poolByName("push4")).isNotNull();
        }
    }
    /**
     * Regression, mon-leader-partition (seeds 5539159055794412226, 480225805509269605): a monitor
     * cut off by a partition keeps its clients' TCP connections open for minutes, and a session on
     * it neither failed nor moved: its commands (an OSD's beacons) timed out one after another and
     * its subscription heard nothing, so its OSDs were marked down and never learned it. Here the
     * first monitor is SIGSTOPped (sockets open, no replies): a command times out, the next one is
     * answered by another monitor, and the subscription follows there.
     */
    @Test
    void monLeaderPartition5539159055794412226_aSessionLeavesAMonitorThatStopsAnswering() throws Exception {
        withFirstMonitorStopped(sub -> {
            assertThatThrownBy(() -> sub.command(MonClient.cmd("osd stat"), Duration.ofSeconds(3)))
                    .isInstanceOf(IOException.class).hasMessageContaining("hunting for another");
            long made = MonCluster.retry(cluster.client(), MonClient.cmd("osd pool create", "pool", "while-stopped",
                    "pg_num", 8), Duration.ofSeconds(90)).epoch();
            assertThat(sub.command(MonClient.cmd("osd stat"), Duration.ofSeconds(30)).ok()).isTrue();
            MonCluster.await("map e" + made + " through another monitor", Duration.ofSeconds(30),
                    () -> sub.osdMap().epoch() >= made);
            assertThat(sub.osdMap().poolByName("while-stopped")).isNotNull();
        });
    }

    /**
     * Regression, lose-one-host (seed 4593697621633603768), the monitor half: an OSD map subscription
     * lives on one connection, and a session that hunted to another monitor did not renew it there,
     * so it heard no more pushes (the client half, Objecter asking the monitors again when an OSD
     * cannot be reached, is {@code LostMonitorClientTest} in the cluster module). Here the session's
     * monitor stops answering, the session's next command moves it to another monitor, whose reply
     * shows no newer epoch (so nothing else renews the subscription); a map made afterwards must
     * still be pushed to it, with no further command from the session.
     */
    @Test
    void loseOneHost4593697621633603768_aSessionThatHuntsToAnotherMonitorIsSubscribedThere() throws Exception {
        withFirstMonitorStopped(sub -> {
            assertThatThrownBy(() -> sub.command(MonClient.cmd("osd stat"), Duration.ofSeconds(3)))
                    .isInstanceOf(IOException.class).hasMessageContaining("hunting for another");
            MonCluster.retry(cluster.client(), MonClient.cmd("osd stat"), Duration.ofSeconds(90));   // a quorum without it
            long held = sub.osdMap().epoch();
            MonReply moved = sub.command(MonClient.cmd("osd stat"), Duration.ofSeconds(30));
            assertThat(moved.ok()).as(moved.toString()).isTrue();
            assertThat(moved.epoch()).as("the epoch the new monitor reports: no news to catch up on").isEqualTo(held);
            long made = MonCluster.retry(cluster.client(), MonClient.cmd("osd pool create", "pool", "after-hunt",
                    "pg_num", 8), Duration.ofSeconds(90)).epoch();
            MonCluster.await("map e" + made + " pushed on the monitor the session hunted to", Duration.ofSeconds(30),
                    () -> sub.osdMap().epoch() >= made);
            assertThat(sub.osdMap().poolByName("after-hunt")).isNotNull();
        });
    }

    /**
     * Regression, packet-loss (seed 7611029335041956332): a client whose monitor's host went silent
     * one way (the monitor heard everything, every reply was dropped) renewed its subscription there
     * again and again and never heard of the map that marked the silent host's OSD down, so its ops
     * on that OSD's PGs stalled for the rest of the run. The client runs no commands, so only the
     * subscription can notice. Here the first monitor is SIGSTOPped (sockets open, no replies), a
     * map change is made through the others, and the session only renews its subscription: the new
     * map must arrive through another monitor.
     */
    @Test
    void packetLoss7611029335041956332_aSubscriptionLeavesAMonitorThatDoesNotAnswer() throws Exception {
        withFirstMonitorStopped(sub -> {
            long made = MonCluster.retry(cluster.client(), MonClient.cmd("osd pool create", "pool", "while-silent",
                    "pg_num", 8), Duration.ofSeconds(90)).epoch();
            sub.renew();   // a renewal, as the objecter asks when an OSD is ahead of it or does not answer
            MonCluster.await("map e" + made + " through another monitor", Duration.ofSeconds(30),
                    () -> sub.osdMap().epoch() >= made);
            assertThat(sub.osdMap().poolByName("while-silent")).isNotNull();
        });
    }

    /** A body run on a session subscribed to the maps while mon_host's first monitor (where the session connected) is SIGSTOPped. */
    private interface StoppedMonitorBody {
        void run(MonConnection sub) throws Exception;
    }

    /** Subscribes a session, stops its monitor (sockets open, no replies), runs {@code body}, resumes the monitor. */
    private void withFirstMonitorStopped(StoppedMonitorBody body) throws Exception {
        try (MonConnection sub = admin()) {
            sub.subscribe(m -> { });
            MonCluster.await("initial map", Duration.ofSeconds(30), () -> sub.osdMap() != null);
            Process first = cluster.procs.get(cluster.names.get(0));   // mon_host's first: where sub connected
            signal(first, "STOP");
            try {
                body.run(sub);
            } finally {
                signal(first, "CONT");
            }
        }
    }

    private static void signal(Process p, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-s", sig, String.valueOf(p.pid())).inheritIO().start();
        assertThat(k.waitFor()).isZero();
    }
}
