package io.loligo.rgw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The Swift API on the S3 data (TempAuth, containers, objects, copy, metadata, errors), the admin
 * REST API for users (signed like S3, caps users=*), the access log and the Prometheus counters,
 * and a key used just before its user is created (the negative cache forgets it on the next poll).
 */
class RgwSwiftAdminTest extends S3ClusterTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Override
    int indexShards() {
        return 3;
    }

    @Override
    RgwConfig configure(RgwConfig config) {
        return config.withLog(c.dir.resolve("log"), "t");
    }

    static HttpResponse<String> send(String method, URI uri, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A Swift session: TempAuth, then requests with X-Auth-Token against the storage URL. */
    record Swift(String url, String token) {
        HttpResponse<String> call(String method, String path, Map<String, String> headers, byte[] body) throws Exception {
            Map<String, String> h = new java.util.HashMap<>(headers);
            h.put("X-Auth-Token", token);
            return send(method, URI.create(url + path), h, body);
        }

        HttpResponse<String> call(String method, String path) throws Exception {
            return call(method, path, Map.of(), null);
        }
    }

    Swift login(String user, String key) throws Exception {
        HttpResponse<String> r = send("GET", c.endpoint().resolve("/auth/v1.0"), Map.of("X-Auth-User", user, "X-Auth-Key", key), null);
        assertThat(r.statusCode()).isEqualTo(204);
        String url = r.headers().firstValue("X-Storage-Url").orElseThrow();
        assertThat(url).endsWith("/swift/v1");
        return new Swift(url, r.headers().firstValue("X-Auth-Token").orElseThrow());
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void swiftTempAuthContainersObjectsAndTheSameDataThroughS3() throws Exception {
        UserInfo dave = c.user("dave", "Dave D.");
        c.rgw.gateway().users.subuserCreate("dave", "dave:swift", "full", "swiftsecret", false);
        // wrong key, unknown user, no token, a forged token: 401
        assertThat(send("GET", c.endpoint().resolve("/auth/v1.0"), Map.of("X-Auth-User", "dave:swift", "X-Auth-Key", "nope"), null)
                .statusCode()).isEqualTo(401);
        assertThat(send("GET", c.endpoint().resolve("/auth/v1.0"), Map.of("X-Auth-User", "nobody:swift", "X-Auth-Key", "x"), null)
                .statusCode()).isEqualTo(401);
        Swift s = login("dave:swift", "swiftsecret");
        assertThat(send("GET", URI.create(s.url()), Map.of(), null).statusCode()).isEqualTo(401);
        assertThat(new Swift(s.url(), s.token().substring(0, s.token().length() - 2) + "00").call("GET", "").statusCode()).isEqualTo(401);
        // containers
        assertThat(s.call("GET", "").statusCode()).isEqualTo(204);   // no containers yet, plain listing
        assertThat(s.call("PUT", "/photos").statusCode()).isEqualTo(201);
        assertThat(s.call("PUT", "/photos").statusCode()).isEqualTo(202);
        assertThat(s.call("PUT", "/Bad_Name").statusCode()).isEqualTo(400);
        assertThat(s.call("HEAD", "/nothere").statusCode()).isEqualTo(404);
        // objects: ETag checked, metadata kept, the same object through S3
        byte[] cat = "a cat picture".getBytes(StandardCharsets.UTF_8);
        var put = s.call("PUT", "/photos/2024/cat.jpg", Map.of("ETag", md5(cat), "X-Object-Meta-Color", "black",
                "Content-Type", "image/jpeg"), cat);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("ETag")).hasValue(md5(cat));
        assertThat(s.call("PUT", "/photos/bad", Map.of("ETag", md5(new byte[1])), cat).statusCode()).isEqualTo(422);
        assertThat(s.call("GET", "/photos/bad").statusCode()).isEqualTo(404);
        var got = s.call("GET", "/photos/2024/cat.jpg");
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("a cat picture");
        assertThat(got.headers().firstValue("X-Object-Meta-Color")).hasValue("black");
        assertThat(got.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(s.call("GET", "/photos/2024/cat.jpg", Map.of("Range", "bytes=2-4"), null).body()).isEqualTo("cat");
        var head = s.call("HEAD", "/photos/2024/cat.jpg");
        assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(cat.length));
        S3Client s3dave = c.client(dave);
        var viaS3 = s3dave.getObjectAsBytes(b -> b.bucket("photos").key("2024/cat.jpg"));
        assertThat(viaS3.asUtf8String()).isEqualTo("a cat picture");
        assertThat(viaS3.response().metadata()).containsEntry("color", "black");
        s3dave.putObject(b -> b.bucket("photos").key("2024/dog.jpg").metadata(Map.of("color", "brown")), RequestBody.fromString("dog"));
        assertThat(s.call("GET", "/photos/2024/dog.jpg").headers().firstValue("X-Object-Meta-Color")).hasValue("brown");
        // a large object streams through (several stripes)
        byte[] big = S3BucketObjectTest.random(9 << 20, 7);
        assertThat(s.call("PUT", "/photos/big", Map.of(), big).statusCode()).isEqualTo(201);
        assertThat(md5(s3dave.getObjectAsBytes(b -> b.bucket("photos").key("big")).asByteArray())).isEqualTo(md5(big));
        // listings: delimiter, prefix, marker, limit, json
        s.call("PUT", "/photos/readme", Map.of(), "r".getBytes(StandardCharsets.UTF_8));
        assertThat(s.call("GET", "/photos").body()).isEqualTo("2024/cat.jpg\n2024/dog.jpg\nbig\nreadme\n");
        assertThat(s.call("GET", "/photos?delimiter=/").body()).isEqualTo("2024/\nbig\nreadme\n");
        assertThat(s.call("GET", "/photos?prefix=2024/&marker=2024/cat.jpg").body()).isEqualTo("2024/dog.jpg\n");
        assertThat(s.call("GET", "/photos?limit=2").body()).isEqualTo("2024/cat.jpg\n2024/dog.jpg\n");
        assertThat(s.call("GET", "/photos?end_marker=big").body()).isEqualTo("2024/cat.jpg\n2024/dog.jpg\n");
        JsonNode json = RgwPools.JSON.readTree(s.call("GET", "/photos?format=json&delimiter=/").body());
        assertThat(json.get(0).get("subdir").asText()).isEqualTo("2024/");
        assertThat(json.get(1).get("name").asText()).isEqualTo("big");
        assertThat(json.get(1).get("bytes").asLong()).isEqualTo(big.length);
        assertThat(json.get(1).get("hash").asText()).isEqualTo(md5(big));
        var ch = s.call("HEAD", "/photos");
        assertThat(ch.headers().firstValue("X-Container-Object-Count")).hasValue("4");
        assertThat(ch.headers().firstValue("X-Container-Bytes-Used")).hasValue(String.valueOf(cat.length + 3 + big.length + 1));
        JsonNode account = RgwPools.JSON.readTree(s.call("GET", "?format=json").body());
        assertThat(account.get(0).get("name").asText()).isEqualTo("photos");
        assertThat(account.get(0).get("count").asLong()).isEqualTo(4);
        // copies: COPY with Destination, PUT with X-Copy-From; metadata merged
        assertThat(s.call("PUT", "/backup").statusCode()).isEqualTo(201);
        assertThat(s.call("COPY", "/photos/2024/cat.jpg", Map.of("Destination", "/backup/cat-copy", "X-Object-Meta-Size", "small"), null)
                .statusCode()).isEqualTo(201);
        var copied = s.call("GET", "/backup/cat-copy");
        assertThat(copied.body()).isEqualTo("a cat picture");
        assertThat(copied.headers().firstValue("X-Object-Meta-Color")).hasValue("black");
        assertThat(copied.headers().firstValue("X-Object-Meta-Size")).hasValue("small");
        assertThat(s.call("PUT", "/backup/big-copy", Map.of("X-Copy-From", "/photos/big"), new byte[0]).statusCode()).isEqualTo(201);
        assertThat(md5(s3dave.getObjectAsBytes(b -> b.bucket("backup").key("big-copy")).asByteArray())).isEqualTo(md5(big));
        assertThat(s.call("PUT", "/backup/x", Map.of("X-Copy-From", "/photos/missing"), new byte[0]).statusCode()).isEqualTo(404);
        // POST replaces the metadata
        assertThat(s.call("POST", "/backup/cat-copy", Map.of("X-Object-Meta-Owner", "dave"), null).statusCode()).isEqualTo(202);
        var posted = s.call("HEAD", "/backup/cat-copy");
        assertThat(posted.headers().firstValue("X-Object-Meta-Owner")).hasValue("dave");
        assertThat(posted.headers().firstValue("X-Object-Meta-Color")).isEmpty();
        // errors: a non-empty container, missing objects, someone else's container
        assertThat(s.call("DELETE", "/backup").statusCode()).isEqualTo(409);
        assertThat(s.call("DELETE", "/backup/nothing").statusCode()).isEqualTo(404);
        assertThat(s.call("GET", "/nothere/obj").statusCode()).isEqualTo(404);
        s3.createBucket(b -> b.bucket("alices"));
        assertThat(s.call("GET", "/alices").statusCode()).isEqualTo(403);
        for (String k : List.of("cat-copy", "big-copy")) {
            assertThat(s.call("DELETE", "/backup/" + k).statusCode()).isEqualTo(204);
        }
        assertThat(s.call("DELETE", "/backup").statusCode()).isEqualTo(204);
        assertThat(s.call("HEAD", "/backup").statusCode()).isEqualTo(404);
        // a read-only subuser may read, not write
        c.rgw.gateway().users.subuserCreate("dave", "reader", "read", "readsecret", false);
        Swift ro = login("dave:reader", "readsecret");
        assertThat(ro.call("GET", "/photos/readme").statusCode()).isEqualTo(200);
        assertThat(ro.call("PUT", "/photos/no", Map.of(), new byte[1]).statusCode()).isEqualTo(403);
        // quota through Swift: 413
        c.rgw.gateway().users.setQuotas("dave", null, new UserInfo.Quota(true, -1, 4));
        c.rgw.invalidateCredentials();
        assertThat(s.call("PUT", "/photos/fifth", Map.of(), new byte[1]).statusCode()).isEqualTo(413);
    }

    /** A request to the admin API signed with SigV4 by {@code u}'s first key (the AWS SDK's signer). */
    HttpResponse<String> admin(UserInfo u, String method, String pathAndQuery, byte[] body) throws Exception {
        URI uri = c.endpoint().resolve(pathAndQuery);
        SdkHttpRequest.Builder rb = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        if (body != null) {
            rb.putHeader("Content-Length", String.valueOf(body.length));
        }
        UserInfo.AccessKey k = u.keys().get(0);
        var signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(k.accessKey(), k.secretKey())).request(rb.build())
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.systemUTC());
            if (body != null) {
                r.payload(ContentStreamProvider.fromByteArray(body));
            }
        });
        Map<String, String> headers = new java.util.HashMap<>();
        signed.request().headers().forEach((n, v) -> {
            if (!n.equalsIgnoreCase("Host") && !n.equalsIgnoreCase("Content-Length")) {
                headers.put(n, v.get(0));
            }
        });
        return send(method, uri, headers, body);
    }

    @Test
    void adminApiManagesUsersWithTheUsersCapability() throws Exception {
        UserInfo root = c.user("root", "Root");
        root = c.rgw.gateway().users.capsAdd("root", "users=*");
        // without the capability: AccessDenied
        assertThat(admin(alice, "GET", "/admin/user?uid=alice", null).statusCode()).isEqualTo(403);
        var info = admin(root, "GET", "/admin/user?uid=alice&format=json", null);
        assertThat(info.statusCode()).isEqualTo(200);
        JsonNode j = RgwPools.JSON.readTree(info.body());
        assertThat(j.get("user_id").asText()).isEqualTo("alice");
        assertThat(j.get("keys").get(0).get("access_key").asText()).isEqualTo(alice.keys().get(0).accessKey());
        assertThat(admin(root, "GET", "/admin/user?uid=ghost", null).body()).contains("<Code>NoSuchUser</Code>");
        // create with given keys; the key works at once through S3
        var created = admin(root, "PUT", "/admin/user?uid=erin&display-name=Erin%20E.&email=erin@example.com"
                + "&access-key=ERINKEY0001&secret-key=erinsecret", null);
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(RgwPools.JSON.readTree(created.body()).get("display_name").asText()).isEqualTo("Erin E.");
        assertThat(admin(root, "PUT", "/admin/user?uid=erin&display-name=Again", null).statusCode()).isEqualTo(409);
        S3Client erin = S3Client.builder().endpointOverride(c.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("ERINKEY0001", "erinsecret")))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
        try {
            erin.createBucket(b -> b.bucket("erins"));
            // modify, suspend (refused at once), add a Swift key, quota
            assertThat(RgwPools.JSON.readTree(admin(root, "POST", "/admin/user?uid=erin&max-buckets=7", null).body())
                    .get("max_buckets").asInt()).isEqualTo(7);
            assertThat(admin(root, "POST", "/admin/user?uid=erin&suspended=true", null).statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> erin.listBuckets()).satisfies(t -> assertThat(((S3Exception) t).statusCode()).isEqualTo(403));
            admin(root, "POST", "/admin/user?uid=erin&suspended=false", null);
            assertThat(erin.listBuckets().buckets()).hasSize(1);
            var swiftKey = admin(root, "PUT", "/admin/user?key&uid=erin&key-type=swift&subuser=erin:sw&secret-key=swk", null);
            assertThat(RgwPools.JSON.readTree(swiftKey.body()).get(0).get("user").asText()).isEqualTo("erin:sw");
            assertThat(login("erin:sw", "swk").call("GET", "").body()).isEqualTo("erins\n");
            var s3key = admin(root, "PUT", "/admin/user?key&uid=erin", null);
            assertThat(RgwPools.JSON.readTree(s3key.body())).hasSize(2);
            assertThat(admin(root, "PUT", "/admin/user?quota&uid=erin&quota-type=bucket",
                    "{\"enabled\":true,\"max_objects\":1}".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
            assertThat(RgwPools.JSON.readTree(admin(root, "GET", "/admin/user?quota&uid=erin&quota-type=bucket", null).body())
                    .get("max_objects").asLong()).isEqualTo(1);
            erin.putObject(b -> b.bucket("erins").key("one"), RequestBody.fromString("1"));
            assertThatThrownBy(() -> erin.putObject(b -> b.bucket("erins").key("two"), RequestBody.fromString("2")))
                    .satisfies(t -> assertThat(((S3Exception) t).awsErrorDetails().errorCode()).isEqualTo("QuotaExceeded"));
            // remove: refused while erin owns a bucket, then done
            assertThat(admin(root, "DELETE", "/admin/user?uid=erin", null).statusCode()).isEqualTo(409);
            erin.deleteObject(b -> b.bucket("erins").key("one"));
            erin.deleteBucket(b -> b.bucket("erins"));
            assertThat(admin(root, "DELETE", "/admin/user?uid=erin", null).statusCode()).isEqualTo(200);
            assertThat(admin(root, "GET", "/admin/user?uid=erin", null).statusCode()).isEqualTo(404);
        } finally {
            erin.close();
        }
    }

    @Test
    void aKeyUsedBeforeItsUserExistsWorksOnceCreated() throws Exception {
        S3Client early = S3Client.builder().endpointOverride(c.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("EARLYKEY0001", "earlysecret")))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
        try {
            assertThatThrownBy(early::listBuckets)
                    .satisfies(t -> assertThat(((S3Exception) t).awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId"));
            // created behind the gateway's back (as `loligo rgw user create` does), not through it
            c.rgw.gateway().users.create(null, "frank", "Frank", "", "EARLYKEY0001", "earlysecret");
            long start = System.nanoTime();
            RgwTestCluster.await("the new key accepted", Duration.ofSeconds(30), () -> {
                try {
                    early.listBuckets();
                    return true;
                } catch (S3Exception e) {
                    return false;
                }
            });
            // well within the 5 s the miss stays cached: the keys epoch poll (250 ms) forgot it
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4_500));
        } finally {
            early.close();
        }
    }

    @Test
    void accessLogAndPrometheusCounters() throws Exception {
        s3.createBucket(b -> b.bucket("logged"));
        s3.putObject(b -> b.bucket("logged").key("k"), RequestBody.fromString("1234"));   // a new key: one insert
        s3.putObject(b -> b.bucket("logged").key("k"), RequestBody.fromString("12345"));  // an overwrite: a guarded write
        s3.getObjectAsBytes(b -> b.bucket("logged").key("k"));
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("logged").key("missing"))).isInstanceOf(S3Exception.class);
        Path logFile = c.dir.resolve("log").resolve("rgw.t.access.log");
        RgwTestCluster.await("access log lines", Duration.ofSeconds(30), () -> {
            try {
                return Files.exists(logFile) && Files.readString(logFile).contains("/logged/missing");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        List<String> lines = Files.readAllLines(logFile);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"PUT /logged/k\" 200").contains(" PutObject alice tx"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"GET /logged/k\" 200").contains(" GetObject alice "));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"GET /logged/missing\" 404"));
        var m = send("GET", c.endpoint().resolve("/admin/metrics"), Map.of(), null);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        String text = m.body();
        long puts = c.rgw.stats().snapshot().get("PutObject").count();
        assertThat(puts).isGreaterThanOrEqualTo(1);
        assertThat(text).contains("loligo_rgw_requests_total{op=\"PutObject\"} ");
        assertThat(text).contains("loligo_rgw_errors_total{op=\"GetObject\"} ");
        assertThat(text).containsPattern("loligo_rgw_sent_bytes_total\\{op=\"GetObject\"\\} [1-9]");
        assertThat(text).containsPattern("loligo_rgw_received_bytes_total\\{op=\"PutObject\"\\} [1-9]");
        assertThat(text).contains("loligo_rgw_request_seconds_bucket{op=\"GetObject\",le=\"+Inf\"} ");
        assertThat(text).containsPattern("loligo_rgw_request_seconds_count\\{op=\"PutObject\"\\} [1-9]");
        assertThat(text).containsPattern("loligo_rgw_index_inserts_total [1-9]");
        assertThat(text).containsPattern("loligo_rgw_index_guarded_writes_total [1-9]").contains("loligo_rgw_access_log_dropped_total 0");
    }
}
