package io.loligo.rgw;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.rgw.store.UserInfo;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * On demand (too slow and too big for CI): the gateway as its own process with its heap capped at
 * 512 MiB, OSDs with `loligo up`'s JVM profile.
 * {@code LOLIGO_RGW_BENCH=1}: runs ../shared/anchors/s3bench.sh (rclone, 16 transfers) against it.
 * {@code LOLIGO_RGW_HUGE=1}: PUTs and GETs one 5 GiB object through it, checking the MD5 both ways
 * (data pool size 1 so the test needs ~5 GiB of disk, not 15).
 */
class RgwBenchmarkTest {
    static final List<String> OSD_FLAGS = List.of("-Xmx1g");
    static final List<String> GATEWAY_FLAGS = List.of("-Xmx512m", "-XX:+UseParallelGC");

    private static S3Client serving(RgwTestCluster c, UserInfo u, int port) throws Exception {
        S3Client s3 = c.client(u, URI.create("http://127.0.0.1:" + port));
        RgwTestCluster.await("gateway process serving", Duration.ofSeconds(60), () -> {
            try {
                s3.listBuckets();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
        return s3;
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "LOLIGO_RGW_BENCH", matches = "1")
    void s3benchAgainstTheGatewayProcess() throws Exception {
        try (RgwTestCluster c = new RgwTestCluster(4L << 30, OSD_FLAGS)) {
            c.start(RgwConfig.defaults().withGc(Duration.ofSeconds(10), Duration.ofSeconds(5)));
            UserInfo u = c.rgw.gateway().users.create(null, "bench", "Bench", null, "BENCHACCESSKEY000001", "benchSecret0000000000000000000000000001");
            int port = RgwTestCluster.freePort();
            c.startGatewayProcess(port, GATEWAY_FLAGS);
            serving(c, u, port);
            Path out = Path.of(System.getProperty("java.io.tmpdir"), "rgw-s3bench-" + ProcessHandle.current().pid() + ".txt");
            Path script = Path.of(System.getProperty("loligo.root", "..")).resolve("../shared/anchors/s3bench.sh").normalize();
            if (!Files.exists(script)) {
                script = Path.of("/work/shared/anchors/s3bench.sh");
            }
            Process p = new ProcessBuilder("bash", script.toString(), "http://127.0.0.1:" + port, "BENCHACCESSKEY000001",
                    "benchSecret0000000000000000000000000001").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
            int code = p.waitFor();
            System.err.println(Files.readString(out));
            assertThat(code).as("s3bench exit code; output in " + out).isZero();
        }
    }

    /** Deterministic pseudo-random bytes from a seed, generated as read. */
    static final class Generated extends InputStream {
        private final SplittableRandom random;
        private final MessageDigest md5;
        private long remaining;
        private final byte[] block = new byte[1 << 16];
        private int pos = block.length;

        Generated(long seed, long length, MessageDigest md5) {
            this.random = new SplittableRandom(seed);
            this.remaining = length;
            this.md5 = md5;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            if (pos == block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        block[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                pos = 0;
            }
            int n = (int) Math.min(Math.min(len, block.length - pos), remaining);
            System.arraycopy(block, pos, b, off, n);
            md5.update(block, pos, n);
            pos += n;
            remaining -= n;
            return n;
        }
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "LOLIGO_RGW_HUGE", matches = "1")
    void fiveGibPutAndGetWithA512MibGatewayHeap() throws Exception {
        long size = 5L << 30;
        try (RgwTestCluster c = new RgwTestCluster(3L << 30, OSD_FLAGS).dataPoolSize(1)) {
            c.start(RgwConfig.defaults());
            UserInfo u = c.user("huge", "Huge");
            int port = RgwTestCluster.freePort();
            c.startGatewayProcess(port, GATEWAY_FLAGS);
            S3Client s3 = serving(c, u, port);
            s3.createBucket(b -> b.bucket("huge"));
            MessageDigest sent = MessageDigest.getInstance("MD5");
            long t0 = System.nanoTime();
            s3.putObject(b -> b.bucket("huge").key("five-gib"),
                    RequestBody.fromContentProvider(() -> new Generated(42, size, sent), size, "application/octet-stream"));
            long putNanos = System.nanoTime() - t0;
            MessageDigest got = MessageDigest.getInstance("MD5");
            long t1 = System.nanoTime();
            long n = 0;
            try (InputStream in = s3.getObject(b -> b.bucket("huge").key("five-gib"))) {
                byte[] buf = new byte[1 << 20];
                for (int r; (r = in.read(buf)) > 0; ) {
                    got.update(buf, 0, r);
                    n += r;
                }
            }
            long getNanos = System.nanoTime() - t1;
            assertThat(n).isEqualTo(size);
            assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
            System.out.printf("5 GiB through a gateway with -Xmx512m: PUT %.1f s (%.0f MiB/s), GET %.1f s (%.0f MiB/s)%n",
                    putNanos / 1e9, size / 1048576.0 / (putNanos / 1e9), getNanos / 1e9, size / 1048576.0 / (getNanos / 1e9));
        }
    }
}
