package io.loligo.crush;

import java.util.SplittableRandom;

/** Seeded random CRUSH maps for property tests: a straw2 root of racks of hosts of OSDs. */
final class RandomMaps {
    private RandomMaps() {}

    static final int TYPE_OSD = 0;
    static final int TYPE_HOST = 1;
    static final int TYPE_RACK = 3;
    static final int TYPE_ROOT = 11;

    /** Rule 0: chooseleaf firstn 0 type host. Rule 1: choose firstn 0 type osd from the root. Rule 2: chooseleaf indep 0 type host. */
    static CrushMap hierarchical(SplittableRandom random) {
        CrushMap map = new CrushMap();
        map.tunables = Tunables.jewel();
        map.types.put(TYPE_OSD, "osd");
        map.types.put(TYPE_HOST, "host");
        map.types.put(TYPE_RACK, "rack");
        map.types.put(TYPE_ROOT, "root");
        int racks = 1 + random.nextInt(3);
        int nextBucket = -1;
        int nextOsd = 0;
        Bucket root = new Bucket(nextBucket--, "default", TYPE_ROOT, CrushConstants.BUCKET_STRAW2);
        for (int r = 0; r < racks; r++) {
            Bucket rack = new Bucket(nextBucket--, "rack" + r, TYPE_RACK, CrushConstants.BUCKET_STRAW2);
            int hosts = 2 + random.nextInt(4);
            for (int h = 0; h < hosts; h++) {
                Bucket host = new Bucket(nextBucket--, "host" + r + "-" + h, TYPE_HOST, CrushConstants.BUCKET_STRAW2);
                int osds = 1 + random.nextInt(5);
                for (int o = 0; o < osds; o++) {
                    int id = nextOsd++;
                    map.devices.put(id, new CrushMap.Device(id, "osd." + id, null));
                    // 0.25 .. 4.0 in 16.16 fixed point, in steps of 1/256
                    int weight = 0x4000 + random.nextInt(0x3c000 / 0x100) * 0x100;
                    host.items.add(new Bucket.Item(id, weight));
                }
                map.buckets.put(host.id, host);
                rack.items.add(new Bucket.Item(host.id, host.weight()));
            }
            map.buckets.put(rack.id, rack);
            root.items.add(new Bucket.Item(rack.id, rack.weight()));
        }
        map.buckets.put(root.id, root);
        map.rules.put(0, rule(0, "replicated_host", CrushConstants.RULE_TYPE_REPLICATED, root.id,
                CrushConstants.RULE_CHOOSELEAF_FIRSTN, TYPE_HOST));
        map.rules.put(1, rule(1, "replicated_osd", CrushConstants.RULE_TYPE_REPLICATED, root.id,
                CrushConstants.RULE_CHOOSE_FIRSTN, TYPE_OSD));
        map.rules.put(2, rule(2, "indep_host", CrushConstants.RULE_TYPE_ERASURE, root.id,
                CrushConstants.RULE_CHOOSELEAF_INDEP, TYPE_HOST));
        return map;
    }

    private static Rule rule(int id, String name, int type, int take, int op, int domain) {
        Rule rule = new Rule(id, name);
        rule.type = type;
        rule.steps.add(new Rule.Step(CrushConstants.RULE_TAKE, take, 0));
        rule.steps.add(new Rule.Step(op, 0, domain));
        rule.steps.add(new Rule.Step(CrushConstants.RULE_EMIT, 0, 0));
        return rule;
    }

    /** The host bucket holding a device. */
    static int hostOf(CrushMap map, int osd) {
        for (Bucket b : map.buckets.values()) {
            if (b.type == TYPE_HOST) {
                for (Bucket.Item item : b.items) {
                    if (item.id() == osd) {
                        return b.id;
                    }
                }
            }
        }
        throw new IllegalArgumentException("osd." + osd + " is in no host");
    }

    static int[] allIn(CrushMap map) {
        int[] w = new int[map.maxDevices()];
        java.util.Arrays.fill(w, CrushConstants.WEIGHT_ONE);
        return w;
    }
}
