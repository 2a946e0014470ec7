package io.loligo.crush.tester;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.CrushMap;
import io.loligo.crush.text.CrushText;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random maps, Ceph's answers (src/test/resources/crush-oracle, made by crushtool 16.2.15): the
 * tester's output and the tree must equal crushtool's byte for byte. Covers what the hand-made
 * vectors do not: choose_args, odd tunables, every algorithm under classes and weights.
 */
class CrushtoolRandomMapsTest {
    static Path dir() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(CrushtoolRandomMapsTest.class.getResource("/crush-oracle/cases.tsv")).toURI())
                .getParent();
    }

    static Stream<Arguments> cases() throws IOException, URISyntaxException {
        List<String> rows = Files.readAllLines(dir().resolve("cases.tsv"));
        assertThat(rows.size()).isGreaterThan(40);
        return rows.subList(1, rows.size()).stream().map(r -> {
            String[] f = r.split("\t");
            return Arguments.of(f[0], f[1], f[2]);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesCrushtool(String id, String mapPath, String args) throws Exception {
        CrushMap map = CrushText.parse(Files.readString(dir().resolve(mapPath)));
        CrushtoolArgs parsed = CrushtoolArgs.parse(Arrays.asList(args.split(" ")));
        CrushTester tester = new CrushTester(map);
        parsed.applyTo(tester);
        StringBuilder out = new StringBuilder();
        tester.test(out, new StringBuilder());
        assertThat(out.toString()).as("case %s", id).isEqualTo(Files.readString(dir().resolve("expected/" + id + ".out")));
        assertThat(CrushTreePrinter.print(map)).as("tree of %s", id)
                .isEqualTo(Files.readString(dir().resolve("expected/" + id + ".tree.txt")));
    }
}
