package io.loligo.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.cli.Main;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin CLI against a real monitor started as {@code loligo daemon mon} in its own process:
 * commands print what Ceph's print, {@code --format json} uses Ceph's field names, errors exit
 * non-zero with a clear message.
 */
class AdminCliProcessTest {
    static Path dir;
    static Path conf;
    static Process mon;

    record Result(int code, String out, String err) {}

    static synchronized Result cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] full = new String[args.length + 1];
            full[0] = args[0];
            full[1] = "--conf=" + conf;
            System.arraycopy(args, 1, full, 2, args.length - 1);
            int code = Main.run(full);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("loligo-cli-test");
        Path keyring = dir.resolve("keyring");
        new Keyring().put("client.admin", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *"))).write(keyring);
        int addr = freePort();
        conf = dir.resolve("loligo.conf");
        Files.writeString(conf, "[global]\nfsid = " + UUID.randomUUID() + "\nmon_initial_members = a\nmon_host = 127.0.0.1:"
                + addr + "\nkeyring = " + keyring + "\nmon_osd_down_out_interval = 5\n[mon.a]\nmon_addr = 127.0.0.1:" + addr
                + "\nmon_raft_addr = 127.0.0.1:" + freePort() + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        mon = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.loligo.cli.Main", "daemon", "mon", "--id", "a", "--conf", conf.toString(), "--data", dir.resolve("mon.a").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mon.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (Result r = cli("osd", "stat"); r.code() != 0; r = cli("osd", "stat")) {
            if (System.nanoTime() > deadline || !mon.isAlive()) {
                throw new AssertionError("monitor did not come up: " + r + "\n" + Files.readString(dir.resolve("mon.log")));
            }
            Thread.sleep(200);   // polling interval of a deadline-bounded wait
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (mon != null) {
            mon.destroyForcibly();
            mon.waitFor();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void poolLifecycleAndCephShapedOutput() throws Exception {
        Result created = cli("osd", "pool", "create", "rbd", "16", "--size", "2");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.err()).contains("pool 'rbd' created");
        assertThat(cli("osd", "pool", "ls").out()).isEqualTo("rbd\n");
        assertThat(cli("osd", "pool", "ls", "detail").out()).contains("pool 1 'rbd' replicated size 2 min_size 1")
                .contains("pg_num 16").contains("flags hashpspool");
        assertThat(cli("osd", "pool", "get", "rbd", "size").out()).isEqualTo("size: 2\n");
        assertThat(cli("df").out()).contains("--- RAW STORAGE ---").contains("--- POOLS ---").containsPattern("rbd\\s+1 ");
        assertThat(cli("osd", "df").out()).startsWith("ID   CLASS").contains("TOTAL");
        Result rm = cli("osd", "pool", "rm", "rbd", "rbd");
        assertThat(rm.code()).isNotZero();
        assertThat(rm.err()).contains("Error EPERM").contains("--yes-i-really-really-mean-it");
        assertThat(cli("osd", "pool", "rename", "rbd", "data").code()).isZero();
        assertThat(cli("osd", "pool", "rm", "data", "data", "--yes-i-really-really-mean-it").code()).isZero();
        assertThat(cli("osd", "pool", "ls").out()).isEmpty();
    }

    @Test
    void jsonUsesCephFieldNames() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode q = json.readTree(cli("quorum_status", "--format", "json").out());
        assertThat(q.path("quorum_leader_name").asText()).isEqualTo("a");
        assertThat(q.path("quorum_names")).hasSize(1);
        JsonNode s = json.readTree(cli("status", "--format", "json").out());
        assertThat(s.path("health").path("status").asText()).startsWith("HEALTH_");
        JsonNode tree = json.readTree(cli("osd", "tree", "--format", "json").out());
        assertThat(tree.path("nodes").get(0).path("name").asText()).isEqualTo("default");
        assertThat(cli("health").out()).startsWith("HEALTH_WARN").contains("OSD count 0 < osd_pool_default_size 3");
        assertThat(cli("health", "detail").out()).contains("[WRN] TOO_FEW_OSDS");
        assertThat(cli("mon", "dump").out()).contains("0: 127.0.0.1:").contains(" mon.a\n");
        assertThat(cli("status").out()).contains("cluster:").contains("health: HEALTH_WARN").contains("mon: 1 daemons, quorum a");
    }

    @Test
    void flagsConfigAndAuth() throws Exception {
        assertThat(cli("osd", "set", "noout").err()).contains("noout is set");
        assertThat(cli("osd", "dump").out()).contains("flags noout,sortbitwise");   // bit order, as Ceph prints
        assertThat(cli("health").out()).contains("noout flag(s) set");
        assertThat(cli("osd", "unset", "noout").code()).isZero();
        assertThat(cli("config", "get", "mon", "mon_osd_down_out_interval").out()).isEqualTo("5\n");
        assertThat(cli("config", "set", "osd", "debug_osd", "20").code()).isZero();
        assertThat(cli("config", "dump").out()).contains("debug_osd");
        Result key = cli("auth", "get-or-create", "client.bob", "mon", "allow r");
        assertThat(key.code()).as(key.err()).isZero();
        assertThat(key.out()).startsWith("[client.bob]\n\tkey = ").contains("caps mon = \"allow r\"");
        assertThat(cli("auth", "ls").out()).contains("[client.bob]").contains("[client.admin]");
        assertThat(cli("auth", "rm", "client.bob").code()).isZero();
    }

    @Test
    void crushMapRoundTripsThroughText() throws Exception {
        Path file = dir.resolve("crush.txt");
        Result get = cli("osd", "getcrushmap", "-o", file.toString());
        assertThat(get.code()).as(get.err()).isZero();
        String text = Files.readString(file);
        assertThat(text).contains("root default").contains("rule replicated_rule");
        long before = new ObjectMapper().readTree(cli("osd", "stat", "--format", "json").out()).path("epoch").asLong();
        Files.writeString(file, text.replace("root default {", "root default {\n\t# edited"));
        Result set = cli("osd", "setcrushmap", "-i", file.toString());
        assertThat(set.code()).as(set.err()).isZero();
        long after = new ObjectMapper().readTree(cli("osd", "stat", "--format", "json").out()).path("epoch").asLong();
        assertThat(after).isEqualTo(before + 1);
        Files.writeString(file, "this is not a crush map {");
        Result bad = cli("osd", "setcrushmap", "-i", file.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: ");
    }

    @Test
    void errorsAreClearAndNonZero() {
        Result unknown = cli("osd", "frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'osd frobnicate'");
        Result missing = cli("osd", "pool", "get", "nope", "size");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("Error ENOENT: pool 'nope' does not exist");
        Result badFlag = cli("osd", "set", "nosuchflag");
        assertThat(badFlag.code()).isEqualTo(1);
        assertThat(badFlag.err()).contains("unknown flag 'nosuchflag'");
    }
}
