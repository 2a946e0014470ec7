package io.loligo.cli.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.cli.Main;
import io.loligo.client.Cluster;
import io.loligo.client.IoContext;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The operator's side of scrub against a local cluster started by {@code loligo up} (1 monitor, 3
 * OSD processes, pool rbd of size 3): bytes of one replica's copy are flipped in its data file;
 * {@code loligo pg deep-scrub} finds it, {@code rados list-inconsistent-obj --format json} names
 * the object and the OSD with read_error, {@code health detail} shows OSD_SCRUB_ERRORS and
 * PG_DAMAGED with the repair command and {@code pg stat} an inconsistent PG; {@code pg repair}
 * fixes it and health returns to OK; the client reads the written bytes throughout.
 */
class ScrubCliProcessTest {
    static final Duration SETTLE = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {}

    @Test
    void deepScrubListRepairAndHealthThroughTheCli() throws Exception {
        Path dir = Files.createTempDirectory("loligo-scrub-cli").resolve("cluster");
        try {
            up(dir);
            run(dir);
        } finally {
            down(dir);
        }
    }

    private void run(Path dir) throws Exception {
        Path conf = dir.resolve("loligo.conf");
        SplittableRandom random = new SplittableRandom(66);
        byte[] data = new byte[128 << 10];   // ≥ 64 KiB: written straight to the data file
        random.nextBytes(data);
        String pgid;
        int bad;
        // Settled first: a PG still backfilling a member would give it the object only later.
        awaitJson(conf, h -> h.path("status").asText().equals("HEALTH_OK"), "health", "detail", "--format", "json");
        try (Cluster cluster = Cluster.connect(conf)) {
            IoContext io = cluster.ioContext("rbd");
            io.writeFull("victim", data);
            OsdMap map = cluster.osdMap();
            Pool pool = map.poolByName("rbd");
            var mapping = map.placement().mapObject(pool, "", "victim");
            pgid = mapping.pg().toString();
            bad = mapping.acting()[1];
            Path block = dir.resolve("osd." + bad).resolve("store").resolve("block");
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (!flipByte(block, data, 9000)) {   // a member being recovered or backfilled gets it later
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("block of offset 9000 of victim (pg " + pgid + ", acting "
                            + Arrays.toString(mapping.acting()) + ") not found in " + block + " within " + SETTLE
                            + "; pg stat: " + cli(conf, "pg", "stat").out() + "\nosd." + bad + " log:\n"
                            + tail(dir.resolve("log").resolve("osd." + bad + ".log")));
                }
                Thread.sleep(250);   // polling interval of a deadline-bounded wait
            }
            assertThat(io.read("victim", 0, data.length)).as("read before repair").isEqualTo(data);
        }

        Result started = cli(conf, "pg", "deep-scrub", pgid);
        assertThat(started.code()).as(started.err()).isZero();
        assertThat(started.out()).contains("instructing pg " + pgid + " on osd.").contains("to deep-scrub");
        JsonNode listed = awaitJson(conf, j -> j.path("inconsistents").size() == 1, "rados", "list-inconsistent-obj", pgid,
                "--format", "json");
        JsonNode obj = listed.path("inconsistents").get(0);
        assertThat(obj.path("object").path("name").asText()).isEqualTo("victim");
        assertThat(obj.path("union_shard_errors").toString()).contains("read_error");
        boolean badShardNamed = false;
        for (JsonNode shard : obj.path("shards")) {
            if (shard.path("osd").asInt() == bad) {
                badShardNamed = shard.path("errors").toString().contains("read_error");
            } else {
                assertThat(shard.path("errors").size()).as("good shard %s", shard).isZero();
            }
        }
        assertThat(badShardNamed).as("osd.%d named with read_error in %s", bad, obj).isTrue();

        JsonNode health = awaitJson(conf, h -> h.path("checks").has("PG_DAMAGED"), "health", "detail", "--format", "json");
        assertThat(health.path("status").asText()).isEqualTo("HEALTH_ERR");
        assertThat(health.path("checks").path("OSD_SCRUB_ERRORS").path("summary").path("message").asText())
                .isEqualTo("1 scrub errors");
        assertThat(health.path("checks").path("PG_DAMAGED").path("summary").path("message").asText())
                .isEqualTo("Possible data damage: 1 pg inconsistent");
        assertThat(health.path("checks").path("PG_DAMAGED").path("detail").toString()).contains("loligo pg repair " + pgid);
        Result stat = cli(conf, "pg", "stat");
        assertThat(stat.out()).contains("active+clean+inconsistent");

        Result repair = cli(conf, "pg", "repair", pgid);
        assertThat(repair.code()).as(repair.err()).isZero();
        awaitJson(conf, h -> h.path("status").asText().equals("HEALTH_OK"), "health", "detail", "--format", "json");
        JsonNode after = awaitJson(conf, j -> true, "rados", "list-inconsistent-obj", pgid, "--format", "json");
        assertThat(after.path("inconsistents").size()).isZero();
        Result osdScrub = cli(conf, "osd", "deep-scrub", String.valueOf(bad));
        assertThat(osdScrub.code()).as(osdScrub.err()).isZero();
        assertThat(osdScrub.out()).contains("instructed osd(s) " + bad + " to deep-scrub");
        assertThat(cli(conf, "pg", "scrub", "not-a-pg").code()).isEqualTo(2);
        try (Cluster cluster = Cluster.connect(conf)) {
            assertThat(cluster.ioContext("rbd").read("victim", 0, data.length)).as("read after repair").isEqualTo(data);
        }
    }

    private static JsonNode awaitJson(Path conf, Predicate<JsonNode> ok, String... args) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Result last = null;
        while (System.nanoTime() < deadline) {
            last = cli(conf, args);
            if (last.code() == 0) {
                JsonNode j = JSON.readTree(last.out());
                if (ok.test(j)) {
                    return j;
                }
            }
            Thread.sleep(250);   // polling interval of a deadline-bounded wait
        }
        throw new AssertionError("timed out waiting on " + String.join(" ", args) + "; last: " + last);
    }

    static synchronized Result cli(Path conf, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            List<String> full = new ArrayList<>(List.of(args));
            full.add(1, "-c");
            full.add(2, conf.toString());
            int code = Main.run(full.toArray(String[]::new));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static void up(Path dir) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), "io.loligo.cli.Main", "up", "--dir", dir.toString(),
                "--osd-size", "64", "--no-rgw", "--format", "json", "--timeout", "170");
        Path out = Files.createTempFile("loligo-up", ".out");
        Path err = Files.createTempFile("loligo-up", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(200, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            assertThat(p.exitValue()).as("loligo up: %s", Files.readString(err)).isZero();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void down(Path dir) throws IOException {
        Path run = dir.resolve("run");
        if (Files.isDirectory(run)) {
            try (var pids = Files.list(run)) {
                for (Path pf : pids.toList()) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(pf).trim())).ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().join();
                        });
                    } catch (NumberFormatException ignored) {
                        // a half-written pid file: nothing to kill
                    }
                }
            }
        }
        if (System.getenv("LOLIGO_KEEP_TEST_DIRS") == null) {
            try (var walk = Files.walk(dir.getParent())) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no " + log + ")";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    /** Flips one byte of the unique 4 KiB block of {@code data} holding {@code offset}, found by content; false if absent. */
    static boolean flipByte(Path blockFile, byte[] data, int offset) throws IOException {
        int blockStart = offset / 4096 * 4096;
        byte[] block = Arrays.copyOfRange(data, blockStart, blockStart + 4096);
        try (RandomAccessFile f = new RandomAccessFile(blockFile.toFile(), "rw")) {
            byte[] buf = new byte[1 << 20];
            for (long pos = 0; pos < f.length(); pos += buf.length) {
                f.seek(pos);
                int n = (int) Math.min(buf.length, f.length() - pos);
                f.readFully(buf, 0, n);
                for (int b = 0; b + 4096 <= n; b += 4096) {
                    if (Arrays.equals(buf, b, b + 4096, block, 0, 4096)) {
                        long at = pos + b + offset % 4096;
                        f.seek(at);
                        int old = f.read();
                        f.seek(at);
                        f.write(old ^ 0x5a);
                        f.getFD().sync();
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
