package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.ClusterFlag;
import io.loligo.maps.MonMap;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Health checks as Ceph names them, computed from the replicated state and the quorum: each has a
 * severity, a one-line summary and detail lines naming what to do. JSON as {@code ceph health
 * --format json}: {status, checks: {NAME: {severity, summary: {message, count}, detail: [{message}]}}}.
 */
final class Health {
    private Health() {}

    private record Check(String name, String severity, String summary, int count, List<String> detail) {}

    static ObjectNode evaluate(MonState s, QuorumInfo q) {
        List<Check> checks = new ArrayList<>();
        monDown(s.monmap(), q, checks);
        OsdMap m = s.osdmap();
        osdDown(m, checks);
        flags(m, checks);
        tooFewOsds(s, m, checks);
        pools(s, m, checks);
        fullness(s, m, checks);
        scrubErrors(s, m, checks);
        ObjectNode out = MonReply.JSON.createObjectNode();
        String status = "HEALTH_OK";
        for (Check c : checks) {
            if (c.severity.equals("HEALTH_ERR")) {
                status = "HEALTH_ERR";
            } else if (c.severity.equals("HEALTH_WARN") && status.equals("HEALTH_OK")) {
                status = "HEALTH_WARN";
            }
        }
        out.put("status", status);
        ObjectNode checksNode = out.putObject("checks");
        for (Check c : checks) {
            ObjectNode n = checksNode.putObject(c.name);
            n.put("severity", c.severity);
            n.putObject("summary").put("message", c.summary).put("count", c.count);
            ArrayNode d = n.putArray("detail");
            c.detail.forEach(line -> d.addObject().put("message", line));
            n.put("muted", false);
        }
        out.putArray("mutes");
        return out;
    }

    private static void monDown(MonMap monmap, QuorumInfo q, List<Check> checks) {
        List<String> down = new ArrayList<>();
        for (String name : monmap.names()) {
            if (!q.quorum().contains(name)) {
                down.add(name);
            }
        }
        if (!down.isEmpty()) {
            List<String> detail = new ArrayList<>();
            for (String d : down) {
                detail.add("mon." + d + " (rank " + monmap.rank(d) + ") addr " + monmap.mon(d).addr()
                        + " is down (out of quorum); restart it: loligo daemon mon --id " + d);
            }
            checks.add(new Check("MON_DOWN", "HEALTH_WARN", down.size() + "/" + monmap.mons().size()
                    + " mons down, quorum " + String.join(",", q.quorum()), down.size(), detail));
        }
    }

    private static void osdDown(OsdMap m, List<Check> checks) {
        List<String> detail = new ArrayList<>();
        // host -> {total, down, down and in}: as Ceph, a subtree is reported only from its down+in OSDs, so a
        // host whose OSDs are all down but out (their data re-replicated) is no warning
        Map<String, int[]> hosts = new TreeMap<>();
        for (OsdState o : m.osds().values()) {
            if (!o.host().isEmpty()) {
                int[] h = hosts.computeIfAbsent(o.host(), k -> new int[3]);
                h[0]++;
                h[1] += o.up() ? 0 : 1;
                h[2] += !o.up() && o.in() ? 1 : 0;
            }
            if (!o.up() && o.in()) {
                detail.add("osd." + o.id() + " (root=default,host=" + o.host() + ") is down; check its log and restart it,"
                        + " or mark it out: loligo osd out " + o.id());
            }
        }
        if (!detail.isEmpty()) {
            checks.add(new Check("OSD_DOWN", "HEALTH_WARN", detail.size() + " osds down", detail.size(), detail));
        }
        List<String> hostDetail = new ArrayList<>();
        int osdsOnDownHosts = 0;
        for (var e : hosts.entrySet()) {
            if (e.getValue()[0] > 0 && e.getValue()[0] == e.getValue()[1] && e.getValue()[2] > 0) {
                hostDetail.add("host " + e.getKey() + " (root=default) (" + e.getValue()[0] + " osds) is down");
                osdsOnDownHosts += e.getValue()[0];
            }
        }
        if (!hostDetail.isEmpty()) {
            checks.add(new Check("OSD_HOST_DOWN", "HEALTH_WARN", hostDetail.size() + " host (" + osdsOnDownHosts
                    + " osds) down", hostDetail.size(), hostDetail));
        }
    }

    private static void flags(OsdMap m, List<Check> checks) {
        List<String> set = new ArrayList<>();
        for (ClusterFlag f : new ClusterFlag[] {ClusterFlag.PAUSERD, ClusterFlag.PAUSEWR, ClusterFlag.NOUP,
            ClusterFlag.NODOWN, ClusterFlag.NOOUT, ClusterFlag.NOIN, ClusterFlag.NOBACKFILL, ClusterFlag.NORECOVER,
            ClusterFlag.NOSCRUB, ClusterFlag.NODEEP_SCRUB, ClusterFlag.NOREBALANCE}) {
            if (m.isSet(f)) {
                set.add(f.cephName);
            }
        }
        if (!set.isEmpty()) {
            checks.add(new Check("OSDMAP_FLAGS", "HEALTH_WARN", String.join(",", set) + " flag(s) set", set.size(),
                    List.of("unset with: loligo osd unset FLAG")));
        }
    }

    private static void tooFewOsds(MonState s, OsdMap m, List<Check> checks) {
        long want = s.longOption(MonOptions.POOL_DEFAULT_SIZE);
        if (m.osds().size() < want) {
            checks.add(new Check("TOO_FEW_OSDS", "HEALTH_WARN", "OSD count " + m.osds().size() + " < osd_pool_default_size "
                    + want, 1, List.of("start more OSDs (loligo daemon osd ...) or lower osd_pool_default_size")));
        }
    }

    /**
     * OSD_FULL (ERR), OSD_BACKFILLFULL, OSD_NEARFULL (WARN) from the fullness bits the monitors set
     * in the map (Fullness), naming each OSD, its usage and the fix; OSD_OUT_OF_ORDER_FULL when the
     * map's ratios are not nearfull < backfillfull < full.
     */
    private static void fullness(MonState s, OsdMap m, List<Check> checks) {
        List<String> nf = new ArrayList<>();
        List<String> bf = new ArrayList<>();
        List<String> f = new ArrayList<>();
        for (OsdState o : m.osds().values()) {
            if (!o.isNearFull()) {
                continue;
            }
            double u = s.pgStats.utilization(o.id());
            String level = o.isFull() ? "full" : o.isBackfillFull() ? "backfill full" : "near full";
            String line = String.format(java.util.Locale.ROOT, "osd.%d is %s (%.0f%% used)", o.id(), level, u * 100);
            if (Fullness.storeFullOnly(s, m, o)) {
                line += ": it refuses data (past osd_failsafe_full_ratio, or too little file system space for its "
                        + "store's metadata); delete objects (deletes always work) or free space on its disk";
            } else if (o.isFull()) {
                line += ": writes that add data are refused; delete objects (deletes always work), add capacity, "
                        + "or raise the ratio for a while: loligo osd set-full-ratio 0.97";
            } else {
                line += "; add capacity or move data away: loligo osd reweight " + o.id() + " 0.9";
            }
            (o.isFull() ? f : o.isBackfillFull() ? bf : nf).add(line);
        }
        if (!f.isEmpty()) {
            checks.add(new Check("OSD_FULL", "HEALTH_ERR", f.size() + " full osd(s)", f.size(), f));
        }
        if (!bf.isEmpty()) {
            checks.add(new Check("OSD_BACKFILLFULL", "HEALTH_WARN", bf.size() + " backfillfull osd(s)", bf.size(), bf));
        }
        if (!nf.isEmpty()) {
            checks.add(new Check("OSD_NEARFULL", "HEALTH_WARN", nf.size() + " nearfull osd(s)", nf.size(), nf));
        }
        if (!(m.nearfullPpm() < m.backfillfullPpm() && m.backfillfullPpm() < m.fullPpm())) {
            String ratios = String.format(java.util.Locale.ROOT, "nearfull_ratio (%.3f) < backfillfull_ratio (%.3f) "
                    + "< full_ratio (%.3f)", m.nearfullRatio(), m.backfillfullRatio(), m.fullRatio());
            checks.add(new Check("OSD_OUT_OF_ORDER_FULL", "HEALTH_ERR", "full ratio(s) out of order", 1,
                    List.of("expected " + ratios + "; fix with loligo osd set-nearfull-ratio, "
                            + "set-backfillfull-ratio, set-full-ratio")));
        }
    }

    /** A PG's state: what its primary reported, else an estimate from how many OSDs are up and in. */
    private static String pgState(MonState s, Pool p, int seed, int upIn) {
        PgStats.PgStat st = s.pgStats.pgs.get(new io.loligo.maps.PgId(p.id(), seed));
        if (st != null) {
            return st.state();
        }
        return upIn < p.minSize() ? "inactive" : upIn < p.size() ? "degraded" : "unknown";
    }

    private static void pools(MonState s, OsdMap m, List<Check> checks) {
        int upIn = 0;
        for (OsdState o : m.osds().values()) {
            upIn += o.up() && o.in() ? 1 : 0;
        }
        List<String> noRedundancy = new ArrayList<>();
        List<String> inactive = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        List<String> down = new ArrayList<>();
        int inactivePgs = 0;
        int degradedPgs = 0;
        for (Pool p : m.pools().values()) {
            if (p.size() == 1) {
                noRedundancy.add("pool '" + p.name() + "' has no replicas configured; raise it: loligo osd pool set "
                        + p.name() + " size 3");
            }
            int poolInactive = 0;
            int poolDegraded = 0;
            for (int seed = 0; seed < p.pgNum(); seed++) {
                String st = pgState(s, p, seed, upIn);
                if (!st.contains("active") && !st.equals("unknown")) {
                    poolInactive++;
                    io.loligo.maps.PgId pgid = new io.loligo.maps.PgId(p.id(), seed);
                    if (st.contains("down") || st.contains("incomplete")) {
                        down.add("pg " + pgid + " is " + st + (st.contains("down")
                                ? ", osds " + s.pgStats.blockedBy.getOrDefault(pgid, List.of())
                                + " needed: bring them back up (they may hold the only copy of acknowledged writes)"
                                : ": no complete copy among the OSDs that answered; bring back OSDs that held it"));
                    }
                } else if (st.contains("degraded") || st.contains("undersized")) {
                    poolDegraded++;
                }
            }
            if (poolInactive > 0) {
                inactivePgs += poolInactive;
                inactive.add("pool '" + p.name() + "': " + poolInactive + " pgs inactive (" + upIn + " up+in OSDs, min_size "
                        + p.minSize() + "); bring OSDs back up: loligo osd tree shows which are down");
            }
            if (poolDegraded > 0) {
                degradedPgs += poolDegraded;
                degraded.add("pool '" + p.name() + "': " + poolDegraded + " pgs degraded (" + upIn + " up+in OSDs, size "
                        + p.size() + "); recovery restores them once OSDs return or are replaced");
            }
        }
        if (!inactive.isEmpty()) {
            inactive.addAll(down);
            checks.add(new Check("PG_AVAILABILITY", "HEALTH_WARN", "Reduced data availability: " + inactivePgs
                    + " pgs inactive" + (down.isEmpty() ? "" : ", " + down.size() + " pgs down or incomplete"),
                    inactivePgs, inactive));
        }
        if (!degraded.isEmpty()) {
            checks.add(new Check("PG_DEGRADED", "HEALTH_WARN", "Degraded data redundancy: " + degradedPgs
                    + " pgs degraded", degradedPgs, degraded));
        }
        if (!noRedundancy.isEmpty()) {
            checks.add(new Check("POOL_NO_REDUNDANCY", "HEALTH_WARN", noRedundancy.size()
                    + " pool(s) have no replicas configured", noRedundancy.size(), noRedundancy));
        }
    }

    /** OSD_SCRUB_ERRORS and PG_DAMAGED, as Ceph: what scrubs found, and the command that repairs each PG. */
    private static void scrubErrors(MonState s, OsdMap m, List<Check> checks) {
        long errors = 0;
        List<String> damaged = new ArrayList<>();
        for (var e : s.pgStats.scrubErrors.entrySet()) {
            if (m.pool(e.getKey().pool()) != null) {
                errors += e.getValue();
            }
        }
        for (var e : s.pgStats.pgs.entrySet()) {
            if (m.pool(e.getKey().pool()) != null && e.getValue().state().contains("inconsistent")) {
                var acting = m.placement().mapPg(m.pool(e.getKey().pool()), e.getKey().seed()).acting();
                damaged.add("pg " + e.getKey() + " is " + e.getValue().state() + ", acting " + java.util.Arrays.toString(acting)
                        + "; see what differs: loligo rados list-inconsistent-obj " + e.getKey()
                        + "; repair it: loligo pg repair " + e.getKey());
            }
        }
        if (errors > 0) {
            checks.add(new Check("OSD_SCRUB_ERRORS", "HEALTH_ERR", errors + " scrub errors", (int) errors,
                    List.of(errors + " scrub errors")));
        }
        if (!damaged.isEmpty()) {
            checks.add(new Check("PG_DAMAGED", "HEALTH_ERR", "Possible data damage: " + damaged.size() + " pg"
                    + (damaged.size() == 1 ? "" : "s") + " inconsistent", damaged.size(), damaged));
        }
    }
}
