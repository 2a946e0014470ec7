package io.loligo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code loligo crushtool} as a user runs it: every case of Ceph 16.2.15's crushtool vectors
 * (testvectors/crush/cases.tsv) with the map given as Ceph's text (NAME.txt, through the text
 * parser), stdout compared byte for byte and exit status 0; then the command's handling of bad
 * usage (exit 2), bad maps (exit 1, with line and column) and -d / -c.
 */
class CrushtoolCommandTest {
    private Path tmp;

    @BeforeEach
    void makeTempDir() throws IOException {
        tmp = Files.createTempDirectory("crushtool-test");
    }

    @AfterEach
    void removeTempDir() throws IOException {
        try (Stream<Path> paths = Files.walk(tmp)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static Path vectors() {
        String root = System.getProperty("loligo.root");
        return (root != null ? Path.of(root) : Path.of("..")).resolve("testvectors/crush").toAbsolutePath();
    }

    /** One run's exit status, stdout and stderr. */
    record Run(int status, String out, String err) {}

    static Run crushtool(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = CrushtoolCommand.run(Arrays.asList(args), o, e);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> cases() throws IOException {
        List<String> rows = Files.readAllLines(vectors().resolve("cases.tsv"));
        return rows.subList(1, rows.size()).stream().filter(r -> !r.isBlank()).map(r -> {
            String[] f = r.split("\t");
            return Arguments.of(f[0], f[1], f[2], f[3]);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyCephCaseIsByteIdentical(String id, String map, String args, String expected) throws IOException {
        List<String> argv = new ArrayList<>(List.of("-i", vectors().resolve(map).toString()));
        argv.addAll(Arrays.asList(args.split(" ")));
        Run run = crushtool(argv.toArray(String[]::new));
        assertThat(run.status()).as("case %s exit status; stderr: %s", id, run.err()).isZero();
        assertThat(run.out()).as("case %s stdout", id).isEqualTo(Files.readString(vectors().resolve(expected)));
    }

    @Test
    void unknownOptionIsBadUsage() {
        Run run = crushtool("-i", vectors().resolve("maps/flat.txt").toString(), "--test", "--bogus");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("unrecognized arguments: [--bogus]");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void missingOrMalformedValuesAreBadUsage() {
        String map = vectors().resolve("maps/flat.txt").toString();
        assertThat(crushtool("-i", map, "--test", "--show-mappings", "--num-rep").err())
                .contains("Option --num-rep requires an argument.");
        assertThat(crushtool("-i", map, "--test", "--show-mappings", "--num-rep").status()).isEqualTo(2);
        Run notInt = crushtool("-i", map, "--test", "--show-mappings", "--num-rep", "three");
        assertThat(notInt.status()).isEqualTo(2);
        assertThat(notInt.err()).contains("The option value 'three' is invalid");
        Run weightless = crushtool("-i", map, "--test", "--show-mappings", "--weight", "1");
        assertThat(weightless.status()).isEqualTo(2);
        assertThat(weightless.err()).contains("expecting additional argument to --weight");
        assertThat(crushtool("-i").status()).isEqualTo(2);
        assertThat(crushtool().err()).contains("no action specified");
    }

    @Test
    void unparsableMapFailsWithLineAndColumn() throws IOException {
        Path bad = tmp.resolve("bad.txt");
        Files.writeString(bad, "device 0 osd.0\ntype 0 osd\nhost h { id -1 alg straw2 hash 0 item osd.9 weight 1.0 }\n");
        Run run = crushtool("-i", bad.toString(), "--test", "--show-mappings");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(bad.toString()).containsPattern("line \\d+, column \\d+");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void missingMapFileFails() {
        Run run = crushtool("-i", tmp.resolve("nope.txt").toString(), "--test", "--show-mappings");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("error reading").contains("No such file or directory");
    }

    @Test
    void decompilePrintsCephsCanonicalText() throws IOException {
        for (String name : List.of("flat", "hier18", "classes", "algs_sv0", "tunables_argonaut")) {
            Path txt = vectors().resolve("maps/" + name + ".txt");
            Run run = crushtool("-d", txt.toString());
            assertThat(run.status()).isZero();
            assertThat(run.out()).as(name).isEqualTo(Files.readString(txt));
            Path out = tmp.resolve(name + ".out.txt");
            assertThat(crushtool("-d", txt.toString(), "-o", out.toString()).status()).isZero();
            assertThat(Files.readString(out)).isEqualTo(Files.readString(txt));
        }
    }

    @Test
    void compileChecksTheMapAndWritesItOut() throws IOException {
        Path src = vectors().resolve("maps/classes.src.txt");
        Run check = crushtool("-c", src.toString());
        assertThat(check.status()).isZero();
        assertThat(check.out()).isEqualTo(
                "crushtool successfully built or modified map.  Use '-o <file>' to write it out.\n");
        Path out = tmp.resolve("classes.compiled");
        assertThat(crushtool("-c", src.toString(), "-o", out.toString()).status()).isZero();
        assertThat(Files.size(out)).isPositive();
        // Whatever form the output has (binary when a codec exists, else text), it reads back to the same placements.
        Run fromCompiled = crushtool("-i", out.toString(), "--test", "--show-mappings", "--rule", "4", "--num-rep", "3");
        Run fromText = crushtool("-i", vectors().resolve("maps/classes.txt").toString(), "--test", "--show-mappings",
                "--rule", "4", "--num-rep", "3");
        assertThat(fromCompiled.out()).isEqualTo(fromText.out()).isNotEmpty();
    }

    @Test
    void compileAndTestInOneGo() throws IOException {
        Run run = crushtool("-c", vectors().resolve("maps/flat.src.txt").toString(), "--test", "--show-mappings",
                "--rule", "0", "--num-rep", "3", "--min-x", "0", "--max-x", "1023");
        assertThat(run.status()).isZero();
        String expected = "crushtool successfully built or modified map.  Use '-o <file>' to write it out.\n"
                + Files.readString(vectors().resolve("expected/flat-r0-n3.out"));
        assertThat(run.out()).isEqualTo(expected);
    }

    @Test
    void treeMatchesCeph() throws IOException {
        for (String name : List.of("flat", "hier18", "classes", "algs_sv1", "multistep")) {
            Run run = crushtool("-i", vectors().resolve("maps/" + name + ".txt").toString(), "--tree");
            assertThat(run.status()).isZero();
            assertThat(run.out()).as(name).isEqualTo(Files.readString(vectors().resolve("maps/" + name + ".tree.txt")));
        }
    }

    @Test
    void dashReadsTheMapFromStandardInput() throws IOException {
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(Files.newInputStream(vectors().resolve("maps/hier18.txt")));
            Run run = crushtool("-i", "-", "--test", "--show-mappings", "--rule", "0", "--num-rep", "3", "--x", "17");
            assertThat(run.status()).isZero();
            assertThat(run.out()).isEqualTo(Files.readString(vectors().resolve("expected/hier18-r0-x17.out")));
        } finally {
            System.in.close();
            System.setIn(stdin);
        }
    }

    @Test
    void testWithoutDisplayOptionsWarnsAndPrintsNothing() {
        Run run = crushtool("-i", vectors().resolve("maps/flat.txt").toString(), "--test", "--rule", "0");
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("WARNING: no output selected");
    }

    @Test
    void mainRoutesCrushtoolArgumentsUntouched() {
        // picocli must hand crushtool's own options (unknown to it) to the command in order.
        assertThat(Main.run("crushtool", "--bogus-option")).isEqualTo(2);
    }
}
