package io.loligo.rgw;

import io.loligo.client.Cluster;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import io.loligo.rgw.store.UserInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Test harness: a real cluster (one monitor, three OSDs, each a separate JVM started from the test
 * classpath, ports from binding port 0, everything in a temp dir) and an {@link RgwServer} in the
 * test JVM on an ephemeral port, with the real SigV4 authenticator and users in RADOS. One per
 * test class. close() stops the gateway, kills every process and deletes the temp dir, even
 * after a failure.
 */
final class RgwTestCluster implements AutoCloseable {
    static final int OSDS = 3;
    final Path dir;
    final Path confPath;
    private final List<Process> procs = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    Cluster cluster;
    RgwServer rgw;

    private final long osdBlockBytes;
    private final List<String> osdJvmFlags;

    /** Test profile: small stores, C1-only OSD JVMs (quick to start). */
    RgwTestCluster() throws IOException {
        this(192L << 20, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
    }

    /** {@code osdJvmFlags} e.g. the benchmark profile of `loligo up` (-Xmx1g, C2). */
    RgwTestCluster(long osdBlockBytes, List<String> osdJvmFlags) throws IOException {
        this.osdBlockBytes = osdBlockBytes;
        this.osdJvmFlags = osdJvmFlags;
        dir = Files.createTempDirectory("loligo-rgw-test");
        confPath = dir.resolve("loligo.conf");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the monitor and the OSDs, connects, and starts a gateway with {@code config} (its port is replaced by an ephemeral one). */
    RgwTestCluster start(RgwConfig config) throws Exception {
        // freePort() closes its probe socket before the monitor binds, so another process on this
        // shared machine may take the port in between: a monitor that exits on "Address already in
        // use" is started again on new ports (at most 5 times) before any OSD is launched.
        for (int attempt = 1; ; attempt++) {
            Process mon = startMonitor(freePort(), freePort(), attempt);
            if (awaitMonitor(mon, Duration.ofSeconds(90))) {
                break;
            }
            String log = Files.readString(dir.resolve("mon.a.log"));
            if (attempt == 5 || !log.contains("Address already in use")) {
                throw new AssertionError("monitor did not start (attempt " + attempt + "):\n" + logs());
            }
            procs.remove(mon);
            Files.move(dir.resolve("mon.a.log"), dir.resolve("mon.a.log." + attempt));
        }
        for (int i = 0; i < OSDS; i++) {
            launch("osd." + i, "io.loligo.osd.OsdMain", osdJvmFlags, List.of("--id", String.valueOf(i),
                    "--data", dir.resolve("osd." + i).toString(), "--conf", confPath.toString()));
        }
        cluster = connect(Duration.ofSeconds(90));
        await("3 OSDs up and in", Duration.ofSeconds(120), () -> cluster.osdMap().numUp() == OSDS && cluster.osdMap().numIn() == OSDS);
        if (dataPoolSize > 0) {
            cluster.createPool(io.loligo.rgw.store.RgwPools.DATA, dataPoolSize);
        }
        rgw = new RgwServer(config.withPort(0), cluster).start();
        return this;
    }

    /** Writes the keyring and conf for a monitor on these ports and launches it (data in mon.a.ATTEMPT). */
    private Process startMonitor(int raft, int addr, int attempt) throws IOException {
        Path keyringPath = dir.resolve("keyring");
        Keyring keyring = new Keyring()
                .put("client.admin", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")))
                .put("mon.", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *")));
        for (int i = 0; i < OSDS; i++) {
            keyring.put("osd." + i, EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")));
        }
        keyring.write(keyringPath);
        StringBuilder conf = new StringBuilder("[global]\nfsid = " + UUID.randomUUID() + "\n")
                .append("mon_initial_members = a\nmon_host = 127.0.0.1:").append(addr).append('\n')
                .append("keyring = ").append(keyringPath).append('\n')
                .append("[mon.a]\nmon_raft_addr = 127.0.0.1:").append(raft).append("\nmon_addr = 127.0.0.1:").append(addr)
                .append("\n[osd]\nosd_block_file_bytes = ").append(osdBlockBytes)
                .append("\nosd_heartbeat_interval = 0.5\nosd_heartbeat_grace = 5\nosd_stats_interval = 1\nosd_op_num_shards = 2\n");
        for (int i = 0; i < OSDS; i++) {
            conf.append("[osd.").append(i).append("]\nhost = h").append(i).append('\n');
        }
        Files.writeString(confPath, conf);
        Path monData = dir.resolve("mon.a." + attempt);
        Files.createDirectories(monData);
        launch("mon.a", "io.loligo.mon.MonMain", List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                List.of("--id", "a", "--conf", confPath.toString(), "--data", monData.toString()));
        return procs.get(procs.size() - 1);
    }

    /** True once the monitor accepts connections on its address; false if its process exits first. */
    private boolean awaitMonitor(Process mon, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!mon.isAlive()) {
                return false;
            }
            try {
                Cluster.connect(confPath).close();
                return true;
            } catch (IOException e) {
                Thread.sleep(200);   // retry interval while the monitor starts
            }
        }
        throw new AssertionError("monitor not reachable after " + timeout + ":\n" + logs());
    }

    private int dataPoolSize;

    /** Creates the data pool with this replica count before the gateway would create it with the default. */
    RgwTestCluster dataPoolSize(int size) {
        this.dataPoolSize = size;
        return this;
    }

    private Cluster connect(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return Cluster.connect(confPath);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not connect to the test cluster: " + e + "\n" + logs(), e);
                }
                Thread.sleep(200);   // retry interval while the monitor starts
            }
        }
    }

    private void launch(String name, String mainClass, List<String> jvmFlags, List<String> args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.io.loligo=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        procs.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start());
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);   // polling interval of a deadline-bounded wait, not synchronisation
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + rgw.port());
    }

    /** Creates a user with random keys through the store (as `loligo rgw user create` would). */
    UserInfo user(String uid, String displayName) {
        return rgw.gateway().users.create(null, uid, displayName, uid + "@example.com", null, null);
    }

    S3Client client(UserInfo u) {
        UserInfo.AccessKey k = u.keys().get(0);
        return client(StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKey(), k.secretKey())));
    }

    /** A second gateway as its own process (RgwMain) on {@code port}; the caller kills it. */
    Process startGatewayProcess(int port) throws IOException {
        return startGatewayProcess(port, List.of("-XX:+UseSerialGC", "-Xmx256m"));
    }

    Process startGatewayProcess(int port, List<String> jvmFlags) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"), RgwMain.class.getName(),
                "--conf", confPath.toString(), "--id", "p" + port, "--port", String.valueOf(port)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("rgw." + port + ".log").toFile())).start();
        procs.add(p);
        return p;
    }

    S3Client client(UserInfo u, URI endpoint) {
        UserInfo.AccessKey k = u.keys().get(0);
        S3Client c = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKey(), k.secretKey())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
        closeables.add(c);
        return c;
    }

    S3Client anonymousClient() {
        return client(AnonymousCredentialsProvider.create());
    }

    private S3Client client(AwsCredentialsProvider creds) {
        S3Client c = S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).credentialsProvider(creds)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
        closeables.add(c);
        return c;
    }

    String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(p);
                out.append("==== ").append(p.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (rgw != null) {
            rgw.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        for (Process p : procs) {
            p.destroyForcibly();
        }
        for (Process p : procs) {
            p.waitFor();
        }
        if (System.getenv("LOLIGO_KEEP_TEST_DIRS") == null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
