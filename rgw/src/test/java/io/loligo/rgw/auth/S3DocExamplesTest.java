package io.loligo.rgw.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of the S3 API reference, through the whole authenticator with the clock
 * set to the examples' time: "Signature Calculations for the Authorization Header" (GET Object
 * with Range, PUT Object, GET Bucket Lifecycle, GET Bucket), "Query String Authentication" (the
 * presigned GET), "Transfer Payload in Multiple Chunks" (seed and three chunk signatures), and
 * Signature V2's "RESTAuthentication" examples (johnsmith, 2007).
 */
class S3DocExamplesTest {
    static final String AKID = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String CRED = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

    static SigV4Authenticator at(String instant) {
        Credentials user = new Credentials(AKID, SECRET, "johndoe", false);
        return new SigV4Authenticator(k -> k.equals(AKID) ? Optional.of(user) : Optional.empty(),
                Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
    }

    static byte[] readAll(Authenticated a, byte[] raw) throws IOException {
        try (InputStream in = a.body().decode(new ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        }
    }

    @Test
    void getObjectWithRange() throws Exception {
        TestRequest r = TestRequest.of("GET", "/test.txt").header("Host", "examplebucket.s3.amazonaws.com")
                .header("Range", "bytes=0-9").header("x-amz-content-sha256", Canonical.EMPTY_SHA256)
                .header("x-amz-date", "20130524T000000Z")
                .header("Authorization", "AWS4-HMAC-SHA256 " + CRED + ",SignedHeaders=host;range;x-amz-content-sha256;"
                        + "x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        Authenticated a = at("2013-05-24T00:00:00Z").authenticate(r);
        assertThat(a.who()).map(Credentials::uid).contains("johndoe");
        assertThat(readAll(a, new byte[0])).isEmpty();
    }

    @Test
    void putObjectWithSignedPayloadHash() throws Exception {
        byte[] body = "Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8);
        TestRequest r = TestRequest.of("PUT", "/test%24file.text").header("Host", "examplebucket.s3.amazonaws.com")
                .header("Date", "Fri, 24 May 2013 00:00:00 GMT").header("x-amz-date", "20130524T000000Z")
                .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .header("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
                .header("Authorization", "AWS4-HMAC-SHA256 " + CRED + ",SignedHeaders=date;host;x-amz-content-sha256;"
                        + "x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
        Authenticated a = at("2013-05-24T00:05:00Z").authenticate(r);
        assertThat(readAll(a, body)).isEqualTo(body);
        // The same head with another body: the signature holds, the payload hash does not.
        assertThatThrownBy(() -> readAll(a, "Welcome to Amazon S4.".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(BodyAuthException.class,
                        e -> assertThat(e.authCause().code()).isEqualTo("XAmzContentSHA256Mismatch"));
    }

    @Test
    void getBucketLifecycleAndListObjects() throws Exception {
        SigV4Authenticator auth = at("2013-05-24T00:00:00Z");
        TestRequest lifecycle = TestRequest.of("GET", "/?lifecycle").header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z").header("x-amz-content-sha256", Canonical.EMPTY_SHA256)
                .header("Authorization", "AWS4-HMAC-SHA256 " + CRED + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
        assertThat(auth.authenticate(lifecycle).anonymous()).isFalse();
        TestRequest list = TestRequest.of("GET", "/?max-keys=2&prefix=J").header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z").header("x-amz-content-sha256", Canonical.EMPTY_SHA256)
                .header("Authorization", "AWS4-HMAC-SHA256 " + CRED + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
        assertThat(auth.authenticate(list).anonymous()).isFalse();
        // Parameter order on the wire does not matter; their values do.
        assertThat(auth.authenticate(list.withQuery("prefix=J&max-keys=2")).anonymous()).isFalse();
        assertThatThrownBy(() -> auth.authenticate(list.withQuery("max-keys=3&prefix=J")))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.code()).isEqualTo("SignatureDoesNotMatch"));
    }

    static final String PRESIGNED = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE"
            + "%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
            + "&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    @Test
    void presignedGetIsValidForItsExpiryThenExpires() throws Exception {
        TestRequest r = TestRequest.of("GET", PRESIGNED).header("Host", "examplebucket.s3.amazonaws.com");
        assertThat(at("2013-05-24T23:59:59Z").authenticate(r).who()).map(Credentials::uid).contains("johndoe");
        assertThatThrownBy(() -> at("2013-05-25T00:00:00Z").authenticate(r))
                .isInstanceOfSatisfying(AuthException.class, e -> {
                    assertThat(e.code()).isEqualTo("AccessDenied");
                    assertThat(e.getMessage()).startsWith("Request has expired");
                });
    }

    /** The chunked upload example: 65536 + 1024 bytes of 'a' in two chunks and the final empty one. */
    static byte[] chunkedExampleBody(String sig1, String sig2, String sigFinal) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] a64k = new byte[65536];
        Arrays.fill(a64k, (byte) 'a');
        out.writeBytes(("10000;chunk-signature=" + sig1 + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(a64k);
        out.writeBytes(("\r\n400;chunk-signature=" + sig2 + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(a64k, 0, 1024);
        out.writeBytes(("\r\n0;chunk-signature=" + sigFinal + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static final String SIG1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    static final String SIG2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    static final String SIG_FINAL = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    static TestRequest chunkedExampleHead() {
        return TestRequest.of("PUT", "/examplebucket/chunkObject.txt").header("Host", "s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z").header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .header("Authorization", "AWS4-HMAC-SHA256 " + CRED + ",SignedHeaders=content-encoding;content-length;"
                        + "host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"
                        + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
                .header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD").header("Content-Encoding", "aws-chunked")
                .header("x-amz-decoded-content-length", "66560").header("Content-Length", "66824");
    }

    @Test
    void chunkedUploadExampleDecodesAndVerifiesEveryChunk() throws Exception {
        byte[] raw = chunkedExampleBody(SIG1, SIG2, SIG_FINAL);
        assertThat(raw).hasSize(66824);
        Authenticated a = at("2013-05-24T00:00:00Z").authenticate(chunkedExampleHead());
        assertThat(a.decodedContentLength()).isEqualTo(66560);
        byte[] payload = readAll(a, raw);
        assertThat(payload).hasSize(66560);
        for (byte b : payload) {
            assertThat(b).isEqualTo((byte) 'a');
        }
    }

    @Test
    void chunkedUploadExampleRejectsAWrongChunkSignatureAndATamperedChunk() throws Exception {
        Authenticated a = at("2013-05-24T00:00:00Z").authenticate(chunkedExampleHead());
        byte[] swapped = chunkedExampleBody(SIG2, SIG1, SIG_FINAL);
        assertThatThrownBy(() -> readAll(a, swapped)).isInstanceOfSatisfying(BodyAuthException.class,
                e -> assertThat(e.authCause().code()).isEqualTo("SignatureDoesNotMatch"));
        byte[] tampered = chunkedExampleBody(SIG1, SIG2, SIG_FINAL);
        tampered[66000] = 'b';
        assertThatThrownBy(() -> readAll(a, tampered)).isInstanceOfSatisfying(BodyAuthException.class,
                e -> assertThat(e.authCause().code()).isEqualTo("SignatureDoesNotMatch"));
        byte[] truncated = Arrays.copyOf(chunkedExampleBody(SIG1, SIG2, SIG_FINAL), 40000);
        assertThatThrownBy(() -> readAll(a, truncated)).isInstanceOfSatisfying(BodyAuthException.class,
                e -> assertThat(e.authCause().code()).isEqualTo("IncompleteBody"));
    }

    // Signature V2 ("RESTAuthentication"), bucket johnsmith, same secret.

    @Test
    void v2ObjectGetVirtualHosted() throws Exception {
        TestRequest r = TestRequest.of("GET", "/photos/puppy.jpg").header("Host", "johnsmith.s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=").virtualHosted("johnsmith");
        assertThat(at("2007-03-27T19:40:00Z").authenticate(r).who()).map(Credentials::uid).contains("johndoe");
        assertThatThrownBy(() -> at("2007-03-27T20:00:00Z").authenticate(r))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.code()).isEqualTo("RequestTimeTooSkewed"));
    }

    @Test
    void v2ObjectPutWithContentType() throws Exception {
        TestRequest r = TestRequest.of("PUT", "/photos/puppy.jpg").header("Content-Type", "image/jpeg")
                .header("Content-Length", "94328").header("Host", "johnsmith.s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 21:15:45 +0000")
                .header("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg=").virtualHosted("johnsmith");
        assertThat(at("2007-03-27T21:15:45Z").authenticate(r).anonymous()).isFalse();
    }

    @Test
    void v2ListAndAclSubresource() throws Exception {
        TestRequest list = TestRequest.of("GET", "/?prefix=photos&max-keys=50&marker=puppy")
                .header("User-Agent", "Mozilla/5.0").header("Host", "johnsmith.s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 19:42:41 +0000")
                .header("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:htDYFYduRNen8P9ZfE/s9SuKy0U=").virtualHosted("johnsmith");
        assertThat(at("2007-03-27T19:42:41Z").authenticate(list).anonymous()).isFalse();
        TestRequest acl = TestRequest.of("GET", "/?acl").header("Host", "johnsmith.s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 19:44:46 +0000")
                .header("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:c2WLPFtWHVgbEmeEG93a4cG37dM=").virtualHosted("johnsmith");
        assertThat(at("2007-03-27T19:44:46Z").authenticate(acl).anonymous()).isFalse();
    }

    @Test
    void v2DeleteWithXAmzDatePathStyle() throws Exception {
        TestRequest r = TestRequest.of("DELETE", "/johnsmith/photos/puppy.jpg").header("User-Agent", "dotnet")
                .header("Host", "s3.amazonaws.com").header("Date", "Tue, 27 Mar 2007 21:20:27 +0000")
                .header("x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000")
                .header("Authorization", "AWS 0PN5J17HBGZHT7JJ3X82:k3nL7gH3+PadhTEVn5Ip83xlYzk=");
        // This example was published with the docs' first example key pair.
        Credentials old = new Credentials("0PN5J17HBGZHT7JJ3X82", "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o", "john", false);
        SigV4Authenticator auth = new SigV4Authenticator(k -> Optional.of(old),
                Clock.fixed(Instant.parse("2007-03-27T21:20:26Z"), ZoneOffset.UTC));
        assertThat(auth.authenticate(r).anonymous()).isFalse();
    }

    @Test
    void v2QueryStringExpires() throws Exception {
        TestRequest r = TestRequest.of("GET", "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE"
                + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620")
                .header("Host", "johnsmith.s3.amazonaws.com").virtualHosted("johnsmith");
        assertThat(at("2007-03-29T03:40:20Z").authenticate(r).anonymous()).isFalse();
        // The same with the signature's '+' left unescaped (read as a space, as radosgw reads a query).
        assertThat(at("2007-03-29T03:40:20Z").authenticate(r.withQuery(r.rawQuery().replace("%2B", "+"))).anonymous()).isFalse();
        assertThatThrownBy(() -> at("2007-03-29T03:40:21Z").authenticate(r))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.getMessage()).startsWith("Request has expired"));
    }
}
