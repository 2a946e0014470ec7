package io.loligo.crush.binary;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.CrushMap;
import io.loligo.crush.text.CrushText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the binary codec agrees with Ceph 16.2.15 on every vector map: decoding crushtool's
 * compiled NAME.bin gives the same map as parsing the decompiled NAME.txt (shadow buckets,
 * classes, weights, steps), and encoding that map gives NAME.bin back byte for byte.
 */
class CrushBinaryVectorsTest {
    static final Path MAPS = Path.of(System.getProperty("loligo.root", "."), "testvectors", "crush", "maps");

    static Stream<String> maps() throws IOException {
        try (Stream<Path> files = Files.list(MAPS)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".bin"))
                    .map(n -> n.substring(0, n.length() - ".bin".length()))
                    .sorted().toList();
            assertThat(names).as("compiled maps in %s", MAPS).hasSizeGreaterThanOrEqualTo(11);
            return names.stream();
        }
    }

    static String text(String name) throws IOException {
        return Files.readString(MAPS.resolve(name + ".txt"), StandardCharsets.UTF_8);
    }

    static byte[] binary(String name) throws IOException {
        return Files.readAllBytes(MAPS.resolve(name + ".bin"));
    }

    @ParameterizedTest
    @MethodSource("maps")
    void decodedBinaryEqualsParsedText(String name) throws Exception {
        CrushMap decoded = CrushBinary.decode(binary(name));
        assertThat(MapFacts.of(decoded)).isEqualTo(MapFacts.of(CrushText.parse(text(name))));
        assertThat(CrushText.print(decoded)).isEqualTo(text(name));
    }

    @ParameterizedTest
    @MethodSource("maps")
    void encodedParsedTextIsCrushtoolsBinary(String name) throws Exception {
        assertThat(CrushBinary.encode(CrushText.parse(text(name)))).isEqualTo(binary(name));
    }

    @ParameterizedTest
    @MethodSource("maps")
    void encodedDecodedBinaryIsTheSameBinary(String name) throws Exception {
        assertThat(CrushBinary.encode(CrushBinary.decode(binary(name)))).isEqualTo(binary(name));
    }
}
