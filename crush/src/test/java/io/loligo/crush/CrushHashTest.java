package io.loligo.crush;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the hashes are Ceph's, bit for bit: every row of the vectors Ceph 16.2.15's own
 * libceph-common computed (testvectors/crush/hash) must come out the same.
 */
class CrushHashTest {
    @Test
    void crushHash32MatchesCephForEveryVector() throws IOException {
        List<String> rows = Files.readAllLines(DumpJsonMaps.vectorsDir().resolve("hash/crush_hash32_rjenkins1.tsv"));
        int checked = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split("\t", -1);
            int nargs = Integer.parseInt(f[0]);
            int[] v = new int[5];
            for (int i = 0; i < nargs; i++) {
                v[i] = (int) Long.parseLong(f[1 + i]);
            }
            int got = switch (nargs) {
                case 1 -> CrushHash.hash32(0, v[0]);
                case 2 -> CrushHash.hash32_2(0, v[0], v[1]);
                case 3 -> CrushHash.hash32_3(0, v[0], v[1], v[2]);
                case 4 -> CrushHash.hash32_4(0, v[0], v[1], v[2], v[3]);
                case 5 -> CrushHash.hash32_5(0, v[0], v[1], v[2], v[3], v[4]);
                default -> throw new IllegalStateException("bad nargs " + nargs);
            };
            assertThat(Integer.toUnsignedLong(got)).as("row %s", row).isEqualTo(Long.parseLong(f[6]));
            checked++;
        }
        assertThat(checked).isEqualTo(300);
    }

    @Test
    void strHashRjenkinsMatchesCephForEveryName() throws IOException {
        List<String> rows = Files.readAllLines(DumpJsonMaps.vectorsDir().resolve("hash/ceph_str_hash_rjenkins.tsv"),
                StandardCharsets.UTF_8);
        int checked = 0;
        for (String row : rows.subList(1, rows.size())) {
            // The name may itself contain tabs; the last three fields are the numbers.
            int c3 = row.lastIndexOf('\t');
            int c2 = row.lastIndexOf('\t', c3 - 1);
            int c1 = row.lastIndexOf('\t', c2 - 1);
            String name = row.substring(0, c1);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            assertThat(bytes.length).as("utf8 length of %s", name).isEqualTo(Integer.parseInt(row.substring(c1 + 1, c2)));
            long expected = Long.parseLong(row.substring(c3 + 1));
            assertThat(Integer.toUnsignedLong(CrushHash.strHashRjenkins(name))).as("name %s", name).isEqualTo(expected);
            assertThat(Long.parseLong(row.substring(c2 + 1, c3), 16)).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).isGreaterThan(200);
    }

    @Test
    void interleavedPairEqualsTwoSingleHashes() {
        // rjenkins1Pair is a speed-up of straw/straw2 draws; each half must be the plain hash.
        long seed = RandomSeeds.seed(20261125L);
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            int a = random.nextInt();
            int b1 = random.nextInt();
            int c = random.nextInt();
            int b2 = i % 3 == 0 ? b1 : random.nextInt();
            long pair = CrushHash.rjenkins1Pair(a, b1, c, b2);
            assertThat((int) (pair >>> 32)).as("seed %d i %d", seed, i).isEqualTo(CrushHash.hash32_3(0, a, b1, c));
            assertThat((int) pair).as("seed %d i %d", seed, i).isEqualTo(CrushHash.hash32_3(0, a, b2, c));
        }
    }

    /** LOLIGO_SEED replays a failure; otherwise the given default. */
    static final class RandomSeeds {
        static long seed(long defaultSeed) {
            String env = System.getenv("LOLIGO_SEED");
            return env == null || env.isBlank() ? defaultSeed : Long.parseLong(env.trim());
        }
    }

    @Test
    void strHashLinuxIsTheDcacheHash() {
        // hash = (hash + (c << 4) + (c >> 4)) * 11 over the bytes, unsigned 32-bit.
        assertThat(CrushHash.strHashLinux("")).isZero();
        assertThat(CrushHash.strHashLinux("a")).isEqualTo(((0x61 << 4) + (0x61 >> 4)) * 11);
        long h = 0;
        for (byte b : "foo.bar/\u00e9".getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            h = ((h + (c << 4) + (c >> 4)) * 11) & 0xffffffffL;
        }
        assertThat(Integer.toUnsignedLong(CrushHash.strHashLinux("foo.bar/\u00e9"))).isEqualTo(h);
    }
}
