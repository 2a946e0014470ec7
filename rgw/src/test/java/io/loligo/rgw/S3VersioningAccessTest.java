package io.loligo.rgw;

import static io.loligo.rgw.S3BucketObjectTest.code;
import static io.loligo.rgw.S3BucketObjectTest.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.rgw.store.UserInfo;
import io.loligo.rgw.store.UserStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.Tag;

/** Versioning, canned ACLs and anonymous access, bucket policy, CORS, tagging, users and keys, against a real cluster. */
class S3VersioningAccessTest extends S3ClusterTest {
    @Override
    int indexShards() {
        return 2;
    }

    @Test
    void versioningKeepsVersionsAndDeleteMarkers() {
        s3.createBucket(b -> b.bucket("vers"));
        s3.putObject(b -> b.bucket("vers").key("k"), RequestBody.fromString("before"));   // the "null" version
        assertThat(s3.getBucketVersioning(b -> b.bucket("vers")).status()).isNull();
        s3.putBucketVersioning(b -> b.bucket("vers").versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        assertThat(s3.getBucketVersioning(b -> b.bucket("vers")).status()).isEqualTo(BucketVersioningStatus.ENABLED);
        String v1 = s3.putObject(b -> b.bucket("vers").key("k"), RequestBody.fromString("one")).versionId();
        String v2 = s3.putObject(b -> b.bucket("vers").key("k"), RequestBody.fromString("two")).versionId();
        assertThat(v1).isNotEqualTo(v2).isNotEqualTo("null");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("vers").key("k")).asUtf8String()).isEqualTo("two");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("vers").key("k").versionId(v1)).asUtf8String()).isEqualTo("one");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("vers").key("k").versionId("null")).asUtf8String()).isEqualTo("before");
        var versions = s3.listObjectVersions(b -> b.bucket("vers"));
        assertThat(versions.versions()).extracting(v -> v.versionId()).containsExactly(v2, v1, "null");
        assertThat(versions.versions()).extracting(v -> v.isLatest()).containsExactly(true, false, false);
        // a plain delete adds a delete marker; the key is gone but its versions are not
        var del = s3.deleteObject(b -> b.bucket("vers").key("k"));
        assertThat(del.deleteMarker()).isTrue();
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("vers").key("k"))).isInstanceOf(NoSuchKeyException.class);
        assertThat(s3.listObjectsV2(b -> b.bucket("vers")).contents()).isEmpty();
        var after = s3.listObjectVersions(b -> b.bucket("vers"));
        assertThat(after.deleteMarkers()).hasSize(1);
        assertThat(after.deleteMarkers().get(0).isLatest()).isTrue();
        assertThat(after.versions()).hasSize(3);
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("vers").key("k").versionId("0000nope")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("NoSuchVersion"));
        // removing the delete marker brings the newest version back
        s3.deleteObject(b -> b.bucket("vers").key("k").versionId(del.versionId()));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("vers").key("k")).asUtf8String()).isEqualTo("two");
        // removing the current version makes the next one current
        s3.deleteObject(b -> b.bucket("vers").key("k").versionId(v2));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("vers").key("k")).asUtf8String()).isEqualTo("one");
        // suspended: writes replace the "null" version
        s3.putBucketVersioning(b -> b.bucket("vers").versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
        s3.putObject(b -> b.bucket("vers").key("k"), RequestBody.fromString("suspended"));
        assertThat(s3.listObjectVersions(b -> b.bucket("vers")).versions()).extracting(v -> v.versionId()).containsExactly("null", v1);
        assertThat(s3.getObjectAsBytes(b -> b.bucket("vers").key("k").versionId("null")).asUtf8String()).isEqualTo("suspended");
        assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket("vers"))).satisfies(t -> assertThat(code(t)).isEqualTo("BucketNotEmpty"));
        s3.deleteObject(b -> b.bucket("vers").key("k").versionId("null"));
        s3.deleteObject(b -> b.bucket("vers").key("k").versionId(v1));
        assertThat(s3.listObjectVersions(b -> b.bucket("vers")).versions()).isEmpty();
        s3.deleteBucket(b -> b.bucket("vers"));
    }

    @Test
    void cannedAclsPolicyAndAnonymousAccess() throws Exception {
        s3.createBucket(b -> b.bucket("acl"));
        s3.putObject(b -> b.bucket("acl").key("public").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("hello world"));
        s3.putObject(b -> b.bucket("acl").key("private"), RequestBody.fromString("secret"));
        var anon = RawHttp.send(c.endpoint(), "GET", "/acl/public", Map.of());
        assertThat(anon.statusCode()).isEqualTo(200);
        assertThat(anon.body()).isEqualTo("hello world");
        assertThat(RawHttp.send(c.endpoint(), "GET", "/acl/private", Map.of()).statusCode()).isEqualTo(403);
        assertThat(RawHttp.send(c.endpoint(), "GET", "/acl", Map.of()).statusCode()).isEqualTo(403);   // listing is private
        assertThat(RawHttp.send(c.endpoint(), "PUT", "/acl/new", Map.of(), "x".getBytes()).statusCode()).isEqualTo(403);
        assertThat(s3bob.getObjectAsBytes(b -> b.bucket("acl").key("public")).asUtf8String()).isEqualTo("hello world");
        assertThat(s3.getObjectAcl(b -> b.bucket("acl").key("public")).grants()).hasSize(2);
        // public-read bucket: anyone lists
        s3.putBucketAcl(b -> b.bucket("acl").acl(BucketCannedACL.PUBLIC_READ));
        var list = RawHttp.send(c.endpoint(), "GET", "/acl?list-type=2", Map.of());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("<Key>public</Key>");
        s3.putBucketAcl(b -> b.bucket("acl").acl(BucketCannedACL.PRIVATE));
        // a policy lets bob read and write one prefix, and denies the private key to everyone but... the owner
        String policy = """
                {"Version":"2012-10-17","Statement":[
                 {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/bob"]},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::acl/shared/*"},
                 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acl/open*"},
                 {"Effect":"Deny","Principal":{"AWS":"bob"},"Action":"s3:*","Resource":"arn:aws:s3:::acl/shared/no*"}]}""";
        s3.putBucketPolicy(b -> b.bucket("acl").policy(policy));
        assertThat(s3.getBucketPolicy(b -> b.bucket("acl")).policy()).isEqualTo(policy);
        s3bob.putObject(b -> b.bucket("acl").key("shared/x"), RequestBody.fromString("from bob"));
        assertThat(s3bob.getObjectAsBytes(b -> b.bucket("acl").key("shared/x")).asUtf8String()).isEqualTo("from bob");
        assertThatThrownBy(() -> s3bob.putObject(b -> b.bucket("acl").key("shared/no"), RequestBody.fromString("x")))
                .satisfies(t -> assertThat(status(t)).isEqualTo(403));
        assertThatThrownBy(() -> s3bob.getObjectAsBytes(b -> b.bucket("acl").key("private"))).satisfies(t -> assertThat(status(t)).isEqualTo(403));
        s3.putObject(b -> b.bucket("acl").key("open-file"), RequestBody.fromString("open"));
        assertThat(RawHttp.send(c.endpoint(), "GET", "/acl/open-file", Map.of()).body()).isEqualTo("open");
        assertThatThrownBy(() -> s3.putBucketPolicy(b -> b.bucket("acl").policy("{not json")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("MalformedPolicy"));
        s3.deleteBucketPolicy(b -> b.bucket("acl"));
        assertThatThrownBy(() -> s3.getBucketPolicy(b -> b.bucket("acl"))).satisfies(t -> assertThat(code(t)).isEqualTo("NoSuchBucketPolicy"));
        assertThat(RawHttp.send(c.endpoint(), "GET", "/acl/open-file", Map.of()).statusCode()).isEqualTo(403);
        // virtual-hosted-style addressing: Host bucket.localhost
        assertThat(RawHttp.getWithHost(c.rgw.port(), "acl.localhost:" + c.rgw.port(), "/public")).isEqualTo("hello world");
    }

    /** Expect: 100-continue: the gateway sends 100 before reading the body, and refuses without 100 when it will not read it. */
    @Test
    void expectContinueIsHonoured() throws Exception {
        s3.createBucket(b -> b.bucket("expect"));
        s3.putBucketAcl(b -> b.bucket("expect").acl(BucketCannedACL.PUBLIC_READ_WRITE));
        try (var socket = new java.net.Socket("127.0.0.1", c.rgw.port())) {
            socket.setSoTimeout(30_000);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            out.write(("PUT /expect/k HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(in.readLine()).isEmpty();
            out.write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        }
        assertThat(s3.getObjectAsBytes(b -> b.bucket("expect").key("k")).asUtf8String()).isEqualTo("hello");
        try (var socket = new java.net.Socket("127.0.0.1", c.rgw.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("PUT /acl/k HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertThat(status).isIn("HTTP/1.1 403 Forbidden", "HTTP/1.1 404 Not Found");
        }
    }

    /**
     * Many clients stalled mid-body (each parks a virtual thread in a blocking read) do not keep
     * others from being served: 300 stalled PUTs, more than a platform pool's default 200 threads.
     */
    @Test
    void stalledUploadsDoNotBlockOtherRequests() throws Exception {
        s3.createBucket(b -> b.bucket("stall"));
        s3.putBucketAcl(b -> b.bucket("stall").acl(BucketCannedACL.PUBLIC_READ_WRITE));
        s3.putObject(b -> b.bucket("stall").key("ready"), RequestBody.fromString("served"));
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                var socket = new java.net.Socket("127.0.0.1", c.rgw.port());
                stalled.add(socket);
                socket.getOutputStream().write(("PUT /stall/s" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nx")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(s3.getObjectAsBytes(b -> b.bucket("stall").key("ready")).asUtf8String()).isEqualTo("served");
            }
        } finally {
            for (var socket : stalled) {
                socket.close();
            }
        }
        assertThat(s3.listObjectsV2(b -> b.bucket("stall")).contents()).extracting(o -> o.key()).containsExactly("ready");
    }

    /** Malformed and refused requests get S3's error codes, never a crash or a hang. */
    @Test
    void badRequestsGetTypedErrors() throws Exception {
        s3.createBucket(b -> b.bucket("errs"));
        s3.putBucketAcl(b -> b.bucket("errs").acl(BucketCannedACL.PUBLIC_READ_WRITE));
        try (var socket = new java.net.Socket("127.0.0.1", c.rgw.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("PUT /errs/huge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6442450944\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String reply = new String(socket.getInputStream().readNBytes(2000), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 400").contains("<Code>EntityTooLarge</Code>").doesNotContain("100 Continue");
        }
        assertThat(RawHttp.send(c.endpoint(), "POST", "/errs?delete", Map.of(), "<Delete><Object>".getBytes()).body())
                .contains("<Code>MalformedXML</Code>");
        assertThat(RawHttp.send(c.endpoint(), "GET", "/errs?max-keys=-1", Map.of()).body()).contains("<Code>InvalidArgument</Code>");
        assertThat(RawHttp.send(c.endpoint(), "GET", "/errs?encoding-type=base64", Map.of()).body()).contains("<Code>InvalidArgument</Code>");
        assertThat(RawHttp.send(c.endpoint(), "GET", "/errs?lifecycle", Map.of()).statusCode()).isIn(403, 501);
        assertThat(s3.listObjectsV2(b -> b.bucket("errs").maxKeys(5000)).maxKeys()).isEqualTo(1000);
        assertThatThrownBy(() -> s3.getBucketLifecycleConfiguration(b -> b.bucket("errs")))
                .satisfies(t -> assertThat(code(t)).isEqualTo("NotImplemented"));
        var patch = RawHttp.send(c.endpoint(), "PATCH", "/errs/k", Map.of());
        assertThat(patch.statusCode()).isEqualTo(405);
        assertThat(patch.body()).contains("<Code>MethodNotAllowed</Code>");
        assertThat(RawHttp.send(c.endpoint(), "PUT", "/errs/k", Map.of("Content-MD5", "not-base64!"), "x".getBytes()).body())
                .contains("<Code>InvalidDigest</Code>");
        assertThat(RawHttp.send(c.endpoint(), "PUT", "/errs/k", Map.of("x-amz-acl", "everyone-rw"), "x".getBytes()).body())
                .contains("<Code>InvalidArgument</Code>");
        var head = RawHttp.send(c.endpoint(), "HEAD", "/errs/missing", Map.of());
        assertThat(head.statusCode()).isEqualTo(404);
        assertThat(head.body()).isEmpty();
        // a body shorter than its Content-Length: nothing becomes visible
        try (var socket = new java.net.Socket("127.0.0.1", c.rgw.port())) {
            socket.getOutputStream().write(("PUT /errs/short HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nonly-this")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            socket.getInputStream().readAllBytes();
        }
        assertThat(RawHttp.send(c.endpoint(), "HEAD", "/errs/short", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void corsConfigurationAndPreflight() throws Exception {
        s3.createBucket(b -> b.bucket("cors"));
        assertThat(RawHttp.send(c.endpoint(), "OPTIONS", "/cors/k", Map.of("Origin", "https://a.example",
                "Access-Control-Request-Method", "GET")).statusCode()).isEqualTo(403);
        s3.putBucketCors(b -> b.bucket("cors").corsConfiguration(cfg -> cfg.corsRules(CORSRule.builder()
                .allowedOrigins("https://*.example").allowedMethods("GET", "PUT").allowedHeaders("*").exposeHeaders("ETag")
                .maxAgeSeconds(600).build())));
        assertThat(s3.getBucketCors(b -> b.bucket("cors")).corsRules()).hasSize(1);
        var pre = RawHttp.send(c.endpoint(), "OPTIONS", "/cors/k", Map.of("Origin", "https://a.example",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"));
        assertThat(pre.statusCode()).isEqualTo(200);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).contains("https://a.example");
        assertThat(pre.headers().firstValue("Access-Control-Max-Age")).contains("600");
        assertThat(RawHttp.send(c.endpoint(), "OPTIONS", "/cors/k", Map.of("Origin", "https://evil.test",
                "Access-Control-Request-Method", "GET")).statusCode()).isEqualTo(403);
        assertThat(RawHttp.send(c.endpoint(), "OPTIONS", "/cors/k", Map.of("Origin", "https://a.example",
                "Access-Control-Request-Method", "DELETE")).statusCode()).isEqualTo(403);
        s3.deleteBucketCors(b -> b.bucket("cors"));
        assertThatThrownBy(() -> s3.getBucketCors(b -> b.bucket("cors"))).satisfies(t -> assertThat(code(t)).isEqualTo("NoSuchCORSConfiguration"));
    }

    @Test
    void objectAndBucketTagging() {
        s3.createBucket(b -> b.bucket("tags"));
        s3.putObject(b -> b.bucket("tags").key("k").tagging("a=1&b=two%20words"), RequestBody.fromString("x"));
        assertThat(s3.getObjectTagging(b -> b.bucket("tags").key("k")).tagSet()).extracting(Tag::key, Tag::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "1"), org.assertj.core.groups.Tuple.tuple("b", "two words"));
        assertThat(s3.getObject(b -> b.bucket("tags").key("k")).response().tagCount()).isEqualTo(2);
        s3.putObjectTagging(b -> b.bucket("tags").key("k").tagging(t -> t.tagSet(Tag.builder().key("c").value("3").build())));
        assertThat(s3.getObjectTagging(b -> b.bucket("tags").key("k")).tagSet()).extracting(Tag::key).containsExactly("c");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("tags").key("k")).asUtf8String()).isEqualTo("x");
        s3.deleteObjectTagging(b -> b.bucket("tags").key("k"));
        assertThat(s3.getObjectTagging(b -> b.bucket("tags").key("k")).tagSet()).isEmpty();
        assertThatThrownBy(() -> s3.getBucketTagging(b -> b.bucket("tags"))).satisfies(t -> assertThat(code(t)).isEqualTo("NoSuchTagSet"));
        s3.putBucketTagging(b -> b.bucket("tags").tagging(t -> t.tagSet(Tag.builder().key("team").value("storage").build())));
        assertThat(s3.getBucketTagging(b -> b.bucket("tags")).tagSet()).extracting(Tag::value).containsExactly("storage");
        s3.deleteBucketTagging(b -> b.bucket("tags"));
        assertThatThrownBy(() -> s3.putObjectTagging(b -> b.bucket("tags").key("k").tagging(t -> t.tagSet(
                Tag.builder().key("d").value("1").build(), Tag.builder().key("d").value("2").build()))))
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidTag"));
    }

    @Test
    void usersKeysSuspensionAndTenants() {
        UserStore users = c.rgw.gateway().users;
        UserInfo carol = users.create(null, "carol", "Carol", null, "CAROLACCESSKEY0001", "carol-secret");
        assertThat(carol.keys()).containsExactly(new UserInfo.AccessKey("CAROLACCESSKEY0001", "carol-secret"));
        assertThatThrownBy(() -> users.create(null, "carol", "Again", null, null, null))
                .satisfies(t -> assertThat(((UserStore.UserException) t).code()).isEqualTo("UserAlreadyExists"));
        assertThatThrownBy(() -> users.create(null, "dave", "Dave", null, "CAROLACCESSKEY0001", "x"))
                .satisfies(t -> assertThat(((UserStore.UserException) t).code()).isEqualTo("KeyExists"));
        assertThat(users.info("dave")).isEmpty();
        S3Client s3carol = c.client(carol);
        s3carol.createBucket(b -> b.bucket("carols"));
        UserInfo twoKeys = users.keyCreate("carol", null, null);
        assertThat(twoKeys.keys()).hasSize(2);
        S3Client second = c.client(new UserInfo(carol.uid(), "", "", "", List.of(twoKeys.keys().get(1)), false, 0, null, null, 0));
        assertThat(second.listBuckets().buckets()).extracting(x -> x.name()).containsExactly("carols");
        users.suspend("carol", true);
        c.rgw.invalidateCredentials();
        assertThatThrownBy(() -> s3carol.listBuckets()).satisfies(t -> assertThat(status(t)).isEqualTo(403));
        users.suspend("carol", false);
        c.rgw.invalidateCredentials();
        assertThat(s3carol.listBuckets().buckets()).hasSize(1);
        users.keyRemove("carol", "CAROLACCESSKEY0001");
        c.rgw.invalidateCredentials();
        assertThatThrownBy(() -> s3carol.listBuckets()).satisfies(t -> assertThat(code(t)).isEqualTo("InvalidAccessKeyId"));
        assertThatThrownBy(() -> users.remove("carol")).satisfies(t -> assertThat(((UserStore.UserException) t).code()).isEqualTo("BucketsExist"));
        second.deleteBucket(b -> b.bucket("carols"));
        users.remove("carol");
        assertThat(users.list()).doesNotContain("carol").contains("alice", "bob");
        UserInfo t = users.create("acme", "eve", "Eve of Acme", "eve@acme.test", null, null);
        assertThat(t.uid()).isEqualTo("acme$eve");
        S3Client s3eve = c.client(t);
        s3eve.createBucket(b -> b.bucket("eves"));
        assertThat(s3eve.listBuckets().owner().id()).isEqualTo("acme$eve");
        assertThat(users.modify("acme$eve", "Eve E.", null, 5).displayName()).isEqualTo("Eve E.");
        assertThat(s3eve.listBuckets().owner().displayName()).isEqualTo("Eve E.");
    }
}
