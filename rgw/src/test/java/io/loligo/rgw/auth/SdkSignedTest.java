package io.loligo.rgw.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.rgw.auth.SdkSignedRequests.Signed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;

/**
 * Requests signed by the AWS SDK for Java v2's own signer (AwsV4HttpSigner, as S3Client uses it)
 * must authenticate, in every payload mode the SDK produces: a signed payload hash,
 * UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, and both trailer modes with each checksum
 * the SDK offers; presigned URLs; any region. Then each kind of tampering gets its S3 error.
 */
class SdkSignedTest {
    static final String AK = "LOLIGOTESTKEY0000001";
    static final String SK = "s3cr3t/with+slash=and+plus";
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String KEY = "dir/a b+c~!*'()&=$,;:@\u00fc\u4e2d.txt";

    final Map<String, Credentials> users = Map.of(AK, new Credentials(AK, SK, "tester", false),
            "SUSPENDEDKEY", new Credentials("SUSPENDEDKEY", SK, "gone", true));
    final SigV4Authenticator auth = new SigV4Authenticator(k -> Optional.ofNullable(users.get(k)), CLOCK);

    static byte[] body(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] decode(Authenticated a, byte[] wire) throws IOException {
        try (InputStream in = a.body().decode(new ByteArrayInputStream(wire))) {
            return in.readAllBytes();
        }
    }

    static Signed put(byte[] payload, String region, boolean payloadSigning, boolean chunked,
            software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum) {
        return SdkSignedRequests.sign(SdkSignedRequests.request(SdkHttpMethod.PUT, "bucket", KEY), payload, AK, SK,
                region, CLOCK, r -> {
                    r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, payloadSigning);
                    r.putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, chunked);
                    if (checksum != null) {
                        r.putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, checksum);
                    }
                });
    }

    static String code(Throwable e) {
        return e instanceof BodyAuthException b ? b.authCause().code() : ((AuthException) e).code();
    }

    @ParameterizedTest
    @ValueSource(strings = {"us-east-1", "default", "eu-west-3"})
    void signedPayloadHashAnyRegion(String region) throws Exception {
        byte[] payload = body(10_000, 1);
        Signed s = put(payload, region, true, false, null);
        assertThat(s.head().header("x-amz-content-sha256")).hasSize(64);
        Authenticated a = auth.authenticate(s.head());
        assertThat(a.who()).map(Credentials::uid).contains("tester");
        assertThat(a.decodedContentLength()).isEqualTo(10_000);
        assertThat(decode(a, s.body())).isEqualTo(payload);
    }

    @Test
    void unsignedPayload() throws Exception {
        byte[] payload = body(5000, 2);
        Signed s = put(payload, "us-east-1", false, false, null);
        assertThat(s.head().header("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(decode(auth.authenticate(s.head()), s.body())).isEqualTo(payload);
    }

    @Test
    void getWithQueryParametersAndSpecialCharacters() throws Exception {
        var request = SdkSignedRequests.request(SdkHttpMethod.GET, "bucket", null)
                .putRawQueryParameter("list-type", "2").putRawQueryParameter("prefix", "a b/c+d\u00e9")
                .putRawQueryParameter("delimiter", "/").putRawQueryParameter("encoding-type", "url")
                .putRawQueryParameter("start-after", "x=y&z");
        Signed s = SdkSignedRequests.sign(request, null, AK, SK, "us-east-1", CLOCK, r -> { });
        assertThat(auth.authenticate(s.head()).anonymous()).isFalse();
        Signed key = SdkSignedRequests.sign(SdkSignedRequests.request(SdkHttpMethod.GET, "bucket", KEY)
                .putHeader("Range", "bytes=0-9"), null, AK, SK, "us-east-1", CLOCK, r -> { });
        assertThat(auth.authenticate(key.head()).anonymous()).isFalse();
        assertThatThrownBy(() -> auth.authenticate(key.head().replaceHeader("Range", "bytes=0-10")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("SignatureDoesNotMatch"));
        assertThatThrownBy(() -> auth.authenticate(key.head().withPath(key.head().rawPath() + "x")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("SignatureDoesNotMatch"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 8191, 65536, 200_000})
    void streamingSignedPayloadVerifiesChunkChain(int size) throws Exception {
        byte[] payload = body(size, size);
        Signed s = put(payload, "us-east-1", true, true, null);
        assertThat(s.head().header("x-amz-content-sha256")).isEqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        Authenticated a = auth.authenticate(s.head());
        assertThat(a.decodedContentLength()).isEqualTo(size);
        assertThat(decode(a, s.body())).isEqualTo(payload);
        if (size > 0) {
            byte[] tampered = s.body().clone();
            tampered[tampered.length / 2] ^= 1;
            assertThatThrownBy(() -> decode(auth.authenticate(s.head()), tampered))
                    .satisfies(e -> assertThat(code(e)).isIn("SignatureDoesNotMatch", "InvalidArgument"));
        }
    }

    static Stream<software.amazon.awssdk.checksums.spi.ChecksumAlgorithm> checksums() {
        return Stream.of(DefaultChecksumAlgorithm.CRC32, DefaultChecksumAlgorithm.CRC32C, DefaultChecksumAlgorithm.SHA1,
                DefaultChecksumAlgorithm.SHA256, DefaultChecksumAlgorithm.CRC64NVME, DefaultChecksumAlgorithm.SHA512,
                DefaultChecksumAlgorithm.MD5);
    }

    private static Signed putOrSkip(byte[] payload, boolean signed, boolean chunked,
            software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum) {
        try {
            return put(payload, "us-east-1", signed, chunked, checksum);
        } catch (RuntimeException e) {
            // CRC64NVME needs the AWS CRT library in the SDK; without it the SDK cannot sign it.
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "the SDK cannot produce " + checksum.algorithmId() + ": " + e);
            return null;
        }
    }

    @ParameterizedTest
    @MethodSource("checksums")
    void unsignedTrailerChecksumIsVerified(software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum) throws Exception {
        byte[] payload = body(150_000, 3);
        Signed s = putOrSkip(payload, false, true, checksum);
        assertThat(s.head().header("x-amz-content-sha256")).isEqualTo("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        assertThat(s.head().header("x-amz-trailer")).isEqualTo("x-amz-checksum-" + checksum.algorithmId().toLowerCase());
        Authenticated a = auth.authenticate(s.head());
        assertThat(decode(a, s.body())).isEqualTo(payload);
        byte[] tampered = s.body().clone();
        int at = indexOf(tampered, payload, 100_000);
        tampered[at] ^= 1;
        assertThatThrownBy(() -> decode(auth.authenticate(s.head()), tampered))
                .satisfies(e -> assertThat(code(e)).isEqualTo("BadDigest"));
    }

    @ParameterizedTest
    @MethodSource("checksums")
    void signedTrailerChecksumAndSignatureAreVerified(software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum)
            throws Exception {
        byte[] payload = body(150_000, 4);
        Signed s = putOrSkip(payload, true, true, checksum);
        assertThat(s.head().header("x-amz-content-sha256")).isEqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
        assertThat(decode(auth.authenticate(s.head()), s.body())).isEqualTo(payload);
        // Change the trailer's value: its signature no longer holds.
        String wire = new String(s.body(), StandardCharsets.ISO_8859_1);
        int colon = wire.indexOf(':', wire.lastIndexOf("x-amz-checksum-"));
        byte[] tampered = s.body().clone();
        tampered[colon + 2] = (byte) (tampered[colon + 2] == 'A' ? 'B' : 'A');
        assertThatThrownBy(() -> decode(auth.authenticate(s.head()), tampered))
                .satisfies(e -> assertThat(code(e)).isEqualTo("SignatureDoesNotMatch"));
    }

    @ParameterizedTest
    @MethodSource("checksums")
    void checksumHeaderWithoutChunkingIsVerified(software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum)
            throws Exception {
        byte[] payload = body(20_000, 5);
        Signed s = putOrSkip(payload, false, false, checksum);
        String header = "x-amz-checksum-" + checksum.algorithmId().toLowerCase();
        org.junit.jupiter.api.Assumptions.assumeTrue(s.head().header(header) != null, "the SDK sent no " + header);
        assertThat(decode(auth.authenticate(s.head()), s.body())).isEqualTo(payload);
        byte[] other = payload.clone();
        other[7] ^= 1;
        assertThatThrownBy(() -> decode(auth.authenticate(s.head()), other))
                .satisfies(e -> assertThat(code(e)).isEqualTo("BadDigest"));
    }

    static int indexOf(byte[] wire, byte[] payload, int payloadOffset) {
        // Finds where payload[payloadOffset..+16] sits in the framed body.
        outer:
        for (int i = 0; i + 16 <= wire.length; i++) {
            for (int j = 0; j < 16; j++) {
                if (wire[i + j] != payload[payloadOffset + j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("payload bytes not found in the framed body");
    }

    @Test
    /** As S3Presigner signs: query-string auth, payload signing off (UNSIGNED-PAYLOAD). */
    void presignedUrlFromTheSdk() throws Exception {
        Signed s = SdkSignedRequests.sign(SdkSignedRequests.request(SdkHttpMethod.GET, "bucket", KEY), null, AK, SK,
                "us-east-1", CLOCK, r -> r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION,
                        AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(30)));
        assertThat(s.head().rawQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=1800");
        assertThat(s.head().header("authorization")).isNull();
        assertThat(auth.authenticate(s.head()).who()).map(Credentials::uid).contains("tester");
        SigV4Authenticator later = new SigV4Authenticator(k -> Optional.ofNullable(users.get(k)),
                Clock.fixed(NOW.plus(Duration.ofMinutes(31)), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.authenticate(s.head())).isInstanceOfSatisfying(AuthException.class, e -> {
            assertThat(e.code()).isEqualTo("AccessDenied");
            assertThat(e.getMessage()).startsWith("Request has expired");
        });
        String tooLong = s.head().rawQuery().replace("X-Amz-Expires=1800", "X-Amz-Expires=604801");
        assertThatThrownBy(() -> auth.authenticate(s.head().withQuery(tooLong)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("AuthorizationQueryParametersError"));
        assertThatThrownBy(() -> auth.authenticate(s.head().replaceHeader("Authorization", "AWS4-HMAC-SHA256 Credential=x")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        String longer = s.head().rawQuery().replace("X-Amz-Expires=1800", "X-Amz-Expires=3600");
        assertThatThrownBy(() -> auth.authenticate(s.head().withQuery(longer)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("SignatureDoesNotMatch"));
    }

    @Test
    void everyAuthenticationErrorHasItsCode() {
        Signed s = put(body(100, 6), "us-east-1", true, false, null);
        Signed wrongSecret = SdkSignedRequests.sign(SdkSignedRequests.request(SdkHttpMethod.GET, "bucket", "k"), null,
                AK, "not-the-secret", "us-east-1", CLOCK, r -> { });
        assertThatThrownBy(() -> auth.authenticate(wrongSecret.head()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("SignatureDoesNotMatch"));
        Signed unknown = SdkSignedRequests.sign(SdkSignedRequests.request(SdkHttpMethod.GET, "bucket", "k"), null,
                "NOSUCHKEY", SK, "us-east-1", CLOCK, r -> { });
        assertThatThrownBy(() -> auth.authenticate(unknown.head()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidAccessKeyId"));
        Signed suspended = SdkSignedRequests.sign(SdkSignedRequests.request(SdkHttpMethod.GET, "bucket", "k"), null,
                "SUSPENDEDKEY", SK, "us-east-1", CLOCK, r -> { });
        assertThatThrownBy(() -> auth.authenticate(suspended.head()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("UserSuspended"));
        for (int minutes : new int[] {16, -16}) {
            SigV4Authenticator skewed = new SigV4Authenticator(k -> Optional.ofNullable(users.get(k)),
                    Clock.fixed(NOW.plus(Duration.ofMinutes(minutes)), ZoneOffset.UTC));
            assertThatThrownBy(() -> skewed.authenticate(s.head()))
                    .satisfies(e -> assertThat(code(e)).isEqualTo("RequestTimeTooSkewed"));
        }
        SigV4Authenticator within = new SigV4Authenticator(k -> Optional.ofNullable(users.get(k)),
                Clock.fixed(NOW.plus(Duration.ofMinutes(14)), ZoneOffset.UTC));
        org.assertj.core.api.Assertions.assertThatCode(() -> within.authenticate(s.head())).doesNotThrowAnyException();
        assertThatThrownBy(() -> auth.authenticate(s.head().replaceHeader("Authorization", "AWS4-HMAC-SHA256 Credential=x")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("AuthorizationHeaderMalformed"));
        String otherService = s.head().header("authorization").replace("/s3/aws4_request", "/iam/aws4_request");
        assertThatThrownBy(() -> auth.authenticate(s.head().replaceHeader("Authorization", otherService)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("AuthorizationHeaderMalformed"));
        assertThatThrownBy(() -> auth.authenticate(s.head().replaceHeader("Authorization", "Bearer abc")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        assertThatThrownBy(() -> auth.authenticate(s.head().replaceHeader("x-amz-content-sha256", "SOMETHING")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        assertThatThrownBy(() -> auth.authenticate(s.head().removeHeader("x-amz-date")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("AccessDenied"));
        assertThatThrownBy(() -> auth.authenticate(s.head().replaceHeader("x-amz-date", "20261124T120000Z")))
                .satisfies(e -> assertThat(code(e)).isIn("AuthorizationHeaderMalformed", "RequestTimeTooSkewed"));
    }

    @Test
    void noSignatureIsAnonymous() throws Exception {
        TestRequest r = TestRequest.of("GET", "/bucket/public.txt").header("Host", "127.0.0.1");
        Authenticated a = auth.authenticate(r);
        assertThat(a.anonymous()).isTrue();
        assertThat(decode(a, new byte[] {1, 2})).containsExactly(1, 2);
    }

    @Test
    void signingKeysAreCachedPerScope() throws Exception {
        Signed s = put(body(10, 7), "us-east-1", true, false, null);
        auth.authenticate(s.head());
        auth.authenticate(s.head());
        assertThat(auth.cachedSigningKeys()).isEqualTo(1);
        auth.authenticate(put(body(10, 7), "default", true, false, null).head());
        assertThat(auth.cachedSigningKeys()).isEqualTo(2);
    }
}
