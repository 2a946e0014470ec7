package io.loligo.crush.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the text parser and printer agree with Ceph 16.2.15's crushtool on every vector map
 * (testvectors/crush/maps): printing the parsed canonical text gives it back byte for byte,
 * printing the parsed hand-written source gives what {@code crushtool -d} printed, and the parsed
 * map equals, field by field, what {@code crushtool --dump} showed of the compiled map (ids, 16.16
 * weights, item order, shadow buckets, rule steps with resolved ids, tunables).
 */
class CrushTextVectorsTest {
    static final Path MAPS = Path.of(System.getProperty("loligo.root", "."), "testvectors", "crush", "maps");

    static Stream<String> maps() throws IOException {
        try (Stream<Path> files = Files.list(MAPS)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".dump.json"))
                    .map(n -> n.substring(0, n.length() - ".dump.json".length()))
                    .sorted().toList();
            assertThat(names).as("vector maps in %s", MAPS).hasSizeGreaterThanOrEqualTo(11);
            return names.stream();
        }
    }

    static String read(String name, String suffix) throws IOException {
        return Files.readString(MAPS.resolve(name + suffix), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("maps")
    void printOfParsedCanonicalTextIsTheSameText(String name) throws Exception {
        String canonical = read(name, ".txt");
        assertThat(CrushText.print(CrushText.parse(canonical))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @MethodSource("maps")
    void printOfParsedSourceIsWhatCrushtoolDecompiled(String name) throws Exception {
        assertThat(CrushText.print(CrushText.parse(read(name, ".src.txt")))).isEqualTo(read(name, ".txt"));
    }

    @ParameterizedTest
    @MethodSource("maps")
    void parsedMapEqualsCrushtoolDump(String name) throws Exception {
        JsonNode dump = new ObjectMapper().readTree(read(name, ".dump.json"));
        CrushMap map = CrushText.parse(read(name, ".txt"));
        assertThat(describe(map)).isEqualTo(describe(dump));
    }

    /** One line per fact, so a mismatch shows exactly which bucket, item or step differs. */
    static List<String> describe(CrushMap map) {
        List<String> lines = new ArrayList<>();
        map.devices.values().forEach(d -> lines.add("device " + d.id() + " " + d.name() + " " + d.deviceClass()));
        map.types.forEach((id, n) -> lines.add("type " + id + " " + n));
        for (Bucket b : map.buckets.descendingMap().values()) {
            lines.add("bucket " + b.id + " " + b.name + " type " + b.type + " weight " + b.weight() + " alg "
                    + CrushConstants.bucketAlgName(b.alg) + " hash " + b.hash);
            b.items.forEach(i -> lines.add("  item " + i.id() + " " + i.weight()));
        }
        for (Rule r : map.rules.values()) {
            lines.add("rule " + r.id + " " + r.name + " type " + r.type + " size " + r.minSize + ".." + r.maxSize);
            r.steps.forEach(s -> lines.add("  step " + s.op() + " " + s.arg1() + " " + s.arg2()));
        }
        var t = map.tunables;
        lines.add("tunables " + t.chooseLocalTries + " " + t.chooseLocalFallbackTries + " " + t.chooseTotalTries + " "
                + t.chooseleafDescendOnce + " " + t.chooseleafVaryR + " " + t.chooseleafStable + " "
                + t.strawCalcVersion + " " + t.allowedBucketAlgs);
        return lines;
    }

    static List<String> describe(JsonNode dump) {
        List<String> lines = new ArrayList<>();
        for (JsonNode d : dump.get("devices")) {
            lines.add("device " + d.get("id").asInt() + " " + d.get("name").asText() + " "
                    + (d.has("class") ? d.get("class").asText() : null));
        }
        for (JsonNode t : dump.get("types")) {
            lines.add("type " + t.get("type_id").asInt() + " " + t.get("name").asText());
        }
        for (JsonNode b : dump.get("buckets")) {
            lines.add("bucket " + b.get("id").asInt() + " " + b.get("name").asText() + " type " + b.get("type_id").asInt()
                    + " weight " + b.get("weight").asInt() + " alg " + b.get("alg").asText() + " hash "
                    + (b.get("hash").asText().equals("rjenkins1") ? 0 : -1));
            for (JsonNode i : b.get("items")) {
                lines.add("  item " + i.get("id").asInt() + " " + i.get("weight").asInt());
            }
        }
        for (JsonNode r : dump.get("rules")) {
            lines.add("rule " + r.get("rule_id").asInt() + " " + r.get("rule_name").asText() + " type "
                    + r.get("type").asInt() + " size " + r.get("min_size").asInt() + ".." + r.get("max_size").asInt());
            for (JsonNode s : r.get("steps")) {
                lines.add("  step " + step(s, dump));
            }
        }
        JsonNode t = dump.get("tunables");
        lines.add("tunables " + t.get("choose_local_tries").asInt() + " " + t.get("choose_local_fallback_tries").asInt()
                + " " + t.get("choose_total_tries").asInt() + " " + t.get("chooseleaf_descend_once").asInt() + " "
                + t.get("chooseleaf_vary_r").asInt() + " " + t.get("chooseleaf_stable").asInt() + " "
                + t.get("straw_calc_version").asInt() + " " + t.get("allowed_bucket_algs").asInt());
        return lines;
    }

    /** A dumped step as "op arg1 arg2" with Ceph's opcodes (crush.h). */
    private static String step(JsonNode s, JsonNode dump) {
        if (s.has("opcode")) {
            return s.get("opcode").asInt() + " " + s.get("arg1").asInt() + " " + s.get("arg2").asInt();
        }
        String op = s.get("op").asText();
        return switch (op) {
            case "take" -> CrushConstants.RULE_TAKE + " " + s.get("item").asInt() + " 0";
            case "emit" -> CrushConstants.RULE_EMIT + " 0 0";
            case "noop" -> CrushConstants.RULE_NOOP + " 0 0";
            case "set_choose_tries" -> CrushConstants.RULE_SET_CHOOSE_TRIES + " " + s.get("num").asInt() + " 0";
            case "set_chooseleaf_tries" -> CrushConstants.RULE_SET_CHOOSELEAF_TRIES + " " + s.get("num").asInt() + " 0";
            default -> {
                int code = switch (op) {
                    case "choose_firstn" -> CrushConstants.RULE_CHOOSE_FIRSTN;
                    case "choose_indep" -> CrushConstants.RULE_CHOOSE_INDEP;
                    case "chooseleaf_firstn" -> CrushConstants.RULE_CHOOSELEAF_FIRSTN;
                    case "chooseleaf_indep" -> CrushConstants.RULE_CHOOSELEAF_INDEP;
                    default -> throw new AssertionError("unexpected step in dump: " + s);
                };
                yield code + " " + s.get("num").asInt() + " " + typeId(dump, s.get("type").asText());
            }
        };
    }

    private static int typeId(JsonNode dump, String typeName) {
        for (JsonNode t : dump.get("types")) {
            if (t.get("name").asText().equals(typeName)) {
                return t.get("type_id").asInt();
            }
        }
        throw new AssertionError("type " + typeName + " not in dump");
    }
}
