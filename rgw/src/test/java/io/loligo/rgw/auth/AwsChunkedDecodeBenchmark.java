package io.loligo.rgw.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Run by hand (no timing assertions): what the body checks cost on a PUT's hot path, each against
 * the floor it cannot beat, measured in the same run. A 64 MiB payload in memory is read through
 * 64 KiB reads; best of {@code ROUNDS} rounds.
 * <ul>
 * <li>copy: the payload read straight from memory (the floor of any stream);</li>
 * <li>aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer, 64 KiB chunks, against
 *     copy + CRC32 of the payload;</li>
 * <li>aws-chunked, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, 64 KiB chunks (every chunk hashed and its
 *     signature checked), against copy + SHA-256 of the payload;</li>
 * <li>a plain body checked against its x-amz-content-sha256, against the same floor.</li>
 * </ul>
 * <pre>mvn -pl rgw -am test -Dtest=AwsChunkedDecodeBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
public class AwsChunkedDecodeBenchmark {
    static final int PAYLOAD_BYTES = Integer.getInteger("payloadMiB", 64) << 20;
    static final int CHUNK_BYTES = 64 << 10;
    static final int ROUNDS = Integer.getInteger("rounds", 5);

    @FunctionalInterface
    interface Body {
        InputStream open() throws Exception;
    }

    /** Best MiB/s of each body over {@code ROUNDS} rounds; the bodies take turns, so load hits them alike. */
    static double[] mibPerSecond(Body... bodies) throws Exception {
        byte[] buf = new byte[64 << 10];
        long[] best = new long[bodies.length];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < bodies.length; i++) {
                long t0 = System.nanoTime();
                long n = 0;
                try (InputStream in = bodies[i].open()) {
                    for (int r; (r = in.read(buf, 0, buf.length)) >= 0; ) {
                        n += r;
                    }
                }
                best[i] = Math.min(best[i], System.nanoTime() - t0);
                if (n != PAYLOAD_BYTES) {
                    throw new AssertionError("read " + n + " bytes, expected " + PAYLOAD_BYTES);
                }
            }
        }
        double[] out = new double[bodies.length];
        for (int i = 0; i < bodies.length; i++) {
            out[i] = PAYLOAD_BYTES / (1024.0 * 1024.0) / (best[i] / 1e9);
        }
        return out;
    }

    /** Reads through a digest, as the floor of a check. */
    static InputStream digesting(InputStream in, MessageDigest md, CRC32 crc) {
        return new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0 && md != null) {
                    md.update(b, off, n);
                }
                if (n > 0 && crc != null) {
                    crc.update(b, off, n);
                }
                return n;
            }
        };
    }

    @Test
    void decodeThroughputAgainstItsFloors() throws Exception {
        byte[] payload = new byte[PAYLOAD_BYTES];
        new SplittableRandom(1).nextBytes(payload);
        byte[] unsignedWire = frame(payload, null);
        byte[] key = SigningKeys.derive("secret", "20261125", "us-east-1", "s3");
        String seed = "0".repeat(64);
        byte[] signedWire = frame(payload, new ChunkSigner(key, "20261125T000000Z", "20261125/us-east-1/s3/aws4_request", seed));
        String sha = Canonical.hex(MessageDigest.getInstance("SHA-256").digest(payload));

        double[] r = mibPerSecond(
                () -> new ByteArrayInputStream(payload),
                () -> digesting(new ByteArrayInputStream(payload), null, new CRC32()),
                () -> digesting(new ByteArrayInputStream(payload), MessageDigest.getInstance("SHA-256"), null),
                () -> new AwsChunkedInputStream(new ByteArrayInputStream(unsignedWire), null, ChecksumAlgorithm.CRC32, null,
                        PAYLOAD_BYTES),
                () -> new AwsChunkedInputStream(new ByteArrayInputStream(signedWire), new ChunkSigner(key,
                        "20261125T000000Z", "20261125/us-east-1/s3/aws4_request", seed), null, null, PAYLOAD_BYTES),
                () -> new VerifyingInputStream(new ByteArrayInputStream(payload), sha, null));
        double copy = r[0];
        double copyCrc = r[1];
        double copySha = r[2];
        double unsigned = r[3];
        double signed = r[4];
        double plain = r[5];

        System.out.printf(Locale.ROOT, "payload %d MiB, %d KiB chunks, best of %d rounds (MiB/s)%n", PAYLOAD_BYTES >> 20,
                CHUNK_BYTES >> 10, ROUNDS);
        System.out.printf(Locale.ROOT, "  copy (floor)                         %8.0f%n", copy);
        System.out.printf(Locale.ROOT, "  copy + CRC32 (floor)                 %8.0f%n", copyCrc);
        System.out.printf(Locale.ROOT, "  unsigned aws-chunked + CRC32 trailer %8.0f  = %.2fx its floor%n", unsigned, unsigned / copyCrc);
        System.out.printf(Locale.ROOT, "  copy + SHA-256 (floor)               %8.0f%n", copySha);
        System.out.printf(Locale.ROOT, "  signed aws-chunked (chunk sigs)      %8.0f  = %.2fx its floor%n", signed, signed / copySha);
        System.out.printf(Locale.ROOT, "  plain body, x-amz-content-sha256     %8.0f  = %.2fx its floor%n", plain, plain / copySha);
    }

    /**
     * What authenticating one signed request head costs: SigV4Authenticator.authenticate on an
     * SDK-signed GET (cached signing key), against the floor of one HMAC-SHA256 with a fresh Mac, in
     * the same run.
     */
    @Test
    void headerAuthenticationsPerSecond() throws Exception {
        java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.parse("2026-11-25T12:00:00Z"), java.time.ZoneOffset.UTC);
        SdkSignedRequests.Signed get = SdkSignedRequests.sign(SdkSignedRequests.request(
                software.amazon.awssdk.http.SdkHttpMethod.GET, "bucket", "some/key.txt"), null, "AK", "SK", "us-east-1", clock,
                r -> { });
        SigV4Authenticator auth = new SigV4Authenticator(k -> java.util.Optional.of(new Credentials("AK", "SK", "u", false)), clock);
        byte[] key = SigningKeys.derive("SK", "20261125", "us-east-1", "s3");
        int n = 200_000;
        double bestAuth = 0;
        double bestHmac = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                auth.authenticate(get.head());
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Canonical.hmacSha256(key, "AWS4-HMAC-SHA256\n20261125T120000Z\n20261125/us-east-1/s3/aws4_request\n" + i);
            }
            long t2 = System.nanoTime();
            bestAuth = Math.max(bestAuth, n / ((t1 - t0) / 1e9));
            bestHmac = Math.max(bestHmac, n / ((t2 - t1) / 1e9));
        }
        System.out.printf(Locale.ROOT, "SigV4 header authentications/s (one thread): %.0f; one HMAC-SHA256 (floor): %.0f/s; "
                + "ratio %.2f%n", bestAuth, bestHmac, bestAuth / bestHmac);
    }

    /** aws-chunked framing of {@code payload}: signed when {@code signer} is given, else with a CRC32 trailer. */
    static byte[] frame(byte[] payload, ChunkSigner signer) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + payload.length / 500 + 1024);
        for (int at = 0; at <= payload.length; at += CHUNK_BYTES) {
            int n = Math.min(CHUNK_BYTES, payload.length - at);
            String ext = "";
            if (signer != null) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(payload, at, n);
                ext = ";chunk-signature=" + signer.nextChunk(md.digest());
            }
            out.writeBytes((Integer.toHexString(n) + ext + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(payload, at, n);
            if (n == 0) {
                break;
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (signer == null) {
            CRC32 crc = new CRC32();
            crc.update(payload);
            byte[] v = java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
            out.writeBytes(("x-amz-checksum-crc32:" + Base64.getEncoder().encodeToString(v) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
