package io.loligo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.client.Cluster;
import io.loligo.maps.OsdMap;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.msg.SendDelay;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import io.loligo.osd.objectstore.StoreOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A cluster of real daemon processes placed on simulated hosts: host {@code i} is a network
 * namespace ({@link Net}) with its own address, running monitor {@code (char)('a'+i)} when
 * {@code i < mons} and OSDs {@code i*osdsPerHost ...}; each OSD boots under CRUSH host {@code hI},
 * so the default rule's failure domain is the simulated host. The test JVM, in the root
 * namespace, is the client. Without namespaces every daemon runs on loopback ({@link #netns()} is
 * false) and network faults are unavailable.
 *
 * <p>close() (and a shutdown hook, should the JVM exit first) kills every process by pid, removes
 * the namespaces, bridge and veths, unmounts what was mounted and deletes the temp dir.
 */
final class TestCluster implements AutoCloseable {
    static final String POOL_DEFAULTS = "size 3, min_size 2";

    final int hosts;
    final int mons;
    final int osdsPerHost;
    final Path dir;
    final Path confPath;
    final Net net;
    final int smallOsd;
    final Map<String, Daemon> daemons = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Path> mounts = new ArrayList<>();
    private final Thread hook;
    private String classpath;
    private MonConnection admin;

    /** A daemon: its name (mon.a, osd.3), host, launch command and current process (null when not running). */
    static final class Daemon {
        final String name;
        final int host;
        final List<String> args;
        /** Extra environment for its next starts (e.g. a clock offset); empty by default. */
        final Map<String, String> env = new java.util.concurrent.ConcurrentHashMap<>();
        volatile Process process;

        Daemon(String name, int host, List<String> args) {
            this.name = name;
            this.host = host;
            this.args = args;
        }

        boolean running() {
            Process p = process;
            return p != null && p.isAlive();
        }
    }

    /** Bytes of the small OSD's object store (see {@link #TestCluster(int, int, int, int)}). */
    static final long SMALL_OSD_STORE_BYTES = 24L << 20;

    /**
     * Free space the small OSD's file system keeps above the store's metadata reserve once the store
     * is made and open: room for RocksDB to grow through a whole suite (flushes, compactions, the
     * replays after restarts) without ever reaching the reserve, below which the store refuses all but
     * deletes. {@link SmallDiskTest} checks it.
     */
    static final long SMALL_OSD_METADATA_ROOM_BYTES = 64L << 20;

    /** What an open store's RocksDB takes at once (its WAL preallocated to ~1.1 write buffers: 18 MiB measured), with slack. */
    static final long SMALL_OSD_ROCKSDB_OPEN_BYTES = 32L << 20;

    /**
     * The small OSD's tmpfs: its data file, its commit log (preallocated at mkfs: twice the default
     * memtable budget, {@code CommitLog.sizeFor}), RocksDB's files at open, the metadata reserve, and
     * {@value #SMALL_OSD_METADATA_ROOM_BYTES} bytes of room above it: 312 MiB. It was a flat 224 MiB
     * until the commit log (64 MiB) came: that left the store at or under its reserve, RocksDB grew
     * over a whole suite run, and the OSD refused writes and stopped FATAL on a recovery push
     * (rolling-restart, seed 9112786996990713401).
     */
    static final long SMALL_OSD_DISK_BYTES = SMALL_OSD_STORE_BYTES + 2 * StoreOptions.defaults().memtableBytes()
            + SMALL_OSD_ROCKSDB_OPEN_BYTES + StoreOptions.defaults().metadataReserveBytes() + SMALL_OSD_METADATA_ROOM_BYTES;

    TestCluster(int hosts, int mons, int osdsPerHost) throws IOException {
        this(hosts, mons, osdsPerHost, -1);
    }

    /**
     * {@code smallOsd} (or -1): that OSD gets a {@value #SMALL_OSD_STORE_BYTES}-byte store on a
     * tmpfs of its own ({@link #SMALL_OSD_DISK_BYTES}) where mounts are possible, so filling it is
     * quick: a full disk.
     */
    TestCluster(int hosts, int mons, int osdsPerHost, int smallOsd) throws IOException {
        this.smallOsd = smallOsd;
        this.hosts = hosts;
        this.mons = mons;
        this.osdsPerHost = osdsPerHost;
        this.dir = Files.createTempDirectory("loligo-cluster-test");
        this.hook = new Thread(this::closeQuietly, "loligo-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        Net made = null;
        try {
            made = Net.create(hosts);
        } catch (IOException e) {
            System.err.println("[cluster] network namespaces failed (" + e.getMessage() + "); falling back to loopback");
        }
        this.net = made;
        if (net == null) {
            System.err.println("[cluster] no network namespaces (" + Net.unavailableReason()
                    + "): every daemon on loopback; network-fault scenarios will skip");
        }
        this.confPath = dir.resolve("loligo.conf");
        writeConf();
        if (smallOsd >= 0 && net != null) {
            smallDisk("osd." + smallOsd, SMALL_OSD_DISK_BYTES);
        }
    }

    boolean netns() {
        return net != null;
    }

    private String hostAddress(int host) {
        return net != null ? net.address(host) : "127.0.0.1";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void writeConf() throws IOException {
        Keyring keyring = new Keyring()
                .put("client.admin", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")))
                .put("mon.", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *")));
        for (int id = 0; id < hosts * osdsPerHost; id++) {
            keyring.put("osd." + id, EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")));
        }
        Path keyringPath = dir.resolve("keyring");
        keyring.write(keyringPath);
        List<String> monNames = new ArrayList<>();
        List<String> monHosts = new ArrayList<>();
        StringBuilder sections = new StringBuilder();
        for (int i = 0; i < mons; i++) {
            String name = String.valueOf((char) ('a' + i));
            int addrPort = net != null ? 6789 : freePort();
            int raftPort = net != null ? 6790 : freePort();
            monNames.add(name);
            monHosts.add(hostAddress(i) + ":" + addrPort);
            sections.append("[mon.").append(name).append("]\nmon_addr = ").append(hostAddress(i)).append(':').append(addrPort)
                    .append("\nmon_raft_addr = ").append(hostAddress(i)).append(':').append(raftPort).append('\n');
        }
        StringBuilder conf = new StringBuilder("[global]\nfsid = " + UUID.randomUUID() + "\n")
                .append("mon_initial_members = ").append(String.join(",", monNames)).append('\n')
                .append("mon_host = ").append(String.join(",", monHosts)).append('\n')
                .append("keyring = ").append(keyringPath).append('\n')
                .append(sections)
                .append("[osd]\nosd_block_file_bytes = ").append(64 << 20).append('\n')
                .append("osd_heartbeat_interval = 0.5\nosd_heartbeat_grace = 4\nosd_stats_interval = 1\n")
                .append("osd_op_num_shards = 2\nosd_op_wait_timeout = 10\n")
                .append("[client]\nclient_op_timeout = 10\n");
        for (int h = 0; h < hosts; h++) {
            for (int k = 0; k < osdsPerHost; k++) {
                int id = h * osdsPerHost + k;
                conf.append("[osd.").append(id).append("]\nhost = h").append(h).append("\nosd_addr = ")
                        .append(hostAddress(h)).append(":0\n");
                if (id == smallOsd) {
                    conf.append("osd_block_file_bytes = ").append(SMALL_OSD_STORE_BYTES).append('\n');
                }
            }
        }
        Files.writeString(confPath, conf);
        for (int i = 0; i < mons; i++) {
            String name = monNames.get(i);
            Path data = dir.resolve("mon." + name);
            daemons.put("mon." + name, new Daemon("mon." + name, i, List.of("io.loligo.mon.MonMain", "--id", name,
                    "--conf", confPath.toString(), "--data", data.toString())));
        }
        for (int id = 0; id < hosts * osdsPerHost; id++) {
            daemons.put("osd." + id, new Daemon("osd." + id, id / osdsPerHost, List.of("io.loligo.osd.OsdMain",
                    "--id", String.valueOf(id), "--data", dir.resolve("osd." + id).toString(), "--conf", confPath.toString())));
        }
    }

    int osdCount() {
        return hosts * osdsPerHost;
    }

    /** Names of the daemons on {@code host}. */
    List<String> onHost(int host) {
        return daemons.values().stream().filter(d -> d.host == host).map(d -> d.name).toList();
    }

    Daemon daemon(String name) {
        Daemon d = daemons.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no daemon " + name + "; have " + daemons.keySet());
        }
        return d;
    }

    /** Starts every daemon, waits for the quorum and every OSD up and in, and sets the monitors' failure options. */
    void start() throws Exception {
        for (Daemon d : daemons.values()) {
            if (d.name.startsWith("mon.")) {
                start(d.name);
            }
        }
        MonConnection mon = admin();
        command(Duration.ofSeconds(120), "osd stat");
        // One reporter suffices (two hosts may be gone); silent OSDs are marked down after 20 s.
        command(Duration.ofSeconds(30), "config set", "who", "mon", "name", "mon_osd_min_down_reporters", "value", "1");
        command(Duration.ofSeconds(30), "config set", "who", "mon", "name", "mon_osd_report_timeout", "value", "20");
        for (Daemon d : daemons.values()) {
            if (d.name.startsWith("osd.")) {
                start(d.name);
            }
        }
        mon.subscribe(m -> { });
        awaitMap("all " + osdCount() + " OSDs up and in", Duration.ofSeconds(120),
                m -> m.numUp() == osdCount() && m.numIn() == osdCount());
    }

    /** Starts (or restarts) one daemon in its host's namespace. */
    synchronized void start(String name) throws IOException {
        Daemon d = daemon(name);
        require(!d.running(), "%s is already running", name);
        Files.createDirectories(dir.resolve(name));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        if (net != null) {
            cmd.addAll(net.exec(d.host));
        }
        cmd.addAll(List.of(javaBin, "-XX:+UseSerialGC", "-Xmx160m", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.io.loligo=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-cp", classpath()));
        cmd.addAll(d.args);
        Path log = dir.resolve(name + ".log");
        Files.writeString(log, "==== start " + java.time.Instant.now() + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put(SendDelay.FILE_ENV, delayFile(d.host).toString());   // no file: no delay
        pb.environment().putAll(d.env);   // ip netns exec passes the environment on
        d.process = pb.start();
    }

    /** Waits for {@code name}'s process to end by itself (a daemon refusing to start); returns its exit code. */
    int awaitExit(String name, Duration timeout) throws InterruptedException {
        Daemon d = daemon(name);
        Process p = d.process;
        require(p != null, "%s was not started", name);
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still running " + timeout + " after its start; expected it to refuse");
        }
        d.process = null;
        return p.exitValue();
    }

    /** The last {@code lines} lines of {@code name}'s log. */
    String logTail(String name, int lines) throws IOException {
        List<String> all = Files.readAllLines(dir.resolve(name + ".log"), java.nio.charset.StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Deletes a stopped daemon's data directory: its disk replaced by an empty one. */
    void wipe(String name) throws IOException {
        Daemon d = daemon(name);
        require(!d.running(), "%s is running; stop it before wiping its data", name);
        Path data = dir.resolve(name);
        if (Files.exists(data)) {
            try (var walk = Files.walk(data)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!f.equals(data)) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /** Hands the monitors' leadership to {@code mon} (a name like "b"), retrying until it holds within {@code timeout}. */
    void transferLeadership(String mon, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (io.loligo.mon.client.MonClient raft = io.loligo.mon.client.MonClient.connect(ClusterConf.load(confPath))) {
            while (true) {
                try {
                    raft.transferLeadership(mon, Duration.ofSeconds(10));
                    if (mon.equals(leader())) {
                        return;
                    }
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("could not make mon." + mon + " the leader within " + timeout + ": " + e, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("mon." + mon + " not the leader within " + timeout + " (leader: " + leader() + ")");
                }
                Thread.sleep(500);   // retry interval within a deadline: the target may still be catching up
            }
        }
    }

    /**
     * Runs a short Java program (a class on the test classpath) inside host {@code host}'s
     * namespace and returns its output.
     */
    String runOnHost(int host, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (net != null) {
            cmd.addAll(net.exec(host));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        return Net.run(cmd).out();
    }

    Path keyringPath() {
        return dir.resolve("keyring");
    }

    /** A monitor's client address (HOST:PORT) from the conf. */
    String monAddr(String mon) throws ClusterConf.ConfException {
        return ClusterConf.load(confPath).get(mon, "mon_addr");
    }

    /** kill -9 (the process, not its data). */
    void kill(String name) throws InterruptedException {
        Daemon d = daemon(name);
        Process p = d.process;
        if (p != null) {
            signal(p, "CONT");   // a stopped process dies on SIGKILL too, but let it be reaped promptly
            p.destroyForcibly();
            p.waitFor();
        }
        d.process = null;
    }

    /** SIGTERM and wait: a clean shutdown (the daemon's shutdown hook runs). */
    void terminate(String name) throws InterruptedException {
        Daemon d = daemon(name);
        Process p = d.process;
        if (p != null) {
            p.destroy();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
        d.process = null;
    }

    /** SIGSTOP: the process hangs with its sockets open. */
    void stop(String name) throws IOException {
        Process p = daemon(name).process;
        require(p != null && p.isAlive(), "%s is not running", name);
        signal(p, "STOP");
    }

    /** SIGCONT. */
    void cont(String name) throws IOException {
        Process p = daemon(name).process;
        require(p != null && p.isAlive(), "%s is not running", name);
        signal(p, "CONT");
    }

    /** Harness misuse (not a daemon's invariant): a clear exception for the test's author. */
    private static void require(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalStateException(String.format(format, args));
        }
    }

    private static void signal(Process p, String sig) {
        try {
            Net.must("kill", "-s", sig, String.valueOf(p.pid()));
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + sig + " " + p.pid() + ": " + e.getMessage(), e);
        }
    }

    void killHost(int host) throws InterruptedException {
        for (String n : onHost(host)) {
            kill(n);
        }
    }

    void startHost(int host) throws IOException {
        for (String n : onHost(host)) {
            if (!daemon(n).running()) {
                start(n);
            }
        }
    }

    void stopHost(int host) throws IOException {
        for (String n : onHost(host)) {
            stop(n);
        }
    }

    void contHost(int host) throws IOException {
        for (String n : onHost(host)) {
            cont(n);
        }
    }

    /** Cuts host {@code host} off the network; needs namespaces. */
    void isolate(int host) throws IOException {
        require(net != null, "isolate needs network namespaces");
        net.isolate(host);
    }

    void heal(int host) throws IOException {
        require(net != null, "heal needs network namespaces");
        net.heal(host);
    }

    /** Drops {@code percent} % of host {@code host}'s packets in {@code direction} (nftables); needs namespaces. */
    void loss(int host, int percent, Net.Direction direction) throws IOException {
        require(net != null, "loss needs network namespaces");
        net.loss(host, percent, direction);
    }

    /** Ends host {@code host}'s packet loss; returns how many packets it dropped. */
    long clearLoss(int host) throws IOException {
        require(net != null, "clearLoss needs network namespaces");
        long dropped = net.lossDropped(host);
        net.clearLoss(host);
        return dropped;
    }

    /**
     * Adds {@code delay} to every frame host {@code host}'s daemons send from now on (their messenger's
     * {@link SendDelay}, read within 100 ms; the kernel has no sch_netem): a slow link out of the host.
     * Works on loopback too.
     */
    void delay(int host, Duration delay) throws IOException {
        Path tmp = delayFile(host).resolveSibling(delayFile(host).getFileName() + ".tmp");
        Files.writeString(tmp, String.valueOf(delay.toMillis()));
        Files.move(tmp, delayFile(host), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Ends host {@code host}'s added latency. */
    void clearDelay(int host) throws IOException {
        Files.deleteIfExists(delayFile(host));
    }

    /** The file each of host {@code host}'s daemons reads its send delay from ({@value SendDelay#FILE_ENV}). */
    private Path delayFile(int host) {
        return dir.resolve("h" + host + ".net-delay-ms");
    }

    /** Mounts a size-limited tmpfs as {@code name}'s data dir (before its first start): a small disk. */
    void smallDisk(String name, long bytes) throws IOException {
        Path data = dir.resolve(name);
        Files.createDirectories(data);
        Net.must("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", data.toString());
        mounts.add(data);
    }

    Path dataDir(String name) {
        return dir.resolve(name);
    }

    /**
     * The test classpath with its class directories copied into the temp dir once: other builds
     * in the same tree may rewrite target/classes while the daemons restart.
     */
    private synchronized String classpath() throws IOException {
        if (classpath == null) {
            List<String> out = new ArrayList<>();
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p)) {
                    Path copy = dir.resolve("cp").resolve(String.valueOf(n++));
                    try (var walk = Files.walk(p)) {
                        for (Path f : walk.toList()) {
                            Path target = copy.resolve(p.relativize(f).toString());
                            if (Files.isDirectory(f)) {
                                Files.createDirectories(target);
                            } else {
                                Files.copy(f, target);
                            }
                        }
                    }
                    out.add(copy.toString());
                } else {
                    out.add(entry);
                }
            }
            classpath = String.join(java.io.File.pathSeparator, out);
        }
        return classpath;
    }

    /** The admin monitor connection (client.admin, every monitor). */
    synchronized MonConnection admin() throws Exception {
        if (admin == null) {
            admin = retry(Duration.ofSeconds(120), () -> MonConnection.connect(ClusterConf.load(confPath), "client.admin"));
            closeables.add(admin);
        }
        return admin;
    }

    /** A monitor connection to one monitor only (to see what it alone can do). */
    MonConnection monOnly(String mon) throws Exception {
        ClusterConf conf = ClusterConf.load(confPath);
        String addr = conf.get(mon, "mon_addr");
        int colon = addr.lastIndexOf(':');
        byte[] key = Keyring.load(dir.resolve("keyring")).lookup("client.admin").orElseThrow().key();
        MonConnection c = MonConnection.connect(List.of(new InetSocketAddress(addr.substring(0, colon),
                Integer.parseInt(addr.substring(colon + 1)))), "client.admin", key);
        closeables.add(c);
        return c;
    }

    /** A librados-like client with the given per-op timeout. */
    Cluster client(Duration opTimeout) throws Exception {
        ClusterConf conf = ClusterConf.load(confPath);
        byte[] key = Keyring.load(dir.resolve("keyring")).lookup("client.admin").orElseThrow().key();
        Cluster c = retry(Duration.ofSeconds(60), () -> Cluster.connect(MonConnection.monHosts(conf), "client.admin", key, opTimeout));
        closeables.add(c);
        return c;
    }

    interface Attempt<T> {
        T get() throws Exception;
    }

    static <T> T retry(Duration timeout, Attempt<T> attempt) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return attempt.get();
            } catch (IOException | ClusterConf.ConfException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);   // retry interval while daemons start
            }
        }
    }

    /** Runs a monitor command, retrying while the monitors elect or bootstrap (EAGAIN, connection errors). */
    MonReply command(Duration timeout, Object... prefixAndArgs) throws Exception {
        ObjectNode cmd = MonReply.json().createObjectNode().put("prefix", (String) prefixAndArgs[0]);
        for (int i = 1; i + 1 < prefixAndArgs.length; i += 2) {
            cmd.put((String) prefixAndArgs[i], String.valueOf(prefixAndArgs[i + 1]));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                MonReply r = admin().command(cmd);
                if (r.code() != -11 && r.code() != 11 || System.nanoTime() > deadline) {
                    return r;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(100);   // retry interval within a deadline
        }
    }

    /** Creates a replicated pool and waits until every PG of it is active+clean. */
    void createPool(String name, int pgNum, int size, int minSize) throws Exception {
        MonReply r = command(Duration.ofSeconds(60), "osd pool create", "pool", name, "pg_num", pgNum, "size", size,
                "min_size", minSize);
        if (!r.ok()) {
            throw new AssertionError("pool create " + name + ": " + r.outs());
        }
        awaitMap("pool " + name, Duration.ofSeconds(60), m -> m.poolByName(name) != null);
        awaitClean(Duration.ofSeconds(120));
    }

    String leader() throws Exception {
        return command(Duration.ofSeconds(30), "quorum_status").data().path("quorum_leader_name").asText(null);
    }

    /** The health status (HEALTH_OK, HEALTH_WARN, HEALTH_ERR) and its checks. */
    JsonNode health() throws Exception {
        return command(Duration.ofSeconds(30), "health").data();
    }

    /** PG counts by state. */
    Map<String, Integer> pgStates() throws Exception {
        MonReply r = command(Duration.ofSeconds(30), "pg stat");
        Map<String, Integer> out = new TreeMap<>();
        r.data().path("pgs_by_state").forEach(n -> out.put(n.path("state_name").asText(), n.path("count").asInt()));
        return out;
    }

    /** After a failed scenario: reconnects every host, resumes stopped daemons, starts dead ones, waits for health. */
    void restore() throws Exception {
        for (int h = 0; h < hosts; h++) {
            clearDelay(h);
        }
        for (int h = 0; h < hosts && net != null; h++) {
            net.heal(h);
            net.clearLoss(h);
        }
        for (Daemon d : daemons.values()) {
            if (d.running()) {
                signal(d.process, "CONT");
            } else {
                start(d.name);
            }
        }
        awaitHealthOk(Duration.ofSeconds(240));
    }

    /** Waits until every OSD is up and every PG active+clean; returns how long that took. */
    Duration awaitClean(Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        awaitMap("all OSDs up and in", timeout, m -> m.numUp() == osdCount() && m.numIn() == osdCount());
        long deadline = t0 + timeout.toNanos();
        Map<String, Integer> last = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                last = pgStates();
            } catch (IOException e) {
                last = Map.of("(monitors unreachable: " + e.getMessage() + ")", 0);
            }
            if (last.size() == 1 && last.containsKey("active+clean")) {
                return Duration.ofNanos(System.nanoTime() - t0);
            }
            Thread.sleep(200);   // polling interval of a deadline-bounded wait
        }
        throw new AssertionError("timed out after " + timeout + " waiting for active+clean; last pg stat: " + last);
    }

    /** Waits for HEALTH_OK with every PG active+clean; returns how long that took. */
    Duration awaitHealthOk(Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        awaitClean(timeout);
        long deadline = t0 + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = health();
            } catch (IOException e) {
                Thread.sleep(200);   // the monitors are electing: poll again within the deadline
                continue;
            }
            if ("HEALTH_OK".equals(last.path("status").asText())) {
                return Duration.ofNanos(System.nanoTime() - t0);
            }
            Thread.sleep(200);   // polling interval of a deadline-bounded wait
        }
        throw new AssertionError("timed out after " + timeout + " waiting for HEALTH_OK; last: " + last);
    }

    void awaitMap(String what, Duration timeout, Predicate<OsdMap> condition) throws Exception {
        MonConnection mon = admin();
        await(what, timeout, () -> mon.osdMap() != null && condition.test(mon.osdMap()));
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);   // polling interval of a deadline-bounded wait, not synchronisation
        }
    }

    /** The last lines of every daemon's log, for failure messages. */
    String logs(int lines) {
        StringBuilder out = new StringBuilder();
        for (String name : daemons.keySet()) {
            Path p = dir.resolve(name + ".log");
            try {
                List<String> all = Files.readAllLines(p);
                out.append("==== ").append(name).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
            } catch (IOException e) {
                out.append("==== ").append(name).append(": no log\n");
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or ran
        }
    }

    private synchronized void closeQuietly() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the processes go next anyway
            }
        }
        closeables.clear();
        admin = null;
        for (Daemon d : daemons.values()) {
            Process p = d.process;
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Daemon d : daemons.values()) {
            Process p = d.process;
            if (p != null) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                d.process = null;
            }
        }
        if (net != null) {
            net.close();
        }
        for (Path m : mounts) {
            try {
                Net.must("umount", "-l", m.toString());
            } catch (IOException e) {
                System.err.println("[cluster] " + e.getMessage());
            }
        }
        mounts.clear();
        if (System.getenv("LOLIGO_KEEP_TEST_DIRS") == null) {
            deleteTree(dir);
        } else {
            System.err.println("[cluster] kept " + dir);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("[cluster] could not delete " + root + ": " + e.getMessage());
        }
    }
}
