package io.loligo.cli.rgw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.cli.rgw.GatewayCluster.Result;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The S3 gateway as users meet it: {@code loligo up} on a real local cluster (processes), the
 * first user it prints, {@code loligo rgw user ...}, and the real clients from apt driving it —
 * awscli 2 ({@code /usr/bin/aws}: s3 mb/cp/ls/rm/rb including a multipart-sized file, s3api, a
 * presigned URL fetched over plain HTTP), s3cmd (SigV4 and {@code --signature-v2}) and rclone
 * (a directory tree synced up and down, then {@code rclone check}). A client that is not installed
 * skips its test with the package to install; .ci/run installs all of them. The Swift API is
 * driven by python-swiftclient ({@code swift}) with a subuser made by {@code loligo rgw subuser create}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealS3ClientsTest {
    static final Path AWS = Path.of("/usr/bin/aws");
    static final Path S3CMD = Path.of("/usr/bin/s3cmd");
    static final Path RCLONE = Path.of("/usr/bin/rclone");
    static final Path S3FS = Path.of("/usr/bin/s3fs");
    static final Path SWIFT = Path.of("/usr/bin/swift");
    static GatewayCluster cluster;
    static Path work;

    @BeforeAll
    static void up() throws Exception {
        cluster = GatewayCluster.start();
        work = Files.createDirectories(cluster.root.resolve("work"));
    }

    @AfterAll
    static void down() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static void assumeInstalled(Path program, String pkg) {
        assumeTrue(Files.isExecutable(program), program + " is not installed (apt-get install " + pkg + "); skipping");
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** The environment of an aws command: the given keys, no user config, no instance metadata. */
    static Map<String, String> awsEnv(String accessKey, String secretKey) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", accessKey);
        env.put("AWS_SECRET_ACCESS_KEY", secretKey);
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_CONFIG_FILE", work.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_PAGER", "");
        env.put("HOME", work.toString());
        return env;
    }

    static Result aws(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(AWS.toString(), "--endpoint-url", cluster.endpoint,
                "--no-cli-pager"));
        cmd.addAll(List.of(args));
        return GatewayCluster.run(cmd, env, work, 180);
    }

    static Result aws(String... args) throws Exception {
        return aws(awsEnv(cluster.accessKey, cluster.secretKey), args);
    }

    static void ok(Result r, String what) {
        assertThat(r.code()).as("%s: %s", what, r).isZero();
    }

    @Test
    void upPrintsTheEndpointAndTheFirstUsersKeys() {
        assertThat(cluster.up.path("health").asText()).isEqualTo("HEALTH_OK");
        assertThat(cluster.endpoint).startsWith("http://127.0.0.1:");
        assertThat(cluster.accessKey).hasSize(20);
        assertThat(cluster.secretKey).hasSize(40);
        assertThat(cluster.up.path("s3").path("user").asText()).isEqualTo("loligo");
        assertThat(ProcessHandle.of(cluster.up.path("s3").path("pid").asLong()).map(ProcessHandle::isAlive)).contains(true);
        Result info = cluster.loligo("rgw", "user", "info", "--uid", "loligo");
        ok(info, "rgw user info");
        assertThat(info.out()).contains(cluster.accessKey).contains(cluster.secretKey);
    }

    @Test
    void rgwUserCommandsManageUsersAndKeys() throws Exception {
        Result created = cluster.loligo("rgw", "user", "create", "--uid", "carol", "--display-name", "Carol C",
                "--email", "carol@example.com", "--access-key", "CAROLACCESSKEY000001", "--secret-key", "carol-secret");
        ok(created, "user create");
        JsonNode carol = GatewayCluster.JSON.readTree(created.out());
        assertThat(carol.path("user_id").asText()).isEqualTo("carol");
        assertThat(carol.path("display_name").asText()).isEqualTo("Carol C");
        assertThat(carol.path("keys").get(0).path("access_key").asText()).isEqualTo("CAROLACCESSKEY000001");
        assertThat(carol.path("keys").get(0).path("secret_key").asText()).isEqualTo("carol-secret");

        Result again = cluster.loligo("rgw", "user", "create", "--uid", "carol", "--display-name", "Carol C");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("UserAlreadyExists");
        assertThat(cluster.loligo("rgw", "user", "create", "--uid", "x").code()).isEqualTo(2);
        assertThat(cluster.loligo("rgw", "user", "info", "--uid", "nobody").err()).contains("NoSuchUser");

        Result tenant = cluster.loligo("rgw", "user", "create", "--uid", "dave", "--tenant", "acme", "--display-name", "Dave");
        ok(tenant, "tenant user create");
        assertThat(GatewayCluster.JSON.readTree(tenant.out()).path("user_id").asText()).isEqualTo("acme$dave");
        assertThat(cluster.loligo("rgw", "user", "list").out()).contains("\"carol\"").contains("\"acme$dave\"").contains("\"loligo\"");

        JsonNode modified = GatewayCluster.JSON.readTree(cluster.loligo("rgw", "user", "modify", "--uid", "carol",
                "--display-name", "Carol Changed", "--max-buckets", "5").out());
        assertThat(modified.path("display_name").asText()).isEqualTo("Carol Changed");
        assertThat(modified.path("max_buckets").asInt()).isEqualTo(5);

        JsonNode twoKeys = GatewayCluster.JSON.readTree(cluster.loligo("rgw", "key", "create", "--uid", "carol").out());
        assertThat(twoKeys.path("keys")).hasSize(2);
        String generated = twoKeys.path("keys").get(1).path("access_key").asText();
        JsonNode oneKey = GatewayCluster.JSON.readTree(cluster.loligo("rgw", "key", "rm", "--uid", "carol",
                "--access-key", "CAROLACCESSKEY000001").out());
        assertThat(oneKey.path("keys").findValuesAsText("access_key")).containsExactly(generated);

        assertThat(GatewayCluster.JSON.readTree(cluster.loligo("rgw", "user", "suspend", "--uid", "carol").out())
                .path("suspended").asInt()).isEqualTo(1);
        assertThat(GatewayCluster.JSON.readTree(cluster.loligo("rgw", "user", "enable", "--uid", "carol").out())
                .path("suspended").asInt()).isZero();
        ok(cluster.loligo("rgw", "quota", "set", "--uid", "carol", "--quota-scope", "user", "--max-objects", "100"), "quota set");
        JsonNode quota = GatewayCluster.JSON.readTree(cluster.loligo("rgw", "quota", "enable", "--uid", "carol",
                "--quota-scope", "user").out()).path("user_quota");
        assertThat(quota.path("enabled").asBoolean()).isTrue();
        assertThat(quota.path("max_objects").asLong()).isEqualTo(100);

        ok(cluster.loligo("rgw", "user", "rm", "--uid", "carol"), "user rm");
        assertThat(cluster.loligo("rgw", "user", "info", "--uid", "carol").code()).isEqualTo(1);
    }

    @Test
    void awsCliMakesABucketCopiesUpAndDownListsPresignsAndRemoves() throws Exception {
        assumeInstalled(AWS, "awscli");
        byte[] small = randomBytes(1000, 1);
        byte[] large = randomBytes(20 << 20, 2);   // past awscli's 8 MiB multipart threshold: 3 parts
        Files.write(work.resolve("small.bin"), small);
        Files.write(work.resolve("large.bin"), large);
        ok(aws("s3", "mb", "s3://aws-bucket"), "aws s3 mb");
        ok(aws("s3", "cp", "--only-show-errors", "small.bin", "s3://aws-bucket/dir/small.bin"), "aws s3 cp small");
        ok(aws("s3", "cp", "--only-show-errors", "large.bin", "s3://aws-bucket/large.bin"), "aws s3 cp multipart");
        Result ls = aws("s3", "ls", "--recursive", "s3://aws-bucket");
        ok(ls, "aws s3 ls");
        assertThat(ls.out()).contains("dir/small.bin").contains("large.bin").contains(Integer.toString(20 << 20));

        ok(aws("s3", "cp", "--only-show-errors", "s3://aws-bucket/large.bin", "large.out"), "aws s3 cp down");
        assertThat(Files.readAllBytes(work.resolve("large.out"))).isEqualTo(large);
        Result head = aws("s3api", "head-object", "--bucket", "aws-bucket", "--key", "large.bin");
        ok(head, "s3api head-object");
        JsonNode h = GatewayCluster.JSON.readTree(head.out());
        assertThat(h.path("ContentLength").asLong()).isEqualTo(20 << 20);
        assertThat(h.path("ETag").asText()).endsWith("-3\"");

        Result presign = aws("s3", "presign", "s3://aws-bucket/dir/small.bin", "--expires-in", "300");
        ok(presign, "aws s3 presign");
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(presign.out().strip()))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(got.statusCode()).as("GET presigned URL").isEqualTo(200);
        assertThat(got.body()).isEqualTo(small);
        String tampered = presign.out().strip().replace("dir/small.bin", "large.bin");
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(tampered)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("SignatureDoesNotMatch");

        Result wrong = aws(awsEnv(cluster.accessKey, "not-the-secret"), "s3", "ls", "s3://aws-bucket");
        assertThat(wrong.code()).isNotZero();
        assertThat(wrong.err()).contains("SignatureDoesNotMatch");

        // awscli's additional checksums: sent with the body, verified by the gateway.
        for (String algorithm : List.of("CRC32", "SHA256")) {
            ok(aws("s3api", "put-object", "--bucket", "aws-bucket", "--key", "sum/" + algorithm, "--body", "small.bin",
                    "--checksum-algorithm", algorithm), "s3api put-object --checksum-algorithm " + algorithm);
        }
        ok(aws("s3", "cp", "--only-show-errors", "s3://aws-bucket/sum/CRC32", "crc32.out"), "aws s3 cp checksummed down");
        assertThat(Files.readAllBytes(work.resolve("crc32.out"))).isEqualTo(small);

        ok(aws("s3", "rm", "--only-show-errors", "s3://aws-bucket/dir/small.bin"), "aws s3 rm");
        ok(aws("s3", "rb", "--force", "s3://aws-bucket"), "aws s3 rb --force");
    }

    @Test
    void aSuspendedUserIsRefusedAndAnEnabledOneServed() throws Exception {
        assumeInstalled(AWS, "awscli");
        ok(cluster.loligo("rgw", "user", "create", "--uid", "erin", "--display-name", "Erin",
                "--access-key", "ERINACCESSKEY0000001", "--secret-key", "erin-secret"), "user create");
        Map<String, String> erin = awsEnv("ERINACCESSKEY0000001", "erin-secret");
        ok(aws(erin, "s3", "ls"), "erin lists her buckets");
        ok(cluster.loligo("rgw", "user", "suspend", "--uid", "erin"), "suspend");
        // The gateway caches credentials for a few seconds: wait (bounded) for the suspension to show.
        Result r = awaitAws(erin, res -> res.err().contains("UserSuspended"), "s3", "ls");
        assertThat(r.code()).isNotZero();
        ok(cluster.loligo("rgw", "user", "enable", "--uid", "erin"), "enable");
        ok(awaitAws(erin, res -> res.code() == 0, "s3", "ls"), "erin served again");
    }

    /**
     * Signature V2 with virtual-hosted addressing (Host: BUCKET.localhost), which no installed client
     * here can send without DNS for *.localhost: raw HTTP/1.1 over a socket, signed by hand as old
     * clients sign ("/bucket" + path in the canonical resource). A wrong signature is refused.
     */
    @Test
    void signatureV2VirtualHostedRawRequests() throws Exception {
        ok(cluster.loligo("rgw", "user", "create", "--uid", "frank", "--display-name", "Frank",
                "--access-key", "FRANKACCESSKEY000001", "--secret-key", "frank/secret+key"), "user create");
        int port = URI.create(cluster.endpoint).getPort();
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        String body = "virtual-hosted and signed with V2";
        String put = "PUT /v2/key.txt HTTP/1.1\r\nHost: frank-v2.localhost:" + port + "\r\nDate: " + date
                + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\nAuthorization: AWS FRANKACCESSKEY000001:"
                + v2("frank/secret+key", "PUT\n\ntext/plain\n" + date + "\n/frank-v2/v2/key.txt") + "\r\nConnection: close\r\n\r\n" + body;
        String mb = "PUT / HTTP/1.1\r\nHost: frank-v2.localhost:" + port + "\r\nDate: " + date + "\r\nContent-Length: 0"
                + "\r\nAuthorization: AWS FRANKACCESSKEY000001:" + v2("frank/secret+key", "PUT\n\n\n" + date + "\n/frank-v2/")
                + "\r\nConnection: close\r\n\r\n";
        assertThat(rawHttp(port, mb)).startsWith("HTTP/1.1 200");
        assertThat(rawHttp(port, put)).startsWith("HTTP/1.1 200");
        String get = "GET /v2/key.txt HTTP/1.1\r\nHost: frank-v2.localhost:" + port + "\r\nDate: " + date
                + "\r\nAuthorization: AWS FRANKACCESSKEY000001:" + v2("frank/secret+key", "GET\n\n\n" + date + "\n/frank-v2/v2/key.txt")
                + "\r\nConnection: close\r\n\r\n";
        String got = rawHttp(port, get);
        assertThat(got).startsWith("HTTP/1.1 200").endsWith(body);
        // Signed without the bucket in the resource, as if path-style: not what was sent.
        String forged = "GET /v2/key.txt HTTP/1.1\r\nHost: frank-v2.localhost:" + port + "\r\nDate: " + date
                + "\r\nAuthorization: AWS FRANKACCESSKEY000001:" + v2("frank/secret+key", "GET\n\n\n" + date + "\n/v2/key.txt")
                + "\r\nConnection: close\r\n\r\n";
        assertThat(rawHttp(port, forged)).startsWith("HTTP/1.1 403").contains("SignatureDoesNotMatch");
    }

    static String v2(String secret, String stringToSign) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA1"));
        return java.util.Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    static String rawHttp(int port, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * {@code loligo daemon rgw} as a second gateway process on the same cluster serves what the
     * first stored (no state in a gateway); asking for a port that is taken is a clear error.
     */
    @Test
    void aSecondGatewayServesTheSameDataAndATakenPortIsRefused() throws Exception {
        assumeInstalled(AWS, "awscli");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> daemon = List.of(javaBin, "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"), "io.loligo.cli.Main",
                "daemon", "rgw", "--id", "1", "--conf", cluster.conf.toString(), "--port");
        int taken = URI.create(cluster.endpoint).getPort();
        Result refused = GatewayCluster.run(concat(daemon, Integer.toString(taken)), Map.of(), work, 120);
        assertThat(refused.code()).as("%s", refused).isEqualTo(1);
        assertThat(refused.err()).contains("cannot listen on 127.0.0.1:" + taken).contains("in use");

        Files.write(work.resolve("shared.bin"), randomBytes(70_000, 5));
        ok(aws("s3", "mb", "s3://shared-bucket"), "mb via rgw.0");
        ok(aws("s3", "cp", "--only-show-errors", "shared.bin", "s3://shared-bucket/k"), "put via rgw.0");
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = work.resolve("rgw.1.log");
        Process second = new ProcessBuilder(concat(daemon, Integer.toString(port))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            String endpoint = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.readString(log).contains("listening on") && second.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);   // poll interval of a deadline-bounded wait
            }
            assertThat(Files.readString(log)).as("rgw.1 log").contains("rgw.1 listening on " + endpoint);
            List<String> cmd = List.of(AWS.toString(), "--endpoint-url", endpoint, "s3", "cp", "--only-show-errors",
                    "s3://shared-bucket/k", "shared.out");
            ok(GatewayCluster.run(cmd, awsEnv(cluster.accessKey, cluster.secretKey), work, 180), "get via rgw.1");
            assertThat(Files.readAllBytes(work.resolve("shared.out"))).isEqualTo(Files.readAllBytes(work.resolve("shared.bin")));
        } finally {
            second.destroy();
            if (!second.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                second.destroyForcibly().waitFor();
            }
        }
    }

    static Result awaitAws(Map<String, String> env, java.util.function.Predicate<Result> done, String... args)
            throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        Result r = aws(env, args);
        while (!done.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(500);   // poll interval of a deadline-bounded wait
            r = aws(env, args);
        }
        return r;
    }

    static Path s3cmdConfig(boolean v2) throws Exception {
        String hostPort = cluster.endpoint.substring("http://".length());
        Path cfg = work.resolve(v2 ? "s3cfg-v2" : "s3cfg");
        Files.writeString(cfg, "[default]\naccess_key = " + cluster.accessKey + "\nsecret_key = " + cluster.secretKey
                + "\nhost_base = " + hostPort + "\nhost_bucket = " + hostPort + "\nuse_https = False\n"
                + "bucket_location = us-east-1\nsignature_v2 = " + (v2 ? "True" : "False") + "\n");
        return cfg;
    }

    static Result s3cmd(Path cfg, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(S3CMD.toString(), "-c", cfg.toString(), "--no-progress"));
        cmd.addAll(List.of(args));
        return GatewayCluster.run(cmd, Map.of("HOME", work.toString()), work, 180);
    }

    @Test
    void s3cmdWithSignatureV4AndV2() throws Exception {
        assumeInstalled(S3CMD, "s3cmd");
        byte[] data = randomBytes(300_000, 3);
        Files.write(work.resolve("s3cmd.bin"), data);
        for (boolean v2 : new boolean[] {false, true}) {
            Path cfg = s3cmdConfig(v2);
            String bucket = "s3cmd-" + (v2 ? "v2" : "v4");
            String what = "s3cmd (" + (v2 ? "V2" : "V4") + ") ";
            ok(s3cmd(cfg, "mb", "s3://" + bucket), what + "mb");
            ok(s3cmd(cfg, "put", "s3cmd.bin", "s3://" + bucket + "/a b/c+d.bin"), what + "put");
            Result ls = s3cmd(cfg, "ls", "--recursive", "s3://" + bucket);
            ok(ls, what + "ls");
            assertThat(ls.out()).contains("s3://" + bucket + "/a b/c+d.bin");
            Path back = work.resolve(bucket + ".out");
            ok(s3cmd(cfg, "get", "--force", "s3://" + bucket + "/a b/c+d.bin", back.toString()), what + "get");
            assertThat(Files.readAllBytes(back)).as(what + "round trip").isEqualTo(data);
            ok(s3cmd(cfg, "del", "s3://" + bucket + "/a b/c+d.bin"), what + "del");
            ok(s3cmd(cfg, "rb", "s3://" + bucket), what + "rb");
        }
    }

    static Result swift(String user, String key, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(SWIFT.toString(), "-A", cluster.endpoint + "/auth/v1.0", "-U", user, "-K", key));
        cmd.addAll(List.of(args));
        return GatewayCluster.run(cmd, Map.of("HOME", work.toString()), work, 180);
    }

    @Test
    void swiftClientUploadsListsDownloadsCopiesAndDeletesOnTheS3Data() throws Exception {
        assumeInstalled(SWIFT, "python3-swiftclient");
        Result created = cluster.loligo("rgw", "user", "create", "--uid", "sam", "--display-name", "Sam S");
        ok(created, "user create");
        JsonNode sam = GatewayCluster.JSON.readTree(created.out());
        Result sub = cluster.loligo("rgw", "subuser", "create", "--uid", "sam", "--subuser", "sam:swift", "--access", "full",
                "--secret-key", "sam-swift-secret");
        ok(sub, "subuser create");
        assertThat(GatewayCluster.JSON.readTree(sub.out()).path("swift_keys").get(0).path("user").asText()).isEqualTo("sam:swift");
        assertThat(swift("sam:swift", "wrong", "list").code()).isNotZero();
        Path src = Files.createDirectories(work.resolve("swift-src/sub"));
        byte[] big = randomBytes(3 << 20, 11);
        Files.writeString(work.resolve("swift-src/a.txt"), "hello swift\n");
        Files.write(src.resolve("b.bin"), big);
        ok(swift("sam:swift", "sam-swift-secret", "upload", "box", "swift-src"), "swift upload");
        Result list = swift("sam:swift", "sam-swift-secret", "list", "box");
        ok(list, "swift list");
        assertThat(list.out().lines().toList()).containsExactly("swift-src/a.txt", "swift-src/sub/b.bin");
        Result prefixed = swift("sam:swift", "sam-swift-secret", "list", "box", "--prefix", "swift-src/sub/");
        assertThat(prefixed.out().lines().toList()).containsExactly("swift-src/sub/b.bin");
        Result stat = swift("sam:swift", "sam-swift-secret", "stat", "box");
        ok(stat, "swift stat");
        assertThat(stat.out()).containsPattern("Objects: 2").containsPattern("Bytes: " + (big.length + 12));
        Result stats = cluster.loligo("rgw", "stats", "--bucket", "box");
        ok(stats, "rgw stats");
        assertThat(GatewayCluster.JSON.readTree(stats.out()).path("num_objects").asLong()).isEqualTo(2);
        assertThat(GatewayCluster.JSON.readTree(stats.out()).path("size").asLong()).isEqualTo(big.length + 12);
        Path down = Files.createDirectories(work.resolve("swift-down"));
        ok(swift("sam:swift", "sam-swift-secret", "download", "box", "-D", down.toString()), "swift download");
        assertThat(Files.readAllBytes(down.resolve("swift-src/sub/b.bin"))).isEqualTo(big);
        assertThat(Files.readString(down.resolve("swift-src/a.txt"))).isEqualTo("hello swift\n");
        // metadata and copies; the same objects through S3 (aws, with sam's S3 keys)
        ok(swift("sam:swift", "sam-swift-secret", "post", "box", "swift-src/a.txt", "-m", "Color:red"), "swift post -m");
        assertThat(swift("sam:swift", "sam-swift-secret", "stat", "box", "swift-src/a.txt").out()).contains("Meta Color: red");
        ok(swift("sam:swift", "sam-swift-secret", "post", "crate"), "swift post (create container)");
        ok(swift("sam:swift", "sam-swift-secret", "copy", "box", "swift-src/a.txt", "--destination", "/crate/a-copy"), "swift copy");
        Map<String, String> env = awsEnv(sam.path("keys").get(0).path("access_key").asText(), sam.path("keys").get(0).path("secret_key").asText());
        Result head = aws(env, "s3api", "head-object", "--bucket", "crate", "--key", "a-copy");
        ok(head, "aws head-object of the Swift copy");
        assertThat(GatewayCluster.JSON.readTree(head.out()).path("Metadata").path("color").asText()).isEqualTo("red");
        // delete everything: objects, then the containers
        ok(swift("sam:swift", "sam-swift-secret", "delete", "box"), "swift delete container with its objects");
        ok(swift("sam:swift", "sam-swift-secret", "delete", "crate"), "swift delete crate");
        Result empty = swift("sam:swift", "sam-swift-secret", "list");
        ok(empty, "swift list (account)");
        assertThat(empty.out().lines().toList()).doesNotContain("box", "crate");
    }

    @Test
    void rcloneSyncsADirectoryTreeUpAndDownAndChecksIt() throws Exception {
        assumeInstalled(RCLONE, "rclone");
        Path src = Files.createDirectories(work.resolve("tree"));
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 30; i++) {
            Path f = src.resolve("d" + (i % 4)).resolve("sub" + (i % 3)).resolve("file " + i + ".dat");
            Files.createDirectories(f.getParent());
            Files.write(f, randomBytes(i == 7 ? 6 << 20 : random.nextInt(0, 50_000), 100 + i));
        }
        Path rcloneConf = work.resolve("rclone.conf");
        Files.writeString(rcloneConf, "");
        Map<String, String> env = Map.of("RCLONE_CONFIG_LOLIGO_TYPE", "s3", "RCLONE_CONFIG_LOLIGO_PROVIDER", "Ceph",
                "RCLONE_CONFIG_LOLIGO_ENDPOINT", cluster.endpoint, "RCLONE_CONFIG_LOLIGO_ACCESS_KEY_ID", cluster.accessKey,
                "RCLONE_CONFIG_LOLIGO_SECRET_ACCESS_KEY", cluster.secretKey, "HOME", work.toString());
        List<String> base = List.of(RCLONE.toString(), "--config", rcloneConf.toString(), "--retries", "1");
        ok(GatewayCluster.run(concat(base, "mkdir", "loligo:rclone-bucket"), env, work, 120), "rclone mkdir");
        ok(GatewayCluster.run(concat(base, "sync", src.toString(), "loligo:rclone-bucket/tree"), env, work, 300), "rclone sync up");
        ok(GatewayCluster.run(concat(base, "check", src.toString(), "loligo:rclone-bucket/tree"), env, work, 300), "rclone check");
        Path dst = work.resolve("tree-back");
        ok(GatewayCluster.run(concat(base, "sync", "loligo:rclone-bucket/tree", dst.toString()), env, work, 300), "rclone sync down");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readAllBytes(dst.resolve(src.relativize(f)))).as("%s", f).isEqualTo(Files.readAllBytes(f));
            }
        }
        // A change on one side is found by check, and sync repairs it.
        Files.write(src.resolve("d0/sub0/file 0.dat"), randomBytes(1234, 9));
        assertThat(GatewayCluster.run(concat(base, "check", src.toString(), "loligo:rclone-bucket/tree"), env, work, 300).code())
                .isNotZero();
        ok(GatewayCluster.run(concat(base, "sync", src.toString(), "loligo:rclone-bucket/tree"), env, work, 300), "rclone resync");
        ok(GatewayCluster.run(concat(base, "check", src.toString(), "loligo:rclone-bucket/tree"), env, work, 300), "rclone recheck");
    }

    /**
     * s3fs (FUSE) mounts a bucket: a file written through the mount is read back with awscli, one
     * put with awscli is read through the mount. Skipped when s3fs is missing or this machine
     * cannot mount FUSE file systems (no /dev/fuse, not permitted).
     */
    @Test
    void s3fsMountsABucket() throws Exception {
        assumeInstalled(AWS, "awscli");
        assumeInstalled(S3FS, "s3fs");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse: FUSE mounts are not possible here; skipping");
        ok(aws("s3", "mb", "s3://fuse-bucket"), "mb");
        Path passwd = work.resolve("s3fs-passwd");
        Files.writeString(passwd, cluster.accessKey + ":" + cluster.secretKey + "\n");
        Files.setPosixFilePermissions(passwd, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Result mount = GatewayCluster.run(List.of(S3FS.toString(), "fuse-bucket", mnt.toString(), "-o", "passwd_file=" + passwd,
                "-o", "url=" + cluster.endpoint, "-o", "use_path_request_style", "-o", "endpoint=us-east-1", "-o", "sigv4",
                "-o", "stat_cache_expire=1"), Map.of("HOME", work.toString()), work, 60);
        assumeTrue(mount.code() == 0 || !mount.err().toLowerCase(java.util.Locale.ROOT).contains("fuse"),
                "FUSE mounting does not work here: " + mount.err());
        ok(mount, "s3fs mount");
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(Path.of("/proc/mounts")).contains(" " + mnt + " ") && System.nanoTime() < deadline) {
                Thread.sleep(100);   // poll interval of a deadline-bounded wait
            }
            assertThat(Files.readString(Path.of("/proc/mounts"))).as("s3fs mounted at %s", mnt).contains(" " + mnt + " ");
            byte[] viaFuse = randomBytes(200_000, 6);
            Files.write(mnt.resolve("written-through-fuse.bin"), viaFuse);
            ok(aws("s3", "cp", "--only-show-errors", "s3://fuse-bucket/written-through-fuse.bin", "fuse.out"), "get via aws");
            assertThat(Files.readAllBytes(work.resolve("fuse.out"))).isEqualTo(viaFuse);
            byte[] viaAws = randomBytes(50_000, 7);
            Files.write(work.resolve("via-aws.bin"), viaAws);
            ok(aws("s3", "cp", "--only-show-errors", "via-aws.bin", "s3://fuse-bucket/dir/via-aws.bin"), "put via aws");
            assertThat(Files.readAllBytes(mnt.resolve("dir/via-aws.bin"))).isEqualTo(viaAws);
        } finally {
            Result umount = GatewayCluster.run(List.of("/usr/bin/fusermount", "-u", mnt.toString()), Map.of(), work, 60);
            if (umount.code() != 0) {
                GatewayCluster.run(List.of("/usr/bin/umount", "-l", mnt.toString()), Map.of(), work, 60);
            }
        }
    }

    /** Last: {@code loligo down} stops the gateway with the cluster (and removes its pid file). */
    @Test
    @Order(Integer.MAX_VALUE)
    void downStopsTheGateway() throws Exception {
        long pid = cluster.up.path("s3").path("pid").asLong();
        assertThat(io.loligo.cli.Main.run("down", "--dir", cluster.dir.toString())).isZero();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("rgw.0 pid %d after down", pid).isFalse();
        assertThat(cluster.dir.resolve("run/rgw.0.pid")).doesNotExist();
    }

    static List<String> concat(List<String> base, String... more) {
        List<String> out = new java.util.ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }
}
