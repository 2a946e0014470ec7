package io.loligo.crush.tester;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.DumpJsonMaps;
import io.loligo.crush.text.CrushText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code crushtool --tree} output equals Ceph's (maps/NAME.tree.txt) for every vector map, shadow trees included. */
class CrushTreePrinterTest {
    static Stream<String> maps() throws IOException {
        try (Stream<Path> files = Files.list(DumpJsonMaps.vectorsDir().resolve("maps"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tree.txt"))
                    .map(n -> n.substring(0, n.length() - ".tree.txt".length())).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void treeIsByteIdenticalToCeph(String name) throws Exception {
        Path dir = DumpJsonMaps.vectorsDir().resolve("maps");
        String text = Files.readString(dir.resolve(name + ".txt"));
        assertThat(CrushTreePrinter.print(CrushText.parse(text)))
                .isEqualTo(Files.readString(dir.resolve(name + ".tree.txt")));
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.0000001f, -0.5f, 1f, 0.015625f, 3.64f, 15.339981f})
    void weightsPrintAsCephsWeightfT(float w) {
        String s = CrushTreePrinter.weight(w);
        if (w < -0.01f) {
            assertThat(s).isEqualTo("-");
        } else if (w < 0.000001f) {
            assertThat(s).isEqualTo("0");
        } else {
            // %.5f of the exact value, ties to even (glibc): 0.015625 -> 0.01562.
            assertThat(s).isEqualTo(w == 0.015625f ? "0.01562" : String.format("%.5f", (double) w));
        }
    }
}
