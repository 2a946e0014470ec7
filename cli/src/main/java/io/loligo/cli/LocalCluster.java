package io.loligo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/*
 * Layout of a local cluster's directory (default ./.loligo, or $LOLIGO_HOME, or --dir):
 *   cluster.json       marker: {"kind":"loligo-local-cluster","fsid","mons":[names],"osds":N,"created",
 *                      "rgw_port":P (the S3 gateway rgw.0 on 127.0.0.1:P; absent or 0: no gateway)};
 *                      a directory without it is never started in, stopped or purged
 *   loligo.conf        the cluster config (INI; monitors' ports fixed at creation, so restarts keep them)
 *   keyring            client.admin, mon. and osd.N keys (mode 0600)
 *   mon.a/ ...         each daemon's data directory
 *   run/<type>.<id>.pid  pid of the running daemon (removed by down)
 *   log/<type>.<id>.log  the daemon's stdout and stderr, appended across restarts
 */
/**
 * The one-command local cluster behind {@code loligo up}, {@code down} and {@code purge}: daemons
 * as separate background processes (their own session, so they outlive the CLI and its terminal),
 * found again through pid files whose command line is checked before any signal is sent.
 */
public final class LocalCluster {
    static final String MARKER = "cluster.json";
    static final String KIND = "loligo-local-cluster";
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;

    LocalCluster(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** --dir, else $LOLIGO_HOME, else ./.loligo. */
    static Path defaultDir(Path override) {
        if (override != null) {
            return override;
        }
        String home = System.getenv("LOLIGO_HOME");
        return Path.of(home != null && !home.isEmpty() ? home : ".loligo");
    }

    /** The conf file a client command should use when none is given: $LOLIGO_CONF, the local cluster's, /etc. */
    public static Path defaultConf() {
        String env = System.getenv("LOLIGO_CONF");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        Path local = defaultDir(null).resolve("loligo.conf");
        return Files.exists(local) ? local : Path.of("/etc/loligo/loligo.conf");
    }

    Path conf() {
        return dir.resolve("loligo.conf");
    }

    Path keyring() {
        return dir.resolve("keyring");
    }

    Path pidFile(String name) {
        return dir.resolve("run").resolve(name + ".pid");
    }

    Path logFile(String name) {
        return dir.resolve("log").resolve(name + ".log");
    }

    /** One daemon of the cluster: its name ({@code mon.a}), data directory and, for monitors, address. */
    record Daemon(String type, String id, String addr) {
        String name() {
            return type + "." + id;
        }
    }

    /** The cluster as its marker describes it; empty when the directory holds none. */
    record Layout(String fsid, List<String> mons, int osds, int rgwPort) {
        Layout(String fsid, List<String> mons, int osds) {
            this(fsid, mons, osds, 0);
        }

        /** The S3 gateway, started after the cluster is healthy (not among {@link #daemons}); null if none. */
        Daemon rgw() {
            return rgwPort > 0 ? new Daemon("rgw", "0", "127.0.0.1:" + rgwPort) : null;
        }

        List<Daemon> daemons(io.loligo.maps.monc.ClusterConf conf) {
            List<Daemon> out = new ArrayList<>();
            for (String m : mons) {
                out.add(new Daemon("mon", m, conf.get("mon." + m, "mon_addr")));
            }
            for (int i = 0; i < osds; i++) {
                out.add(new Daemon("osd", String.valueOf(i), null));
            }
            return out;
        }
    }

    /** A refusal with a message for the user (exit 1). */
    static final class LocalClusterException extends Exception {
        private static final long serialVersionUID = 1L;

        LocalClusterException(String message) {
            super(message);
        }
    }

    Optional<Layout> layout() throws LocalClusterException {
        Path marker = dir.resolve(MARKER);
        if (!Files.exists(marker)) {
            return Optional.empty();
        }
        try {
            var n = JSON.readTree(marker.toFile());
            if (n == null || !KIND.equals(n.path("kind").asText())) {
                throw new LocalClusterException(marker + " is not a loligo local cluster marker");
            }
            List<String> mons = new ArrayList<>();
            n.path("mons").forEach(m -> mons.add(m.asText()));
            return Optional.of(new Layout(n.path("fsid").asText(), mons, n.path("osds").asInt(), n.path("rgw_port").asInt(0)));
        } catch (IOException e) {
            throw new LocalClusterException("cannot read " + marker + ": " + e.getMessage());
        }
    }

    /** Writes the conf, keyring and marker of a new cluster with fresh loopback ports. */
    Layout create(int monCount, int osdCount, long osdBytes) throws IOException, LocalClusterException {
        return create(monCount, osdCount, osdBytes, 0);
    }

    /** As {@link #create(int, int, long)}, with an S3 gateway on 127.0.0.1:{@code rgwPort} (0: none). */
    Layout create(int monCount, int osdCount, long osdBytes, int rgwPort) throws IOException, LocalClusterException {
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new LocalClusterException(dir + " is not empty and holds no loligo cluster (" + MARKER
                            + " missing): it may belong to something else. Choose another directory with --dir or "
                            + "LOLIGO_HOME, or empty it.");
                }
            }
        }
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("log"));
        String fsid = UUID.randomUUID().toString();
        List<String> mons = new ArrayList<>();
        for (int i = 0; i < monCount; i++) {
            mons.add(String.valueOf((char) ('a' + i)));
        }
        Keyring keys = new Keyring()
                .put("client.admin", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")))
                .put("mon.", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *")));
        for (int i = 0; i < osdCount; i++) {
            keys.put("osd." + i, EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")));
        }
        keys.write(keyring());
        Files.writeString(conf(), confText(fsid, mons, osdCount, osdBytes));
        ObjectNode marker = JSON.createObjectNode().put("kind", KIND).put("fsid", fsid);
        ArrayNode m = marker.putArray("mons");
        mons.forEach(m::add);
        marker.put("osds", osdCount).put("created", java.time.Instant.now().toString());
        if (rgwPort > 0) {
            marker.put("rgw_port", rgwPort);
        }
        Files.writeString(dir.resolve(MARKER), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(marker) + "\n");
        return new Layout(fsid, mons, osdCount, rgwPort);
    }

    private String confText(String fsid, List<String> mons, int osds, long osdBytes) throws IOException {
        StringBuilder c = new StringBuilder("# written by 'loligo up'; the monitors' ports are fixed for this cluster\n");
        c.append("[global]\nfsid = ").append(fsid).append('\n');
        c.append("mon_initial_members = ").append(String.join(", ", mons)).append('\n');
        List<String> hosts = new ArrayList<>();
        StringBuilder sections = new StringBuilder();
        for (String m : mons) {
            String addr = "127.0.0.1:" + freePort();
            hosts.add(addr);
            sections.append("\n[mon.").append(m).append("]\nmon_addr = ").append(addr)
                    .append("\nmon_raft_addr = 127.0.0.1:").append(freePort()).append('\n');
        }
        c.append("mon_host = ").append(String.join(", ", hosts)).append('\n');
        c.append("keyring = ").append(keyring()).append('\n');
        if (osds > 0) {
            int size = Math.min(3, osds);
            c.append("osd_pool_default_size = ").append(size).append('\n');
            c.append("osd_pool_default_min_size = ").append(Math.max(1, size - size / 2)).append('\n');
        }
        c.append(sections);
        if (osds > 0) {
            // One machine: each OSD gets a CRUSH host of its own so the default rule (one replica per
            // host) can place size-3 pools; the data file is preallocated at first start.
            c.append("\n[osd]\nosd_block_file_bytes = ").append(osdBytes).append('\n');
            String host = hostName();
            for (int i = 0; i < osds; i++) {
                c.append("[osd.").append(i).append("]\nhost = ").append(host).append('-').append(i).append('\n');
            }
        }
        return c.toString();
    }

    static String hostName() {
        try {
            String h = java.net.InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException e) {
            return "localhost";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** True when nothing listens on {@code host:port} (we can bind it ourselves). */
    static boolean portFree(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The live process of {@code name}, if its pid file names one whose command line is this cluster's daemon. */
    Optional<ProcessHandle> running(String name) {
        Path pf = pidFile(name);
        if (!Files.exists(pf)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pf).trim());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> isOurs(h, name));
    }

    /** The command line must be a loligo daemon of this name with this cluster's conf: a reused pid is not. */
    boolean isOurs(ProcessHandle h, String name) {
        String cmd;
        try {
            cmd = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            cmd = h.info().commandLine().orElse("");
        }
        String[] typeId = name.split("\\.", 2);
        return cmd.contains("io.loligo.cli.Main daemon " + typeId[0] + " ") && cmd.contains(" --id " + typeId[1] + " ")
                && cmd.contains(" --conf " + conf() + " ");
    }

    /** Starts a daemon in its own session (setsid), output appended to its log; writes its pid file. */
    long start(Daemon d) throws IOException {
        Path data = dir.resolve(d.name());
        if (!d.type().equals("rgw")) {
            Files.createDirectories(data);
        }
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("log"));
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags(d.type()));
        if (d.type().equals("osd")) {
            cmd.addAll(1 + cmd.indexOf("--sun-misc-unsafe-memory-access=allow"), osdMemory(d).jvmFlags());
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.loligo.cli.Main", "daemon", d.type(),
                "--id", d.id(), "--conf", conf().toString()));
        if (d.type().equals("rgw")) {
            cmd.addAll(List.of("--port", d.addr().substring(d.addr().lastIndexOf(':') + 1),   // no local data
                    "--log-dir", logFile(d.name()).getParent().toString()));   // its access log: log/rgw.0.access.log
        } else {
            cmd.addAll(List.of("--data", data.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (d.type().equals("osd")) {
            // glibc's per-thread malloc arenas (8 x cores) hold freed RocksDB and Netty memory: two suffice.
            pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        }
        Process p = pb
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(d.name()).toFile()))
                .start();
        Path tmp = pidFile(d.name()).resolveSibling(d.name() + ".pid.tmp");
        Files.writeString(tmp, p.pid() + "\n");
        Files.move(tmp, pidFile(d.name()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return p.pid();
    }

    /** The budget the conf gives this OSD ({@code osd_memory_target}); a bad value refuses the start. */
    private io.loligo.osd.OsdMemory osdMemory(Daemon d) throws IOException {
        try {
            return io.loligo.osd.OsdConfig.memory(io.loligo.maps.monc.ClusterConf.load(conf()), d.name());
        } catch (io.loligo.maps.monc.ClusterConf.ConfException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static List<String> jvmFlags(String type) {
        List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
        // Monitors hold small maps; OSDs buffer object data. Override with LOLIGO_DAEMON_JAVA_OPTS.
        // The gateway streams bodies (a 5 GiB object passes through 512 MiB).
        // OSDs: sized from osd_memory_target (OsdMemory), added by start.
        if (!type.equals("osd")) {
            flags.add(type.equals("mon") ? "-Xmx384m" : "-Xmx512m");
        }
        if (type.equals("osd") || type.equals("rgw")) {
            flags.remove("-XX:TieredStopAtLevel=1");   // the data path wants C2
        }
        String extra = System.getenv("LOLIGO_DAEMON_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            if (extra.contains("GC")) {
                flags.remove("-XX:+UseSerialGC");   // the user picks the collector
            }
            flags.addAll(List.of(extra.trim().split("\\s+")));
        }
        return flags;
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}; removes the pid file. Returns the pid stopped, or -1. */
    long stop(String name, int graceSeconds) throws IOException {
        Optional<ProcessHandle> h = running(name);
        if (h.isPresent()) {
            h.get().destroy();
            try {
                h.get().onExit().get(graceSeconds, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.get().destroyForcibly();
                h.get().onExit().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted stopping " + name);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("waiting for " + name + " to exit: " + e.getCause());
            }
        }
        Files.deleteIfExists(pidFile(name));
        return h.map(ProcessHandle::pid).orElse(-1L);
    }

    /** Deletes the whole directory (only a marked cluster directory; callers stop the daemons first). */
    void delete() throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void println(PrintStream out, String line) {
        out.println(line);
        out.flush();
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
