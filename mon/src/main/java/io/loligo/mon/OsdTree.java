package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.crush.Bucket;
import io.loligo.crush.CrushMap;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import java.util.Set;
import java.util.TreeSet;

/** {@code osd tree} and {@code osd df} as Ceph's JSON: {nodes: [...], stray: [...]}, roots first, depth-first. */
final class OsdTree {
    private OsdTree() {}

    static ObjectNode tree(OsdMap m) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        ArrayNode nodes = n.putArray("nodes");
        CrushMap crush = m.crush();
        Set<Integer> placed = new TreeSet<>();
        for (Bucket b : crush.buckets.values()) {
            if (!b.isShadow() && CrushEditor.parentOf(crush, b.id) == null) {
                walk(m, b.id, 0, CrushMapWeights.ONE, nodes, placed);
            }
        }
        ArrayNode stray = n.putArray("stray");
        for (OsdState o : m.osds().values()) {
            if (!placed.contains(o.id())) {
                stray.add(osdNode(m, o, 0, 0));
            }
        }
        return n;
    }

    private static void walk(OsdMap m, int id, int depth, int weight, ArrayNode nodes, Set<Integer> placed) {
        CrushMap crush = m.crush();
        if (id >= 0) {
            OsdState o = m.osd(id);
            if (o != null) {
                placed.add(id);
                nodes.add(osdNode(m, o, depth, weight));
            }
            return;
        }
        Bucket b = crush.bucket(id);
        ObjectNode node = nodes.addObject();
        node.put("id", b.id).put("name", b.name).put("type", crush.typeName(b.type)).put("type_id", b.type)
                .put("crush_weight", b.weight() / 65536.0).put("depth", depth);
        ArrayNode children = node.putArray("children");
        for (Bucket.Item it : b.items) {
            children.add(it.id());
        }
        for (Bucket.Item it : b.items) {
            walk(m, it.id(), depth + 1, it.weight(), nodes, placed);
        }
    }

    private static ObjectNode osdNode(OsdMap m, OsdState o, int depth, int crushWeight) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        CrushMap.Device d = m.crush().devices.get(o.id());
        n.put("id", o.id()).put("device_class", d == null || d.deviceClass() == null ? "" : d.deviceClass())
                .put("name", "osd." + o.id()).put("type", "osd").put("type_id", 0)
                .put("crush_weight", crushWeight / 65536.0).put("depth", depth);
        n.putObject("pool_weights");
        n.put("exists", 1).put("status", o.up() ? "up" : "down").put("reweight", o.reweight())
                .put("primary_affinity", o.primaryAffinity() / 65536.0);
        return n;
    }

    static ObjectNode df(MonState s) {
        OsdMap m = s.osdmap();
        java.util.Map<Integer, Integer> pgsPerOsd = new java.util.TreeMap<>();
        var placement = m.placement();
        for (var p : m.pools().values()) {
            for (int seed = 0; seed < p.pgNum(); seed++) {
                for (int o : placement.mapPg(p, seed).acting()) {
                    pgsPerOsd.merge(o, 1, Integer::sum);
                }
            }
        }
        ObjectNode n = MonReply.JSON.createObjectNode();
        ArrayNode nodes = n.putArray("nodes");
        long totalKb = 0;
        long totalUsed = 0;
        for (OsdState o : m.osds().values()) {
            CrushMap.Device d = m.crush().devices.get(o.id());
            PgStats.OsdStat st = s.pgStats.osd(o.id());
            long kb = st == null ? 0 : st.kb();
            long used = st == null ? 0 : st.kbUsed();
            totalKb += kb;
            totalUsed += used;
            nodes.addObject().put("id", o.id()).put("device_class", d == null || d.deviceClass() == null ? "" : d.deviceClass())
                    .put("name", "osd." + o.id()).put("type", "osd").put("type_id", 0)
                    .put("crush_weight", CrushEditor.itemWeight(m.crush(), o.id()) / 65536.0).put("depth", 2)
                    .put("reweight", o.reweight()).put("kb", kb).put("kb_used", used)
                    .put("kb_avail", st == null ? 0 : st.kbAvail()).put("utilization", kb == 0 ? 0.0 : 100.0 * used / kb)
                    .put("pgs", pgsPerOsd.getOrDefault(o.id(), 0)).put("status", o.up() ? "up" : "down");
        }
        n.putArray("stray");
        n.putObject("summary").put("total_kb", totalKb).put("total_kb_used", totalUsed)
                .put("total_kb_avail", totalKb - totalUsed)
                .put("average_utilization", totalKb == 0 ? 0.0 : 100.0 * totalUsed / totalKb);
        return n;
    }

    /** 16.16 constants used here. */
    static final class CrushMapWeights {
        static final int ONE = 0x10000;

        private CrushMapWeights() {}
    }
}
