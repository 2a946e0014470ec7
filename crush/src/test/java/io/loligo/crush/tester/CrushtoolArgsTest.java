package io.loligo.crush.tester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.crush.DumpJsonMaps;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * crushtool's argument quirks, each checked against what Ceph 16.2.15's crushtool printed for
 * the same arguments on maps/flat (the expected lines below are its output).
 */
class CrushtoolArgsTest {
    private static String run(String... args) throws Exception {
        CrushtoolArgs parsed = CrushtoolArgs.parse(List.of(args));
        CrushTester tester = new CrushTester(DumpJsonMaps.load("flat"));
        parsed.applyTo(tester);
        StringBuilder out = new StringBuilder();
        tester.test(out, new StringBuilder());
        return out.toString();
    }

    @Test
    void laterOptionsOverrideEarlierOnes() throws Exception {
        // --x 5 sets both bounds; the later --min-x 2 lowers the minimum again.
        assertThat(run("--test", "--show-mappings", "--rule", "0", "--num-rep", "2", "--x", "5", "--min-x", "2"))
                .isEqualTo("""
                        CRUSH rule 0 x 2 [4,3]
                        CRUSH rule 0 x 3 [0,4]
                        CRUSH rule 0 x 4 [5,0]
                        CRUSH rule 0 x 5 [3,0]
                        """);
    }

    @Test
    void underscoresEqualsSignsAndLenientWeights() throws Exception {
        // '_' and '-' are the same, --opt=value works, and weights are read with C's atof:
        // "0.5abc" is 0.5 and "abc" is 0.
        String expected = """
                CRUSH rule 0 x 1 [4,0]
                CRUSH rule 0 x 2 [3,0]
                CRUSH rule 0 x 3 [0,3]
                """;
        assertThat(run("--test", "--show-mappings", "--rule", "0", "--num_rep=2", "--max_x=3", "--min-x", "1",
                "--weight", "4", "0.5abc", "--weight", "1", "abc")).isEqualTo(expected);
        assertThat(run("--test", "--show-mappings", "--rule", "0", "--num-rep", "2", "--min-x", "1", "--max-x", "3",
                "--weight", "4", "0.5", "--weight", "1", "0")).isEqualTo(expected);
    }

    @Test
    void atofTakesTheLongestNumericPrefix() {
        assertThat(CrushtoolArgs.atof("0.5abc")).isEqualTo(0.5);
        assertThat(CrushtoolArgs.atof("abc")).isZero();
        assertThat(CrushtoolArgs.atof("  -1e-1x")).isEqualTo(-0.1);
        assertThat(CrushtoolArgs.atof(".25")).isEqualTo(0.25);
        assertThat(CrushtoolArgs.atof("1.")).isEqualTo(1.0);
        assertThat(CrushtoolArgs.atof("inf")).isInfinite();
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThatThrownBy(() -> CrushtoolArgs.parse(List.of("--test", "--frobnicate")))
                .isInstanceOf(CrushtoolArgs.UsageException.class).hasMessage("unrecognized arguments: [--frobnicate]");
        assertThatThrownBy(() -> CrushtoolArgs.parse(List.of("--test", "--rule")))
                .isInstanceOf(CrushtoolArgs.UsageException.class).hasMessage("Option --rule requires an argument.");
        assertThatThrownBy(() -> CrushtoolArgs.parse(List.of("--test", "--rule", "1.5")))
                .isInstanceOf(CrushtoolArgs.UsageException.class).hasMessage("The option value '1.5' is invalid");
        assertThatThrownBy(() -> CrushtoolArgs.parse(List.of("--test", "--weight", "3")))
                .isInstanceOf(CrushtoolArgs.UsageException.class).hasMessage("expecting additional argument to --weight");
        assertThatThrownBy(() -> CrushtoolArgs.parse(List.of("-i", "m", "--reweight")))
                .isInstanceOf(CrushtoolArgs.UsageException.class).hasMessageContaining("not supported");
    }
}
