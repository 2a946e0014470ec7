package io.loligo.cli.rados;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.cli.Main;
import io.loligo.client.Cluster;
import io.loligo.client.IoContext;
import io.loligo.client.ObjectReadOperation;
import io.loligo.client.ObjectWriteOperation;
import io.loligo.client.RadosException;
import io.loligo.client.ReadResult;
import io.loligo.client.striper.StripeLayout;
import io.loligo.client.striper.Striper;
import io.loligo.messages.OsdOp;
import io.loligo.maps.monc.MonReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client library and {@code loligo rados} against a real local cluster (1 monitor + 3 OSDs as
 * processes, started by {@code loligo up} in a temp directory): the docs' example program is
 * compiled and run; a file makes a byte-exact round trip through put/get; xattr, omap, stat, rm
 * behave; bench write/seq/rand print Ceph's summary lines, bench mixed paces its ops and logs each; concurrent clients doing mixed ops while
 * OSDs are marked out and in see every op complete exactly once. Everything started is killed and
 * the directory deleted, even on failure.
 */
class RadosCliProcessTest {
    static Path dir;
    static Path conf;

    record Result(int code, String out, String err) {}

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("loligo-rados-test").resolve("cluster");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), "io.loligo.cli.Main", "up", "--dir", dir.toString(),
                "--osd-size", "1024", "--format", "json", "--timeout", "170");
        Path out = Files.createTempFile("loligo-up", ".out");
        Path err = Files.createTempFile("loligo-up", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(200, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            String errText = Files.readString(err);
            assertThat(p.exitValue()).as("loligo up: %s", errText).isZero();
            assertThat(new ObjectMapper().readTree(Files.readString(out)).path("health").asText()).isEqualTo("HEALTH_OK");
        } finally {
            Files.deleteIfExists(out);   // the cluster itself is stopped and removed by down(), even on failure
            Files.deleteIfExists(err);
        }
        conf = dir.resolve("loligo.conf");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) {
            return;
        }
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
        try (var walk = Files.walk(dir.getParent())) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static synchronized Result rados(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            List<String> full = new ArrayList<>(List.of("rados", "-c", conf.toString()));
            full.addAll(List.of(args));
            int code = Main.run(full.toArray(String[]::new));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void theDocsExampleCompilesAndRuns() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("loligo.root", ".."), "docs", "client.md"));
        Matcher m = Pattern.compile("```java\n(.*?public class Example.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("docs/client.md has the example").isTrue();
        Path src = Files.createTempDirectory("loligo-example");
        try {
            Files.writeString(src.resolve("Example.java"), m.group(1));
            int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", src.toString(),
                    "-cp", System.getProperty("java.class.path"), src.resolve("Example.java").toString());
            assertThat(javac).as("the example compiles").isZero();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    src + java.io.File.pathSeparator + System.getProperty("java.class.path"), "Example", conf.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).contains("hello, loligo!\n").contains("size 14\n").contains("object: greeting\n");
        } finally {
            try (var walk = Files.walk(src)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void putGetRoundTripAndObjectCommands() throws Exception {
        Path tmp = Files.createTempDirectory("loligo-rados-files");
        try {
            byte[] data = new byte[9 * 1024 * 1024 + 12345];   // three 4 MiB pieces, the last partial
            new SplittableRandom(42).nextBytes(data);
            Files.write(tmp.resolve("in"), data);
            Result put = rados("-p", "rbd", "put", "blob", tmp.resolve("in").toString());
            assertThat(put.code()).as(put.err()).isZero();
            Result get = rados("-p", "rbd", "get", "blob", tmp.resolve("out").toString());
            assertThat(get.code()).as(get.err()).isZero();
            assertThat(Files.readAllBytes(tmp.resolve("out"))).isEqualTo(data);
            assertThat(rados("-p", "rbd", "stat", "blob").out()).startsWith("rbd/blob mtime ").endsWith(", size " + data.length + "\n");
            assertThat(rados("-p", "rbd", "setxattr", "blob", "color", "blue").code()).isZero();
            assertThat(rados("-p", "rbd", "getxattr", "blob", "color").out()).isEqualTo("blue\n");
            assertThat(rados("-p", "rbd", "listxattr", "blob").out()).contains("color\n");
            assertThat(rados("-p", "rbd", "setomapval", "blob", "k1", "hello").code()).isZero();
            assertThat(rados("-p", "rbd", "getomapval", "blob", "k1").out()).startsWith("value (5 bytes) :\n")
                    .contains("|hello|");
            assertThat(rados("-p", "rbd", "listomapkeys", "blob").out()).isEqualTo("k1\n");
            assertThat(rados("-p", "rbd", "ls").out()).contains("blob\n");
            assertThat(rados("-p", "rbd", "-N", "other", "put", "nsobj", tmp.resolve("in").toString()).code()).isZero();
            assertThat(rados("-p", "rbd", "ls").out()).as("default namespace only").doesNotContain("nsobj");
            assertThat(rados("-p", "rbd", "ls", "--all").out()).contains("other\tnsobj\n").contains("\tblob\n");
            assertThat(rados("-p", "rbd", "-N", "other", "rm", "nsobj").code()).isZero();
            assertThat(rados("-p", "rbd", "rm", "blob").code()).isZero();
            Result gone = rados("-p", "rbd", "stat", "blob");
            assertThat(gone.code()).isEqualTo(1);
            assertThat(gone.err()).contains("ENOENT").contains("blob");
            Result noPool = rados("-p", "nosuchpool", "ls");
            assertThat(noPool.code()).isEqualTo(1);
            assertThat(noPool.err()).contains("pool 'nosuchpool' not found");
            assertThat(rados("ls").code()).as("no pool given: bad usage").isEqualTo(2);
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void poolSnapshotsAndObjectClassesThroughTheCliAndTheLibrary() throws Exception {
        Path tmp = Files.createTempDirectory("loligo-rados-snaps");
        try (Cluster cluster = Cluster.connect(conf)) {
            cluster.createPool("snaps", 3);
            IoContext io = cluster.ioContext("snaps");
            io.writeFull("o", "one".getBytes(StandardCharsets.UTF_8));
            Result mk = rados("-p", "snaps", "mksnap", "s1");
            assertThat(mk.code()).as(mk.err()).isZero();
            assertThat(mk.out()).isEqualTo("created pool snaps snap s1\n");
            cluster.awaitLatestMap();   // the CLI made the snap: this client's writes must carry it
            io.writeFull("o", "two".getBytes(StandardCharsets.UTF_8));
            Result get = rados("-p", "snaps", "-s", "s1", "get", "o", tmp.resolve("old").toString());
            assertThat(get.code()).as(get.err()).isZero();
            assertThat(Files.readString(tmp.resolve("old"))).isEqualTo("one");
            assertThat(rados("-p", "snaps", "get", "o", tmp.resolve("new").toString()).code()).isZero();
            assertThat(Files.readString(tmp.resolve("new"))).isEqualTo("two");
            assertThat(rados("-p", "snaps", "-s", "s1", "stat", "o").out()).endsWith(", size 3\n");
            assertThat(rados("-p", "snaps", "lssnap").out()).matches("(?s)1\ts1\t\\d{4}\\.\\d\\d\\.\\d\\d .*\n1 snaps\n");
            assertThat(rados("-p", "snaps", "-s", "nope", "get", "o", "-").err()).contains("has no snapshot 'nope'");

            long s2 = io.snapCreate("s2");
            assertThatThrownBy(() -> io.snapCreate("s2")).isInstanceOf(RadosException.SnapExists.class);
            io.remove("o");
            IoContext at = cluster.ioContext("snaps");
            at.setReadSnap(s2);
            assertThat(at.read("o")).isEqualTo("two".getBytes(StandardCharsets.UTF_8));
            at.setReadSnap(io.snapLookup("s1"));
            assertThat(at.read("o")).isEqualTo("one".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> at.writeFull("o", new byte[1])).isInstanceOf(RadosException.BadRequest.class)
                    .hasMessageContaining("EROFS");
            assertThatThrownBy(() -> io.read("o")).isInstanceOf(RadosException.ObjectNotFound.class);
            assertThatThrownBy(() -> io.snapLookup("nope")).isInstanceOf(RadosException.SnapNotFound.class);
            assertThat(io.snapList()).extracting(IoContext.Snap::name).containsExactly("s1", "s2");
            io.snapRemove("s1");
            assertThat(io.snapList()).extracting(IoContext.Snap::id).containsExactly(s2);
            assertThat(rados("-p", "snaps", "rmsnap", "s2").code()).isZero();
            assertThat(rados("-p", "snaps", "lssnap").out()).isEqualTo("0 snaps\n");

            assertThat(io.exec("counter", "numops", "add", "hits 3".getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo("3".getBytes(StandardCharsets.UTF_8));
            assertThat(io.exec("counter", "numops", "add", "hits 4".getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo("7".getBytes(StandardCharsets.UTF_8));
            assertThat(io.omapGet("counter", List.of("hits")).get("hits")).isEqualTo("7".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> io.exec("counter", "nope", "add", new byte[0]))
                    .isInstanceOf(RadosException.NotSupported.class);
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void benchPrintsCephShapedSummaries() throws Exception {
        // 16 KiB ops: even at thousands of writes per second a 5 s run stays far below the 1 GiB
        // OSDs' full ratio (4 MiB ops filled them on a quiet machine, and every later test failed).
        Result write = rados("-p", "rbd", "bench", "5", "write", "-b", "16384", "-t", "4", "--no-cleanup");
        assertThat(write.code()).as(write.err()).isZero();
        assertThat(write.out()).contains("  sec Cur ops   started  finished  avg MB/s  cur MB/s last lat(s)  avg lat(s)\n");
        assertLinesInOrder(write.out(), "Total time run:         ", "Total writes made:      ", "Write size:             16384",
                "Object size:            16384", "Bandwidth (MB/sec):     ", "Stddev Bandwidth:       ",
                "Max bandwidth (MB/sec): ", "Min bandwidth (MB/sec): ", "Average IOPS:           ", "Stddev IOPS:            ",
                "Max IOPS:               ", "Min IOPS:               ", "Average Latency(s):     ", "Stddev Latency(s):      ",
                "Max latency(s):         ", "Min latency(s):         ");
        for (String mode : List.of("seq", "rand")) {
            Result read = rados("-p", "rbd", "bench", "3", mode, "-t", "4");
            assertThat(read.code()).as(mode + ": " + read.err()).isZero();
            assertLinesInOrder(read.out(), "Total time run:       ", "Total reads made:     ", "Read size:            16384",
                    "Object size:          16384", "Bandwidth (MB/sec):   ", "Average IOPS:         ", "Stddev IOPS:          ",
                    "Max IOPS:             ", "Min IOPS:             ", "Average Latency(s):   ", "Max latency(s):       ",
                    "Min latency(s):       ");
        }
        Path opsLog = dir.resolve("paced-ops");
        Result mixed = rados("-p", "rbd", "bench", "3", "mixed", "--rate", "40", "--latency-log", opsLog.toString());
        assertThat(mixed.code()).as(mixed.err()).isZero();
        assertThat(mixed.out()).startsWith("mixed at 40.0 ops/s for ").contains(" 0 errors\n", "  w4k: ", "  r4k: ", "  w4m: ", "  r4m: ");
        List<String> ops = Files.readAllLines(opsLog);
        assertThat(ops).as("an open loop at 40 ops/s for 3 s").hasSizeBetween(100, 121)
                .allMatch(l -> l.matches("\\d{13} \\d+ (w4k|r4k|w4m|r4m) 1"));
        assertThat(ops.stream().filter(l -> l.contains(" w4m ")).count()).as("1 op in 10 is a 4 MiB write").isBetween(10L, 12L);
        Result cleanup = rados("-p", "rbd", "cleanup");
        assertThat(cleanup.code()).as(cleanup.err()).isZero();
        assertThat(cleanup.out()).matches("(?s)Removed [1-9][0-9]* objects\n");
        assertThat(rados("-p", "rbd", "ls").out()).doesNotContain("benchmark_data");
    }

    /** Exclusive create, guarded compound writes (nothing applied when a guard fails), compound reads, a striped stream. */
    @Test
    void guardedOperationsAndTheStriperOnARealPool() throws Exception {
        try (Cluster cluster = Cluster.connect(conf)) {
            IoContext io = cluster.ioContext("rbd", "guards");
            io.create("lock", true);
            assertThatThrownBy(() -> io.create("lock", true)).isInstanceOf(RadosException.ObjectExists.class);
            io.operate("lock", new ObjectWriteOperation().setXattr("owner", bytes("a")).writeFull(bytes("held by a")));
            ObjectWriteOperation steal = new ObjectWriteOperation()
                    .cmpXattr("owner", OsdOp.CmpOp.EQ, bytes("b")).writeFull(bytes("held by b"));
            assertThatThrownBy(() -> io.operate("lock", steal)).isInstanceOf(RadosException.Canceled.class);
            assertThat(io.read("lock")).as("a failed guard applies nothing").isEqualTo(bytes("held by a"));
            ObjectReadOperation read = new ObjectReadOperation();
            int data = read.read(0, 0);
            int owner = read.getXattr("owner");
            int stat = read.stat();
            ReadResult r = io.operate("lock", read);
            assertThat(r.data(data)).isEqualTo(bytes("held by a"));
            assertThat(r.data(owner)).isEqualTo(bytes("a"));
            assertThat(r.stat(stat).size()).isEqualTo(9);
            assertThatThrownBy(() -> io.getXattr("lock", "missing")).isInstanceOf(RadosException.NoData.class);
            assertThatThrownBy(() -> io.read("nothing-here")).isInstanceOf(RadosException.ObjectNotFound.class);

            Striper striper = io.striper(StripeLayout.of(64 << 10, 3, 256 << 10));
            byte[] stream = new byte[2_000_000];
            new SplittableRandom(7).nextBytes(stream);
            striper.write("striped", 0, stream);
            striper.truncate("striped", 1_500_000);
            assertThat(striper.size("striped")).isEqualTo(1_500_000);
            assertThat(striper.read("striped", 0, 2_000_000)).isEqualTo(java.util.Arrays.copyOf(stream, 1_500_000));
            striper.remove("striped");
            assertThat(io.listAll()).as("only the lock object remains in the namespace").containsExactly("lock");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertLinesInOrder(String out, String... prefixes) {
        List<String> lines = out.lines().toList();
        int at = 0;
        for (String prefix : prefixes) {
            while (at < lines.size() && !lines.get(at).startsWith(prefix)) {
                at++;
            }
            assertThat(at).as("line starting '%s' in order in:\n%s", prefix, out).isLessThan(lines.size());
        }
    }

    /**
     * Three clients (separate Cluster handles) append unique tokens to a few objects and read them
     * back while an admin marks OSDs out and in; afterwards every acknowledged token is in its
     * object exactly once and no token appears twice.
     */
    @Test
    void concurrentClientsWhileOsdsGoOutAndIn() throws Exception {
        Map<String, List<String>> acked = new ConcurrentHashMap<>();
        List<Cluster> clients = new ArrayList<>();
        try (Cluster admin = Cluster.connect(conf)) {
            for (int i = 0; i < 3; i++) {
                Cluster c = Cluster.connect(conf);
                c.setOpTimeout(Duration.ofSeconds(90));
                clients.add(c);
            }
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                int client = i;
                IoContext io = clients.get(i).ioContext("rbd", "churn");
                workers.add(CompletableFuture.runAsync(() -> workload(io, client, 80, acked)));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new));
            for (int round = 0; round < 4 && !all.isDone(); round++) {
                String osd = String.valueOf(round % 3);
                mon(admin, "osd out", osd);
                awaitProgress(all, 15);   // some ops run against the map with the OSD out
                mon(admin, "osd in", osd);
                awaitProgress(all, 15);
            }
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            IoContext io = admin.ioContext("rbd", "churn");
            for (var e : acked.entrySet()) {
                String content = new String(io.read(e.getKey()), StandardCharsets.UTF_8);
                Map<String, Integer> counts = new HashMap<>();
                for (String t : content.split(";")) {
                    if (!t.isEmpty()) {
                        counts.merge(t, 1, Integer::sum);
                    }
                }
                for (String token : e.getValue()) {
                    assertThat(counts.getOrDefault(token, 0)).as("acked %s in %s", token, e.getKey()).isEqualTo(1);
                }
                assertThat(counts.values()).as("no token twice in %s", e.getKey()).allMatch(n -> n == 1);
            }
        } finally {
            clients.forEach(Cluster::close);
        }
    }

    static final java.util.concurrent.atomic.AtomicInteger PROGRESS = new java.util.concurrent.atomic.AtomicInteger();

    /** Waits until the workers completed {@code ops} more operations, or finished, within a minute. */
    private static void awaitProgress(CompletableFuture<Void> workers, int ops) throws InterruptedException {
        int target = PROGRESS.get() + ops;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (PROGRESS.get() < target && !workers.isDone()) {
            assertThat(System.nanoTime()).as("workers made no progress for a minute").isLessThan(deadline);
            Thread.sleep(20);   // polling interval of a deadline-bounded wait
        }
    }

    private static void mon(Cluster admin, String prefix, String id) throws Exception {
        MonReply r = admin.monCommand(MonReply.json().createObjectNode().put("prefix", prefix)
                .set("ids", MonReply.json().createArrayNode().add(id)));
        assertThat(r.code()).as(prefix + " " + id + ": " + r.outs()).isZero();
    }

    private static void workload(IoContext io, int client, int ops, Map<String, List<String>> acked) {
        SplittableRandom r = new SplittableRandom(client);
        Map<String, List<String>> mine = new HashMap<>();
        for (int i = 0; i < ops; i++, PROGRESS.incrementAndGet()) {
            String obj = "o" + r.nextInt(6);
            if (r.nextInt(3) > 0) {
                String token = "c" + client + "-" + i;
                io.append(obj, (token + ";").getBytes(StandardCharsets.UTF_8));
                mine.computeIfAbsent(obj, k -> new ArrayList<>()).add(token);
                acked.computeIfAbsent(obj, k -> Collections.synchronizedList(new ArrayList<>())).add(token);
            } else if (mine.containsKey(obj)) {
                String content = new String(io.read(obj), StandardCharsets.UTF_8);
                for (String token : mine.get(obj)) {
                    assertThat(content).as("client %d reads its acked %s in %s", client, token, obj).contains(token + ";");
                }
            }
        }
    }
}
