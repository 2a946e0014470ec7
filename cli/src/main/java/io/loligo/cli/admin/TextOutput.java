package io.loligo.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.monc.MonReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text renderings of monitor replies, following what Ceph's CLI prints for the same command. */
final class TextOutput {
    private TextOutput() {}

    static String render(String prefix, ObjectNode cmd, JsonNode d, long epoch) throws java.io.IOException {
        if (d == null || d.isNull() || d.isMissingNode()) {
            return "";
        }
        return switch (prefix) {
            case "status" -> status(d);
            case "health" -> health(d, cmd.path("detail").asBoolean(false));
            case "mon stat" -> monStat(d);
            case "mon dump" -> monDump(d);
            case "osd tree" -> osdTree(d);
            case "osd stat" -> osdStat(d);
            case "osd dump" -> osdDump(d);
            case "osd pool ls" -> poolLs(d);
            case "osd pool get" -> poolGet(d);
            case "osd pool lssnap" -> poolLsSnap(d);
            case "osd pool mksnap", "osd pool rmsnap" -> "";
            case "osd map" -> osdMap(d);
            case "pg stat" -> pgStat(d.path("num_pgs").asInt(), d);
            case "pg dump" -> pgDump(d);
            case "df" -> df(d);
            case "osd df" -> osdDf(d);
            case "config get" -> configGet(d);
            case "config dump" -> configDump(d);
            case "auth get", "auth export", "auth get-or-create", "auth add" -> keyring(d);
            case "auth ls" -> keyring(d.path("auth_dump"));
            case "osd create", "osd new" -> d.path("osdid").asText();
            case "osd pool create", "osd boot" -> "";
            default -> MonReply.json().writerWithDefaultPrettyPrinter().writeValueAsString(d);
        };
    }

    static String list(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return String.join(",", out);
    }

    static String status(JsonNode d) {
        StringBuilder sb = new StringBuilder();
        JsonNode h = d.path("health");
        sb.append("  cluster:\n    id:     ").append(d.path("fsid").asText()).append('\n');
        sb.append("    health: ").append(h.path("status").asText()).append('\n');
        h.path("checks").properties().forEach(e ->
                sb.append("            ").append(e.getValue().path("summary").path("message").asText()).append('\n'));
        JsonNode o = d.path("osdmap");
        JsonNode pg = d.path("pgmap");
        sb.append("\n  services:\n    mon: ").append(d.path("monmap").path("num_mons").asInt()).append(" daemons, quorum ")
                .append(list(d.path("quorum_names"))).append(" (leader ").append(d.path("quorum_leader_name").asText()).append(")\n");
        sb.append("    osd: ").append(o.path("num_osds").asInt()).append(" osds: ").append(o.path("num_up_osds").asInt())
                .append(" up, ").append(o.path("num_in_osds").asInt()).append(" in; epoch: e").append(o.path("epoch").asLong())
                .append("\n\n  data:\n    pools:   ").append(pg.path("num_pools").asInt()).append(" pools, ")
                .append(pg.path("num_pgs").asInt()).append(" pgs\n    objects: ").append(pg.path("num_objects").asLong())
                .append(" objects, ").append(bytes(pg.path("data_bytes").asLong())).append("\n    usage:   ")
                .append(bytes(pg.path("bytes_used").asLong())).append(" used, ").append(bytes(pg.path("bytes_avail").asLong()))
                .append(" / ").append(bytes(pg.path("bytes_total").asLong())).append(" avail\n    pgs:     ");
        List<String> states = new ArrayList<>();
        pg.path("pgs_by_state").forEach(s -> states.add(s.path("count").asInt() + " " + s.path("state_name").asText()));
        sb.append(states.isEmpty() ? "" : String.join("\n             ", states)).append('\n');
        return sb.toString();
    }

    static String health(JsonNode d, boolean detail) {
        List<String> summaries = new ArrayList<>();
        d.path("checks").properties().forEach(e -> summaries.add(e.getValue().path("summary").path("message").asText()));
        StringBuilder sb = new StringBuilder(d.path("status").asText());
        if (!summaries.isEmpty()) {
            sb.append(' ').append(String.join("; ", summaries));
        }
        sb.append('\n');
        if (detail) {
            d.path("checks").properties().forEach(e -> {
                String sev = e.getValue().path("severity").asText().equals("HEALTH_ERR") ? "ERR" : "WRN";
                sb.append('[').append(sev).append("] ").append(e.getKey()).append(": ")
                        .append(e.getValue().path("summary").path("message").asText()).append('\n');
                e.getValue().path("detail").forEach(x -> sb.append("    ").append(x.path("message").asText()).append('\n'));
            });
        }
        return sb.toString();
    }

    static String monStat(JsonNode d) {
        List<String> ranks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        d.path("quorum").forEach(q -> {
            ranks.add(q.path("rank").asText());
            names.add(q.path("name").asText());
        });
        return "e" + d.path("epoch").asLong() + ": " + d.path("num_mons").asInt() + " mons, election epoch "
                + d.path("election_epoch").asLong() + ", leader " + d.path("leader").asText() + ", quorum "
                + String.join(",", ranks) + " " + String.join(",", names) + "\n";
    }

    static String monDump(JsonNode d) {
        StringBuilder sb = new StringBuilder("epoch ").append(d.path("epoch").asLong()).append("\nfsid ")
                .append(d.path("fsid").asText()).append('\n');
        for (JsonNode m : d.path("mons")) {
            sb.append(m.path("rank").asInt()).append(": ").append(m.path("public_addr").asText()).append(" mon.")
                    .append(m.path("name").asText()).append('\n');
        }
        return sb.append("dumped monmap epoch ").append(d.path("epoch").asLong()).append('\n').toString();
    }

    static String osdTree(JsonNode d) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-4s %-6s %-9s %-22s %7s %9s %8s%n",
                "ID", "CLASS", "WEIGHT", "TYPE NAME", "STATUS", "REWEIGHT", "PRI-AFF"));
        for (JsonNode n : d.path("nodes")) {
            String indent = "    ".repeat(n.path("depth").asInt());
            boolean osd = n.path("type").asText().equals("osd");
            String typeName = indent + (osd ? "" : n.path("type").asText() + " ") + n.path("name").asText();
            sb.append(String.format(Locale.ROOT, "%-4d %-6s %-9.5f %-22s %7s %9s %8s%n", n.path("id").asInt(),
                    n.path("device_class").asText(""), n.path("crush_weight").asDouble(), typeName,
                    osd ? n.path("status").asText() : "", osd ? String.format(Locale.ROOT, "%.5f", n.path("reweight").asDouble()) : "",
                    osd ? String.format(Locale.ROOT, "%.5f", n.path("primary_affinity").asDouble()) : "").stripTrailing()).append('\n');
        }
        for (JsonNode n : d.path("stray")) {
            sb.append(String.format(Locale.ROOT, "%-4d %-6s %-9.5f %-22s %7s %9.5f %8.5f%n", n.path("id").asInt(), "", 0.0,
                    n.path("name").asText(), n.path("status").asText(), n.path("reweight").asDouble(),
                    n.path("primary_affinity").asDouble()));
        }
        return sb.toString();
    }

    static String osdStat(JsonNode d) {
        return d.path("num_osds").asInt() + " osds: " + d.path("num_up_osds").asInt() + " up, " + d.path("num_in_osds").asInt()
                + " in; epoch: e" + d.path("epoch").asLong() + "\n";
    }

    static String poolLine(JsonNode p) {
        StringBuilder sb = new StringBuilder("pool ").append(p.path("pool").asInt()).append(" '").append(p.path("pool_name").asText())
                .append("' replicated size ").append(p.path("size").asInt()).append(" min_size ").append(p.path("min_size").asInt())
                .append(" crush_rule ").append(p.path("crush_rule").asInt()).append(" object_hash rjenkins pg_num ")
                .append(p.path("pg_num").asInt()).append(" pgp_num ").append(p.path("pgp_num").asInt())
                .append(" autoscale_mode off last_change ").append(p.path("last_change").asText()).append(" flags ")
                .append(p.path("flags_names").asText()).append(" stripe_width 0");
        List<String> apps = new ArrayList<>();
        p.path("application_metadata").fieldNames().forEachRemaining(apps::add);
        if (!apps.isEmpty()) {
            sb.append(" application ").append(String.join(",", apps));
        }
        return sb.append('\n').toString();
    }

    static String osdDump(JsonNode d) {
        StringBuilder sb = new StringBuilder("epoch ").append(d.path("epoch").asLong()).append("\nfsid ").append(d.path("fsid").asText())
                .append("\nflags ").append(d.path("flags").asText()).append("\npool_max ").append(d.path("pool_max").asInt())
                .append("\nmax_osd ").append(d.path("max_osd").asInt()).append("\n\n");
        d.path("pools").forEach(p -> sb.append(poolLine(p)));
        sb.append('\n');
        for (JsonNode o : d.path("osds")) {
            sb.append("osd.").append(o.path("osd").asInt()).append(o.path("up").asInt() == 1 ? " up  " : " down")
                    .append(o.path("in").asInt() == 1 ? " in  " : " out ").append(" weight ").append(o.path("weight").asDouble())
                    .append(" up_from ").append(o.path("up_from").asLong()).append(" down_at ").append(o.path("down_at").asLong())
                    .append(' ').append(o.path("public_addr").asText()).append(" host ").append(o.path("host").asText())
                    .append(' ').append(o.path("uuid").asText()).append('\n');
        }
        d.path("pg_temp").forEach(t -> sb.append("pg_temp ").append(t.path("pgid").asText()).append(" [")
                .append(list(t.path("osds"))).append("]\n"));
        d.path("primary_temp").forEach(t -> sb.append("primary_temp ").append(t.path("pgid").asText()).append(' ')
                .append(t.path("osd").asInt()).append('\n'));
        d.path("blocklist").properties().forEach(e -> sb.append("blocklist ").append(e.getKey()).append(" expires ")
                .append(e.getValue().asLong()).append('\n'));
        return sb.toString();
    }

    static String poolLs(JsonNode d) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode p : d) {
            sb.append(p.isObject() ? poolLine(p) : p.asText() + "\n");
        }
        return sb.toString();
    }

    /** As {@code rados lssnap}: id, name and creation time (UTC) per line, then the count. */
    static String poolLsSnap(JsonNode d) {
        var fmt = java.time.format.DateTimeFormatter.ofPattern("yyyy.MM.dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder();
        for (JsonNode s : d) {
            sb.append(s.path("snapid").asLong()).append('\t').append(s.path("name").asText()).append('\t')
                    .append(fmt.format(java.time.Instant.ofEpochMilli(s.path("stamp").asLong()))).append('\n');
        }
        return sb.append(d.size()).append(" snaps\n").toString();
    }

    static String poolGet(JsonNode d) {
        StringBuilder sb = new StringBuilder();
        d.properties().forEach(e -> {
            if (!e.getKey().equals("pool") && !e.getKey().equals("pool_id")) {
                sb.append(e.getKey()).append(": ").append(e.getValue().asText()).append('\n');
            }
        });
        return sb.toString();
    }

    static String osdMap(JsonNode d) {
        return "osdmap e" + d.path("epoch").asLong() + " pool '" + d.path("pool").asText() + "' (" + d.path("pool_id").asInt()
                + ") object '" + d.path("objname").asText() + "' -> pg " + d.path("raw_pgid").asText() + " ("
                + d.path("pgid").asText() + ") -> up ([" + list(d.path("up")) + "], p" + d.path("up_primary").asInt()
                + ") acting ([" + list(d.path("acting")) + "], p" + d.path("acting_primary").asInt() + ")\n";
    }

    static String pgStat(int pgs, JsonNode d) {
        List<String> states = new ArrayList<>();
        d.path("pgs_by_state").forEach(s -> states.add(s.path("count").asInt() + " " + s.path("state_name").asText()));
        return pgs + " pgs: " + String.join(", ", states) + "; " + bytes(d.path("data_bytes").asLong()) + " data, "
                + bytes(d.path("bytes_used").asLong()) + " used, " + bytes(d.path("bytes_avail").asLong()) + " / "
                + bytes(d.path("bytes_total").asLong()) + " avail\n";
    }

    static String pgDump(JsonNode d) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %-10s %-16s %-10s %-16s %s%n", "PG_STAT", "STATE",
                "UP", "UP_PRIMARY", "ACTING", "ACTING_PRIMARY"));
        for (JsonNode pg : d.path("pg_map").path("pg_stats")) {
            sb.append(String.format(Locale.ROOT, "%-10s %-10s %-16s %-10d %-16s %d%n", pg.path("pgid").asText(),
                    pg.path("state").asText(), "[" + list(pg.path("up")) + "]", pg.path("up_primary").asInt(),
                    "[" + list(pg.path("acting")) + "]", pg.path("acting_primary").asInt()));
        }
        return sb.toString();
    }

    static String df(JsonNode d) {
        JsonNode st = d.path("stats");
        long total = st.path("total_bytes").asLong();
        long used = st.path("total_used_bytes").asLong();
        StringBuilder sb = new StringBuilder("--- RAW STORAGE ---\n");
        sb.append(String.format(Locale.ROOT, "%-6s %10s %10s %10s %10s%n", "CLASS", "SIZE", "AVAIL", "USED", "%RAW USED"));
        sb.append(String.format(Locale.ROOT, "%-6s %10s %10s %10s %10.2f%n", "TOTAL", bytes(total),
                bytes(st.path("total_avail_bytes").asLong()), bytes(used), total == 0 ? 0.0 : 100.0 * used / total));
        sb.append("\n--- POOLS ---\n").append(String.format(Locale.ROOT, "%-20s %4s %10s %8s %10s %6s %10s%n", "POOL", "ID",
                "STORED", "OBJECTS", "USED", "%USED", "MAX AVAIL"));
        for (JsonNode p : d.path("pools")) {
            JsonNode ps = p.path("stats");
            sb.append(String.format(Locale.ROOT, "%-20s %4d %10s %8d %10s %6.2f %10s%n", p.path("name").asText(),
                    p.path("id").asInt(), bytes(ps.path("stored").asLong()), ps.path("objects").asLong(),
                    bytes(ps.path("bytes_used").asLong()), 100 * ps.path("percent_used").asDouble(),
                    bytes(ps.path("max_avail").asLong())));
        }
        return sb.toString();
    }

    static String osdDf(JsonNode d) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-4s %-6s %-8s %-8s %10s %10s %10s %6s %4s %s%n",
                "ID", "CLASS", "WEIGHT", "REWEIGHT", "SIZE", "RAW USE", "AVAIL", "%USE", "PGS", "STATUS"));
        for (JsonNode n : d.path("nodes")) {
            sb.append(String.format(Locale.ROOT, "%-4d %-6s %-8.5f %-8.5f %10s %10s %10s %6.2f %4d %s%n", n.path("id").asInt(),
                    n.path("device_class").asText(), n.path("crush_weight").asDouble(), n.path("reweight").asDouble(),
                    bytes(n.path("kb").asLong() * 1024), bytes(n.path("kb_used").asLong() * 1024),
                    bytes(n.path("kb_avail").asLong() * 1024), n.path("utilization").asDouble(), n.path("pgs").asInt(),
                    n.path("status").asText()));
        }
        JsonNode sum = d.path("summary");
        sb.append(String.format(Locale.ROOT, "%-42s %10s %10s %10s %6.2f%n", "TOTAL", bytes(sum.path("total_kb").asLong() * 1024),
                bytes(sum.path("total_kb_used").asLong() * 1024), bytes(sum.path("total_kb_avail").asLong() * 1024),
                sum.path("average_utilization").asDouble()));
        return sb.toString();
    }

    static String configGet(JsonNode d) {
        if (d.size() == 1) {
            return d.elements().next().asText() + "\n";
        }
        StringBuilder sb = new StringBuilder();
        d.properties().forEach(e -> sb.append(e.getKey()).append(" = ").append(e.getValue().asText()).append('\n'));
        return sb.toString();
    }

    static String configDump(JsonNode d) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %-30s %s%n", "WHO", "OPTION", "VALUE"));
        d.forEach(e -> sb.append(String.format(Locale.ROOT, "%-10s %-30s %s%n", e.path("section").asText(),
                e.path("name").asText(), e.path("value").asText())));
        return sb.toString();
    }

    static String keyring(JsonNode entities) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode e : entities) {
            sb.append('[').append(e.path("entity").asText()).append("]\n\tkey = ").append(e.path("key").asText()).append('\n');
            e.path("caps").properties().forEach(c -> sb.append("\tcaps ").append(c.getKey()).append(" = \"")
                    .append(c.getValue().asText()).append("\"\n"));
        }
        return sb.toString();
    }

    static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
