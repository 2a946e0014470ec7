package io.loligo.crush.text;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random hand-written crush maps that exercise the compiler's corners: optional tunables,
 * device classes, every bucket alg, odd weights (3.64, 0.0625, 1e1, .25, 0), missing and
 * explicit ids (class ids too), omitted weights, a second root sharing hosts, a bucket written
 * before its child, unnamed rules, ruleset keyword, class takes, rule-level tunable steps.
 */
final class RandomTextMaps {
    private RandomTextMaps() {}

    private static final String[] WEIGHTS = {"1", "1.000", "0.5", "3.64", "0.0625", "1.0625", "2.5", "0.001", "1e1",
            ".25", "7.3", "0.1", "99.99", "0"};
    private static final String[][] CLASS_SETS = {{}, {"hdd"}, {"hdd", "ssd"}, {"ssd", "hdd", "nvme"}};

    static String generate(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        String[][] tunables = {{"choose_local_tries", "0"}, {"choose_total_tries", "50"}, {"chooseleaf_vary_r", "1"},
                {"straw_calc_version", "1"}, {"allowed_bucket_algs", "54"}, {"chooseleaf_stable", "1"}};
        for (String[] t : tunables) {
            if (r.nextInt(3) == 0) {
                out.add("tunable " + t[0] + " " + t[1]);
            }
        }
        String[] classes = CLASS_SETS[r.nextInt(CLASS_SETS.length)];
        int devices = 1 + r.nextInt(14);
        for (int d = 0; d < devices; d++) {
            String cls = classes.length > 0 && r.nextInt(5) > 0 ? " class " + classes[r.nextInt(classes.length)] : "";
            out.add("device " + d + " osd." + d + cls);
        }
        out.add("type 0 osd");
        out.add("type 1 host");
        out.add("type 3 rack");
        out.add("type 11 root");
        List<String> algs = new ArrayList<>(List.of("straw2", "straw2", "straw", "list", "tree"));
        if (r.nextInt(5) == 0) {
            algs.add("uniform");
        }
        List<Integer> usedIds = new ArrayList<>();
        List<List<String>> buckets = new ArrayList<>();
        int hosts = 1 + r.nextInt(5);
        List<List<String>> hostItems = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            hostItems.add(new ArrayList<>());
        }
        for (int d = 0; d < devices; d++) {
            hostItems.get(r.nextInt(hosts)).add("osd." + d);
        }
        List<String> hostNames = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            hostNames.add("host" + h);
            buckets.add(bucket(r, "host", "host" + h, hostItems.get(h), algs, classes, usedIds));
        }
        int racks = 1 + r.nextInt(3);
        List<List<String>> rackItems = new ArrayList<>();
        for (int k = 0; k < racks; k++) {
            rackItems.add(new ArrayList<>());
        }
        hostNames.forEach(h -> rackItems.get(r.nextInt(racks)).add(h));
        List<String> rackNames = new ArrayList<>();
        for (int k = 0; k < racks; k++) {
            rackNames.add("rack" + k);
            buckets.add(bucket(r, "rack", "rack" + k, rackItems.get(k), algs, classes, usedIds));
        }
        buckets.add(bucket(r, "root", "default", rackNames, algs, classes, usedIds));
        if (r.nextInt(3) == 0) {
            buckets.add(bucket(r, "root", "other", hostNames.subList(0, 1 + r.nextInt(hosts)), algs, classes, usedIds));
        }
        if (r.nextInt(5) == 0) {
            int i = r.nextInt(buckets.size() - 1);
            buckets.add(i, buckets.remove(i + 1));   // a bucket before its child: Ceph swaps them back
        }
        buckets.forEach(out::addAll);
        rules(r, out, classes, hostNames, rackNames);
        return String.join("\n", out) + "\n";
    }

    private static List<String> bucket(SplittableRandom r, String type, String name, List<String> items,
            List<String> algs, String[] classes, List<Integer> usedIds) {
        List<String> b = new ArrayList<>();
        String alg = algs.get(r.nextInt(algs.size()));
        b.add(type + " " + name + " {");
        Integer id = freshId(r, usedIds);
        if (id != null) {
            b.add("\tid " + id);
        }
        for (String cls : classes) {
            Integer classId = r.nextInt(3) == 0 ? freshId(r, usedIds) : null;
            if (classId != null) {
                b.add("\tid " + classId + " class " + cls);
            }
        }
        b.add("\talg " + alg);
        if (r.nextBoolean()) {
            b.add(r.nextBoolean() ? "\thash 0" : "\thash rjenkins1");
        }
        String uniformWeight = WEIGHTS[r.nextInt(WEIGHTS.length)];
        for (String item : items) {
            String w = alg.equals("uniform") ? uniformWeight
                    : r.nextInt(WEIGHTS.length + 1) < WEIGHTS.length ? WEIGHTS[r.nextInt(WEIGHTS.length)] : null;
            b.add("\titem " + item + (w == null ? "" : " weight " + w));
        }
        b.add("}");
        return b;
    }

    private static Integer freshId(SplittableRandom r, List<Integer> usedIds) {
        if (r.nextInt(10) < 3) {
            return null;
        }
        while (true) {
            int id = -1 - r.nextInt(30);
            if (!usedIds.contains(id)) {
                usedIds.add(id);
                return id;
            }
        }
    }

    private static void rules(SplittableRandom r, List<String> out, String[] classes, List<String> hosts,
            List<String> racks) {
        int rules = 1 + r.nextInt(4);
        List<Integer> ids = new ArrayList<>();
        while (ids.size() < rules) {
            int id = r.nextInt(8);
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        String[] types = {"osd", "host", "rack", "root"};
        for (int k = 0; k < rules; k++) {
            out.add(r.nextInt(10) == 0 ? "rule {" : "rule rule" + k + " {");
            out.add("\t" + (r.nextBoolean() ? "id " : "ruleset ") + ids.get(k));
            out.add("\ttype " + (r.nextBoolean() ? "replicated" : "erasure"));
            out.add("\tmin_size " + (1 + r.nextInt(3)));
            out.add("\tmax_size " + (3 + r.nextInt(8)));
            if (r.nextInt(3) == 0) {
                out.add("\tstep set_choose_tries " + (1 + r.nextInt(100)));
            }
            if (r.nextInt(5) == 0) {
                out.add("\tstep set_chooseleaf_vary_r " + r.nextInt(2));
            }
            List<String> takes = new ArrayList<>(hosts);
            takes.addAll(racks);
            takes.add("default");
            String take = takes.get(r.nextInt(takes.size()));
            if (classes.length > 0 && r.nextBoolean()) {
                take += " class " + classes[r.nextInt(classes.length)];
            }
            out.add("\tstep take " + take);
            out.add("\tstep " + (r.nextBoolean() ? "choose" : "chooseleaf") + " " + (r.nextBoolean() ? "firstn" : "indep")
                    + " " + (r.nextInt(5) - 1) + " type " + types[r.nextInt(types.length)]);
            out.add("\tstep emit");
            out.add("}");
        }
    }
}
