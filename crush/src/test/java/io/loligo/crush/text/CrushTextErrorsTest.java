package io.loligo.crush.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that malformed maps are rejected with a {@link CrushParseException} that points at the
 * offending word (1-based line and column, a tab counting as one column) and says what is wrong,
 * and never with an unchecked exception. Each case is a small valid map with one line replaced
 * (or added, or removed).
 */
class CrushTextErrorsTest {
    /** A valid map; cases replace one of its lines (numbered from 1). */
    static final List<String> BASE = List.of(
            "tunable choose_total_tries 50",             // 1
            "device 0 osd.0 class hdd",                  // 2
            "device 1 osd.1 class ssd",                  // 3
            "type 0 osd",                                // 4
            "type 1 host",                               // 5
            "type 2 root",                               // 6
            "host h1 {",                                 // 7
            "\tid -1",                                   // 8
            "\talg straw2",                              // 9
            "\thash 0",                                  // 10
            "\titem osd.0 weight 1.000",                 // 11
            "\titem osd.1 weight 1.000",                 // 12
            "}",                                         // 13
            "root default {",                            // 14
            "\tid -2",                                   // 15
            "\talg straw2",                              // 16
            "\titem h1",                                 // 17
            "}",                                         // 18
            "rule r0 {",                                 // 19
            "\tid 0",                                    // 20
            "\ttype replicated",                         // 21
            "\tmin_size 1",                              // 22
            "\tmax_size 10",                             // 23
            "\tstep take default",                       // 24
            "\tstep chooseleaf firstn 0 type host",      // 25
            "\tstep emit",                               // 26
            "}");                                        // 27

    static String withLine(int line, String replacement) {
        List<String> lines = new ArrayList<>(BASE);
        lines.set(line - 1, replacement);
        return String.join("\n", lines) + "\n";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("unknown item in a bucket", withLine(11, "\titem osd.9 weight 1.000"), 11, 7,
                        "item 'osd.9' in bucket 'h1' is not defined"),
                Arguments.of("duplicate bucket name", withLine(14, "root h1 {"), 14, 6,
                        "bucket or device 'h1' is already defined"),
                Arguments.of("duplicate bucket id", withLine(15, "\tid -1"), 15, 5, "duplicate bucket id -1"),
                Arguments.of("bad number for a device id", withLine(2, "device x osd.0 class hdd"), 2, 8,
                        "expected a non-negative device id but found 'x'"),
                Arguments.of("number out of range", withLine(2, "device 99999999999 osd.0"), 2, 8, "out of range"),
                Arguments.of("unknown bucket type", withLine(14, "rack default {"), 14, 1,
                        "bucket type 'rack' is not defined"),
                Arguments.of("bad alg", withLine(9, "\talg fancy"), 9, 6, "unknown bucket alg 'fancy'"),
                Arguments.of("unknown type in a rule step", withLine(25, "\tstep chooseleaf firstn 0 type rack"), 25, 32,
                        "type 'rack' not defined"),
                Arguments.of("missing closing brace", withLine(27, ""), 28, 1, "expected 'step' or '}' but found the end"),
                Arguments.of("device weight over 100", withLine(11, "\titem osd.0 weight 101"), 11, 20,
                        "exceeds the limit of 100"),
                Arguments.of("negative weight", withLine(11, "\titem osd.0 weight -1"), 11, 20, "negative weight"),
                Arguments.of("malformed weight", withLine(11, "\titem osd.0 weight 1.0.0"), 11, 20,
                        "expected a weight such as 1.000 but found '1.0.0'"),
                Arguments.of("unknown device class in take", withLine(24, "\tstep take default class nvme"), 24, 26,
                        "device class 'nvme' does not exist"),
                Arguments.of("take class of a device", withLine(24, "\tstep take osd.0 class hdd"), 24, 24,
                        "has no class information"),
                Arguments.of("duplicate rule id", withLine(27, "}\nrule r1 {\n\tid 0\n\ttype replicated\n\tmin_size 1\n"
                        + "\tmax_size 10\n\tstep take default\n\tstep emit\n}"), 29, 5, "rule 0 already exists"),
                Arguments.of("unknown tunable", withLine(1, "tunable choose_harder 5"), 1, 9,
                        "tunable 'choose_harder' not recognized"),
                Arguments.of("byte-sized tunable too big", withLine(1, "tunable chooseleaf_vary_r 256"), 1, 27,
                        "out of range"),
                Arguments.of("bucket after a rule", withLine(27, "}\nhost h2 {\n\talg straw2\n}"), 28, 6,
                        "buckets must be defined before rules"),
                Arguments.of("device after a bucket", withLine(13, "}\ndevice 2 osd.2"), 14, 1,
                        "must come before all buckets and rules"),
                Arguments.of("hash before alg", withLine(9, "\thash 0\n\talg straw2"), 9, 2, "expected 'alg'"),
                Arguments.of("uniform bucket with unequal weights", withLine(9, "\talg uniform").replace("osd.1 weight 1.000", "osd.1 weight 2.000"), 12, 20,
                        "uniform bucket items must all have identical weights"),
                Arguments.of("pos occupied", withLine(12, "\titem osd.1 weight 1.000 pos 0\n\titem osd.0 pos 0"), 13, 17,
                        "has explicit pos 0, which is occupied"),
                Arguments.of("rule without steps", withLine(24, "").replace("\tstep chooseleaf firstn 0 type host\n", "")
                        .replace("\tstep emit\n", ""), 25, 1, "a rule needs at least one step"),
                Arguments.of("punctuation in a name", withLine(11, "\titem osd.0, weight 1.000"), 11, 7,
                        "expected item name"),
                Arguments.of("unknown step", withLine(26, "\tstep emitt"), 26, 7, "unknown step 'emitt'"),
                Arguments.of("item defined twice", withLine(3, "device 1 osd.0 class ssd"), 3, 10,
                        "item 'osd.0' defined twice"),
                Arguments.of("duplicate device class line", withLine(15, "\tid -2\n\tid -5 class hdd\n\tid -6 class hdd"),
                        17, 14, "duplicate device class hdd for bucket default"),
                Arguments.of("shadow id colliding with a bucket", withLine(15, "\tid -2\n\tid -1 class hdd"), 16, 5,
                        "shadow bucket id -1 is already the id of bucket 'h1'"),
                Arguments.of("choose_args with the wrong number of weights", withLine(27,
                        "}\nchoose_args 0 {\n  {\n    bucket_id -1\n    weight_set [\n      [ 1.0 ]\n    ]\n  }\n}"), 32, 9,
                        "-1 needs exactly 2 weights but got 1"),
                Arguments.of("choose_args for a missing bucket", withLine(27,
                        "}\nchoose_args 0 {\n  {\n    bucket_id -40\n  }\n}"), 30, 15, "bucket -40 does not exist"),
                Arguments.of("hash other than rjenkins1", withLine(10, "\thash 3"), 10, 7, "hash 3 is not supported"),
                Arguments.of("rule id above 255", withLine(20, "\tid 256"), 20, 5, "rule id 256 out of range"),
                Arguments.of("uniform bucket of zero weights (crushtool aborts)", withLine(9, "\talg uniform")
                        .replace("weight 1.000", "weight 0"), 9, 6, "needs items of equal non-zero weight"),
                Arguments.of("class take from a uniform bucket (Ceph cannot clone it)", withLine(9, "\talg uniform")
                        .replace("step take default", "step take default class hdd"), 24, 26,
                        "step take default has no class information"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedMapIsRejectedWithItsPosition(String what, String text, int line, int column, String message) {
        assertThatThrownBy(() -> CrushText.parse(text))
                .as(what)
                .isInstanceOfSatisfying(CrushParseException.class, e -> {
                    assertThat(e.getMessage()).as(what).contains(message);
                    assertThat(e.line()).as(what + ": line of " + e.getMessage()).isEqualTo(line);
                    assertThat(e.column()).as(what + ": column of " + e.getMessage()).isEqualTo(column);
                });
    }

    @Test
    void baseMapIsValid() throws Exception {
        String text = String.join("\n", BASE) + "\n";
        String printed = CrushText.print(CrushText.parse(text));
        assertThat(CrushText.print(CrushText.parse(printed))).isEqualTo(printed);
    }

    @Test
    void nullAndEmptyInput() throws Exception {
        assertThatThrownBy(() -> CrushText.parse(null)).isInstanceOf(CrushParseException.class);
        assertThat(CrushText.print(CrushText.parse(""))).isEqualTo(
                "# begin crush map\n\n# devices\n\n# types\n\n# buckets\n\n# rules\n\n# end crush map\n");
    }
}
