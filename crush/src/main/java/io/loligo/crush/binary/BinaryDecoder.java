package io.loligo.crush.binary;

import io.loligo.crush.BucketDerived;
import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the layout described at the top of CrushBinary.java into a {@link CrushMap}, checking
 * every count against the bytes left and every id against its slot, so that corrupt input is a
 * {@link CrushBinaryException} and never an unchecked exception or a huge allocation.
 */
final class BinaryDecoder {
    /** Deepest bucket hierarchy accepted; keeps every recursive walk of the map shallow. */
    static final int MAX_DEPTH = 1000;

    private final LittleEndianReader in;
    private final CrushMap map = new CrushMap();
    /** Item names by id, devices and buckets (name_map). */
    private Map<Integer, String> names = Map.of();

    private BinaryDecoder(byte[] data) {
        this.in = new LittleEndianReader(data);
    }

    static CrushMap decode(byte[] data) throws CrushBinaryException {
        return new BinaryDecoder(data).read();
    }

    private CrushMap read() throws CrushBinaryException {
        int magic = in.s32("magic");
        if (magic != BinaryEncoder.MAGIC) {
            throw new CrushBinaryException(0, String.format("bad magic 0x%08x (expected 0x%08x)", magic,
                    BinaryEncoder.MAGIC));
        }
        int maxBuckets = in.count("max_buckets", 4);
        int maxRules = in.count("max_rules", 4);
        int maxDevices = in.s32("max_devices");
        List<Bucket> buckets = new ArrayList<>();
        for (int slot = 0; slot < maxBuckets; slot++) {
            Bucket b = bucket(slot);
            if (b != null) {
                buckets.add(b);
            }
        }
        for (int id = 0; id < maxRules; id++) {
            Rule r = rule(id);
            if (r != null) {
                map.rules.put(id, r);
            }
        }
        map.types.putAll(stringMap("type names"));
        names = stringMap("item names");
        Map<Integer, String> ruleNames = stringMap("rule names");
        map.tunables = tunables();
        Map<Integer, Integer> classMap = new TreeMap<>();
        Map<Integer, Map<Integer, Integer>> classBucket = new TreeMap<>();
        if (!in.atEnd()) {
            classMap = intMap("class_map");
            map.classNames.putAll(stringMap("class names"));
            classBucket = classBucket();
        }
        for (Bucket b : buckets) {
            b.name = names.get(b.id);
            map.buckets.put(b.id, b);
        }
        ruleNames.forEach((id, name) -> {
            Rule r = map.rules.get(id);
            if (r != null) {
                r.name = name;
            }
        });
        devices(maxDevices, classMap);
        shadows(classBucket);
        checkReferences();
        if (!in.atEnd()) {
            chooseArgs(maxBuckets);
        }
        if (!in.atEnd()) {
            throw new CrushBinaryException(in.position(), in.remaining() + " unexpected trailing bytes"
                    + " (an encoding newer than Pacific?)");
        }
        return map;
    }

    private Bucket bucket(int slot) throws CrushBinaryException {
        int at = in.position();
        int alg = in.s32("bucket alg");
        if (alg == 0) {
            return null;
        }
        if (alg < CrushConstants.BUCKET_UNIFORM || alg > CrushConstants.BUCKET_STRAW2) {
            throw new CrushBinaryException(at, "unsupported bucket algorithm " + Integer.toUnsignedString(alg));
        }
        int id = in.s32("bucket id");
        if (id != -1 - slot) {
            throw new CrushBinaryException(at + 4, "bucket in slot " + slot + " has id " + id + " (expected "
                    + (-1 - slot) + ")");
        }
        int type = in.u16("bucket type");
        int alg2 = in.u8("bucket alg");
        int hash = in.u8("bucket hash");
        if (alg2 != alg) {
            throw new CrushBinaryException(at, "bucket " + id + " alg " + alg2 + " differs from its slot's " + alg);
        }
        int weight = in.s32("bucket weight");
        int size = in.count("bucket size", 4);
        int[] items = new int[size];
        for (int i = 0; i < size; i++) {
            items[i] = in.s32("bucket item");
        }
        int[] weights = itemWeights(alg, size, id);
        Bucket b = new Bucket(id, null, type, alg);
        b.hash = hash;
        for (int i = 0; i < size; i++) {
            b.items.add(new Bucket.Item(items[i], weights[i]));
        }
        if (b.weight() != weight) {
            throw new CrushBinaryException(at, "bucket " + id + " weight " + Integer.toUnsignedString(weight)
                    + " is not the sum of its item weights " + Integer.toUnsignedString(b.weight()));
        }
        return b;
    }

    /** The item weights of a bucket from its per-algorithm data. */
    private int[] itemWeights(int alg, int size, int id) throws CrushBinaryException {
        int[] weights = new int[size];
        switch (alg) {
            case CrushConstants.BUCKET_UNIFORM -> java.util.Arrays.fill(weights, in.s32("uniform item weight"));
            case CrushConstants.BUCKET_LIST, CrushConstants.BUCKET_STRAW -> {
                for (int i = 0; i < size; i++) {
                    weights[i] = in.s32("item weight");
                    in.s32(alg == CrushConstants.BUCKET_LIST ? "list sum weight" : "straw length");
                }
            }
            case CrushConstants.BUCKET_TREE -> {
                int at = in.position();
                int numNodes = in.u8("tree num_nodes");
                int[] nodes = new int[numNodes];
                for (int i = 0; i < numNodes; i++) {
                    nodes[i] = in.s32("tree node weight");
                }
                for (int i = 0; i < size; i++) {
                    int node = BucketDerived.treeNode(i);
                    if (node >= numNodes) {
                        throw new CrushBinaryException(at, "tree bucket " + id + " has " + size + " items but only "
                                + numNodes + " nodes");
                    }
                    weights[i] = nodes[node];
                }
            }
            default -> {
                for (int i = 0; i < size; i++) {
                    weights[i] = in.s32("straw2 item weight");
                }
            }
        }
        return weights;
    }

    private Rule rule(int id) throws CrushBinaryException {
        int at = in.position();
        int exists = in.s32("rule exists");
        if (exists == 0) {
            return null;
        }
        int len = in.count("rule length", 12);
        int ruleset = in.u8("ruleset");
        if (ruleset != id) {
            throw new CrushBinaryException(at, "rule " + id + " has ruleset " + ruleset
                    + "; maps whose rulesets differ from rule ids (pre-Luminous) are not supported");
        }
        Rule r = new Rule(id, null);
        r.type = in.u8("rule type");
        r.minSize = in.u8("rule min_size");
        r.maxSize = in.u8("rule max_size");
        for (int i = 0; i < len; i++) {
            r.steps.add(new Rule.Step(in.s32("step op"), in.s32("step arg1"), in.s32("step arg2")));
        }
        return r;
    }

    /** decode_32_or_64_string_map: a zero length means the key was 64 bits and the length follows. */
    private TreeMap<Integer, String> stringMap(String what) throws CrushBinaryException {
        TreeMap<Integer, String> m = new TreeMap<>();
        int n = in.count(what, 8);
        for (int i = 0; i < n; i++) {
            int key = in.s32(what + " key");
            int length = in.count(what + " string length", 1);
            if (length == 0) {
                length = in.count(what + " string length", 1);
            }
            m.put(key, in.string(length, what));
        }
        return m;
    }

    private TreeMap<Integer, Integer> intMap(String what) throws CrushBinaryException {
        TreeMap<Integer, Integer> m = new TreeMap<>();
        int n = in.count(what, 8);
        for (int i = 0; i < n; i++) {
            m.put(in.s32(what + " key"), in.s32(what + " value"));
        }
        return m;
    }

    private Map<Integer, Map<Integer, Integer>> classBucket() throws CrushBinaryException {
        Map<Integer, Map<Integer, Integer>> m = new TreeMap<>();
        int n = in.count("class_bucket", 8);
        for (int i = 0; i < n; i++) {
            int bucket = in.s32("class_bucket key");
            m.put(bucket, intMap("class_bucket entry"));
        }
        return m;
    }

    /** Tunables, each group optional as in CrushWrapper::decode (legacy values otherwise). */
    private Tunables tunables() throws CrushBinaryException {
        Tunables t = Tunables.legacy();
        if (!in.atEnd()) {
            t.chooseLocalTries = in.s32("choose_local_tries");
            t.chooseLocalFallbackTries = in.s32("choose_local_fallback_tries");
            t.chooseTotalTries = in.s32("choose_total_tries");
        }
        if (!in.atEnd()) {
            t.chooseleafDescendOnce = in.s32("chooseleaf_descend_once");
        }
        if (!in.atEnd()) {
            t.chooseleafVaryR = in.u8("chooseleaf_vary_r");
        }
        if (!in.atEnd()) {
            t.strawCalcVersion = in.u8("straw_calc_version");
        }
        if (!in.atEnd()) {
            t.allowedBucketAlgs = in.s32("allowed_bucket_algs");
        }
        if (!in.atEnd()) {
            t.chooseleafStable = in.u8("chooseleaf_stable");
        }
        return t;
    }

    private void devices(int maxDevices, Map<Integer, Integer> classMap) throws CrushBinaryException {
        for (Map.Entry<Integer, String> e : names.entrySet()) {
            int id = e.getKey();
            if (id < 0) {
                if (!map.buckets.containsKey(id)) {
                    throw new CrushBinaryException(in.position(), "name '" + e.getValue() + "' given to bucket " + id
                            + ", which does not exist");
                }
                continue;
            }
            String deviceClass = null;
            Integer classId = classMap.get(id);
            if (classId != null) {
                deviceClass = map.classNames.get(classId);
                if (deviceClass == null) {
                    throw new CrushBinaryException(in.position(), "device " + id + " has class id " + classId
                            + ", which has no name");
                }
            }
            map.devices.put(id, new CrushMap.Device(id, e.getValue(), deviceClass));
        }
        for (Bucket b : map.buckets.values()) {
            if (b.name == null) {
                throw new CrushBinaryException(in.position(), "bucket " + b.id + " has no name");
            }
        }
    }

    /** Every bucket item and every take step must name a bucket that exists (or a device id). */
    private void checkReferences() throws CrushBinaryException {
        for (Bucket b : map.buckets.values()) {
            for (Bucket.Item item : b.items) {
                if (item.id() < 0 && !map.buckets.containsKey(item.id())) {
                    throw new CrushBinaryException(in.position(), "bucket " + b.id + " holds bucket " + item.id()
                            + ", which does not exist");
                }
            }
        }
        Map<Integer, Boolean> visited = new java.util.HashMap<>();   // false: on the current path
        for (int id : map.buckets.keySet()) {
            checkAcyclic(id, visited, 0);
        }
        for (Rule r : map.rules.values()) {
            for (Rule.Step s : r.steps) {
                if (s.op() == CrushConstants.RULE_TAKE && s.arg1() < 0 && !map.buckets.containsKey(s.arg1())) {
                    throw new CrushBinaryException(in.position(), "rule " + r.id + " takes bucket " + s.arg1()
                            + ", which does not exist");
                }
            }
        }
    }

    /** Buckets must form a directed acyclic graph (CrushCompiler::decompile_bucket refuses cycles). */
    private void checkAcyclic(int id, Map<Integer, Boolean> visited, int depth) throws CrushBinaryException {
        if (depth > MAX_DEPTH) {
            throw new CrushBinaryException(in.position(), "bucket hierarchy deeper than " + MAX_DEPTH + " levels");
        }
        Boolean state = visited.get(id);
        if (state != null) {
            if (!state) {
                throw new CrushBinaryException(in.position(), "bucket " + id + " contains itself (a cycle)");
            }
            return;
        }
        visited.put(id, false);
        for (Bucket.Item item : map.bucket(id).items) {
            if (item.id() < 0) {
                checkAcyclic(item.id(), visited, depth + 1);
            }
        }
        visited.put(id, true);
    }

    /** class_bucket: each bucket's shadow ids by class; the shadows learn whom they shadow. */
    private void shadows(Map<Integer, Map<Integer, Integer>> classBucket) throws CrushBinaryException {
        for (Map.Entry<Integer, Map<Integer, Integer>> e : classBucket.entrySet()) {
            Bucket original = map.bucket(e.getKey());
            if (original == null) {
                throw new CrushBinaryException(in.position(), "class_bucket names bucket " + e.getKey()
                        + ", which does not exist");
            }
            for (Map.Entry<Integer, Integer> c : e.getValue().entrySet()) {
                String className = map.classNames.get(c.getKey());
                Bucket shadow = map.bucket(c.getValue());
                if (className == null || shadow == null) {
                    throw new CrushBinaryException(in.position(), "class_bucket of bucket " + e.getKey()
                            + ": class " + c.getKey() + " or shadow bucket " + c.getValue() + " does not exist");
                }
                original.classIds.put(className, c.getValue());
                shadow.shadowOf = original.id;
                shadow.shadowClass = className;
            }
        }
    }

    private void chooseArgs(int maxBuckets) throws CrushBinaryException {
        int n = in.count("choose_args", 12);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            long index = in.u64("choose_args index");
            if (index < 0 || map.chooseArgs.containsKey(index)) {
                throw new CrushBinaryException(at, "choose_args index " + Long.toUnsignedString(index)
                        + " is duplicated or too large");
            }
            TreeMap<Integer, CrushMap.ChooseArg> args = new TreeMap<>();
            int count = in.count("choose_args entries", 12);
            for (int j = 0; j < count; j++) {
                int slotAt = in.position();
                int slot = in.s32("choose_args bucket slot");
                Bucket b = slot >= 0 && slot < maxBuckets ? map.bucket(-1 - slot) : null;
                if (b == null) {
                    throw new CrushBinaryException(slotAt, "choose_args " + index + " names bucket slot "
                            + Integer.toUnsignedString(slot) + ", which holds no bucket");
                }
                List<List<Integer>> weightSet = new ArrayList<>();
                int positions = in.count("weight_set positions", 4);
                for (int p = 0; p < positions; p++) {
                    int size = in.count("weight_set size", 4);
                    List<Integer> weights = new ArrayList<>(size);
                    for (int k = 0; k < size; k++) {
                        weights.add(in.s32("weight_set weight"));
                    }
                    weightSet.add(weights);
                }
                int idsAt = in.position();
                int idsSize = in.count("ids size", 4);
                if (idsSize != 0 && idsSize != b.items.size()) {
                    throw new CrushBinaryException(idsAt, "choose_args ids of bucket " + b.id + ": " + idsSize
                            + " ids for " + b.items.size() + " items");
                }
                List<Integer> ids = new ArrayList<>(idsSize);
                for (int k = 0; k < idsSize; k++) {
                    ids.add(in.s32("choose_args id"));
                }
                args.put(b.id, new CrushMap.ChooseArg(weightSet, ids));
            }
            map.chooseArgs.put(index, args);
        }
        // CrushWrapper::update_choose_args: only straw2 buckets keep their choose_args
        for (TreeMap<Integer, CrushMap.ChooseArg> args : map.chooseArgs.values()) {
            args.keySet().removeIf(id -> map.bucket(id).alg != CrushConstants.BUCKET_STRAW2);
        }
    }
}
