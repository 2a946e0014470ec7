package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.mon.client.MonClient;
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
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;

/**
 * Test harness: N monitors as real processes ({@code java -cp <test classpath> io.loligo.mon.MonMain})
 * on loopback ports picked by binding port 0, a conf file and data dirs in a temp dir. close()
 * kills every process it started and deletes the temp dir, even after a failure.
 */
final class MonCluster implements AutoCloseable {
    final Path dir;
    final Path confPath;
    final Path keyringPath;
    final String adminKey;
    final List<String> names = new ArrayList<>();
    final Map<String, Process> procs = new LinkedHashMap<>();
    private final List<MonClient> clients = new ArrayList<>();

    MonCluster(int n, Map<String, String> globalOptions) throws IOException {
        dir = Files.createTempDirectory("loligo-mon-test");
        StringBuilder conf = new StringBuilder("[global]\nfsid = " + UUID.randomUUID() + "\n");
        for (int i = 0; i < n; i++) {
            names.add(String.valueOf((char) ('a' + i)));
        }
        conf.append("mon_initial_members = ").append(String.join(",", names)).append('\n');
        globalOptions.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        List<String> hosts = new ArrayList<>();
        StringBuilder monSections = new StringBuilder();
        for (String name : names) {
            int raft = freePort();
            int addr = freePort();
            hosts.add("127.0.0.1:" + addr);
            monSections.append("[mon.").append(name).append("]\nmon_raft_addr = 127.0.0.1:").append(raft).append('\n')
                    .append("mon_addr = 127.0.0.1:").append(addr).append('\n');
        }
        adminKey = Keyring.generateKey();
        keyringPath = dir.resolve("keyring");
        new Keyring().put("client.admin", EntityKey.of(adminKey, Map.of("mon", "allow *", "osd", "allow *")))
                .put("mon.", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *"))).write(keyringPath);
        conf.append("keyring = ").append(keyringPath).append('\n');
        conf.append("mon_host = ").append(String.join(",", hosts)).append('\n').append(monSections);
        confPath = dir.resolve("loligo.conf");
        Files.writeString(confPath, conf);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Process start(String name) throws IOException {
        Path data = dir.resolve("mon." + name);
        Files.createDirectories(data);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.io.loligo=info",
                "-cp", System.getProperty("java.class.path"), "io.loligo.mon.MonMain",
                "--id", name, "--conf", confPath.toString(), "--data", data.toString());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mon." + name + ".log").toFile()));
        Process p = pb.start();
        procs.put(name, p);
        return p;
    }

    void startAll() throws IOException {
        for (String n : names) {
            start(n);
        }
    }

    /** kill -9. */
    void kill(String name) throws InterruptedException {
        Process p = procs.remove(name);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    MonClient client() throws Exception {
        MonClient c = MonClient.connect(ClusterConf.load(confPath));
        clients.add(c);
        return c;
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

    /** Runs a command, retrying while the cluster is electing or bootstrapping (EAGAIN, connection errors). */
    static MonReply retry(MonClient c, ObjectNode cmd, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                MonReply r = c.command(cmd);
                if (r.code() != Errno.EAGAIN || System.nanoTime() > deadline) {
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

    String log(String name) {
        try {
            return Files.readString(dir.resolve("mon." + name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        for (MonClient c : clients) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a client of a dead cluster may fail; the processes go next
            }
        }
        for (Process p : procs.values()) {
            p.destroyForcibly();
        }
        for (Process p : procs.values()) {
            p.waitFor();
        }
        procs.clear();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
