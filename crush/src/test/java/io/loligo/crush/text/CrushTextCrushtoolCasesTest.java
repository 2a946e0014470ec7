package io.loligo.crush.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that compiling and printing reproduce crushtool on the corners the vector maps do not
 * reach: device-class shadow ids handed out around explicit ids (two roots, a host with two
 * parents, a class named only by a bucket, no shadow trees at all when there is no rule), Ceph's
 * bucket reordering, tree and uniform positions, a missing type 0, half-even weight rounding (0.0625 prints 0.062), unnamed rules,
 * choose_args (printed for straw2 buckets only, as crushtool does). Expected texts are crushtool
 * 16.2.15's own output (resources/io/loligo/crush/text/crushtool/README.md).
 */
class CrushTextCrushtoolCasesTest {
    static Path dir() throws URISyntaxException {
        return Path.of(CrushTextCrushtoolCasesTest.class.getResource("crushtool").toURI());
    }

    static Stream<String> cases() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(dir())) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".src.txt"))
                    .map(n -> n.substring(0, n.length() - ".src.txt".length()))
                    .sorted().toList();
            assertThat(names).isNotEmpty();
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void compiledSourcePrintsAsCrushtoolDecompiledIt(String name) throws Exception {
        String source = Files.readString(dir().resolve(name + ".src.txt"), StandardCharsets.UTF_8);
        String expected = Files.readString(dir().resolve(name + ".txt"), StandardCharsets.UTF_8);
        assertThat(CrushText.print(CrushText.parse(source))).isEqualTo(expected);
    }
}
