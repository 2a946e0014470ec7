package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.mon.client.MonClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitor: a Ratis server whose state machine holds the cluster maps, plus the leader's
 * periodic duties (bootstrapping a new cluster, marking long-down OSDs out). The data directory
 * holds Ratis' log and snapshots ({@code DATA/ratis}); everything survives a restart.
 */
public final class MonDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MonDaemon.class);
    /** Log entries between automatic snapshots; snapshots bound the log (older segments are purged). */
    static final long SNAPSHOT_EVERY_ENTRIES = 1000;

    private final String name;
    private final ClusterConf conf;
    private final MonStateMachine sm;
    private final RaftServer server;
    private final RaftGroup group;
    private final ScheduledExecutorService ticker;
    private volatile long leaderSinceMillis;
    private MonClient client;
    private io.loligo.msg.MessengerServer messenger;
    private final java.util.concurrent.ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();

    public MonDaemon(String name, ClusterConf conf, Path dataDir) throws IOException, ClusterConf.ConfException {
        this.name = name;
        this.conf = conf;
        this.group = MonClient.group(conf);
        RaftPeer self = group.getPeer(RaftPeerId.valueOf(name));
        if (self == null) {
            throw new ClusterConf.ConfException(conf.path() + ": mon." + name + " is not in mon_initial_members "
                    + conf.monNames());
        }
        Files.createDirectories(dataDir.resolve("ratis"));
        RaftProperties props = new RaftProperties();
        RaftConfigKeys.Rpc.setType(props, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setPort(props, port(self.getAddress()));
        RaftServerConfigKeys.setStorageDir(props, List.of(dataDir.resolve("ratis").toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        long every = longSetting("mon_raft_snapshot_every", SNAPSHOT_EVERY_ENTRIES);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, every);
        // Purge closed log segments below each snapshot as soon as a snapshot's worth has accumulated.
        RaftServerConfigKeys.Log.setPurgeGap(props, (int) Math.min(Integer.MAX_VALUE, every));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf(longSetting("mon_raft_segment_bytes", 8L << 20)));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(props, true);
        this.sm = new MonStateMachine(name);
        sm.setQuorumSupplier(this::quorumInfo);
        boolean fresh = isEmpty(dataDir.resolve("ratis"));
        this.server = RaftServer.newBuilder().setServerId(self.getId()).setGroup(group).setProperties(props)
                .setStateMachine(sm).setOption(fresh ? org.apache.ratis.server.storage.RaftStorage.StartupOption.FORMAT
                        : org.apache.ratis.server.storage.RaftStorage.StartupOption.RECOVER).build();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mon." + name + "-tick");
            t.setDaemon(true);
            return t;
        });
    }

    /** A daemon-local numeric setting from this monitor's conf section (or [mon], [global]). */
    private long longSetting(String key, long dflt) throws ClusterConf.ConfException {
        String v = conf.get("mon." + name, key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ClusterConf.ConfException(conf.path() + ": " + key + " = '" + v + "' (expected a positive integer)");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    static int port(String hostPort) throws ClusterConf.ConfException {
        int colon = hostPort.lastIndexOf(':');
        try {
            return Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new ClusterConf.ConfException("address '" + hostPort + "' has no port (expected HOST:PORT)");
        }
    }

    public void start() throws IOException, ClusterConf.ConfException {
        server.start();
        client = MonClient.connect(conf);
        client.followLeaderOf(this::raftLeader);
        String addr = conf.get("mon." + name, "mon_addr");
        if (addr != null) {
            startMessenger(addr);
        }
        ticker.scheduleWithFixedDelay(this::tick, 200, 500, TimeUnit.MILLISECONDS);
        log.info("mon.{} started: raft {} group {} peers {}", name, group.getPeer(RaftPeerId.valueOf(name)).getAddress(),
                group.getGroupId(), conf.monNames());
    }

    private void startMessenger(String addr) throws IOException, ClusterConf.ConfException {
        io.loligo.msg.auth.Keyring local = new io.loligo.msg.auth.Keyring();
        String keyring = conf.get("mon." + name, "keyring");
        if (keyring != null && Files.exists(Path.of(keyring))) {
            local = io.loligo.msg.auth.Keyring.load(Path.of(keyring));
        }
        MonService service = new MonService(name, sm, client, local, requests);
        int colon = addr.lastIndexOf(':');
        java.net.InetSocketAddress bind = new java.net.InetSocketAddress(addr.substring(0, colon), port(addr));
        try {
            messenger = io.loligo.msg.MessengerServer.start(bind, service, service,
                    io.loligo.maps.proto.MonMessages.registry(), io.loligo.msg.ServerOptions.defaults("mon." + name));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + addr, e);
        }
        log.info("mon.{} serving clients at {}", name, addr);
    }

    /** The port clients reach this monitor on, or -1 when it serves no messenger. */
    public int messengerPort() {
        return messenger == null ? -1 : messenger.port();
    }

    public String name() {
        return name;
    }

    public MonStateMachine stateMachine() {
        return sm;
    }

    public boolean isLeader() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** The quorum as this monitor sees it; complete only on the leader, which answers queries. */
    QuorumInfo quorumInfo() {
        try {
            var division = server.getDivision(group.getGroupId());
            RoleInfoProto role = division.getInfo().getRoleInfoProto();
            long term = division.getInfo().getCurrentTerm();
            if (!division.getInfo().isLeader()) {
                String leader = role.hasFollowerInfo() ? role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8() : null;
                return new QuorumInfo(leader == null || leader.isEmpty() ? null : leader, List.of(), term, 0);
            }
            List<String> quorum = new ArrayList<>();
            quorum.add(name);
            for (var f : role.getLeaderInfo().getFollowerInfoList()) {
                if (f.getLastRpcElapsedTimeMs() < 5000) {
                    quorum.add(f.getId().getId().toStringUtf8());
                }
            }
            quorum.sort(String::compareTo);
            return new QuorumInfo(name, quorum, term, io.loligo.common.WallClock.millis() - leaderSinceMillis);
        } catch (IOException e) {
            return QuorumInfo.unknown();
        }
    }

    /**
     * The leader this monitor's Raft server follows, or null while it knows none: the client that
     * forwards commands (the OSDs' and clients' mutations, the tick's) aims there before each one
     * ({@link MonClient#followLeaderOf}). A monitor that leads names itself as {@link #quorumInfo}
     * does: Ratis sets a new leader's role before its leader id, and a command forwarded in between
     * went to the old leader (SilentLeaderMonitorTest, mon.b elected: 10.2 s).
     */
    private String raftLeader() {
        try {
            var info = server.getDivision(group.getGroupId()).getInfo();
            if (info.isLeader()) {
                return name;
            }
            RaftPeerId leader = info.getLeaderId();
            return leader == null ? null : leader.toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Leader duties, every half second: bootstrap a new cluster, mark OSDs out after the down-out interval. */
    private void tick() {
        try {
            if (!isLeader()) {
                leaderSinceMillis = 0;
                return;
            }
            if (leaderSinceMillis == 0) {
                leaderSinceMillis = io.loligo.common.WallClock.millis();
            }
            boolean bootstrapped = sm.read(MonState::bootstrapped);
            if (!bootstrapped) {
                MonReply r = client.command(bootstrapCommand());
                log.info("mon.{} (leader) bootstrap: {} {}", name, Errno.name(r.code()), r.outs());
                return;
            }
            List<String> silent = sm.read(this::silentOsds);
            if (!silent.isEmpty()) {
                MonReply r = client.command(MonClient.cmd("osd down", "ids", silent, "report_timeout", true));
                log.info("mon.{} (leader) e{} marked down osds silent past mon_osd_report_timeout {}: {}", name, r.epoch(),
                        silent, r.outs());
            }
            List<String> due = sm.read(this::dueOut);
            if (!due.isEmpty()) {
                MonReply r = client.command(MonClient.cmd("osd out", "ids", due, "auto", true));
                log.info("mon.{} (leader) e{} auto-out {}: {}", name, r.epoch(), due, r.outs());
            }
        } catch (IOException | ClusterConf.ConfException | RuntimeException e) {
            log.warn("mon.{} tick failed: {}", name, e.toString());
        }
    }

    /**
     * Up OSDs whose last beacon is older than mon_osd_report_timeout (unless nodown), counting
     * silence from this monitor's election at the earliest (as Ceph's leader starts its
     * last_osd_report afresh): without a leader nobody's beacons could commit, and OSDs whose
     * monitor was cut off need time to find another. A new leader marked every OSD down at once
     * otherwise (found by mon-leader-partition, seed 480225805509269605).
     */
    private List<String> silentOsds(MonState s) {
        List<String> out = new ArrayList<>();
        OsdMap m = s.osdmap();
        if (m.isSet(io.loligo.maps.ClusterFlag.NODOWN)) {
            return out;
        }
        long timeout = s.longOption(MonOptions.REPORT_TIMEOUT) * 1000;
        long now = io.loligo.common.WallClock.millis();
        for (OsdState o : m.osds().values()) {
            long heard = Math.max(s.pgStats.beacons.getOrDefault(o.id(), now), leaderSinceMillis);
            if (o.up() && now - heard >= timeout) {
                out.add(String.valueOf(o.id()));
            }
        }
        return out;
    }

    private List<String> dueOut(MonState s) {
        List<String> due = new ArrayList<>();
        OsdMap m = s.osdmap();
        if (m.isSet(io.loligo.maps.ClusterFlag.NOOUT)) {
            return due;
        }
        long interval = s.longOption(MonOptions.DOWN_OUT_INTERVAL) * 1000;
        long now = io.loligo.common.WallClock.millis();
        for (OsdState o : m.osds().values()) {
            if (!o.up() && o.in() && o.downStampMillis() > 0 && now - o.downStampMillis() >= interval) {
                due.add(String.valueOf(o.id()));
            }
        }
        return due;
    }

    /** The genesis command: fsid, monitors, options from the conf file, keys from the keyring. */
    ObjectNode bootstrapCommand() throws ClusterConf.ConfException, IOException {
        ObjectNode c = MonClient.cmd("mon bootstrap", "fsid", conf.require(null, "fsid"));
        var mons = c.putArray("mons");
        for (String m : conf.monNames()) {
            String raft = conf.require("mon." + m, "mon_raft_addr");
            String addr = conf.get("mon." + m, "mon_addr");
            mons.addObject().put("name", m).put("addr", addr == null ? raft : addr).put("raft_addr", raft);
        }
        ObjectNode config = c.putObject("config");
        for (Map.Entry<String, String> e : conf.section("global").entrySet()) {
            if (MonOptions.DEFAULTS.containsKey(e.getKey())) {
                config.put(e.getKey(), e.getValue());
            }
        }
        ObjectNode auth = c.putObject("auth");
        String keyring = conf.get("mon." + name, "keyring");
        if (keyring != null && Files.exists(Path.of(keyring))) {
            Keyrings.read(Path.of(keyring)).forEach((entity, entry) -> {
                ObjectNode e = auth.putObject(entity).put("key", entry.key());
                ObjectNode caps = e.putObject("caps");
                entry.caps().forEach(caps::put);
            });
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        ticker.shutdownNow();
        if (messenger != null) {
            messenger.close();
        }
        requests.shutdownNow();
        if (client != null) {
            client.close();
        }
        server.close();
    }
}
