package io.loligo.rgw.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.rgw.auth.SdkSignedRequests.Signed;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;

/**
 * The aws-chunked decoder against seeded random bodies: random payload sizes, random chunk sizes
 * (including 1-byte chunks), every checksum, read through a source that returns random short
 * reads and by a reader that asks for random lengths (including single-byte read()). The payload
 * must come out unchanged; a flipped data byte must give BadDigest and a cut body IncompleteBody.
 * Signed bodies come from the AWS SDK's signer. Replay a failure with LOLIGO_SEED=the printed seed.
 */
class AwsChunkedPropertyTest {
    static LongStream seeds() {
        String fixed = System.getenv("LOLIGO_SEED");
        return fixed != null ? LongStream.of(Long.parseLong(fixed)) : LongStream.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    }

    /** Returns at most a random number of bytes per read, as a socket does. */
    static final class RaggedInputStream extends InputStream {
        private final InputStream in;
        private final SplittableRandom random;

        RaggedInputStream(byte[] bytes, SplittableRandom random) {
            this.in = new ByteArrayInputStream(bytes);
            this.random = random;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, Math.max(1, Math.min(len, random.nextInt(1, 20_000))));
        }
    }

    static byte[] readRandomly(InputStream in, SplittableRandom random) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[100_000];
        while (true) {
            if (random.nextInt(8) == 0) {
                int b = in.read();
                if (b < 0) {
                    return out.toByteArray();
                }
                out.write(b);
            } else {
                int n = in.read(buf, 0, random.nextInt(1, buf.length));
                if (n < 0) {
                    return out.toByteArray();
                }
                out.write(buf, 0, n);
            }
        }
    }

    /** Frames {@code payload} as STREAMING-UNSIGNED-PAYLOAD-TRAILER with random chunk sizes. */
    static byte[] frameUnsigned(byte[] payload, ChecksumAlgorithm algorithm, SplittableRandom random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int maxChunk = random.nextBoolean() ? 16 : 70_000;
        for (int at = 0; at < payload.length; ) {
            int n = Math.min(payload.length - at, random.nextInt(1, maxChunk + 1));
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(payload, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            at += n;
        }
        ChecksumAlgorithm.Running sum = algorithm.start();
        sum.update(payload, 0, payload.length);
        String value = Base64.getEncoder().encodeToString(sum.finish());
        out.writeBytes(("0\r\n" + algorithm.headerName() + ":" + value + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void unsignedTrailerBodiesDecodeWhateverTheChunkAndReadSizes(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] payload = new byte[random.nextInt(0, 300_000)];
        random.nextBytes(payload);
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.values()[random.nextInt(ChecksumAlgorithm.values().length)];
        byte[] wire = frameUnsigned(payload, algorithm, random);
        String why = "seed " + seed + " (replay: LOLIGO_SEED=" + seed + "), " + payload.length + " bytes, " + algorithm;

        InputStream in = new AwsChunkedInputStream(new RaggedInputStream(wire, random), null, algorithm, null, payload.length);
        assertThat(readRandomly(in, random)).as(why).isEqualTo(payload);

        if (payload.length > 0) {
            byte[] flipped = wire.clone();
            int dataAt = new String(wire, StandardCharsets.ISO_8859_1).indexOf("\r\n") + 2;
            flipped[dataAt] ^= 0x40;
            assertThatThrownBy(() -> readRandomly(new AwsChunkedInputStream(new RaggedInputStream(flipped, random), null,
                    algorithm, null, payload.length), random)).as(why).isInstanceOfSatisfying(BodyAuthException.class,
                            e -> assertThat(e.authCause().code()).isEqualTo("BadDigest"));
        }
        int cut = random.nextInt(0, wire.length - 4);
        byte[] truncated = java.util.Arrays.copyOf(wire, cut);
        assertThatThrownBy(() -> readRandomly(new AwsChunkedInputStream(new RaggedInputStream(truncated, random), null,
                algorithm, null, payload.length), random)).as(why).isInstanceOfSatisfying(BodyAuthException.class,
                        e -> assertThat(e.authCause().code()).isIn("IncompleteBody", "InvalidArgument", "BadDigest"));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void sdkSignedStreamingBodiesDecodeWhateverTheReadSizes(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] payload = new byte[random.nextInt(0, 400_000)];
        random.nextBytes(payload);
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
        boolean trailer = random.nextBoolean();
        Signed s = SdkSignedRequests.sign(SdkSignedRequests.request(SdkHttpMethod.PUT, "b", "k"), payload, "AK", "SK",
                "default", clock, r -> {
                    r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true);
                    r.putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, true);
                    if (trailer) {
                        r.putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.CRC32C);
                    }
                });
        SigV4Authenticator auth = new SigV4Authenticator(k -> Optional.of(new Credentials("AK", "SK", "u", false)), clock);
        Authenticated a = auth.authenticate(s.head());
        InputStream in = a.body().decode(new RaggedInputStream(s.body(), random));
        assertThat(readRandomly(in, random)).as("seed %d (replay: LOLIGO_SEED=%d), %d bytes, trailer %s", seed, seed,
                payload.length, trailer).isEqualTo(payload);
    }

    @Test
    void crc64NvmeCheckValue() {
        Crc64Nvme crc = new Crc64Nvme();
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        crc.update(check, 0, check.length);
        assertThat(crc.getValue()).isEqualTo(0xae8b14860a799888L);
        // Slice-by-8 and byte-at-a-time agree on every length and alignment.
        SplittableRandom random = new SplittableRandom(42);
        byte[] data = new byte[1000];
        random.nextBytes(data);
        for (int len = 0; len < 40; len++) {
            Crc64Nvme fast = new Crc64Nvme();
            Crc64Nvme slow = new Crc64Nvme();
            fast.update(data, 3, len);
            for (int i = 0; i < len; i++) {
                slow.update(data[3 + i]);
            }
            assertThat(fast.getValue()).as("length %d", len).isEqualTo(slow.getValue());
        }
    }
}
