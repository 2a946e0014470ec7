package io.loligo.crush.text;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a map exactly as {@code crushtool -d} does (CrushCompiler::decompile, Pacific): tunables
 * that differ from the legacy values, devices, types, buckets depth first (children before
 * parents, starting from id -1 and going down; shadow buckets are skipped and appear only as
 * {@code id N class C} lines), rules (a take of a shadow bucket prints as {@code take X class C}),
 * choose_args, and the footer.
 */
final class CrushTextPrinter {
    private final CrushMap map;
    private final StringBuilder out = new StringBuilder(4096);

    private CrushTextPrinter(CrushMap map) {
        this.map = map;
    }

    static String print(CrushMap map) {
        CrushTextPrinter p = new CrushTextPrinter(map);
        p.out.append("# begin crush map\n");
        p.tunables();
        p.devices();
        p.types();
        p.buckets();
        p.rules();
        p.chooseArgs();
        p.out.append("\n# end crush map\n");
        return p.out.toString();
    }

    /** CrushWrapper::is_valid_crush_name: non-empty, only letters, digits, '-', '_' and '.'. */
    static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private void tunables() {
        Tunables t = map.tunables;
        Tunables legacy = Tunables.legacy();
        tunable("choose_local_tries", t.chooseLocalTries, legacy.chooseLocalTries);
        tunable("choose_local_fallback_tries", t.chooseLocalFallbackTries, legacy.chooseLocalFallbackTries);
        tunable("choose_total_tries", t.chooseTotalTries, legacy.chooseTotalTries);
        tunable("chooseleaf_descend_once", t.chooseleafDescendOnce, legacy.chooseleafDescendOnce);
        tunable("chooseleaf_vary_r", t.chooseleafVaryR, legacy.chooseleafVaryR);
        tunable("chooseleaf_stable", t.chooseleafStable, legacy.chooseleafStable);
        tunable("straw_calc_version", t.strawCalcVersion, legacy.strawCalcVersion);
        tunable("allowed_bucket_algs", t.allowedBucketAlgs, legacy.allowedBucketAlgs);
    }

    private void tunable(String name, int value, int legacy) {
        if (value != legacy) {
            out.append("tunable ").append(name).append(' ').append(value).append('\n');   // Ceph prints the getters' int
        }
    }

    private void devices() {
        out.append("\n# devices\n");
        for (CrushMap.Device d : map.devices.values()) {
            if (d.name() == null) {
                continue;
            }
            out.append("device ").append(d.id()).append(' ').append(d.name());
            if (d.deviceClass() != null) {
                out.append(" class ").append(d.deviceClass());
            }
            out.append('\n');
        }
    }

    private void types() {
        out.append("\n# types\n");
        if (!map.types.containsKey(0) && !map.types.isEmpty()) {
            out.append("type 0 osd\n");
        }
        map.types.forEach((id, name) -> out.append("type ").append(id).append(' ').append(name).append('\n'));
    }

    private void buckets() {
        out.append("\n# buckets\n");
        Map<Integer, Boolean> done = new HashMap<>();   // false: in progress, true: printed
        for (int id : map.buckets.descendingKeySet()) {
            bucketDepthFirst(id, done);
        }
    }

    private void bucketDepthFirst(int id, Map<Integer, Boolean> done) {
        Bucket b = map.bucket(id);
        if (b == null || done.containsKey(id)) {
            return;
        }
        done.put(id, false);
        for (Bucket.Item item : b.items) {
            Boolean state = done.get(item.id());
            if (state == null) {
                bucketDepthFirst(item.id(), done);
            } else if (!state) {
                throw new IllegalArgumentException("crush map has a cycle: bucket " + id + " contains bucket "
                        + item.id() + ", which contains it; buckets must form a directed acyclic graph");
            }
        }
        bucket(b);
        done.put(id, true);
    }

    private void bucket(Bucket b) {
        if (b.isShadow() || (b.name != null && !isValidName(b.name))) {
            return;
        }
        out.append(typeName(b.type)).append(' ').append(itemName(b.id)).append(" {\n");
        out.append("\tid ").append(b.id).append("\t\t# do not change unnecessarily\n");
        List<Map.Entry<String, Integer>> classIds = new ArrayList<>(b.classIds.entrySet());
        classIds.sort(Comparator.comparingInt(e -> classOrder(e.getKey())));
        for (Map.Entry<String, Integer> e : classIds) {
            out.append("\tid ").append(e.getValue()).append(" class ").append(e.getKey())
                    .append("\t\t# do not change unnecessarily\n");
        }
        out.append("\t# weight ").append(Weights.format(b.weight())).append('\n');
        out.append("\talg ").append(algName(b.alg));
        boolean positions = false;
        switch (b.alg) {
            case CrushConstants.BUCKET_UNIFORM -> {
                out.append("\t# do not change bucket size (").append(b.items.size()).append(") unnecessarily");
                positions = true;
            }
            case CrushConstants.BUCKET_LIST -> out.append("\t# add new items at the end; do not change order unnecessarily");
            case CrushConstants.BUCKET_TREE -> {
                out.append("\t# do not change pos for existing items unnecessarily");
                positions = true;
            }
            default -> { }
        }
        out.append('\n');
        out.append("\thash ").append(b.hash).append("\t# ")
                .append(b.hash == CrushConstants.HASH_RJENKINS1 ? "rjenkins1" : "unknown").append('\n');
        for (int pos = 0; pos < b.items.size(); pos++) {
            Bucket.Item item = b.items.get(pos);
            out.append("\titem ").append(itemName(item.id())).append(" weight ").append(Weights.format(item.weight()));
            if (positions) {
                out.append(" pos ").append(pos);
            }
            out.append('\n');
        }
        out.append("}\n");
    }

    /** Class-id order, as Ceph's class_bucket map iterates; unknown classes last, by name. */
    private int classOrder(String className) {
        int id = map.classId(className);
        return id < 0 ? Integer.MAX_VALUE : id;
    }

    private void rules() {
        out.append("\n# rules\n");
        for (Rule r : map.rules.values()) {
            out.append("rule ");
            if (r.name != null) {
                out.append(r.name);
            }
            out.append(" {\n");
            out.append("\tid ").append(r.id).append('\n');
            switch (r.type) {
                case CrushConstants.RULE_TYPE_REPLICATED -> out.append("\ttype replicated\n");
                case CrushConstants.RULE_TYPE_ERASURE -> out.append("\ttype erasure\n");
                default -> out.append("\ttype ").append(r.type).append('\n');
            }
            out.append("\tmin_size ").append(r.minSize).append('\n');
            out.append("\tmax_size ").append(r.maxSize).append('\n');
            for (Rule.Step s : r.steps) {
                step(s);
            }
            out.append("}\n");
        }
    }

    private void step(Rule.Step s) {
        switch (s.op()) {
            case CrushConstants.RULE_NOOP -> out.append("\tstep noop\n");
            case CrushConstants.RULE_TAKE -> {
                Bucket b = map.bucket(s.arg1());
                if (b != null && b.isShadow() && map.bucket(b.shadowOf) != null) {
                    out.append("\tstep take ").append(itemName(b.shadowOf)).append(" class ").append(b.shadowClass);
                } else {
                    out.append("\tstep take ").append(itemName(s.arg1()));
                }
                out.append('\n');
            }
            case CrushConstants.RULE_EMIT -> out.append("\tstep emit\n");
            case CrushConstants.RULE_SET_CHOOSE_TRIES -> setStep("set_choose_tries", s);
            case CrushConstants.RULE_SET_CHOOSE_LOCAL_TRIES -> setStep("set_choose_local_tries", s);
            case CrushConstants.RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES -> setStep("set_choose_local_fallback_tries", s);
            case CrushConstants.RULE_SET_CHOOSELEAF_TRIES -> setStep("set_chooseleaf_tries", s);
            case CrushConstants.RULE_SET_CHOOSELEAF_VARY_R -> setStep("set_chooseleaf_vary_r", s);
            case CrushConstants.RULE_SET_CHOOSELEAF_STABLE -> setStep("set_chooseleaf_stable", s);
            case CrushConstants.RULE_CHOOSE_FIRSTN -> chooseStep("choose firstn", s);
            case CrushConstants.RULE_CHOOSE_INDEP -> chooseStep("choose indep", s);
            case CrushConstants.RULE_CHOOSELEAF_FIRSTN -> chooseStep("chooseleaf firstn", s);
            case CrushConstants.RULE_CHOOSELEAF_INDEP -> chooseStep("chooseleaf indep", s);
            default -> { }   // Ceph prints nothing for an opcode it does not know
        }
    }

    private void setStep(String name, Rule.Step s) {
        out.append("\tstep ").append(name).append(' ').append(s.arg1()).append('\n');
    }

    private void chooseStep(String name, Rule.Step s) {
        out.append("\tstep ").append(name).append(' ').append(s.arg1()).append(" type ").append(typeName(s.arg2()))
                .append('\n');
    }

    private void chooseArgs() {
        if (map.chooseArgs.isEmpty()) {
            return;
        }
        out.append("\n# choose_args\n");
        map.chooseArgs.forEach((index, args) -> {
            out.append("choose_args ").append(Long.toUnsignedString(index)).append(" {\n");
            for (Map.Entry<Integer, CrushMap.ChooseArg> e : args.descendingMap().entrySet()) {
                CrushMap.ChooseArg arg = e.getValue();
                Bucket b = map.bucket(e.getKey());
                if ((arg.weightSet().isEmpty() && arg.ids().isEmpty()) || b == null
                        || b.alg != CrushConstants.BUCKET_STRAW2) {
                    continue;   // Ceph's decode strips choose_args of all but straw2 buckets
                }
                out.append("  {\n    bucket_id ").append(e.getKey()).append('\n');
                if (!arg.weightSet().isEmpty()) {
                    out.append("    weight_set [\n");
                    for (List<Integer> weights : arg.weightSet()) {
                        out.append("      [ ");
                        weights.forEach(w -> out.append(Weights.format(w)).append(' '));
                        out.append("]\n");
                    }
                    out.append("    ]\n");
                }
                if (!arg.ids().isEmpty()) {
                    out.append("    ids [ ");
                    arg.ids().forEach(id -> out.append(id).append(' '));
                    out.append("]\n");
                }
                out.append("  }\n");
            }
            out.append("}\n");
        });
    }

    private String typeName(int type) {
        String name = map.typeName(type);
        if (name != null) {
            return name;
        }
        return type == 0 ? "device" : "type" + type;
    }

    private String itemName(int id) {
        String name = map.itemName(id);
        if (name != null) {
            return name;
        }
        return id >= 0 ? "device" + id : "bucket" + (-1 - id);
    }

    private static String algName(int alg) {
        return switch (alg) {
            case CrushConstants.BUCKET_UNIFORM, CrushConstants.BUCKET_LIST, CrushConstants.BUCKET_TREE,
                    CrushConstants.BUCKET_STRAW, CrushConstants.BUCKET_STRAW2 -> CrushConstants.bucketAlgName(alg);
            default -> "unknown";
        };
    }
}
