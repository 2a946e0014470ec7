package io.loligo.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Crc32cTest {
    @Test
    void combineEqualsTheChecksumOfTheConcatenation() {
        SplittableRandom random = new SplittableRandom(7);
        int[] lengths = {0, 1, 3, 4, 12, 255, 4096, 65_537, 4 << 20};
        for (int a : new int[] {0, 1, 12, 1000}) {
            for (int b : lengths) {
                byte[] bytes = new byte[a + b];
                random.nextBytes(bytes);
                int whole = Crc32c.of(bytes);
                int combined = Crc32c.combine(Crc32c.of(bytes, 0, a), Crc32c.of(bytes, a, b), b);
                assertThat(combined).as("a=%d b=%d", a, b).isEqualTo(whole);
            }
        }
    }

    @Test
    void knownVector() {
        // RFC 3720 B.4: 32 bytes of zeros
        assertThat(Crc32c.of(new byte[32])).isEqualTo(0x8a9136aa);
    }
}
