package io.loligo.osd;

import io.loligo.maps.OsdMap;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Test harness: one monitor ({@code io.loligo.mon.MonMain}) and N OSDs ({@link OsdMain}) as real
 * processes on loopback, ports picked by binding port 0, conf, keyring and data dirs in a temp dir.
 * Each OSD boots under its own CRUSH host (h0, h1, ...). close() kills every process it started and
 * deletes the temp dir, even after a failure.
 */
public final class OsdCluster implements AutoCloseable {
    public final Path dir;
    public final Path confPath;
    public final Path keyringPath;
    final int osdCount;
    final Map<String, Process> procs = new LinkedHashMap<>();
    private final List<MonConnection> clients = new ArrayList<>();
    private String classpath;

    OsdCluster(int osdCount, Map<String, String> extraCaps) throws IOException {
        this(osdCount, extraCaps, Map.of());
    }

    /** {@code osdOptions} go to the conf's [osd] section (e.g. osd_max_pg_log_entries). */
    public OsdCluster(int osdCount, Map<String, String> extraCaps, Map<String, String> osdOptions) throws IOException {
        this.osdCount = osdCount;
        dir = Files.createTempDirectory("loligo-osd-test");
        int raft = freePort();
        int addr = freePort();
        keyringPath = dir.resolve("keyring");
        Keyring keyring = new Keyring()
                .put("client.admin", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")))
                .put("mon.", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *")));
        for (int i = 0; i < osdCount; i++) {
            keyring.put("osd." + i, EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")));
        }
        extraCaps.forEach((entity, osdCaps) -> keyring.put(entity,
                EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow r", "osd", osdCaps))));
        keyring.write(keyringPath);
        StringBuilder conf = new StringBuilder("[global]\nfsid = " + UUID.randomUUID() + "\n")
                .append("mon_initial_members = a\nmon_host = 127.0.0.1:").append(addr).append('\n')
                .append("keyring = ").append(keyringPath).append('\n')
                .append("[mon.a]\nmon_raft_addr = 127.0.0.1:").append(raft).append("\nmon_addr = 127.0.0.1:").append(addr)
                .append("\n[osd]\nosd_block_file_bytes = ").append(48 << 20)
                .append("\nosd_heartbeat_interval = 0.5\nosd_heartbeat_grace = 3\nosd_stats_interval = 1\n")
                .append("osd_op_num_shards = 2\nosd_op_wait_timeout = 5\n");
        osdOptions.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        for (int i = 0; i < osdCount; i++) {
            conf.append("[osd.").append(i).append("]\nhost = h").append(i).append('\n');
        }
        confPath = dir.resolve("loligo.conf");
        Files.writeString(confPath, conf);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process launch(String name, String mainClass, List<String> args, String... jvmArgs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx192m", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.io.loligo=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true"));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", classpath(), mainClass));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
        procs.put(name, p);
        return p;
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

    void startMon() throws IOException {
        Path data = dir.resolve("mon.a");
        Files.createDirectories(data);
        launch("mon.a", "io.loligo.mon.MonMain", List.of("--id", "a", "--conf", confPath.toString(), "--data", data.toString()));
    }

    /** Starts osd.{@code id}; {@code jvmArgs} e.g. arm fault points ({@code -Dloligo.faults=name:halt:N}). */
    public Process startOsd(int id, String... jvmArgs) throws IOException {
        return launch("osd." + id, "io.loligo.osd.OsdMain",
                List.of("--id", String.valueOf(id), "--data", dir.resolve("osd." + id).toString(), "--conf", confPath.toString()),
                jvmArgs);
    }

    /** Starts the monitor and {@code n} OSDs, waits until all are up and in, creates pool p (size 3, min_size 2, 8 PGs). */
    public MonConnection startWithPool(int n) throws Exception {
        startMon();
        MonConnection admin = admin();
        command(admin, Duration.ofSeconds(90), "osd stat");
        for (int i = 0; i < n; i++) {
            if (!procs.containsKey("osd." + i)) {
                startOsd(i);
            }
        }
        admin.subscribe(m -> { });
        awaitMap(admin, n + " osds up and in", Duration.ofSeconds(90), m -> m.numUp() == n && m.numIn() == n);
        MonReply created = command(admin, Duration.ofSeconds(60), "osd pool create", "pool", "p", "pg_num", 8, "size", 3,
                "min_size", 2);
        if (!created.ok()) {
            throw new AssertionError("pool create: " + created.outs());
        }
        awaitMap(admin, "pool p", Duration.ofSeconds(60), m -> m.poolByName("p") != null);
        return admin;
    }

    /** kill -9. */
    public void kill(String name) throws InterruptedException {
        Process p = procs.remove(name);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    MonConnection admin() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                MonConnection c = MonConnection.connect(ClusterConf.load(confPath), "client.admin");
                clients.add(c);
                return c;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);   // retry interval while the monitor starts
            }
        }
    }

    /** Runs a monitor command, retrying while the monitor bootstraps (EAGAIN or connection errors). */
    public static MonReply command(MonConnection mon, Duration timeout, Object... prefixAndArgs) throws Exception {
        var cmd = MonReply.json().createObjectNode().put("prefix", (String) prefixAndArgs[0]);
        for (int i = 1; i + 1 < prefixAndArgs.length; i += 2) {
            cmd.put((String) prefixAndArgs[i], String.valueOf(prefixAndArgs[i + 1]));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                MonReply r = mon.command(cmd);
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

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);   // polling interval of a deadline-bounded wait, not synchronisation
        }
    }

    public static void awaitMap(MonConnection mon, String what, Duration timeout, Predicate<OsdMap> condition)
            throws InterruptedException {
        await(what, timeout, () -> mon.osdMap() != null && condition.test(mon.osdMap()));
    }

    /** PG counts by state from the monitors' {@code pg stat}. */
    public static Map<String, Integer> pgStates(MonConnection mon) throws Exception {
        MonReply r = mon.command(MonReply.json().createObjectNode().put("prefix", "pg stat"));
        Map<String, Integer> out = new java.util.TreeMap<>();
        r.data().path("pgs_by_state").forEach(n -> out.put(n.path("state_name").asText(), n.path("count").asInt()));
        return out;
    }

    /** Waits until every one of {@code pgs} PGs is in {@code state} as the monitors see it. */
    public static void awaitPgStates(MonConnection mon, String state, int pgs, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = pgStates(mon);
            if (last.equals(Map.of(state, pgs))) {
                return;
            }
            Thread.sleep(100);   // polling interval of a deadline-bounded wait
        }
        List<String> others = new ArrayList<>();
        StringBuilder detail = new StringBuilder();
        try {
            MonReply dump = mon.command(MonReply.json().createObjectNode().put("prefix", "pg dump"));
            for (var pg : dump.data().path("pg_map").path("pg_stats")) {
                if (!pg.path("state").asText().equals(state)) {
                    others.add(pg.path("pgid").asText());
                    detail.append("\n  pg ").append(pg.path("pgid").asText()).append(' ').append(pg.path("state").asText())
                            .append(" up ").append(pg.path("up")).append(" acting ").append(pg.path("acting"));
                }
            }
        } catch (Exception e) {
            detail.append("\n  (pg dump failed: ").append(e).append(')');
        }
        throw new PgStatesTimeout("timed out after " + timeout + " waiting for " + pgs + " pgs " + state
                + "; last pg stat: " + last + detail, others);
    }

    /** {@link #awaitPgStates} gave up: {@code pgids} are the PGs that were not in the state awaited. */
    public static final class PgStatesTimeout extends AssertionError {
        public final List<String> pgids;

        PgStatesTimeout(String message, List<String> pgids) {
            super(message);
            this.pgids = List.copyOf(pgids);
        }
    }

    /**
     * For assertion messages: every OSD's log lines about {@code pgids} (the last 80 per OSD and PG),
     * so a stuck PG's history is not cut off by the tail {@link #logs} keeps.
     */
    public String pgLogs(List<String> pgids) {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("osd\\.\\d+\\.log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(p);
                for (String pgid : pgids) {
                    List<String> hits = lines.stream().filter(l -> l.contains(" pg " + pgid + " ")).toList();
                    out.append("==== ").append(p.getFileName()).append(" lines about pg ").append(pgid).append('\n');
                    hits.subList(Math.max(0, hits.size() - 80), hits.size()).forEach(l -> out.append(l).append('\n'));
                }
            }
        } catch (IOException e) {
            out.append("(logs unreadable: ").append(e).append(")");
        }
        return out.toString();
    }

    public String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The last lines of every process's log, for assertion messages. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(p);
                out.append("==== ").append(p.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(logs unreadable: ").append(e).append(")");
        }
        return out.toString();
    }

    @Override
    public void close() throws Exception {
        for (MonConnection c : clients) {
            c.close();
        }
        for (Process p : procs.values()) {
            p.destroyForcibly();
        }
        for (Process p : procs.values()) {
            p.waitFor();
        }
        procs.clear();
        if (System.getenv("LOLIGO_KEEP_TEST_DIRS") == null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
