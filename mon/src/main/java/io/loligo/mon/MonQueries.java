package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.crush.Bucket;
import io.loligo.crush.CrushMap;
import io.loligo.maps.ClusterFlag;
import io.loligo.maps.CrushCodec;
import io.loligo.maps.MonMap;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Read-only commands, answered from one monitor's state without going through the log. JSON
 * field names are Ceph's for the same command, so scripts written against {@code ceph ... --format
 * json} keep working.
 */
public final class MonQueries {
    /** Every prefix this class answers; anything else is a mutation and goes through the log. */
    public static final Set<String> PREFIXES = Set.of("status", "health", "mon stat", "mon dump", "quorum_status", "osd dump",
            "osd tree", "osd stat", "osd df", "osd pool ls", "osd pool get", "osd pool lssnap", "osd getcrushmap", "osd getmap",
            "pg stat", "pg dump", "osd map", "df", "config get", "config dump", "auth get", "auth ls", "auth export");

    private MonQueries() {}

    public static boolean isQuery(String prefix) {
        return PREFIXES.contains(prefix);
    }

    public static MonReply answer(MonState s, QuorumInfo q, Cmd c) {
        try {
            if (!s.bootstrapped()) {
                throw new CommandException(Errno.EAGAIN, "cluster not bootstrapped yet; retry");
            }
            return MonReply.ok("", switch (c.prefix()) {
                case "status" -> status(s, q);
                case "health" -> Health.evaluate(s, q);
                case "mon stat" -> monStat(s.monmap(), q);
                case "quorum_status" -> quorumStatus(s.monmap(), q);
                case "mon dump" -> (ObjectNode) quorumStatus(s.monmap(), q).get("monmap");
                case "osd dump" -> osdDump(s.osdmap());
                case "osd tree" -> OsdTree.tree(s.osdmap());
                case "osd stat" -> osdStat(s.osdmap());
                case "osd df" -> OsdTree.df(s);
                case "osd pool ls" -> poolLs(s.osdmap(), c.bool("detail"));
                case "osd pool get" -> poolGet(s, c);
                case "osd pool lssnap" -> poolLsSnap(PoolCommands.pool(s, c.str("pool")));
                case "osd getcrushmap" -> MonReply.JSON.getNodeFactory().textNode(
                        Base64.getEncoder().encodeToString(CrushCodec.toBytes(s.osdmap().crush())));
                case "osd getmap" -> c.has("epoch") ? getMapAt(s, c.lng("epoch")) : getMap(s, c.lng("since", 0));
                case "pg stat" -> s.pgStats.pgStat(s.osdmap());
                case "pg dump" -> pgDump(s);
                case "osd map" -> osdMap(s, c);
                case "df" -> s.pgStats.df(s.osdmap());
                case "config get" -> configGet(s, c);
                case "config dump" -> configDump(s);
                case "auth get", "auth export" -> authGet(s, c);
                case "auth ls" -> authLs(s);
                default -> throw new CommandException(Errno.EINVAL, "unknown command '" + c.prefix() + "'");
            }, s.epoch());
        } catch (CommandException e) {
            return MonReply.error(e.code, e.getMessage(), s.epoch());
        }
    }

    /**
     * A subscriber at epoch {@code since} gets the incrementals since then, or the full map when
     * those are no longer kept (or it has none).
     */
    static ObjectNode getMap(MonState s, long since) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("epoch", s.epoch());
        List<byte[]> incs = s.incrementalsSince(since);
        if (incs == null) {
            n.put("full", Base64.getEncoder().encodeToString(s.osdmap().encode()));
        } else {
            ArrayNode a = n.putArray("incrementals");
            incs.forEach(b -> a.add(Base64.getEncoder().encodeToString(b)));
        }
        return n;
    }

    /**
     * The full map at {@code epoch} and the incrementals after it (OSDs rebuild the maps of a PG's
     * past intervals from these); an epoch older than the kept history gets the oldest kept map,
     * and {@code epoch} in the reply says which.
     */
    static ObjectNode getMapAt(MonState s, long epoch) throws CommandException {
        if (epoch < 1 || epoch > s.epoch()) {
            throw new CommandException(Errno.EINVAL, "osd getmap: epoch " + epoch + " outside e1..e" + s.epoch());
        }
        long from = Math.max(epoch, s.oldestMapEpoch());
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("epoch", from);
        n.put("full", Base64.getEncoder().encodeToString(s.mapAt(from).encode()));
        ArrayNode a = n.putArray("incrementals");
        s.incrementals.tailMap(from, false).values().forEach(b -> a.add(Base64.getEncoder().encodeToString(b)));
        return n;
    }

    static ObjectNode status(MonState s, QuorumInfo q) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        OsdMap m = s.osdmap();
        n.put("fsid", m.fsid());
        n.set("health", Health.evaluate(s, q));
        n.put("election_epoch", q.term());
        ArrayNode ranks = n.putArray("quorum");
        q.quorum().forEach(name -> ranks.add(s.monmap().rank(name)));
        ArrayNode names = n.putArray("quorum_names");
        q.quorum().forEach(names::add);
        n.put("quorum_leader_name", q.leader());
        n.putObject("monmap").put("epoch", s.monmap().epoch()).put("num_mons", s.monmap().mons().size());
        n.set("osdmap", osdStat(m));
        n.set("pgmap", s.pgStats.pgStat(m));
        return n;
    }

    static ObjectNode monStat(MonMap mm, QuorumInfo q) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("epoch", mm.epoch());
        n.put("min_mon_release_name", "loligo");
        n.put("num_mons", mm.mons().size());
        n.put("leader", q.leader());
        ArrayNode a = n.putArray("quorum");
        for (String name : q.quorum()) {
            a.addObject().put("rank", mm.rank(name)).put("name", name);
        }
        n.put("election_epoch", q.term());
        return n;
    }

    static ObjectNode quorumStatus(MonMap mm, QuorumInfo q) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("election_epoch", q.term());
        ArrayNode ranks = n.putArray("quorum");
        q.quorum().forEach(name -> ranks.add(mm.rank(name)));
        ArrayNode names = n.putArray("quorum_names");
        q.quorum().forEach(names::add);
        n.put("quorum_leader_name", q.leader());
        n.put("quorum_age", Math.max(0, q.leaderSinceMillis()) / 1000);
        ObjectNode monmap = n.putObject("monmap");
        monmap.put("epoch", mm.epoch());
        monmap.put("fsid", mm.fsid());
        ArrayNode mons = monmap.putArray("mons");
        for (int i = 0; i < mm.mons().size(); i++) {
            MonMap.Mon m = mm.mons().get(i);
            mons.addObject().put("rank", i).put("name", m.name()).put("public_addr", m.addr()).put("addr", m.addr());
        }
        return n;
    }

    static ObjectNode osdStat(OsdMap m) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("epoch", m.epoch());
        n.put("num_osds", m.osds().size());
        n.put("num_up_osds", m.numUp());
        n.put("num_in_osds", m.numIn());
        n.put("num_remapped_pgs", remappedPgs(m));
        return n;
    }

    /** PGs whose acting set is not CRUSH's up set (pg_temp or primary_temp in the map), as Ceph counts them. */
    static int remappedPgs(OsdMap m) {
        java.util.Set<io.loligo.maps.PgId> pinned = new java.util.HashSet<>(m.pgTemp().keySet());
        pinned.addAll(m.primaryTemp().keySet());
        int n = 0;
        for (io.loligo.maps.PgId pg : pinned) {
            Pool pool = m.pool(pg.pool());
            if (pool != null && pg.seed() < pool.pgNum()) {
                var mapping = m.placement().mapPg(pool, pg.seed());
                n += java.util.Arrays.equals(mapping.up(), mapping.acting()) && mapping.upPrimary() == mapping.actingPrimary() ? 0 : 1;
            }
        }
        return n;
    }

    static ObjectNode poolJson(Pool p) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("pool", p.id());
        n.put("pool_name", p.name());
        n.put("type", p.type());
        n.put("size", p.size());
        n.put("min_size", p.minSize());
        n.put("crush_rule", p.crushRule());
        n.put("object_hash", p.objectHash());
        n.put("pg_num", p.pgNum());
        n.put("pg_placement_num", p.pgpNum());
        n.put("pgp_num", p.pgpNum());
        n.put("flags", p.flags());
        n.put("flags_names", String.join(",", p.flagNames()));
        n.put("last_change", String.valueOf(p.lastChange()));
        n.put("quota_max_bytes", p.quotaMaxBytes());
        n.put("quota_max_objects", p.quotaMaxObjects());
        ObjectNode apps = n.putObject("application_metadata");
        p.applications().forEach(a -> apps.putObject(a));
        n.put("snap_seq", p.snapshots().seq());
        ArrayNode removed = n.putArray("removed_snaps");
        p.snapshots().removed().forEach(removed::add);
        n.set("pool_snaps", poolLsSnap(p));
        return n;
    }

    /** A pool's live snapshots, oldest first, with Ceph's field names (snapid, name, stamp in ms). */
    static ArrayNode poolLsSnap(Pool p) {
        ArrayNode a = MonReply.JSON.createArrayNode();
        p.snapshots().snaps().values().forEach(sn -> a.addObject().put("snapid", sn.id()).put("name", sn.name())
                .put("stamp", sn.stampMillis()));
        return a;
    }

    static ObjectNode osdDump(OsdMap m) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("epoch", m.epoch());
        n.put("fsid", m.fsid());
        n.put("created", m.createdMillis());
        n.put("modified", m.modifiedMillis());
        n.put("flags", String.join(",", ClusterFlag.names(m.flags())));
        n.put("pool_max", m.poolMax());
        n.put("max_osd", m.maxOsd());
        n.put("full_ratio", m.fullRatio()).put("backfillfull_ratio", m.backfillfullRatio())
                .put("nearfull_ratio", m.nearfullRatio());
        ArrayNode pools = n.putArray("pools");
        m.pools().values().forEach(p -> pools.add(poolJson(p)));
        ArrayNode osds = n.putArray("osds");
        for (OsdState o : m.osds().values()) {
            osds.addObject().put("osd", o.id()).put("uuid", o.uuid()).put("up", o.up() ? 1 : 0).put("in", o.in() ? 1 : 0)
                    .put("weight", o.reweight()).put("primary_affinity", o.primaryAffinity() / 65536.0)
                    .put("up_from", o.upFrom()).put("down_at", o.downAt()).put("public_addr", o.address())
                    .put("host", o.host());
            ArrayNode state = ((ObjectNode) osds.get(osds.size() - 1)).putArray("state");
            state.add(o.up() ? "up" : "down");
            state.add("exists");
            if (o.isFull()) {
                state.add("full");
            } else if (o.isBackfillFull()) {
                state.add("backfillfull");
            } else if (o.isNearFull()) {
                state.add("nearfull");
            }
        }
        ArrayNode pgTemp = n.putArray("pg_temp");
        for (Map.Entry<PgId, List<Integer>> e : m.pgTemp().entrySet()) {
            ArrayNode a = pgTemp.addObject().put("pgid", e.getKey().toString()).putArray("osds");
            e.getValue().forEach(a::add);
        }
        ArrayNode primaryTemp = n.putArray("primary_temp");
        m.primaryTemp().forEach((pg, osd) -> primaryTemp.addObject().put("pgid", pg.toString()).put("osd", osd));
        ObjectNode bl = n.putObject("blocklist");
        m.blocklist().forEach((addr, exp) -> bl.put(addr, exp));
        return n;
    }

    static com.fasterxml.jackson.databind.JsonNode poolLs(OsdMap m, boolean detail) {
        ArrayNode a = MonReply.JSON.createArrayNode();
        for (Pool p : m.pools().values()) {
            if (detail) {
                a.add(poolJson(p));
            } else {
                a.add(p.name());
            }
        }
        return a;
    }

    static ObjectNode poolGet(MonState s, Cmd c) throws CommandException {
        Pool p = PoolCommands.pool(s, c.str("pool"));
        String var = c.str("var");
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("pool", p.name());
        n.put("pool_id", p.id());
        switch (var) {
            case "size" -> n.put("size", p.size());
            case "min_size" -> n.put("min_size", p.minSize());
            case "pg_num" -> n.put("pg_num", p.pgNum());
            case "pgp_num" -> n.put("pgp_num", p.pgpNum());
            case "crush_rule" -> n.put("crush_rule", ruleName(s.osdmap().crush(), p.crushRule()));
            case "nodelete" -> n.put("nodelete", (p.flags() & Pool.FLAG_NODELETE) != 0);
            case "hashpspool" -> n.put("hashpspool", p.hashpspool());
            default -> throw new CommandException(Errno.EINVAL, "unknown pool variable '" + var
                    + "'; gettable: size, min_size, pg_num, pgp_num, crush_rule, nodelete, hashpspool");
        }
        return n;
    }

    static String ruleName(CrushMap crush, int id) {
        var r = crush.rules.get(id);
        return r == null ? String.valueOf(id) : r.name;
    }

    /** {@code osd map POOL OBJECT [NAMESPACE]} as Ceph's JSON. */
    static ObjectNode osdMap(MonState s, Cmd c) throws CommandException {
        Pool p = PoolCommands.pool(s, c.str("pool"));
        String object = c.str("object");
        String ns = c.str("nspace", "");
        var placement = s.osdmap().placement();
        int raw = placement.objectHash(p, ns, object);
        var m = placement.mapObject(p, ns, object);
        ObjectNode n = MonReply.JSON.createObjectNode();
        n.put("epoch", s.epoch()).put("pool", p.name()).put("pool_id", p.id()).put("objname", object)
                .put("raw_pgid", p.id() + "." + Integer.toHexString(raw)).put("pgid", m.pg().toString());
        ArrayNode up = n.putArray("up");
        for (int o : m.up()) {
            up.add(o);
        }
        n.put("up_primary", m.upPrimary());
        ArrayNode acting = n.putArray("acting");
        for (int o : m.acting()) {
            acting.add(o);
        }
        n.put("acting_primary", m.actingPrimary());
        return n;
    }

    /** {@code pg dump}: every PG's up and acting sets (states are "unknown" until OSDs report). */
    static ObjectNode pgDump(MonState s) {
        OsdMap m = s.osdmap();
        ObjectNode n = MonReply.JSON.createObjectNode();
        ObjectNode pgMap = n.putObject("pg_map");
        pgMap.put("version", m.epoch());
        ArrayNode stats = pgMap.putArray("pg_stats");
        var placement = m.placement();
        for (Pool p : m.pools().values()) {
            for (int seed = 0; seed < p.pgNum(); seed++) {
                var mapping = placement.mapPg(p, seed);
                var st = s.pgStats.pgs.get(new io.loligo.maps.PgId(p.id(), seed));
                ObjectNode pg = stats.addObject().put("pgid", mapping.pg().toString())
                        .put("state", st == null ? "unknown" : st.state()).put("num_objects", st == null ? 0 : st.objects())
                        .put("num_bytes", st == null ? 0 : st.bytes());
                ArrayNode up = pg.putArray("up");
                for (int o : mapping.up()) {
                    up.add(o);
                }
                ArrayNode acting = pg.putArray("acting");
                for (int o : mapping.acting()) {
                    acting.add(o);
                }
                pg.put("up_primary", mapping.upPrimary()).put("acting_primary", mapping.actingPrimary());
                ArrayNode blocked = pg.putArray("blocked_by");
                s.pgStats.blockedBy.getOrDefault(new io.loligo.maps.PgId(p.id(), seed), List.of()).forEach(blocked::add);
            }
        }
        return n;
    }

    static ObjectNode configGet(MonState s, Cmd c) throws CommandException {
        String who = c.str("who");
        AuthConfigCommands.checkWho(who);
        ObjectNode n = MonReply.JSON.createObjectNode();
        String type = who.contains(".") ? who.substring(0, who.indexOf('.')) : who;
        for (String section : new String[] {"global", type, who}) {
            Map<String, String> kv = s.config.get(section);
            if (kv != null) {
                kv.forEach(n::put);
            }
        }
        if (c.has("key")) {
            String key = c.str("key");
            if (!n.has(key)) {
                String d = MonOptions.DEFAULTS.get(key);
                if (d == null) {
                    throw new CommandException(Errno.ENOENT, "unrecognized key '" + key + "'");
                }
                n.put(key, d);
            }
            ObjectNode one = MonReply.JSON.createObjectNode();
            one.set(key, n.get(key));
            return one;
        }
        return n;
    }

    static ArrayNode configDump(MonState s) {
        ArrayNode a = MonReply.JSON.createArrayNode();
        s.config.forEach((who, kv) -> kv.forEach((k, v) -> a.addObject().put("section", who).put("name", k).put("value", v)
                .put("level", "basic").put("can_update_at_runtime", true).put("mask", "")));
        return a;
    }

    static ArrayNode authGet(MonState s, Cmd c) throws CommandException {
        String entity = c.str("entity");
        MonState.AuthEntity a = s.auth().get(entity);
        if (a == null) {
            throw new CommandException(Errno.ENOENT, "failed to find " + entity + " in keyring");
        }
        ArrayNode out = MonReply.JSON.createArrayNode();
        out.add(AuthConfigCommands.entityJson(entity, a));
        return out;
    }

    static ObjectNode authLs(MonState s) {
        ObjectNode n = MonReply.JSON.createObjectNode();
        ArrayNode a = n.putArray("auth_dump");
        s.auth().forEach((name, e) -> a.add(AuthConfigCommands.entityJson(name, e)));
        return n;
    }

    /** Used by {@link OsdTree}: the device's bucket path names, e.g. "host=node1". */
    static String hostOf(CrushMap crush, int osd) {
        Bucket b = CrushEditor.parentOf(crush, osd);
        return b == null ? "" : b.name;
    }
}
