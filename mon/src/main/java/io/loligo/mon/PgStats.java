package io.loligo.mon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import io.loligo.maps.codec.MapWriter;
import io.loligo.maps.monc.MonReply;
import java.util.Map;
import java.util.TreeMap;

/*
 * Encoding inside the MonState snapshot (after the failure reports):
 *   i32 n; n x { i32 osd; i64 kb, kbUsed, kbAvail, stampMillis }                         per-OSD usage
 *   i32 n; n x { i32 pool; i32 seed; string state; i64 objects, bytes; i32 reporter; i64 stampMillis }
 *   i32 n; n x { i32 osd; i64 lastBeaconMillis }                     (MonState v3 and later)
 *   i32 n; n x { i32 pool; i32 seed; i64 scrubErrors }              (MonState v4 and later; PGs with errors only)
 *   i32 n; n x { i32 pool; i32 seed; i32 k; k x i32 osd }   down PGs' blocked_by (MonState v5 and later)
 */
/**
 * The PG summary and usage the OSDs report ({@code osd pgstats}): per-OSD capacity and use, and
 * per-PG state, objects and bytes from each PG's primary. Replicated like the rest of the state
 * (reports are seconds apart, so the log cost is small); read by pg stat, df, osd df and health.
 */
final class PgStats {
    record OsdStat(long kb, long kbUsed, long kbAvail, long stampMillis) {}

    record PgStat(String state, long objects, long bytes, int reporter, long stampMillis) {}

    final TreeMap<Integer, OsdStat> osds = new TreeMap<>();
    final TreeMap<PgId, PgStat> pgs = new TreeMap<>();
    /** When each OSD last showed it is alive (boot, beacon or stats report), by the monitor's stamp. */
    final TreeMap<Integer, Long> beacons = new TreeMap<>();
    /** Ceph's num_scrub_errors of each PG that has any, as its primary reported it. */
    final TreeMap<PgId, Long> scrubErrors = new TreeMap<>();
    /** For PGs reported down: the OSDs peering needs back (Ceph's blocked_by). */
    final TreeMap<PgId, java.util.List<Integer>> blockedBy = new TreeMap<>();

    void beacon(int osd, long stampMillis) {
        beacons.merge(osd, stampMillis, Math::max);
    }

    /** {@code osd pgstats {osd, kb, kb_used, kb_avail, pgs: [{pgid, state, objects, bytes}]}}. */
    MonReply report(MonState s, Cmd c) throws CommandException {
        int osd = OsdCommands.osdId(s, c.str("osd"));
        long kb = c.lng("kb", 0);
        long used = c.lng("kb_used", 0);
        long avail = c.lng("kb_avail", Math.max(0, kb - used));
        if (kb < 0 || used < 0 || avail < 0) {
            throw new CommandException(Errno.EINVAL, "negative usage in report from osd." + osd);
        }
        osds.put(osd, new OsdStat(kb, used, avail, c.stamp()));
        beacon(osd, c.stamp());
        Fullness.reported(s, osd, c.bool("store_full"), c.stamp());
        int n = 0;
        for (JsonNode pg : c.json().path("pgs")) {
            PgId id = PgId.parse(pg.path("pgid").asText());
            String state = pg.path("state").asText("");
            if (id == null || state.isEmpty() || !state.matches("[a-z_+]+") || s.osdmap().pool(id.pool()) == null) {
                continue;
            }
            pgs.put(id, new PgStat(state, Math.max(0, pg.path("objects").asLong()), Math.max(0, pg.path("bytes").asLong()),
                    osd, c.stamp()));
            long errors = Math.max(0, pg.path("num_scrub_errors").asLong());
            if (errors > 0) {
                scrubErrors.put(id, errors);
            } else {
                scrubErrors.remove(id);
            }
            java.util.List<Integer> blocked = new java.util.ArrayList<>();
            pg.path("blocked_by").forEach(b -> blocked.add(b.asInt()));
            if (blocked.isEmpty()) {
                blockedBy.remove(id);
            } else {
                blockedBy.put(id, java.util.List.copyOf(blocked));
            }
            n++;
        }
        pgs.keySet().removeIf(pg -> s.osdmap().pool(pg.pool()) == null || pg.seed() >= s.osdmap().pool(pg.pool()).pgNum());
        scrubErrors.keySet().removeIf(pg -> !pgs.containsKey(pg));
        blockedBy.keySet().removeIf(pg -> !pgs.containsKey(pg));
        return MonReply.ok("osd." + osd + " reported " + n + " pgs", null, s.epoch());
    }

    /** PG counts by state over every PG of every pool; PGs nobody reported are "unknown". */
    TreeMap<String, Integer> statesByCount(OsdMap m) {
        TreeMap<String, Integer> out = new TreeMap<>();
        for (Pool p : m.pools().values()) {
            for (int seed = 0; seed < p.pgNum(); seed++) {
                PgStat st = pgs.get(new PgId(p.id(), seed));
                out.merge(st == null ? "unknown" : st.state(), 1, Integer::sum);
            }
        }
        return out;
    }

    ObjectNode pgStat(OsdMap m) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        ArrayNode byState = n.putArray("pgs_by_state");
        int total = 0;
        for (Map.Entry<String, Integer> e : statesByCount(m).entrySet()) {
            byState.addObject().put("state_name", e.getKey()).put("count", e.getValue());
            total += e.getValue();
        }
        long objects = 0;
        long bytes = 0;
        for (Map.Entry<PgId, PgStat> e : pgs.entrySet()) {
            if (m.pool(e.getKey().pool()) != null) {
                objects += e.getValue().objects();
                bytes += e.getValue().bytes();
            }
        }
        long kb = 0;
        long kbUsed = 0;
        long kbAvail = 0;
        for (Map.Entry<Integer, OsdStat> e : osds.entrySet()) {
            if (m.osd(e.getKey()) != null) {
                kb += e.getValue().kb();
                kbUsed += e.getValue().kbUsed();
                kbAvail += e.getValue().kbAvail();
            }
        }
        n.put("num_pgs", total).put("num_pools", m.pools().size()).put("num_objects", objects).put("data_bytes", bytes)
                .put("bytes_used", kbUsed * 1024).put("bytes_avail", kbAvail * 1024).put("bytes_total", kb * 1024);
        return n;
    }

    ObjectNode df(OsdMap m) {
        ObjectNode pg = pgStat(m);
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.putObject("stats").put("total_bytes", pg.path("bytes_total").asLong())
                .put("total_avail_bytes", pg.path("bytes_avail").asLong()).put("total_used_bytes", pg.path("bytes_used").asLong());
        ArrayNode pools = n.putArray("pools");
        for (Pool p : m.pools().values()) {
            long objects = 0;
            long stored = 0;
            for (var e : pgs.subMap(new PgId(p.id(), 0), true, new PgId(p.id(), -1), true).entrySet()) {
                objects += e.getValue().objects();
                stored += e.getValue().bytes();
            }
            long avail = pg.path("bytes_avail").asLong() / Math.max(1, p.size());
            pools.addObject().put("name", p.name()).put("id", p.id()).putObject("stats").put("stored", stored)
                    .put("objects", objects).put("bytes_used", stored * p.size())
                    .put("percent_used", stored == 0 ? 0.0 : stored * p.size() / (double) (stored * p.size() + avail * p.size()))
                    .put("max_avail", avail);
        }
        return n;
    }

    /** Fraction used of an OSD's capacity, or -1 when it has not reported. */
    double utilization(int osd) {
        OsdStat st = osds.get(osd);
        return st == null || st.kb() == 0 ? -1 : st.kbUsed() / (double) st.kb();
    }

    OsdStat osd(int id) {
        return osds.get(id);
    }

    void forget(int osd) {
        osds.remove(osd);
        beacons.remove(osd);
    }

    void encode(MapWriter w) {
        w.i32(osds.size());
        osds.forEach((id, st) -> w.i32(id).i64(st.kb()).i64(st.kbUsed()).i64(st.kbAvail()).i64(st.stampMillis()));
        w.i32(pgs.size());
        pgs.forEach((pg, st) -> w.i32(pg.pool()).i32(pg.seed()).string(st.state()).i64(st.objects()).i64(st.bytes())
                .i32(st.reporter()).i64(st.stampMillis()));
        w.i32(beacons.size());
        beacons.forEach((osd, stamp) -> w.i32(osd).i64(stamp));
        w.i32(scrubErrors.size());
        scrubErrors.forEach((pg, n) -> w.i32(pg.pool()).i32(pg.seed()).i64(n));
        w.i32(blockedBy.size());
        blockedBy.forEach((pg, osds) -> {
            w.i32(pg.pool()).i32(pg.seed()).i32(osds.size());
            osds.forEach(w::i32);
        });
    }

    void decode(MapReader r, int stateVersion) throws MapDecodeException {
        for (int i = 0, n = r.count("osd stats"); i < n; i++) {
            osds.put(r.i32(), new OsdStat(r.i64(), r.i64(), r.i64(), r.i64()));
        }
        for (int i = 0, n = r.count("pg stats"); i < n; i++) {
            PgId pg = new PgId(r.i32(), r.i32());
            pgs.put(pg, new PgStat(r.string(), r.i64(), r.i64(), r.i32(), r.i64()));
        }
        if (stateVersion >= 3) {
            for (int i = 0, n = r.count("beacons"); i < n; i++) {
                beacons.put(r.i32(), r.i64());
            }
        }
        if (stateVersion >= 4) {
            for (int i = 0, n = r.count("scrub errors"); i < n; i++) {
                scrubErrors.put(new PgId(r.i32(), r.i32()), r.i64());
            }
        }
        if (stateVersion >= 5) {
            for (int i = 0, n = r.count("blocked_by"); i < n; i++) {
                PgId pg = new PgId(r.i32(), r.i32());
                java.util.List<Integer> osdsOfPg = new java.util.ArrayList<>();
                for (int j = 0, k = r.count("blocked_by osds"); j < k; j++) {
                    osdsOfPg.add(r.i32());
                }
                blockedBy.put(pg, java.util.List.copyOf(osdsOfPg));
            }
        }
    }
}
