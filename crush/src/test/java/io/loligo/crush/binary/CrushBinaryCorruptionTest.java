package io.loligo.crush.binary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.loligo.crush.CrushMap;
import io.loligo.crush.text.CrushText;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that decoding never fails with anything but a {@link CrushBinaryException}: every
 * truncation of every vector map, and seeded random byte corruptions of them, either decode (into
 * a map that prints and encodes) or are refused with a typed error. Replay a failure with
 * {@code LOLIGO_SEED=<seed>}.
 */
class CrushBinaryCorruptionTest {
    static LongStream seeds() {
        String replay = System.getenv("LOLIGO_SEED");
        if (replay != null) {
            return LongStream.of(Long.parseLong(replay));
        }
        return LongStream.rangeClosed(1, 40);
    }

    static List<byte[]> vectorBinaries() throws Exception {
        try (Stream<String> names = CrushBinaryVectorsTest.maps()) {
            return names.map(n -> {
                try {
                    return CrushBinaryVectorsTest.binary(n);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).toList();
        }
    }

    @Test
    void everyTruncationIsDecodedOrRefusedWithATypedError() throws Exception {
        int refused = 0;
        for (byte[] full : vectorBinaries()) {
            for (int length = 0; length < full.length; length++) {
                byte[] prefix = java.util.Arrays.copyOf(full, length);
                if (!decodesOrIsRefused(prefix, "prefix of " + length + " bytes")) {
                    refused++;
                }
            }
        }
        assertThat(refused).as("most truncations are refused").isGreaterThan(1000);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomCorruptionIsDecodedOrRefusedWithATypedError(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> maps = vectorBinaries();
        for (int round = 0; round < 200; round++) {
            byte[] data = maps.get(random.nextInt(maps.size())).clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(data.length);
                data[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (data[at] ^ (1 << random.nextInt(8)));
            }
            decodesOrIsRefused(data, "seed " + seed + " round " + round);
        }
    }

    /** True if decoded (and then printing and encoding worked), false if refused with a typed error. */
    private static boolean decodesOrIsRefused(byte[] data, String what) {
        CrushMap map;
        try {
            map = CrushBinary.decode(data);
        } catch (CrushBinaryException e) {
            assertThat(e.offset()).as(what).isBetween(0, data.length);
            return false;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError(what + ": decode failed with " + e, e);
        }
        try {
            CrushText.print(map);
            CrushBinary.encode(map);
        } catch (RuntimeException e) {
            fail(what + ": decoded map does not print or encode: " + e, e);
        }
        return true;
    }
}
