package io.loligo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.client.IoContext;
import io.loligo.cli.Main;
import io.loligo.cluster.Scenarios.Fault;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Bit rot under load: a 128 KiB object (written straight to the data file) has one byte flipped in
 * a replica's block file; reads stay correct; {@code loligo pg deep-scrub} finds it (the PG
 * inconsistent, health PG_DAMAGED), {@code loligo pg repair} fixes it, health returns to OK and
 * the object reads back as written. The operator commands run in-process through the CLI.
 */
final class BitRot {
    private BitRot() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(120);

    static Fault deepScrubRepairs() {
        return run -> {
            TestCluster c = run.cluster();
            IoContext io = run.io;
            byte[] data = new byte[128 << 10];
            run.random.nextBytes(data);
            io.writeFull("victim", data);
            OsdMap map = c.admin().osdMap();
            Pool pool = map.poolByName(Scenarios.POOL);
            var mapping = map.placement().mapObject(pool, io.namespace(), "victim");
            String pgid = mapping.pg().toString();
            int bad = mapping.acting()[1 + run.random.nextInt(mapping.acting().length - 1)];
            int offset = run.random.nextInt(data.length);
            flipByte(c.dataDir("osd." + bad).resolve("store").resolve("block"), data, offset);
            check(Arrays.equals(io.read("victim", 0, data.length), data), "read after the flip returned other bytes");
            Path conf = c.confPath;
            check(cli(conf, "pg", "deep-scrub", pgid).code == 0, "pg deep-scrub " + pgid + " failed");
            awaitJson(conf, j -> j.path("inconsistents").size() == 1, "rados", "list-inconsistent-obj", pgid, "--format", "json");
            awaitJson(conf, h -> h.path("checks").has("PG_DAMAGED"), "health", "detail", "--format", "json");
            check(cli(conf, "pg", "repair", pgid).code == 0, "pg repair " + pgid + " failed");
            run.healed();
            awaitJson(conf, j -> j.path("inconsistents").isEmpty(), "rados", "list-inconsistent-obj", pgid, "--format", "json");
            check(Arrays.equals(io.read("victim", 0, data.length), data), "read after repair returned other bytes");
            run.note("byte %d of victim flipped on osd.%d (pg %s): deep scrub found it, repair fixed it", offset, bad, pgid);
        };
    }

    private record Result(int code, String out, String err) { }

    /** Runs a CLI command in this JVM (as the CLI's own process tests do). */
    private static synchronized Result cli(Path conf, String... args) {
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

    private static JsonNode awaitJson(Path conf, Predicate<JsonNode> ok, String... args) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Result last = null;
        while (System.nanoTime() < deadline) {
            last = cli(conf, args);
            if (last.code == 0) {
                JsonNode j = JSON.readTree(last.out);
                if (ok.test(j)) {
                    return j;
                }
            }
            Thread.sleep(250);   // polling interval of a deadline-bounded wait
        }
        throw new AssertionError("timed out waiting on " + String.join(" ", args) + "; last: " + last);
    }

    /** Flips one byte of the 4 KiB block of {@code data} holding {@code offset}, found in the file by content. */
    static void flipByte(Path blockFile, byte[] data, int offset) throws IOException {
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
                        return;
                    }
                }
            }
        }
        throw new AssertionError("block of offset " + offset + " not found in " + blockFile);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
