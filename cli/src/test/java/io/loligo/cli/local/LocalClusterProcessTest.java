package io.loligo.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code loligo up/down/purge} end to end, each CLI run a separate JVM (as a user's shell runs it):
 * up reaches health and leaves the monitors running after the CLI exits; a second up says the
 * cluster is already running; down leaves no process; up again is the same cluster with its data;
 * a port taken by someone else and a foreign directory are refused with clear messages; purge
 * deletes the directory. Every daemon started is killed and the directory deleted even on failure.
 */
class LocalClusterProcessTest {
    static final ObjectMapper JSON = new ObjectMapper();
    Path dir;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("loligo-up-test").resolve("cluster");
    }

    @AfterEach
    void cleanUp() throws IOException {
        Path run = dir.resolve("run");
        if (Files.isDirectory(run)) {
            try (var pids = Files.list(run)) {
                for (Path p : pids.toList()) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(p).trim())).ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().join();
                        });
                    } catch (NumberFormatException | IOException ignored) {
                        // a half-written pid file: nothing to kill
                    }
                }
            }
        }
        try (var walk = Files.walk(dir.getParent())) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Run cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.loligo.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("loligo-cli", ".out");
        Path err = Files.createTempFile("loligo-cli", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("loligo " + String.join(" ", args) + " did not finish in 180 s: "
                        + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    List<Long> pidsOf(JsonNode up) {
        List<Long> pids = new ArrayList<>();
        up.path("daemons").forEach(d -> pids.add(d.path("pid").asLong()));
        return pids;
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void upDownUpPurge() throws Exception {
        Run up = cli("up", "--dir", dir.toString(), "--osds", "0", "--format", "json");
        assertThat(up.code()).as(up.err()).isZero();
        JsonNode j = JSON.readTree(up.out());
        assertThat(j.path("daemons")).hasSize(1);
        assertThat(j.path("daemons").get(0).path("name").asText()).isEqualTo("mon.a");
        assertThat(j.path("conf").asText()).isEqualTo(dir.resolve("loligo.conf").toString());
        assertThat(j.path("keyring").asText()).isEqualTo(dir.resolve("keyring").toString());
        List<Long> pids = pidsOf(j);
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("daemon pid %d outlives the CLI", pid).isTrue());
        assertThat(dir.resolve("run/mon.a.pid")).content().isEqualToIgnoringWhitespace(String.valueOf(pids.get(0)));
        assertThat(dir.resolve("log/mon.a.log")).exists();
        String fsid = j.path("fsid").asText();

        Run twice = cli("up", "--dir", dir.toString());
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).contains("already running").contains("mon.a pid " + pids.get(0)).contains("loligo down");

        ClusterConf conf = ClusterConf.load(dir.resolve("loligo.conf"));
        try (MonConnection mon = MonConnection.connect(conf, "client.admin")) {
            MonReply r = mon.command(MonReply.json().createObjectNode().put("prefix", "osd blocklist add")
                    .put("addr", "10.1.2.3:0/1"));
            assertThat(r.code()).as(r.outs()).isZero();
        }

        Run down = cli("down", "--dir", dir.toString());
        assertThat(down.code()).as(down.err()).isZero();
        assertThat(down.err()).contains("stopped mon.a (pid " + pids.get(0) + ")");
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d after down", pid).isFalse());
        assertThat(dir.resolve("run/mon.a.pid")).doesNotExist();

        Run again = cli("up", "--dir", dir.toString(), "--format", "json");
        assertThat(again.code()).as(again.err()).isZero();
        JsonNode j2 = JSON.readTree(again.out());
        assertThat(j2.path("fsid").asText()).isEqualTo(fsid);
        try (MonConnection mon = MonConnection.connect(conf, "client.admin")) {
            MonReply ls = mon.command(MonReply.json().createObjectNode().put("prefix", "osd dump"));
            assertThat(ls.data().path("blocklist").toString()).as("the blocklist entry made before down survives").contains("10.1.2.3");
        }

        Run purge = cli("purge", "--dir", dir.toString());
        assertThat(purge.code()).as(purge.err()).isZero();
        assertThat(pidsOf(j2)).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d after purge", pid).isFalse());
        assertThat(dir).doesNotExist();
    }

    /** With OSDs: HEALTH_OK, an object written before down is read back after up, down leaves no process. */
    @Test
    void aClusterWithOsdsKeepsItsObjectsAcrossDownAndUp() throws Exception {
        Run up = cli("up", "--dir", dir.toString(), "--osds", "3", "--osd-size", "128", "--format", "json");
        assertThat(up.code()).as(up.err()).isZero();
        JsonNode j = JSON.readTree(up.out());
        assertThat(j.path("health").asText()).isEqualTo("HEALTH_OK");
        assertThat(j.path("daemons")).hasSize(4);
        assertThat(j.path("daemons").get(3).path("addr").asText()).as("OSD address from the map").startsWith("127.0.0.1:");
        Path conf = dir.resolve("loligo.conf");
        try (io.loligo.client.Cluster c = io.loligo.client.Cluster.connect(conf)) {
            c.ioContext("rbd").writeFull("keep", "kept across restarts".getBytes(StandardCharsets.UTF_8));
        }
        Run down = cli("down", "--dir", dir.toString());
        assertThat(down.code()).as(down.err()).isZero();
        assertThat(pidsOf(j)).allSatisfy(pid -> assertThat(alive(pid)).as("pid %d after down", pid).isFalse());
        Run again = cli("up", "--dir", dir.toString());
        assertThat(again.code()).as(again.err()).isZero();
        try (io.loligo.client.Cluster c = io.loligo.client.Cluster.connect(conf)) {
            assertThat(new String(c.ioContext("rbd").read("keep"), StandardCharsets.UTF_8)).isEqualTo("kept across restarts");
        }
        assertThat(cli("purge", "--dir", dir.toString()).code()).isZero();
        assertThat(dir).doesNotExist();
    }

    @Test
    void refusesAForeignDirectoryAndATakenPort() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("precious.txt"), "not a cluster");
        Run foreign = cli("up", "--dir", dir.toString(), "--osds", "0");
        assertThat(foreign.code()).isEqualTo(1);
        assertThat(foreign.err()).contains("is not empty and holds no loligo cluster");
        Run purge = cli("purge", "--dir", dir.toString());
        assertThat(purge.code()).isEqualTo(1);
        assertThat(dir.resolve("precious.txt")).exists();
        Files.delete(dir.resolve("precious.txt"));

        Run up = cli("up", "--dir", dir.toString(), "--osds", "0");
        assertThat(up.code()).as(up.err()).isZero();
        assertThat(up.out()).contains("cluster is up").contains("keyring:").contains(dir.resolve("loligo.conf").toString());
        assertThat(cli("down", "--dir", dir.toString()).code()).isZero();
        String addr = ClusterConf.load(dir.resolve("loligo.conf")).get("mon.a", "mon_addr");
        int port = Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.0.1", port));
            Run taken = cli("up", "--dir", dir.toString());
            assertThat(taken.code()).isEqualTo(1);
            assertThat(taken.err()).contains("mon.a cannot start").contains(addr).contains("in use");
        }
        Run shape = cli("up", "--dir", dir.toString(), "--mons", "3");
        assertThat(shape.code()).isEqualTo(1);
        assertThat(shape.err()).contains("was created with 1 monitor(s)").contains("loligo purge");
    }
}
