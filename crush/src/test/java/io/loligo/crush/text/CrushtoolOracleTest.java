package io.loligo.crush.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.binary.CrushBinary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test against the real Ceph crushtool (skipped where it is not installed): seeded
 * random hand-written maps ({@link RandomTextMaps}) are compiled and decompiled by crushtool and
 * by us. We must refuse exactly the maps crushtool refuses, print exactly what it prints, and
 * encode exactly its binary (except tree buckets, whose unused node slots crushtool leaves
 * uninitialized: those maps are compared decoded). Replay a failure with {@code LOLIGO_SEED=<seed>}.
 */
class CrushtoolOracleTest {
    static final Path CRUSHTOOL = Path.of("/usr/bin/crushtool");

    static LongStream seeds() {
        String replay = System.getenv("LOLIGO_SEED");
        return replay != null ? LongStream.of(Long.parseLong(replay)) : LongStream.rangeClosed(1, 60);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomMapCompilesAndPrintsAsCrushtoolDoes(long seed, @TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(CRUSHTOOL), "crushtool not installed");
        String source = RandomTextMaps.generate(seed);
        Path src = Files.writeString(dir.resolve("map.txt"), source);
        Path bin = dir.resolve("map.bin");
        boolean cephCompiled = crushtool(dir, "-c", src.toString(), "-o", bin.toString()) == 0;
        CrushMap ours;
        try {
            ours = CrushText.parse(source);
        } catch (CrushParseException e) {
            assertThat(cephCompiled).as("seed %d: we refused (%s) what crushtool compiled:\n%s", seed, e.getMessage(),
                    source).isFalse();
            return;
        }
        assertThat(cephCompiled).as("seed %d: crushtool refused what we compiled:\n%s", seed, source).isTrue();
        Path txt = dir.resolve("map.out.txt");
        assertThat(crushtool(dir, "-d", bin.toString(), "-o", txt.toString())).isZero();
        String cephText = Files.readString(txt, StandardCharsets.UTF_8);
        assertThat(CrushText.print(ours)).as("seed %d text:\n%s", seed, source).isEqualTo(cephText);
        byte[] cephBinary = Files.readAllBytes(bin);
        assertThat(CrushText.print(CrushBinary.decode(cephBinary))).as("seed %d decoded", seed).isEqualTo(cephText);
        byte[] ourBinary = CrushBinary.encode(ours);
        boolean hasTree = ours.allBuckets().stream().anyMatch(b -> b.alg == CrushConstants.BUCKET_TREE);
        if (hasTree) {
            assertThat(CrushText.print(CrushBinary.decode(ourBinary))).as("seed %d", seed).isEqualTo(cephText);
            assertThat(ourBinary).as("seed %d binary length", seed).hasSameSizeAs(cephBinary);
        } else {
            assertThat(ourBinary).as("seed %d binary:\n%s", seed, source).isEqualTo(cephBinary);
        }
    }

    private static int crushtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(CRUSHTOOL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("crushtool.log").toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("crushtool " + String.join(" ", args) + " did not finish within 60 s");
            }
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }
}
