package io.loligo.maps;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import io.loligo.maps.codec.MapWriter;
import java.util.Map;

/*
 * CRUSH map encoding inside the OSD map (see MapWriter for primitives). Not Ceph's binary crush
 * format; it carries exactly the io.loligo.crush.CrushMap model:
 *   struct v1 compat 1 {
 *     tunables: 8 x i32 (choose_local_tries, choose_local_fallback_tries, choose_total_tries,
 *               chooseleaf_descend_once, chooseleaf_vary_r, chooseleaf_stable, straw_calc_version,
 *               allowed_bucket_algs)
 *     i32 n; n x { i32 id; string name; string class (nullable) }            devices by id
 *     i32 n; n x { i32 id; string name }                                       types by id
 *     i32 n; n x { i32 id; string name; i32 type, alg, hash;
 *                  i32 n; n x { i32 item; i32 weight16.16 }                     items in map order
 *                  i32 n; n x { string class; i32 shadowId }                    class ids in order
 *                  i32 shadowOf; string shadowClass (nullable) }               buckets by id
 *     i32 n; n x { i32 id; string name; i32 type, minSize, maxSize;
 *                  i32 n; n x { i32 op, arg1, arg2 } }                          rules by id
 *   }
 */
/** Encodes and decodes a {@link CrushMap}; also deep-copies one (OSD maps treat their CRUSH map as immutable). */
public final class CrushCodec {
    private CrushCodec() {}

    public static void encode(CrushMap m, MapWriter w) {
        w.startStruct(1, 1);
        Tunables t = m.tunables;
        w.i32(t.chooseLocalTries).i32(t.chooseLocalFallbackTries).i32(t.chooseTotalTries).i32(t.chooseleafDescendOnce)
                .i32(t.chooseleafVaryR).i32(t.chooseleafStable).i32(t.strawCalcVersion).i32(t.allowedBucketAlgs);
        w.i32(m.devices.size());
        for (CrushMap.Device d : m.devices.values()) {
            w.i32(d.id()).string(d.name()).string(d.deviceClass());
        }
        w.i32(m.types.size());
        for (Map.Entry<Integer, String> e : m.types.entrySet()) {
            w.i32(e.getKey()).string(e.getValue());
        }
        w.i32(m.buckets.size());
        for (Bucket b : m.buckets.values()) {
            w.i32(b.id).string(b.name).i32(b.type).i32(b.alg).i32(b.hash).i32(b.items.size());
            for (Bucket.Item it : b.items) {
                w.i32(it.id()).i32(it.weight());
            }
            w.i32(b.classIds.size());
            for (Map.Entry<String, Integer> e : b.classIds.entrySet()) {
                w.string(e.getKey()).i32(e.getValue());
            }
            w.i32(b.shadowOf).string(b.shadowClass);
        }
        w.i32(m.rules.size());
        for (Rule r : m.rules.values()) {
            w.i32(r.id).string(r.name).i32(r.type).i32(r.minSize).i32(r.maxSize).i32(r.steps.size());
            for (Rule.Step s : r.steps) {
                w.i32(s.op()).i32(s.arg1()).i32(s.arg2());
            }
        }
        w.endStruct();
    }

    public static CrushMap decode(MapReader r) throws MapDecodeException {
        r.startStruct("crush map", 1);
        CrushMap m = new CrushMap();
        Tunables t = new Tunables();
        t.chooseLocalTries = r.i32();
        t.chooseLocalFallbackTries = r.i32();
        t.chooseTotalTries = r.i32();
        t.chooseleafDescendOnce = r.i32();
        t.chooseleafVaryR = r.i32();
        t.chooseleafStable = r.i32();
        t.strawCalcVersion = r.i32();
        t.allowedBucketAlgs = r.i32();
        m.tunables = t;
        for (int i = 0, n = r.count("crush devices"); i < n; i++) {
            int id = r.i32();
            m.devices.put(id, new CrushMap.Device(id, r.string(), r.string()));
        }
        for (int i = 0, n = r.count("crush types"); i < n; i++) {
            int id = r.i32();
            m.types.put(id, r.string());
        }
        for (int i = 0, n = r.count("crush buckets"); i < n; i++) {
            Bucket b = new Bucket(r.i32(), r.string(), r.i32(), r.i32());
            b.hash = r.i32();
            for (int j = 0, k = r.count("bucket items"); j < k; j++) {
                b.items.add(new Bucket.Item(r.i32(), r.i32()));
            }
            for (int j = 0, k = r.count("bucket class ids"); j < k; j++) {
                b.classIds.put(r.string(), r.i32());
            }
            b.shadowOf = r.i32();
            b.shadowClass = r.string();
            m.buckets.put(b.id, b);
        }
        for (int i = 0, n = r.count("crush rules"); i < n; i++) {
            Rule rule = new Rule(r.i32(), r.string());
            rule.type = r.i32();
            rule.minSize = r.i32();
            rule.maxSize = r.i32();
            for (int j = 0, k = r.count("rule steps"); j < k; j++) {
                rule.steps.add(new Rule.Step(r.i32(), r.i32(), r.i32()));
            }
            m.rules.put(rule.id, rule);
        }
        r.endStruct();
        return m;
    }

    /** A deep copy, made by encoding and decoding (cheap next to how rarely CRUSH maps change). */
    public static CrushMap copy(CrushMap m) {
        MapWriter w = new MapWriter();
        encode(m, w);
        try {
            return decode(new MapReader(w.toByteArray()));
        } catch (MapDecodeException e) {
            throw new IllegalStateException("invariant violated: crush map does not decode its own encoding", e);
        }
    }

    public static byte[] toBytes(CrushMap m) {
        MapWriter w = new MapWriter();
        encode(m, w);
        return w.toByteArray();
    }
}
