package io.loligo.crush;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds a {@link CrushMap} from {@code crushtool --dump} JSON (testvectors/crush/maps/NAME.dump.json):
 * exact 16.16 weights, bucket ids, items in order, shadow buckets and rule steps. Lets the mapper
 * be tested against Ceph's vectors independently of the text parser.
 */
public final class DumpJsonMaps {
    private DumpJsonMaps() {}

    /** The vectors folder: ${loligo.root}/testvectors/crush. */
    public static Path vectorsDir() {
        String root = System.getProperty("loligo.root");
        Path base = root != null ? Path.of(root) : Path.of("..");
        return base.resolve("testvectors/crush");
    }

    public static CrushMap load(String name) throws IOException {
        return parse(Files.readString(vectorsDir().resolve("maps/" + name + ".dump.json")));
    }

    public static CrushMap parse(String json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        CrushMap map = new CrushMap();
        for (JsonNode d : root.get("devices")) {
            JsonNode cls = d.get("class");
            map.devices.put(d.get("id").asInt(), new CrushMap.Device(d.get("id").asInt(), d.get("name").asText(),
                    cls == null ? null : cls.asText()));
        }
        for (JsonNode t : root.get("types")) {
            map.types.put(t.get("type_id").asInt(), t.get("name").asText());
        }
        for (JsonNode b : root.get("buckets")) {
            Bucket bucket = new Bucket(b.get("id").asInt(), b.get("name").asText(), b.get("type_id").asInt(),
                    alg(b.get("alg").asText()));
            bucket.hash = b.get("hash").asText().equals("rjenkins1") ? 0 : Integer.parseInt(b.get("hash").asText());
            for (JsonNode item : b.get("items")) {
                bucket.items.add(new Bucket.Item(item.get("id").asInt(), item.get("weight").asInt()));
            }
            map.buckets.put(bucket.id, bucket);
        }
        for (Bucket b : map.buckets.values()) {
            int tilde = b.name.indexOf('~');
            if (tilde > 0) {
                Bucket original = map.bucketByName(b.name.substring(0, tilde));
                b.shadowOf = original.id;
                b.shadowClass = b.name.substring(tilde + 1);
                original.classIds.put(b.shadowClass, b.id);
            }
        }
        for (JsonNode r : root.get("rules")) {
            Rule rule = new Rule(r.get("rule_id").asInt(), r.get("rule_name").asText());
            rule.type = r.get("type").asInt();
            rule.minSize = r.get("min_size").asInt();
            rule.maxSize = r.get("max_size").asInt();
            for (JsonNode s : r.get("steps")) {
                rule.steps.add(step(map, s));
            }
            map.rules.put(rule.id, rule);
        }
        JsonNode t = root.get("tunables");
        map.tunables.chooseLocalTries = t.get("choose_local_tries").asInt();
        map.tunables.chooseLocalFallbackTries = t.get("choose_local_fallback_tries").asInt();
        map.tunables.chooseTotalTries = t.get("choose_total_tries").asInt();
        map.tunables.chooseleafDescendOnce = t.get("chooseleaf_descend_once").asInt();
        map.tunables.chooseleafVaryR = t.get("chooseleaf_vary_r").asInt();
        map.tunables.chooseleafStable = t.get("chooseleaf_stable").asInt();
        map.tunables.strawCalcVersion = t.get("straw_calc_version").asInt();
        map.tunables.allowedBucketAlgs = t.get("allowed_bucket_algs").asInt();
        return map;
    }

    private static int alg(String name) {
        return switch (name) {
            case "uniform" -> CrushConstants.BUCKET_UNIFORM;
            case "list" -> CrushConstants.BUCKET_LIST;
            case "tree" -> CrushConstants.BUCKET_TREE;
            case "straw" -> CrushConstants.BUCKET_STRAW;
            case "straw2" -> CrushConstants.BUCKET_STRAW2;
            default -> throw new IllegalArgumentException("unknown alg " + name);
        };
    }

    private static Rule.Step step(CrushMap map, JsonNode s) {
        if (s.has("opcode")) {
            return new Rule.Step(s.get("opcode").asInt(), s.get("arg1").asInt(), s.get("arg2").asInt());
        }
        String op = s.get("op").asText();
        return switch (op) {
            case "take" -> new Rule.Step(CrushConstants.RULE_TAKE, s.get("item").asInt(), 0);
            case "emit" -> new Rule.Step(CrushConstants.RULE_EMIT, 0, 0);
            case "noop" -> new Rule.Step(CrushConstants.RULE_NOOP, 0, 0);
            case "choose_firstn" -> choose(map, CrushConstants.RULE_CHOOSE_FIRSTN, s);
            case "choose_indep" -> choose(map, CrushConstants.RULE_CHOOSE_INDEP, s);
            case "chooseleaf_firstn" -> choose(map, CrushConstants.RULE_CHOOSELEAF_FIRSTN, s);
            case "chooseleaf_indep" -> choose(map, CrushConstants.RULE_CHOOSELEAF_INDEP, s);
            case "set_choose_tries" -> new Rule.Step(CrushConstants.RULE_SET_CHOOSE_TRIES, s.get("num").asInt(), 0);
            case "set_chooseleaf_tries" -> new Rule.Step(CrushConstants.RULE_SET_CHOOSELEAF_TRIES, s.get("num").asInt(), 0);
            case "set_choose_local_tries" -> new Rule.Step(CrushConstants.RULE_SET_CHOOSE_LOCAL_TRIES, s.get("num").asInt(), 0);
            case "set_choose_local_fallback_tries" ->
                    new Rule.Step(CrushConstants.RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES, s.get("num").asInt(), 0);
            case "set_chooseleaf_vary_r" -> new Rule.Step(CrushConstants.RULE_SET_CHOOSELEAF_VARY_R, s.get("num").asInt(), 0);
            case "set_chooseleaf_stable" -> new Rule.Step(CrushConstants.RULE_SET_CHOOSELEAF_STABLE, s.get("num").asInt(), 0);
            default -> throw new IllegalArgumentException("unknown step " + s);
        };
    }

    private static Rule.Step choose(CrushMap map, int op, JsonNode s) {
        int type = map.typeId(s.get("type").asText());
        return new Rule.Step(op, s.get("num").asInt(), type);
    }
}
