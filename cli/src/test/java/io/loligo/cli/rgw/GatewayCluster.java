package io.loligo.cli.rgw;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real local cluster with its S3 gateway, started by {@code loligo up} as a separate process
 * (1 monitor, 3 OSDs, rgw.0 on a free port), and the helpers the tests drive it with: the CLI
 * in-process, external programs with a deadline. {@link #close} kills every daemon it started and
 * deletes the directory, whatever happened before.
 */
final class GatewayCluster implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path dir;
    final Path conf;
    final JsonNode up;
    final String endpoint;
    final String accessKey;
    final String secretKey;

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    private GatewayCluster(Path root, JsonNode up) {
        this.root = root;
        this.dir = root.resolve("cluster");
        this.conf = dir.resolve("loligo.conf");
        this.up = up;
        this.endpoint = up.path("s3").path("endpoint").asText();
        this.accessKey = up.path("s3").path("access_key").asText();
        this.secretKey = up.path("s3").path("secret_key").asText();
    }

    static GatewayCluster start() throws Exception {
        Path root = Files.createTempDirectory("loligo-rgw-test");
        Path dir = root.resolve("cluster");
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), "io.loligo.cli.Main", "up", "--dir", dir.toString(),
                "--osd-size", "512", "--rgw-port", Integer.toString(port), "--format", "json", "--timeout", "170");
        Result r;
        try {
            r = run(cmd, Map.of(), root, 200);
        } catch (Exception | AssertionError e) {
            kill(root);
            throw e;
        }
        if (r.code() != 0) {
            kill(root);
            throw new AssertionError("loligo up failed: " + r);
        }
        return new GatewayCluster(root, JSON.readTree(r.out()));
    }

    /** Runs {@code cmd} with extra environment, killing it after {@code timeoutSeconds}. */
    static Result run(List<String> cmd, Map<String, String> env, Path cwd, int timeoutSeconds) throws Exception {
        Path out = Files.createTempFile("rgw-test", ".out");
        Path err = Files.createTempFile("rgw-test", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // Only the environment the test gives: a machine's AWS_CA_BUNDLE or profile must not steer the clients.
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("RCLONE_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s; output:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs a loligo command in this JVM against the cluster's conf. */
    synchronized Result loligo(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            List<String> full = new ArrayList<>(List.of(args));
            full.addAll(List.of("-c", conf.toString()));
            int code = Main.run(full.toArray(String[]::new));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Override
    public void close() throws IOException {
        kill(root);
    }

    private static void kill(Path root) throws IOException {
        Path run = root.resolve("cluster").resolve("run");
        if (Files.isDirectory(run)) {
            try (var pids = Files.list(run)) {
                for (Path pf : pids.toList()) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(pf).trim())).ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().join();
                        });
                    } catch (NumberFormatException | IOException ignored) {
                        // a half-written or vanished pid file: nothing to kill
                    }
                }
            }
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
