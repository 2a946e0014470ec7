package io.loligo.osd;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdMapPlacement;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.OsdMessages;
import io.loligo.msg.Message;
import io.loligo.msg.MessengerServer;
import io.loligo.msg.ServerOptions;
import io.loligo.msg.auth.Keyring;
import io.loligo.osd.heartbeat.Heartbeater;
import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.StoreOptions;
import io.loligo.osd.objectstore.Transaction;
import io.loligo.osd.pg.Pg;
import io.loligo.osd.pg.PgHost;
import io.loligo.osd.pg.PgLog;
import io.loligo.osd.pg.PgObjects;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Files in the OSD's data directory (besides the object store's own, described in objectstore.Keys):
 *   whoami   the OSD id, decimal, one line
 *   fsid     the cluster fsid this OSD belongs to, one line
 *   uuid     this OSD's own uuid (its identity towards the monitors), one line
 * All three are written (and fsynced) by mkfs on the first start; a later start checks them.
 */
/**
 * One OSD: its object store, its messenger server, its session with the monitors, the PGs CRUSH
 * gives it and the shards that run them. Start with {@link #start}; {@link #close} stops it.
 */
public final class OsdDaemon implements PgHost, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OsdDaemon.class);

    final OsdConfig config;
    final int whoami;
    final String uuid;
    final ObjectStore store;
    /** The store's data capacity (fixed at mkfs), for projecting a write's effect on the used fraction. */
    private final long storeBytes;
    final OsdShards shards;
    final OsdKeys keys;
    final Map<PgId, Pg> pgs = new ConcurrentHashMap<>();
    private final ExecutorService mapThread;
    private final ScheduledExecutorService background;
    /**
     * Everything that waits on the monitors (boot, stats, up_thru, pg_temp, keys) runs here, never
     * on {@link #background}: a monitor cut off by a partition holds a call for its whole timeout,
     * and the heartbeat tick must not stall behind it.
     */
    private final ScheduledExecutorService monThread;
    /** A boot is queued or waiting for its reply: no second one until it is done. */
    private final java.util.concurrent.atomic.AtomicBoolean bootPending = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<MapWaiter> waitingForMap = new ArrayList<>();

    /** A message waiting for our map to reach its sender's epoch; {@code onTimeout} answers it if it never does. */
    private record MapWaiter(long epoch, long deadlineNanos, Runnable task, Runnable onTimeout) {}


    private volatile OsdMap map;
    /** The newest map handleMap is applying, published before the PGs advance to it (see isUp). */
    private volatile OsdMap upMap;
    private volatile OsdMapPlacement placement;
    private volatile Set<Integer> heartbeatPeers = Set.of();
    private volatile boolean pgStatesDirty = true;
    private volatile long lastBootMillis;
    private volatile boolean booted;
    /** Set by {@link #close}: a map showing us down is then expected, not a reason to boot again. */
    private volatile boolean stopping;
    /** The fullness bits (OsdState.NEARFULL...) of our last look at the store: a change is reported at once. */
    private volatile int fullness;
    /** The store's metadata file system is below its reserve (reported as store_full). */
    private volatile boolean metadataLow;
    /** Past osd_failsafe_full_ratio as a replica: reported full until usage falls below failsafeClearRatio(). */
    private volatile boolean failsafeRefusing;
    /** Reasons the store refuses data now (refused collections, low metadata space, failsafe): reported as store_full. */
    private final java.util.concurrent.atomic.AtomicInteger storeRefusals = new java.util.concurrent.atomic.AtomicInteger();
    private final RecoveryThrottle recoveryThrottle;
    private final IdleHeapTrim idleHeapTrim = new IdleHeapTrim();
    private final OsdMapHistory history = new OsdMapHistory(() -> this.mon);
    private final ExecutorService historyThread;
    /** The up_thru our PGs asked for (0: none pending) and when we last sent it. */
    private final java.util.concurrent.atomic.AtomicLong upThruWanted = new java.util.concurrent.atomic.AtomicLong();
    private volatile long upThruSentNanos;
    OsdPeers peers;
    /** Heartbeat connections, apart from the data path's (as Ceph's hb_back): a ping timeout resets only these. */
    OsdPeers hbPeers;
    MessengerServer server;
    MonConnection mon;
    Heartbeater heartbeater;
    io.loligo.osd.scrub.OsdScrubScheduler scrub;

    private OsdDaemon(OsdConfig config, String uuid, ObjectStore store) throws ClusterConf.ConfException {
        this.config = config;
        this.whoami = config.id();
        this.uuid = uuid;
        this.store = store;
        this.storeBytes = Math.max(1, store.statfs().totalBytes());
        this.shards = new OsdShards(config.entity(), config.shards(), config.shardQueueMax(), this::fatal);
        this.keys = new OsdKeys(keyringPath(config.conf(), config.entity()));
        this.mapThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(config.entity() + "-map").factory());
        this.background = Executors.newScheduledThreadPool(1, Thread.ofPlatform().daemon().name(config.entity() + "-bg").factory());
        this.monThread = Executors.newScheduledThreadPool(1, Thread.ofPlatform().daemon().name(config.entity() + "-monc").factory());
        this.recoveryThrottle = RecoveryThrottle.from(config.conf(), config.entity());
        this.historyThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(config.entity() + "-history").factory());
    }

    private static Path keyringPath(ClusterConf conf, String who) {
        String k = conf.get(who, "keyring");
        return k == null || k.isBlank() ? null : Path.of(k.trim());
    }

    /** Opens (or on first start creates) the store, starts serving, authenticates to the monitors and boots. */
    public static OsdDaemon start(OsdConfig config) throws Exception {
        String uuid = prepareDataDir(config);
        ObjectStore store = BlockObjectStore.open(config.data().resolve("store"),
                config.memory().storeOptions(StoreOptions.defaults()));
        OsdDaemon d = new OsdDaemon(config, uuid, store);
        try {
            d.loadPgs();
            d.scrub = new io.loligo.osd.scrub.OsdScrubScheduler(io.loligo.osd.scrub.ScrubConfig.from(config.entity(),
                    config.conf()), d, d.pgs, () -> d.map);
            d.keys.reloadKeyring();
            String[] bind = config.bindAddress().split(":");
            d.server = MessengerServer.start(new InetSocketAddress(bind[0], Integer.parseInt(bind[1])), d.keys,
                    new OsdDispatcher(d), OsdMessages.osdRegistry(io.loligo.osd.pg.TxnCodec::read), ServerOptions.defaults(config.entity()));
            d.connectMonitors();
            d.peers = new OsdPeers(config.entity(), d.ownKey(), () -> d.map);
            d.hbPeers = new OsdPeers(config.entity(), d.ownKey(), () -> d.map);
            d.heartbeater = new Heartbeater(d.heartbeatEnv());
            d.lastBootMillis = System.currentTimeMillis();
            d.mon.subscribe(m -> d.mapThread.execute(() -> d.handleMap(m)));
            d.awaitFirstMap();
            d.boot();
            d.background.scheduleWithFixedDelay(d::tick, 0, config.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
            d.monThread.scheduleWithFixedDelay(d::reportStats, config.statsInterval().toMillis(),
                    config.statsInterval().toMillis(), TimeUnit.MILLISECONDS);
            d.monThread.scheduleWithFixedDelay(d::refreshKeys, 5, 5, TimeUnit.SECONDS);
            d.background.scheduleWithFixedDelay(d.scrub::tick, 1, 1, TimeUnit.SECONDS);
            d.background.scheduleWithFixedDelay(d::adaptRecovery, RecoveryThrottle.WINDOW.toMillis(),
                    RecoveryThrottle.WINDOW.toMillis(), TimeUnit.MILLISECONDS);
            return d;
        } catch (Exception e) {
            d.close();
            throw e;
        }
    }

    /** mkfs on first start (store, whoami, fsid, uuid); afterwards checks the directory belongs to this OSD. */
    private static String prepareDataDir(OsdConfig config) throws IOException, ClusterConf.ConfException {
        Path dir = config.data();
        Path whoami = dir.resolve("whoami");
        String fsid = config.conf().require(null, "fsid");
        if (!Files.exists(whoami)) {
            Files.createDirectories(dir);
            StoreOptions opts = StoreOptions.defaults().withBlockFileBytes(config.blockFileBytes());
            BlockObjectStore.mkfs(dir.resolve("store"), opts);
            String uuid = UUID.randomUUID().toString();
            writeDurably(dir.resolve("uuid"), uuid);
            writeDurably(dir.resolve("fsid"), fsid);
            writeDurably(whoami, String.valueOf(config.id()));   // last: its presence means mkfs finished
            log.info("osd.{} mkfs in {}: uuid {} fsid {}", config.id(), dir, uuid, fsid);
            return uuid;
        }
        String id = Files.readString(whoami).trim();
        if (!id.equals(String.valueOf(config.id()))) {
            throw new IllegalArgumentException("data directory " + dir + " belongs to osd." + id + ", not osd." + config.id());
        }
        String haveFsid = Files.readString(dir.resolve("fsid")).trim();
        if (!haveFsid.equals(fsid)) {
            throw new IllegalArgumentException("data directory " + dir + " belongs to cluster " + haveFsid
                    + ", but the conf says fsid " + fsid);
        }
        return Files.readString(dir.resolve("uuid")).trim();
    }

    private static void writeDurably(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private byte[] ownKey() throws Exception {
        Path p = keyringPath(config.conf(), config.entity());
        if (p == null) {
            throw new ClusterConf.ConfException("no keyring configured for " + config.entity());
        }
        return Keyring.load(p).lookup(config.entity()).orElseThrow(() -> new ClusterConf.ConfException(
                "no key for " + config.entity() + " in keyring " + p)).key();
    }

    /** PGs found in the store from an earlier run. */
    private void loadPgs() {
        for (CollectionId c : store.collections()) {
            PgId pgid = new PgId((int) c.pool(), c.seed());
            long[] counts = PgObjects.count(store, c);
            pgs.put(pgid, new Pg(pgid, this, PgLog.load(store, c, config.pgLogEntriesMax()), counts[0], counts[1]));
        }
        log.info("{} loaded {} pgs", who(), pgs.size());
    }

    private void connectMonitors() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                mon = MonConnection.connect(config.conf(), config.entity());
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || e.getMessage().contains("refused by")) {
                    throw e;
                }
                log.info("{}: monitors not reachable yet ({}); retrying", who(), e.getMessage());
                Thread.sleep(500);   // retry interval while the monitors start
            }
        }
    }

    private void awaitFirstMap() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (map == null && System.nanoTime() < deadline) {
            Thread.sleep(20);   // start-up only: the first map push usually arrives within milliseconds
        }
    }

    /** Tells the monitors we are up at our address (first boot: creates the OSD and places it in CRUSH). */
    void boot() {
        bootPending.set(true);
        lastBootMillis = System.currentTimeMillis();
        ObjectNode cmd = MonReply.json().createObjectNode().put("prefix", "osd boot").put("id", whoami)
                .put("uuid", uuid).put("addr", address()).put("host", config.host())
                .put("capacity", store.statfs().totalBytes());
        try {
            MonReply r = mon.command(cmd);
            log.info("{} boot: {} {} e{}", who(), r.code(), r.outs(), r.epoch());
        } catch (IOException e) {
            log.warn("{} boot failed: {}", who(), e.getMessage());
        } finally {
            lastBootMillis = System.currentTimeMillis();
            booted = true;   // from now on, a map showing us down (or a failed boot) triggers another boot
            bootPending.set(false);
        }
    }

    /** Milliseconds between boots while our map shows us down: the map our boot made may arrive after a stale one. */
    static final long REBOOT_GAP_MILLIS = 1000;

    /**
     * Boots again when our newest map shows us down (or at another address) and the last boot is
     * more than {@link #REBOOT_GAP_MILLIS} old and done (Ceph's OSD does the same on seeing itself
     * marked down). Called for each new map and from every tick, so a map that arrived within
     * the gap, or a boot that failed (a monitor cut off), is retried without waiting for a newer map
     * (found by mon-leader-partition, seed 5539159055794412226: the OSD never booted again).
     */
    private void maybeReboot() {
        OsdMap m = map;
        if (!booted || stopping || m == null || bootPending.get()
                || System.currentTimeMillis() - lastBootMillis <= REBOOT_GAP_MILLIS) {
            return;
        }
        OsdState self = m.osd(whoami);
        if (self != null && self.up() && self.address().equals(address())) {
            return;
        }
        if (bootPending.compareAndSet(false, true)) {
            log.warn("{} marked down (or at another address) in e{} but alive: booting again", who(), m.epoch());
            monThread.execute(this::boot);
        }
    }

    String address() {
        InetSocketAddress a = server.address();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    // ---- maps ----

    OsdMap map() {
        return map;
    }

    OsdMapPlacement placement() {
        return placement;
    }

    Set<Integer> heartbeatPeers() {
        return heartbeatPeers;
    }

    /** On the map thread: recompute our PGs, advance each on its shard, wake ops that waited for this epoch. */
    private void handleMap(OsdMap m) {
        if (map != null && m.epoch() <= map.epoch()) {
            return;
        }
        OsdMapPlacement pl = m.placement();
        history.add(m);
        OsdMap prevMap = map;
        Map<PgId, Pg.Split> splits = planSplits(prevMap, m);
        Map<Pg, Runnable> advances = new java.util.LinkedHashMap<>();
        Set<Integer> hb = new HashSet<>();
        for (Pool pool : m.pools().values()) {
            for (int seed = 0; seed < pool.pgNum(); seed++) {
                PgMapping mapping = pl.mapPg(pool, seed);
                List<Integer> acting = members(mapping.acting());
                PgId pgid = new PgId(pool.id(), seed);
                Pg pg = pgs.get(pgid);
                if (pg == null && !acting.contains(whoami)) {
                    continue;
                }
                if (acting.contains(whoami)) {
                    hb.addAll(acting);
                }
                if (pg == null) {
                    pg = createPg(pgid, pool);
                }
                Pg target = pg;
                int primary = mapping.actingPrimary();
                advances.put(target, () -> target.advanceMap(m, pool, acting, primary));
            }
        }
        upMap = m;   // before the advances run: peering asks isUp() about this map, not the one before
        submitAdvances(splits, advances);
        hb.remove(whoami);
        addNeighbours(m, hb);
        map = m;
        placement = pl;
        heartbeatPeers = Set.copyOf(hb);
        List<MapWaiter> wake = new ArrayList<>();
        synchronized (waitingForMap) {
            waitingForMap.removeIf(w -> w.epoch() <= m.epoch() && wake.add(w));
        }
        wake.forEach(w -> w.task().run());
        maybeReboot();
    }

    /**
     * Queues each PG's advanceMap on its shard. A split parent splits first, in the same shard
     * task (so no op of its sees the old collection after the split); its children advance only
     * after that, from the parent's shard.
     */
    private void submitAdvances(Map<PgId, Pg.Split> splits, Map<Pg, Runnable> advances) {
        Map<Pg, Pg.Split> byParent = new java.util.HashMap<>();
        for (Pg.Split plan : splits.values()) {
            byParent.put(plan.parent(), plan);
            for (Pg child : plan.children()) {
                Runnable a = advances.remove(child);
                if (a != null) {
                    plan.childAdvances().put(child, a);
                }
            }
        }
        advances.forEach((pg, advance) -> {
            Pg.Split plan = byParent.remove(pg);
            shards.submit(pg.pgid(), plan == null ? advance : () -> {
                pg.split(plan);
                advance.run();
            });
        });
        byParent.forEach((pg, plan) -> shards.submit(pg.pgid(), () -> pg.split(plan)));
    }

    /**
     * PG splits for pools whose pg_num grew: every new PG whose ancestor (below the old pg_num) we
     * hold is split off that ancestor's collection by the ancestor's shard. Returns child → plan
     * (one plan per ancestor, shared by its children); the child Pgs are registered here.
     */
    private Map<PgId, Pg.Split> planSplits(OsdMap prevMap, OsdMap m) {
        Map<PgId, Pg.Split> out = new java.util.HashMap<>();
        if (prevMap == null) {
            return out;
        }
        Map<PgId, Pg.Split> byParent = new java.util.HashMap<>();
        for (Pool pool : m.pools().values()) {
            Pool prev = prevMap.pool(pool.id());
            if (prev == null || prev.pgNum() >= pool.pgNum()) {
                continue;
            }
            for (int c = prev.pgNum(); c < pool.pgNum(); c++) {
                int root = c;
                while (root >= prev.pgNum()) {
                    root -= Integer.highestOneBit(root);
                }
                PgId rootId = new PgId(pool.id(), root);
                Pg parent = pgs.get(rootId);
                PgId childId = new PgId(pool.id(), c);
                if (parent == null || pgs.containsKey(childId)) {
                    continue;
                }
                Pg child = new Pg(childId, this, new PgLog(config.pgLogEntriesMax()), 0, 0);
                pgs.put(childId, child);
                Pg.Split plan = byParent.computeIfAbsent(rootId, k -> new Pg.Split(parent, new ArrayList<>(),
                        new java.util.LinkedHashMap<>()));
                plan.children().add(child);
                out.put(childId, plan);
            }
        }
        return out;
    }

    /** Fewest OSDs to heartbeat (Ceph's osd_heartbeat_min_peers): an OSD sharing no PG is still watched. */
    static final int HEARTBEAT_PEERS_MIN = 10;

    /** Adds the up OSDs nearest by id (next, previous, ...) until {@link #HEARTBEAT_PEERS_MIN} peers. */
    private void addNeighbours(OsdMap m, Set<Integer> hb) {
        List<Integer> up = new ArrayList<>();
        for (OsdState o : m.osds().values()) {
            if (o.up() && o.id() != whoami) {
                up.add(o.id());
            }
        }
        up.sort(java.util.Comparator.comparingInt((Integer o) -> Math.floorMod(o - whoami, Math.max(1, m.maxOsd()))));
        for (int i = 0; i < up.size() && hb.size() < HEARTBEAT_PEERS_MIN; i++) {
            hb.add(up.get(i));
        }
    }

    private static List<Integer> members(int[] osds) {
        List<Integer> out = new ArrayList<>();
        for (int o : osds) {
            if (o != CrushConstants.ITEM_NONE && o >= 0) {
                out.add(o);
            }
        }
        return out;
    }

    private Pg createPg(PgId pgid, Pool pool) {
        CollectionId c = new CollectionId(pgid.pool(), pgid.seed());
        Pg pg = new Pg(pgid, this, new PgLog(config.pgLogEntriesMax()), 0, 0);
        pgs.put(pgid, pg);
        int bits = splitBits(pgid.seed(), pool.pgNum());
        shards.submit(pgid, () -> pg.createCollection(bits));
        return pg;
    }

    /** Ceph's pg_t::get_split_bits: the hash bits that select this PG's objects with pg_num PGs. */
    public static int splitBits(int seed, int pgNum) {
        if (pgNum <= 1) {
            return 0;
        }
        int p = 32 - Integer.numberOfLeadingZeros(pgNum);   // pg_num in [2^(p-1), 2^p)
        int half = 1 << (p - 1);
        return Integer.remainderUnsigned(seed, half) < pgNum % half ? p : p - 1;
    }

    /** Runs {@code task} once our map is at least {@code epoch} (now, if it already is). */
    void afterEpoch(long epoch, Runnable task, Runnable onTimeout) {
        synchronized (waitingForMap) {
            OsdMap m = map;
            if (m == null || m.epoch() < epoch) {
                waitingForMap.add(new MapWaiter(epoch, System.nanoTime() + config.opTimeout().toNanos(), task, onTimeout));
                return;
            }
        }
        task.run();
    }

    /** Answers messages that waited longer than {@code osd_op_wait_timeout} for a newer map. */
    private void expireMapWaiters() {
        long now = System.nanoTime();
        List<MapWaiter> expired = new ArrayList<>();
        synchronized (waitingForMap) {
            waitingForMap.removeIf(w -> now > w.deadlineNanos() && expired.add(w));
        }
        expired.forEach(w -> w.onTimeout().run());
    }

    private Heartbeater.Env heartbeatEnv() {
        return new Heartbeater.Env() {
            @Override public int whoami() { return whoami; }
            @Override public OsdMap map() { return map; }
            @Override public Set<Integer> peers() { return heartbeatPeers; }
            @Override public CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout) {
                return hbPeers.call(osd, request, timeout);
            }
            @Override public void resetConnection(int osd) { hbPeers.drop(osd); }
            @Override public MonConnection mon() { return mon; }
            @Override public Duration interval() { return config.heartbeatInterval(); }
            @Override public Duration grace() { return config.heartbeatGrace(); }
        };
    }

    // ---- periodic work ----

    private void tick() {
        expireMapWaiters();
        maybeReboot();
        resendAlive();
        for (Pg pg : pgs.values()) {
            shards.submit(pg.pgid(), pg::tick);
        }
        try {
            boolean low = store.metadataSpaceLow();
            if (low != metadataLow) {
                metadataLow = low;
                log.warn("{} file system space for the store's metadata {}", who(), low
                        ? "is below the reserve: refusing writes (reported full)" : "is above the reserve again");
                storeFull(low);
            }
            double used = store.usedFraction();
            if (failsafeRefusing && used < failsafeClearRatio()) {
                failsafeRefusing = false;
                log.warn("{} store {}% used: below the failsafe again, taking data", who(), Math.round(used * 100));
                storeFull(false);
            }
            noteFullness(used);
        } catch (RuntimeException e) {
            log.warn("{} statfs failed: {}", who(), e.toString());
        }
        try {
            heartbeater.tick();
        } catch (RuntimeException e) {
            log.warn("{} heartbeat tick failed: {}", who(), e.toString());
        }
    }

    private void refreshKeys() {
        keys.reloadKeyring();
        keys.refreshFromMons(mon);
    }

    /**
     * How long a stats report (our beacon) waits for the monitor before the session hunts for
     * another: well inside the report timeout after which the monitors mark a silent OSD down
     * (mon_osd_report_timeout; 900 s by default, 20 s in the fault-injection tests), so an OSD whose
     * monitor was cut off reaches another before it is missed.
     */
    static final Duration MON_REPORT_TIMEOUT = Duration.ofSeconds(8);

    /** Sends PG states and usage to the monitors ({@code osd pgstats}). */
    private void reportStats() {
        try {
            ObjectNode cmd = MonReply.json().createObjectNode().put("prefix", "osd pgstats").put("osd", whoami);
            ObjectStore.Statfs st = store.statfs();
            cmd.put("kb", st.totalBytes() >> 10).put("kb_used", st.usedBytes() >> 10).put("kb_avail", st.availableBytes() >> 10);
            cmd.put("store_full", storeRefusals.get() > 0);
            ArrayNode arr = cmd.putArray("pgs");
            for (Pg pg : pgs.values()) {
                if (pg.role() == Pg.Role.PRIMARY) {
                    ObjectNode o = arr.addObject().put("pgid", pg.pgid().toString()).put("state", pg.stateName())
                            .put("objects", pg.objectCount()).put("bytes", pg.byteCount())
                            .put("num_scrub_errors", pg.scrubber().scrubErrors());
                    Set<Integer> blocked = pg.blockedBy();
                    if (!blocked.isEmpty()) {
                        ArrayNode b = o.putArray("blocked_by");
                        blocked.forEach(b::add);
                    }
                }
            }
            pgStatesDirty = false;
            // The reply's epoch shows a map we lack: MonConnection fetches it (we may have missed a push).
            mon.command(cmd, MON_REPORT_TIMEOUT);
        } catch (Exception e) {
            log.debug("{} stats report failed: {}", who(), e.toString());
        }
    }

    // ---- PgHost ----

    @Override
    public int whoami() {
        return whoami;
    }

    @Override
    public ObjectStore store() {
        return store;
    }

    @Override
    public CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout) {
        return peers.call(osd, request, timeout);
    }

    @Override
    public void onShard(PgId pg, Runnable task) {
        shards.submit(pg, task);
    }

    @Override
    public void onShardLater(PgId pg, Duration delay, Runnable task) {
        shards.submitLater(pg, delay, task);
    }

    @Override
    public long nowMillis() {
        return io.loligo.common.WallClock.millis();   // wall time (scrub stamps, mtimes): skewable for tests
    }

    // Both looked up on every write from the allocator's counters, with the write's own bytes: a
    // per-tick sample let a fast burst of writes run a small store from 70 % to 100 % between two
    // ticks, and a replica's commit then failed for lack of space (found by FullOsdTest).
    @Override
    public boolean isFull(long addBytes) {
        OsdMap m = map;
        double used = store.usedFraction();
        noteFullness(used);
        // At the full ratio already (the map lags a fast writer by a report), or a write that would take
        // the store past its failsafe ratio: then the OSD is reported full like a replica past it, or
        // a primary refusing below the map's full ratio (a low failsafe) left health at OK with every
        // write refused (FullOsdTest, final CI run of session 3). A single huge write that alone passes
        // the failsafe reports full until the next tick finds usage below the clear ratio.
        if (storeRefusals.get() > 0 || (m != null && used >= m.fullRatio())) {
            return true;
        }
        return failsafeFull(addBytes, used);
    }

    @Override
    public boolean failsafeFull(long addBytes) {
        if (storeRefusals.get() > 0) {
            return true;
        }
        double used = store.usedFraction();
        noteFullness(used);
        return failsafeFull(addBytes, used);
    }

    /** Whether a write of {@code addBytes} would take the store, {@code used} full now, past its failsafe ratio. */
    private boolean failsafeFull(long addBytes, double used) {
        if (storeRefusals.get() > 0) {
            return true;
        }
        if (used + (double) addBytes / storeBytes < config.failsafeFullRatio()) {
            return false;
        }
        if (!failsafeRefusing) {
            // An OSD that takes no more data is full, whatever its percentage (a large write refuses below
            // full_ratio): reported so, the map marks it FULL and primaries stop accepting writes, instead
            // of every new write being acknowledged with a copy fewer. Cleared below failsafeClearRatio().
            failsafeRefusing = true;
            log.warn("{} past osd_failsafe_full_ratio {}: taking no more data (as a replica, logging writes without it); reporting the OSD full",
                    who(), config.failsafeFullRatio());
            storeFull(true);
        }
        return true;
    }

    /** Usage below which an OSD that passed its failsafe ratio takes data again: backfillfull, or 5 % under the failsafe. */
    private double failsafeClearRatio() {
        OsdMap m = map;
        double below = config.failsafeFullRatio() - 0.05;
        return m == null ? below : Math.min(m.backfillfullRatio(), below);
    }

    @Override
    public void storeFull(boolean full) {
        int n = full ? storeRefusals.incrementAndGet() : storeRefusals.decrementAndGet();
        if (n == (full ? 1 : 0)) {
            background.execute(this::reportStats);   // health shows it now, not at the next report
        }
    }

    /**
     * Compares the store's usage with the map's ratios; a change of level (nearfull, backfillfull,
     * full, or back) is logged and reported to the monitors at once, so they mark the map within a
     * round trip instead of at the next osd_stats_interval: primaries refuse writes while any acting
     * member is full in the map, and a small store fills in seconds.
     */
    private void noteFullness(double used) {
        OsdMap m = map;
        if (m == null) {
            return;
        }
        int bits = m.fullnessOf(Math.round(used * 1_000_000), 1_000_000);
        int before = fullness;
        if (bits != before) {
            fullness = bits;
            log.warn("{} store {}% used: {} (nearfull {}, backfillfull {}, full {}, failsafe {})", who(),
                    Math.round(used * 100), bits == 0 ? "below the full ratios" : bits == OsdState.FULL ? "full"
                            : bits == OsdState.BACKFILLFULL ? "backfillfull" : "nearfull",
                    m.nearfullRatio(), m.backfillfullRatio(), m.fullRatio(), config.failsafeFullRatio());
            background.execute(this::reportStats);
        }
    }

    @Override
    public CompletableFuture<List<OsdMap>> maps(long from, long to) {
        CompletableFuture<List<OsdMap>> f = new CompletableFuture<>();
        historyThread.execute(() -> {
            try {
                f.complete(history.range(from, to));
            } catch (IOException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Override
    public void onShardBackground(PgId pg, Runnable task) {
        shards.submitBackground(pg, task);
    }

    /** Once per RecoveryThrottle.WINDOW: recovery backs off while clients' latency is raised; an idle OSD gives back heap. */
    private void adaptRecovery() {
        if (idleHeapTrim.tick(recoveryThrottle.activity())) {
            log.info("{} idle: collected to give spare heap back ({} MiB committed now)", who(),
                    Runtime.getRuntime().totalMemory() >> 20);
        }
        int before = recoveryThrottle.limit();
        Duration paceBefore = recoveryThrottle.pace();
        double ratio = recoveryThrottle.adapt();
        if (recoveryThrottle.limit() != before || !recoveryThrottle.pace().equals(paceBefore)) {
            log.info("{} recovery throttle: client latency {}x baseline; {} pushes in flight, {} ms between starts",
                    who(), String.format("%.2f", ratio), recoveryThrottle.limit(), recoveryThrottle.pace().toMillis());
        }
    }

    /** A client op this OSD served as primary finished (for the recovery throttle's latency signal). */
    void clientOpDone(long nanos, long bytes) {
        recoveryThrottle.clientOpDone(nanos, bytes);
    }

    @Override
    public boolean tryStartRecoveryOp() {
        return recoveryThrottle.tryStartOp();
    }

    @Override
    public void endRecoveryOp() {
        recoveryThrottle.endOp();
    }

    @Override
    public boolean tryReserveBackfill() {
        return recoveryThrottle.tryReserveBackfill();
    }

    @Override
    public void releaseBackfill() {
        recoveryThrottle.releaseBackfill();
    }

    @Override
    public Duration recoverySleep() {
        return recoveryThrottle.sleep;
    }

    @Override
    public void requestPgTemp(PgId pg, List<Integer> osds) {
        monThread.execute(() -> {
            ObjectNode cmd = MonReply.json().createObjectNode().put("prefix", "osd pg-temp").put("pgid", pg.toString());
            ArrayNode ids = cmd.putArray("id");
            osds.forEach(o -> ids.add(String.valueOf(o)));
            try {
                MonReply r = mon.command(cmd);
                log.info("{} pg_temp {} -> {}: {} {}", who(), pg, osds, r.code(), r.outs());
            } catch (IOException e) {
                log.warn("{} pg_temp {} -> {} failed: {}", who(), pg, osds, e.getMessage());
            }
        });
    }

    @Override
    public void requestUpThru(long epoch) {
        long before = upThruWanted.getAndAccumulate(epoch, Math::max);
        if (epoch > before) {
            monThread.execute(this::sendAlive);
        }
    }

    /** Re-sends a pending up_thru request once a second until the map shows it. */
    private void resendAlive() {
        if (upThruWanted.get() > 0 && System.nanoTime() - upThruSentNanos > 1_000_000_000L) {
            upThruSentNanos = System.nanoTime();   // one queued resend at a time
            monThread.execute(this::sendAlive);
        }
    }

    /** {@code osd alive}: asks the monitors to record our up_thru (Ceph's MOSDAlive). */
    private void sendAlive() {
        OsdMap m = map;
        long want = upThruWanted.get();
        OsdState self = m == null ? null : m.osd(whoami);
        if (want == 0 || self == null || !self.up()) {
            return;
        }
        if (self.upThru() >= want) {
            upThruWanted.compareAndSet(want, 0);
            return;
        }
        upThruSentNanos = System.nanoTime();
        ObjectNode cmd = MonReply.json().createObjectNode().put("prefix", "osd alive").put("osd", whoami)
                .put("want", Math.min(want, m.epoch())).put("up_from", self.upFrom());
        try {
            MonReply r = mon.command(cmd);
            log.info("{} alive want e{}: {} {}", who(), want, r.code(), r.outs());
        } catch (IOException e) {
            log.warn("{} osd alive failed: {}; retrying", who(), e.getMessage());
        }
    }

    @Override
    public boolean isUp(int osd) {
        OsdMap m = upMap;
        OsdState st = m == null ? null : m.osd(osd);
        return st != null && st.up();
    }

    @Override
    public void pgStateChanged(PgId pg) {
        pgStatesDirty = true;
    }

    @Override
    public void fatal(String what, Throwable cause) {
        log.error("{} FATAL: {}; stopping (replication and peering recover from this)", who(), what, cause);
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }

    String who() {
        OsdMap m = map;
        return "osd." + whoami + " e" + (m == null ? 0 : m.epoch());
    }

    /**
     * How long a clean shutdown waits for the monitors to mark this OSD down (Ceph's
     * osd_mon_shutdown_timeout, 5 s): long enough for one Raft commit on a busy quorum; past it we
     * stop anyway and peers find out from heartbeats.
     */
    static final Duration MON_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Asks the monitors to mark this instance down before it stops serving (Ceph's MOSDMarkMeDown):
     * its PGs re-peer on the next epoch instead of stalling client IO for a heartbeat grace.
     */
    private void markMeDown() {
        OsdMap m = map;
        OsdState self = m == null ? null : m.osd(whoami);
        if (mon == null || self == null || !self.up()) {
            return;
        }
        ObjectNode cmd = MonReply.json().createObjectNode().put("prefix", "osd mark-me-down").put("osd", whoami)
                .put("up_from", self.upFrom());
        try {
            MonReply r = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return mon.command(cmd);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Thread::startVirtualThread).get(MON_SHUTDOWN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            log.info("{} shutting down: {} {} e{}", who(), r.code(), r.outs(), r.epoch());
        } catch (Exception e) {
            log.warn("{} shutting down without being marked down ({}); peers will notice by heartbeat", who(), e.toString());
        }
    }

    @Override
    public void close() {
        stopping = true;
        markMeDown();
        // Inputs first (clients, peers, the monitors' pushes), then the threads they feed.
        if (server != null) {
            server.close();
        }
        if (mon != null) {
            mon.close();
        }
        background.shutdownNow();
        monThread.shutdownNow();
        mapThread.shutdownNow();
        historyThread.shutdownNow();
        if (peers != null) {
            peers.close();
        }
        if (hbPeers != null) {
            hbPeers.close();
        }
        shards.close();
        store.close();
    }
}
