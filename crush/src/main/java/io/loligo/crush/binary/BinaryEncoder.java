package io.loligo.crush.binary;

import io.loligo.crush.BucketDerived;
import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes the layout described at the top of CrushBinary.java. */
final class BinaryEncoder {
    static final int MAGIC = 0x00010000;

    private final CrushMap map;
    private final LittleEndianWriter out = new LittleEndianWriter();

    private BinaryEncoder(CrushMap map) {
        this.map = map;
    }

    static byte[] encode(CrushMap map) {
        BinaryEncoder e = new BinaryEncoder(map);
        int maxBuckets = maxBuckets(map);
        e.out.s32(MAGIC);
        e.out.s32(maxBuckets);
        e.out.s32(map.rules.isEmpty() ? 0 : map.rules.lastKey() + 1);
        e.out.s32(maxDevices(map));
        for (int slot = 0; slot < maxBuckets; slot++) {
            e.bucket(map.bucket(-1 - slot));
        }
        for (int id = 0; id < (map.rules.isEmpty() ? 0 : map.rules.lastKey() + 1); id++) {
            e.rule(map.rules.get(id));
        }
        e.names();
        e.tunables();
        e.classes();
        e.chooseArgs();
        return e.out.toByteArray();
    }

    /** crush_add_bucket grows the slot array 8, 16, 32... until the most negative id fits. */
    static int maxBuckets(CrushMap map) {
        if (map.buckets.isEmpty()) {
            return 0;
        }
        int needed = -map.buckets.firstKey();
        if (needed <= 0) {
            throw new IllegalArgumentException("bucket id " + map.buckets.firstKey() + " is not negative");
        }
        int slots = 8;
        while (slots < needed) {
            slots *= 2;
        }
        return slots;
    }

    /** crush_finalize + CrushWrapper::finalize: 1 + the largest device id used in a bucket or named. */
    static int maxDevices(CrushMap map) {
        int max = map.maxDevices();
        for (Bucket b : map.allBuckets()) {
            for (Bucket.Item item : b.items) {
                if (item.id() >= max) {
                    max = item.id() + 1;
                }
            }
        }
        return max;
    }

    private void bucket(Bucket b) {
        if (b == null) {
            out.s32(0);
            return;
        }
        int size = b.items.size();
        int[] weights = new int[size];
        for (int i = 0; i < size; i++) {
            weights[i] = b.items.get(i).weight();
        }
        out.s32(b.alg);
        out.s32(b.id);
        out.u16(b.type);
        out.u8(b.alg);
        out.u8(b.hash);
        out.s32(b.weight());
        out.s32(size);
        b.items.forEach(item -> out.s32(item.id()));
        switch (b.alg) {
            case CrushConstants.BUCKET_UNIFORM -> out.s32(size == 0 ? 0 : weights[0]);
            case CrushConstants.BUCKET_LIST -> {
                int[] sums = BucketDerived.listSums(weights);
                for (int i = 0; i < size; i++) {
                    out.s32(weights[i]);
                    out.s32(sums[i]);
                }
            }
            case CrushConstants.BUCKET_TREE -> {
                int[] nodes = BucketDerived.treeNodeWeights(weights);
                int numNodes = nodes.length & 0xff;   // num_nodes is a u8 in crush_bucket_tree
                out.u8(numNodes);
                for (int i = 0; i < numNodes; i++) {
                    out.s32(nodes[i]);
                }
            }
            case CrushConstants.BUCKET_STRAW -> {
                int[] straws = BucketDerived.straws(weights, map.tunables.strawCalcVersion);
                for (int i = 0; i < size; i++) {
                    out.s32(weights[i]);
                    out.s32(straws[i]);
                }
            }
            case CrushConstants.BUCKET_STRAW2 -> {
                for (int w : weights) {
                    out.s32(w);
                }
            }
            default -> throw new IllegalArgumentException("bucket " + b.id + " has unknown alg " + b.alg);
        }
    }

    private void rule(Rule r) {
        if (r == null) {
            out.s32(0);
            return;
        }
        if (r.id > 255) {
            throw new IllegalArgumentException("rule id " + r.id + " does not fit Pacific's 8-bit ruleset");
        }
        out.s32(1);
        out.s32(r.steps.size());
        out.u8(r.id);
        out.u8(r.type);
        out.u8(r.minSize);
        out.u8(r.maxSize);
        for (Rule.Step s : r.steps) {
            out.s32(s.op());
            out.s32(s.arg1());
            out.s32(s.arg2());
        }
    }

    private void names() {
        stringMap(map.types);
        TreeMap<Integer, String> items = new TreeMap<>();
        map.devices.values().forEach(d -> {
            if (d.name() != null) {
                items.put(d.id(), d.name());
            }
        });
        for (Bucket b : map.allBuckets()) {
            if (b.name == null) {
                throw new IllegalArgumentException("bucket " + b.id + " has no name");
            }
            items.put(b.id, b.name);
        }
        stringMap(items);
        TreeMap<Integer, String> rules = new TreeMap<>();
        map.rules.values().forEach(r -> {
            if (r.name != null) {
                rules.put(r.id, r.name);
            }
        });
        stringMap(rules);
    }

    private void stringMap(TreeMap<Integer, String> m) {
        out.s32(m.size());
        m.forEach((k, v) -> {
            out.s32(k);
            out.string(v);
        });
    }

    private void tunables() {
        Tunables t = map.tunables;
        out.s32(t.chooseLocalTries);
        out.s32(t.chooseLocalFallbackTries);
        out.s32(t.chooseTotalTries);
        out.s32(t.chooseleafDescendOnce);
        out.u8(t.chooseleafVaryR);
        out.u8(t.strawCalcVersion);
        out.s32(t.allowedBucketAlgs);
        out.u8(t.chooseleafStable);
    }

    private void classes() {
        TreeMap<Integer, Integer> classMap = new TreeMap<>();
        map.devices.values().forEach(d -> {
            if (d.deviceClass() != null) {
                classMap.put(d.id(), classId(d.deviceClass()));
            }
        });
        TreeMap<Integer, TreeMap<Integer, Integer>> classBucket = new TreeMap<>();
        for (Bucket b : map.allBuckets()) {
            if (b.isShadow()) {
                classMap.put(b.id, classId(b.shadowClass));
            }
            for (Map.Entry<String, Integer> e : b.classIds.entrySet()) {
                classBucket.computeIfAbsent(b.id, k -> new TreeMap<>()).put(classId(e.getKey()), e.getValue());
            }
        }
        out.s32(classMap.size());
        classMap.forEach((k, v) -> {
            out.s32(k);
            out.s32(v);
        });
        stringMap(map.classNames);
        out.s32(classBucket.size());
        classBucket.forEach((bucket, ids) -> {
            out.s32(bucket);
            out.s32(ids.size());
            ids.forEach((cls, shadow) -> {
                out.s32(cls);
                out.s32(shadow);
            });
        });
    }

    private int classId(String className) {
        int id = map.classId(className);
        if (id < 0) {
            throw new IllegalArgumentException("device class '" + className + "' has no class id in classNames");
        }
        return id;
    }

    private void chooseArgs() {
        out.s32(map.chooseArgs.size());
        map.chooseArgs.forEach((index, args) -> {
            out.u64(index);
            List<Map.Entry<Integer, CrushMap.ChooseArg>> present = args.descendingMap().entrySet().stream()
                    .filter(e -> !e.getValue().weightSet().isEmpty() || !e.getValue().ids().isEmpty())
                    .toList();
            out.s32(present.size());
            for (Map.Entry<Integer, CrushMap.ChooseArg> e : present) {
                out.s32(-1 - e.getKey());
                out.s32(e.getValue().weightSet().size());
                for (List<Integer> weights : e.getValue().weightSet()) {
                    out.s32(weights.size());
                    weights.forEach(out::s32);
                }
                out.s32(e.getValue().ids().size());
                e.getValue().ids().forEach(out::s32);
            }
        });
    }
}
