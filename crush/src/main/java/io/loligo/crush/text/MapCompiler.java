package io.loligo.crush.text;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Tunables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gives a parsed text map its meaning, following Ceph's CrushCompiler (Pacific) step by step so
 * that the result equals what {@code crushtool -c} compiles: the same ids (explicit, or the first
 * free one from -1 down), the same weights, the same bucket order quirk
 * ({@link #adjustBucketOrder}), shadow trees built when the first rule is seen
 * ({@link DeviceClassTrees}). Where Ceph would silently build a broken map (a position gap, a
 * weight that wraps, a shadow id that collides) this compiler reports an error instead.
 */
final class MapCompiler {
    /** Lowest bucket id accepted: Ceph allocates a bucket array slot for every id down to it. */
    static final int BUCKET_ID_MIN = -(1 << 20);
    /** Device ids stop below CRUSH_ITEM_UNDEF so that max_devices stays representable. */
    static final int DEVICE_ID_MAX = CrushConstants.ITEM_UNDEF - 1;
    /** Rule ids and sizes are 8-bit fields of Pacific's crush_rule_mask. */
    static final int RULE_BYTE_MAX = 255;

    private final CrushMap map = new CrushMap();
    private final Map<String, Integer> itemIds = new HashMap<>();
    /** Ceph's id_item keys: every bucket id the text names (class lines too) or was assigned. */
    private final Set<Integer> usedIds = new HashSet<>();
    /** Every bucket id above this one is in usedIds. */
    private int freeIdCursor = -1;
    /** Deepest bucket hierarchy accepted; keeps every recursive walk of the map shallow. */
    static final int MAX_DEPTH = 1000;
    /** Levels below each bucket (1 for a bucket of devices only). */
    private final Map<Integer, Integer> depths = new HashMap<>();
    /** Total weight of each compiled bucket: the default weight of an item naming it. */
    private final Map<Integer, Integer> bucketWeights = new HashMap<>();
    private final Map<String, Integer> typeIds = new HashMap<>();
    /** Bucket id to (class id to shadow id), from the text's {@code id N class C} lines. */
    private final Map<Integer, TreeMap<Integer, Integer>> textClassIds = new LinkedHashMap<>();
    private final Map<Integer, Token> textClassIdTokens = new HashMap<>();
    private final Set<String> ruleNames = new HashSet<>();
    private boolean classesPopulated;

    private MapCompiler() {}

    static CrushMap compile(Syntax.CrushFile file) throws CrushParseException {
        MapCompiler c = new MapCompiler();
        c.map.tunables = Tunables.legacy();
        for (Syntax.Tunable t : file.tunables()) {
            c.tunable(t);
        }
        for (Syntax.Device d : file.devices()) {
            c.device(d);
        }
        for (Syntax.Type t : file.types()) {
            c.type(t);
        }
        List<Syntax.Decl> body = adjustBucketOrder(file.body());
        c.findUsedBucketIds(body);
        for (Syntax.Decl decl : body) {
            switch (decl) {
                case Syntax.Bucket b -> c.bucket(b);
                case Syntax.Rule r -> c.rule(r);
            }
        }
        for (Syntax.ChooseArgs args : file.chooseArgs()) {
            ChooseArgsCompiler.compile(c.map, args);
        }
        return c.map;
    }

    // ---- header

    private void tunable(Syntax.Tunable t) throws CrushParseException {
        String name = t.name().text();
        boolean byteSized = switch (name) {
            case "chooseleaf_descend_once", "chooseleaf_vary_r", "chooseleaf_stable", "straw_calc_version" -> true;
            case "choose_local_tries", "choose_local_fallback_tries", "choose_total_tries", "allowed_bucket_algs" -> false;
            default -> throw t.name().error("tunable '" + name + "' not recognized (known: choose_local_tries,"
                    + " choose_local_fallback_tries, choose_total_tries, chooseleaf_descend_once, chooseleaf_vary_r,"
                    + " chooseleaf_stable, straw_calc_version, allowed_bucket_algs)");
        };
        int value = number(t.value(), 0, byteSized ? 255 : Integer.MAX_VALUE, "tunable " + name);
        Tunables tun = map.tunables;
        switch (name) {
            case "choose_local_tries" -> tun.chooseLocalTries = value;
            case "choose_local_fallback_tries" -> tun.chooseLocalFallbackTries = value;
            case "choose_total_tries" -> tun.chooseTotalTries = value;
            case "chooseleaf_descend_once" -> tun.chooseleafDescendOnce = value;
            case "chooseleaf_vary_r" -> tun.chooseleafVaryR = value;
            case "chooseleaf_stable" -> tun.chooseleafStable = value;
            case "straw_calc_version" -> tun.strawCalcVersion = value;
            default -> tun.allowedBucketAlgs = value;
        }
    }

    private void device(Syntax.Device d) throws CrushParseException {
        int id = number(d.id(), 0, DEVICE_ID_MAX, "device id");
        String name = d.name().text();
        if (itemIds.containsKey(name)) {
            throw d.name().error("item '" + name + "' defined twice");
        }
        if (map.devices.containsKey(id)) {
            throw d.id().error("device id " + id + " defined twice (already '" + map.devices.get(id).name() + "')");
        }
        String deviceClass = null;
        if (d.deviceClass() != null) {
            deviceClass = d.deviceClass().text();
            classIdOrCreate(deviceClass);
        }
        itemIds.put(name, id);
        map.devices.put(id, new CrushMap.Device(id, name, deviceClass));
    }

    private void type(Syntax.Type t) throws CrushParseException {
        int id = number(t.id(), 0, Integer.MAX_VALUE, "type id");
        String name = t.name().text();
        if (map.types.containsKey(id)) {
            throw t.id().error("type id " + id + " defined twice (already '" + map.types.get(id) + "')");
        }
        if (typeIds.containsKey(name)) {
            throw t.name().error("type name '" + name + "' defined twice");
        }
        typeIds.put(name, id);
        map.types.put(id, name);
    }

    /** get_or_create_class_id: ids 0, 1, 2... in order of first use. */
    private int classIdOrCreate(String className) {
        int id = map.classId(className);
        if (id < 0) {
            id = map.classNames.isEmpty() ? 0 : map.classNames.lastKey() + 1;
            map.classNames.put(id, className);
        }
        return id;
    }

    // ---- bucket order

    /**
     * CrushCompiler::adjust_bucket_item_place, quirk for quirk: for each pair of buckets (i before
     * j in the file) where i contains j, the buckets in file slots i and j trade places. One
     * swap fixes a bucket written before its single child; deeper mix-ups stay wrong and then
     * fail with "not defined", as in Ceph.
     */
    static List<Syntax.Decl> adjustBucketOrder(List<Syntax.Decl> body) throws CrushParseException {
        List<Syntax.Decl> slots = new ArrayList<>(body);
        List<Integer> bucketSlots = new ArrayList<>();
        List<Syntax.Bucket> buckets = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            if (body.get(i) instanceof Syntax.Bucket b) {
                bucketSlots.add(i);
                buckets.add(b);
            }
        }
        List<Set<String>> itemNames = new ArrayList<>();
        for (Syntax.Bucket b : buckets) {
            Set<String> names = new HashSet<>();
            b.items().forEach(item -> names.add(item.name().text()));
            itemNames.add(names);
        }
        for (int i = 0; i < buckets.size(); i++) {
            for (int j = i + 1; j < buckets.size(); j++) {
                if (itemNames.get(i).contains(buckets.get(j).name().text())) {
                    if (itemNames.get(j).contains(buckets.get(i).name().text())) {
                        throw buckets.get(j).name().error("buckets '" + buckets.get(i).name().text() + "' and '"
                                + buckets.get(j).name().text() + "' contain each other");
                    }
                    Syntax.Decl tmp = slots.get(bucketSlots.get(i));
                    slots.set(bucketSlots.get(i), slots.get(bucketSlots.get(j)));
                    slots.set(bucketSlots.get(j), tmp);
                }
            }
        }
        return slots;
    }



    /** find_used_bucket_ids: ids named anywhere are never handed out automatically. */
    private void findUsedBucketIds(List<Syntax.Decl> body) throws CrushParseException {
        for (Syntax.Decl decl : body) {
            if (decl instanceof Syntax.Bucket b) {
                for (Syntax.BucketId id : b.ids()) {
                    usedIds.add(number(id.id(), BUCKET_ID_MIN, -1, "bucket id"));
                }
            }
        }
    }

    // ---- buckets

    private void bucket(Syntax.Bucket b) throws CrushParseException {
        if (classesPopulated) {
            throw b.name().error("bucket '" + b.name().text() + "' comes after a rule: buckets must be defined before rules");
        }
        Integer type = typeIds.get(b.type().text());
        if (type == null) {
            throw b.type().error("bucket type '" + b.type().text() + "' is not defined");
        }
        String name = b.name().text();
        if (itemIds.containsKey(name)) {
            throw b.name().error("bucket or device '" + name + "' is already defined");
        }
        BucketIds ids = bucketIds(b);
        Integer id = ids.own();
        TreeMap<Integer, Integer> classIds = ids.byClass();
        int alg = alg(b.alg());
        int hash = CrushConstants.HASH_RJENKINS1;
        for (Token h : b.hashes()) {
            hash = h.is("rjenkins1") ? CrushConstants.HASH_RJENKINS1 : number(h, Integer.MIN_VALUE, Integer.MAX_VALUE, "hash");
            if (hash != CrushConstants.HASH_RJENKINS1) {
                throw h.error("hash " + hash + " is not supported: the only CRUSH hash is 0 (rjenkins1)");
            }
        }
        List<Bucket.Item> items = BucketItems.place(b, alg, itemIds, bucketWeights);
        if (id == null) {
            while (usedIds.contains(freeIdCursor)) {   // ids are only added, so the first free one only moves down
                freeIdCursor--;
            }
            id = freeIdCursor;
        }
        if (map.buckets.containsKey(id)) {
            throw b.ids().isEmpty() ? b.name().error("duplicate bucket id " + id)
                    : firstOwnId(b).error("duplicate bucket id " + id + " (already bucket '" + map.bucket(id).name + "')");
        }
        int depth = 1;
        for (Bucket.Item item : items) {
            depth = Math.max(depth, 1 + depths.getOrDefault(item.id(), 0));
        }
        if (depth > MAX_DEPTH) {
            throw b.name().error("bucket '" + name + "' makes the hierarchy deeper than " + MAX_DEPTH + " levels");
        }
        depths.put(id, depth);
        usedIds.add(id);
        Bucket bucket = new Bucket(id, name, type, alg);
        bucket.hash = hash;
        bucket.items.addAll(items);
        map.buckets.put(id, bucket);
        itemIds.put(name, id);
        bucketWeights.put(id, bucket.weight());
        if (!classIds.isEmpty()) {
            textClassIds.put(id, classIds);
        }
    }

    /** A bucket's own id (null when the text gives none) and its shadow ids by class id. */
    private record BucketIds(Integer own, TreeMap<Integer, Integer> byClass) {}

    private BucketIds bucketIds(Syntax.Bucket b) throws CrushParseException {
        String name = b.name().text();
        Integer id = null;
        TreeMap<Integer, Integer> classIds = new TreeMap<>();
        for (Syntax.BucketId line : b.ids()) {
            int value = number(line.id(), BUCKET_ID_MIN, -1, "bucket id");
            if (line.deviceClass() == null) {
                if (id != null) {
                    throw line.keyword().error("bucket '" + name + "' has two ids (" + id + " and " + value + ")");
                }
                id = value;
            } else {
                int classId = classIdOrCreate(line.deviceClass().text());
                if (classIds.containsKey(classId)) {
                    throw line.deviceClass().error("duplicate device class " + line.deviceClass().text()
                            + " for bucket " + name);
                }
                if (textClassIdTokens.containsKey(value)) {
                    throw line.id().error("shadow bucket id " + value + " is given twice");
                }
                classIds.put(classId, value);
                textClassIdTokens.put(value, line.id());
            }
        }
        return new BucketIds(id, classIds);
    }

    private static Token firstOwnId(Syntax.Bucket b) {
        for (Syntax.BucketId line : b.ids()) {
            if (line.deviceClass() == null) {
                return line.id();
            }
        }
        return b.name();
    }

    private static int alg(Token alg) throws CrushParseException {
        return switch (alg.text()) {
            case "uniform" -> CrushConstants.BUCKET_UNIFORM;
            case "list" -> CrushConstants.BUCKET_LIST;
            case "tree" -> CrushConstants.BUCKET_TREE;
            case "straw" -> CrushConstants.BUCKET_STRAW;
            case "straw2" -> CrushConstants.BUCKET_STRAW2;
            default -> throw alg.error("unknown bucket alg '" + alg.text()
                    + "' (expected uniform, list, tree, straw or straw2)");
        };
    }

    // ---- rules

    private void rule(Syntax.Rule r) throws CrushParseException {
        if (!classesPopulated) {
            classesPopulated = true;
            populateClasses();
        }
        String name = r.name() == null ? null : r.name().text();
        if (name != null && !ruleNames.add(name)) {
            throw r.name().error("rule name '" + name + "' already defined");
        }
        int id = number(r.id(), 0, RULE_BYTE_MAX, "rule id");
        if (map.rules.containsKey(id)) {
            throw r.id().error("rule " + id + " already exists");
        }
        io.loligo.crush.Rule rule = new io.loligo.crush.Rule(id, name);
        rule.type = r.type().is("erasure") ? CrushConstants.RULE_TYPE_ERASURE : CrushConstants.RULE_TYPE_REPLICATED;
        rule.minSize = number(r.minSize(), 0, RULE_BYTE_MAX, "min_size");
        rule.maxSize = number(r.maxSize(), 0, RULE_BYTE_MAX, "max_size");
        String ruleLabel = name == null ? "rule " + id : "rule '" + name + "'";
        for (Syntax.Step s : r.steps()) {
            rule.steps.add(step(s, ruleLabel));
        }
        map.rules.put(id, rule);
    }

    private io.loligo.crush.Rule.Step step(Syntax.Step s, String rule) throws CrushParseException {
        List<Token> a = s.args();
        return switch (s.op().text()) {
            case "take" -> new io.loligo.crush.Rule.Step(CrushConstants.RULE_TAKE, takeTarget(a, rule), 0);
            case "emit" -> new io.loligo.crush.Rule.Step(CrushConstants.RULE_EMIT, 0, 0);
            case "choose", "chooseleaf" -> {
                boolean leaf = s.op().is("chooseleaf");
                boolean firstn = a.get(0).is("firstn");
                int op = leaf ? (firstn ? CrushConstants.RULE_CHOOSELEAF_FIRSTN : CrushConstants.RULE_CHOOSELEAF_INDEP)
                        : (firstn ? CrushConstants.RULE_CHOOSE_FIRSTN : CrushConstants.RULE_CHOOSE_INDEP);
                int count = number(a.get(1), Integer.MIN_VALUE, Integer.MAX_VALUE, "number to choose");
                Integer type = typeIds.get(a.get(2).text());
                if (type == null) {
                    throw a.get(2).error("in " + rule + " type '" + a.get(2).text() + "' not defined");
                }
                yield new io.loligo.crush.Rule.Step(op, count, type);
            }
            default -> new io.loligo.crush.Rule.Step(setStepOp(s.op().text()),
                    number(a.get(0), 0, Integer.MAX_VALUE, s.op().text()), 0);
        };
    }

    private static int setStepOp(String op) {
        return switch (op) {
            case "set_choose_tries" -> CrushConstants.RULE_SET_CHOOSE_TRIES;
            case "set_choose_local_tries" -> CrushConstants.RULE_SET_CHOOSE_LOCAL_TRIES;
            case "set_choose_local_fallback_tries" -> CrushConstants.RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES;
            case "set_chooseleaf_tries" -> CrushConstants.RULE_SET_CHOOSELEAF_TRIES;
            case "set_chooseleaf_vary_r" -> CrushConstants.RULE_SET_CHOOSELEAF_VARY_R;
            default -> CrushConstants.RULE_SET_CHOOSELEAF_STABLE;
        };
    }

    /** The take step's arg1: the item, or for {@code take X class C} the id of X's shadow bucket for C. */
    private int takeTarget(List<Token> a, String rule) throws CrushParseException {
        Token item = a.get(0);
        Integer id = itemIds.get(item.text());
        if (id == null) {
            throw item.error("in " + rule + " item '" + item.text() + "' not defined");
        }
        if (a.size() == 1) {
            return id;
        }
        Token classToken = a.get(2);
        if (map.classId(classToken.text()) < 0) {
            throw classToken.error("in " + rule + " step take " + item.text() + ": device class '"
                    + classToken.text() + "' does not exist");
        }
        Bucket bucket = id < 0 ? map.bucket(id) : null;
        if (bucket == null || bucket.classIds.isEmpty()) {
            throw classToken.error("in " + rule + " step take " + item.text() + " has no class information"
                    + (id >= 0 ? " (it is a device)" : ""));
        }
        Integer shadow = bucket.classIds.get(classToken.text());
        if (shadow == null) {
            throw classToken.error("in " + rule + " step take " + item.text() + " no matching bucket for class "
                    + classToken.text());
        }
        return shadow;
    }

    /**
     * Checks the text's shadow ids against the real buckets (Ceph would fail silently and leave
     * the trees half built), then builds the shadow trees. A uniform-bucket failure is kept as
     * Ceph keeps it: rules that take a class from it report "no class information".
     */
    private void populateClasses() throws CrushParseException {
        for (Map.Entry<Integer, Token> e : textClassIdTokens.entrySet()) {
            Bucket clash = map.bucket(e.getKey());
            if (clash != null) {
                throw e.getValue().error("shadow bucket id " + e.getKey() + " is already the id of bucket '"
                        + clash.name + "'");
            }
        }
        DeviceClassTrees.populate(map, textClassIds);
    }

    /** A decimal integer within [min, max], or a parse error naming what it was for. */
    static int number(Token t, long min, long max, String what) throws CrushParseException {
        long value;
        try {
            value = Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw t.error("bad number '" + t.text() + "' for " + what);
        }
        if (value < min || value > max) {
            throw t.error(what + " " + t.text() + " out of range (expected " + min + ".." + max + ")");
        }
        return (int) value;
    }
}
