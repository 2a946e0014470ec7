package io.loligo.crush.tester;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.CrushMap;
import io.loligo.crush.DumpJsonMaps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every crushtool case Ceph 16.2.15 produced (testvectors/crush/cases.tsv), run in-process:
 * the map comes from NAME.dump.json (exact weights and ids), the arguments go through
 * {@link CrushtoolArgs} and the output of {@link CrushTester} must equal crushtool's stdout
 * byte for byte (and its stderr where one was recorded).
 */
class CrushtoolCasesTest {
    static Stream<Arguments> cases() throws IOException {
        Path dir = DumpJsonMaps.vectorsDir();
        List<String> rows = Files.readAllLines(dir.resolve("cases.tsv"));
        return rows.subList(1, rows.size()).stream().filter(r -> !r.isBlank()).map(r -> {
            String[] f = r.split("\t");
            return Arguments.of(f[0], f[1], f[2], f[3]);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputIsByteIdenticalToCeph(String id, String mapPath, String args, String expectedPath) throws Exception {
        Path dir = DumpJsonMaps.vectorsDir();
        String mapName = Path.of(mapPath).getFileName().toString().replace(".txt", "");
        CrushMap map = DumpJsonMaps.load(mapName);
        CrushtoolArgs parsed = CrushtoolArgs.parse(Arrays.asList(args.split(" ")));
        assertThat(parsed.test).isTrue();
        CrushTester tester = new CrushTester(map);
        parsed.applyTo(tester);
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        tester.test(out, err);
        String expected = Files.readString(dir.resolve(expectedPath), StandardCharsets.UTF_8);
        assertThat(out.toString()).as("case %s stdout", id).isEqualTo(expected);
        Path stderr = dir.resolve(expectedPath.replace(".out", ".stderr"));
        if (Files.exists(stderr)) {
            assertThat(err.toString()).as("case %s stderr", id).isEqualTo(Files.readString(stderr));
        }
    }
}
