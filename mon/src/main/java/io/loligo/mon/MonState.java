package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.common.Invariants;
import io.loligo.maps.MonMap;
import io.loligo.maps.OsdMap;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import io.loligo.maps.codec.MapWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/*
 * Snapshot encoding of the monitors' replicated state (see io.loligo.maps.codec.MapWriter):
 *   struct v1 compat 1 {
 *     bool bootstrapped; [MonMap; OsdMap]
 *     i32 n; n x { i64 epoch; bytes incremental }             the most recent osdmap incrementals
 *     i32 n; n x { string who; i32 k; k x { string key; string value } }     config store
 *     i32 n; n x { string entity; string key; i32 k; k x { string service; string caps } }  auth db
 *     i32 n; n x { i32 target; i32 k; k x { i32 reporter; i64 stampMillis } } pending failure reports
 *     PgStats (v2 and later; format in PgStats, beacons from v3, scrub errors from v4, blocked_by from v5)
 *     bool hasBase; [OsdMap]  (v5) the full map just before the oldest kept incremental
 *   }
 */
/**
 * Everything the monitors replicate: the monmap, the current OSD map and its recent incrementals,
 * the config store, the auth database and pending failure reports. Changed only by
 * {@link #apply(Cmd)}, which is deterministic: it reads nothing but its argument and this state, so
 * every monitor that applies the same log reaches the same state. Not thread-safe; the state
 * machine serialises access.
 */
public final class MonState {
    /** Incrementals kept for subscribers; anyone older than this gets a full map. */
    static final int INCREMENTALS_KEPT = 500;

    /** An auth entity: its secret (base64) and its caps by service (mon, osd, mgr). */
    public record AuthEntity(String key, TreeMap<String, String> caps) {}

    MonMap monmap;
    OsdMap osdmap;
    final TreeMap<Long, byte[]> incrementals = new TreeMap<>();
    /**
     * The full map at the epoch before the oldest kept incremental (null: none kept yet, or a state
     * from before v5): with the incrementals it rebuilds any recent epoch's map, which OSDs need to
     * compute a PG's past intervals ({@link #mapAt}).
     */
    OsdMap historyBase;
    final TreeMap<String, TreeMap<String, String>> config = new TreeMap<>();
    final TreeMap<String, AuthEntity> auth = new TreeMap<>();
    /** target osd → reporter osd → stamp of the report. */
    final TreeMap<Integer, TreeMap<Integer, Long>> failures = new TreeMap<>();
    /** What the OSDs report: per-OSD usage and per-PG state (see {@link PgStats}). */
    final PgStats pgStats = new PgStats();

    public boolean bootstrapped() {
        return osdmap != null;
    }

    public OsdMap osdmap() {
        return osdmap;
    }

    public MonMap monmap() {
        return monmap;
    }

    public long epoch() {
        return osdmap == null ? 0 : osdmap.epoch();
    }

    public NavigableMap<String, AuthEntity> auth() {
        return java.util.Collections.unmodifiableNavigableMap(auth);
    }

    /** The incrementals after {@code since}, or null when some are no longer kept (send a full map). */
    public List<byte[]> incrementalsSince(long since) {
        if (osdmap == null || since >= osdmap.epoch()) {
            return List.of();
        }
        if (since < 1 || !incrementals.containsKey(since + 1)) {
            return null;
        }
        return new ArrayList<>(incrementals.tailMap(since, false).values());
    }

    /** An option's value from the config store ("mon" section, then "global"), else its default. */
    public String option(String name) {
        for (String who : new String[] {"mon", "global"}) {
            TreeMap<String, String> section = config.get(who);
            if (section != null && section.containsKey(name)) {
                return section.get(name);
            }
        }
        String d = MonOptions.DEFAULTS.get(name);
        Invariants.check(d != null, "option %s has no default", name);
        return d;
    }

    public long longOption(String name) {
        try {
            return Long.parseLong(option(name));
        } catch (NumberFormatException e) {
            return Long.parseLong(MonOptions.DEFAULTS.get(name));
        }
    }

    public double ratioOption(String name) {
        try {
            double d = Double.parseDouble(option(name));
            return d > 0 && d <= 1 ? d : Double.parseDouble(MonOptions.DEFAULTS.get(name));
        } catch (NumberFormatException e) {
            return Double.parseDouble(MonOptions.DEFAULTS.get(name));
        }
    }

    private int ppm(String ratioOption) {
        return (int) Math.round(ratioOption(ratioOption) * OsdMap.PPM);
    }

    /** Commits an OSD map change: the map advances exactly one epoch and the incremental is kept. */
    void commit(OsdMap.Incremental inc) {
        OsdMap next = osdmap.apply(inc);
        Invariants.check(next.epoch() == osdmap.epoch() + 1, "epoch did not advance by one");
        if (historyBase == null) {
            historyBase = osdmap;   // older incrementals (a state from before v5) are trimmed unused
        }
        incrementals.put(inc.epoch, inc.encode());
        while (incrementals.size() > INCREMENTALS_KEPT) {
            Map.Entry<Long, byte[]> oldest = incrementals.pollFirstEntry();
            if (historyBase != null && historyBase.epoch() + 1 == oldest.getKey()) {
                historyBase = historyBase.apply(decodeKept(oldest.getValue()));
            }
        }
        osdmap = next;
    }

    private static OsdMap.Incremental decodeKept(byte[] b) {
        try {
            return OsdMap.Incremental.decode(b);
        } catch (MapDecodeException e) {
            throw new IllegalStateException("a kept incremental does not decode: " + e.getMessage(), e);
        }
    }

    /** The oldest epoch {@link #mapAt} can rebuild (the current one when no history is kept). */
    public long oldestMapEpoch() {
        return historyBase != null && incrementals.containsKey(historyBase.epoch() + 1) ? historyBase.epoch() : epoch();
    }

    /** The full map at {@code epoch} (oldestMapEpoch..epoch()), rebuilt from the base and the incrementals. */
    public OsdMap mapAt(long epoch) {
        Invariants.check(epoch >= oldestMapEpoch() && epoch <= epoch(), "map e%d outside kept e%d..e%d", epoch,
                oldestMapEpoch(), epoch());
        if (epoch == epoch()) {
            return osdmap;
        }
        OsdMap m = historyBase;
        for (byte[] b : incrementals.subMap(historyBase.epoch(), false, epoch, true).values()) {
            m = m.apply(decodeKept(b));
        }
        return m;
    }

    /** Applies one command; deterministic, and throws only for bugs (broken invariants). */
    public MonReply apply(Cmd cmd) {
        try {
            if (!bootstrapped() && !cmd.prefix().equals("mon bootstrap")) {
                throw new CommandException(Errno.EAGAIN, "cluster not bootstrapped yet; retry");
            }
            return dispatch(cmd);
        } catch (CommandException e) {
            return MonReply.error(e.code, e.getMessage(), epoch());
        }
    }

    private MonReply dispatch(Cmd cmd) throws CommandException {
        String p = cmd.prefix();
        if (p.equals("mon bootstrap")) {
            return bootstrap(cmd);
        }
        if (p.equals("osd pgstats")) {
            return pgStats.report(this, cmd);
        }
        if (p.startsWith("osd pool")) {
            return PoolCommands.apply(this, cmd);
        }
        if (p.startsWith("osd")) {
            return OsdCommands.apply(this, cmd);
        }
        if (p.startsWith("config") || p.startsWith("auth")) {
            return AuthConfigCommands.apply(this, cmd);
        }
        if (p.equals("noop")) {
            return MonReply.ok("", null, epoch());
        }
        throw new CommandException(Errno.EINVAL, "unknown command '" + p + "'");
    }

    /**
     * The first command of a cluster: fsid, monmap, initial config and keys. Applied once; later
     * copies (every monitor's leader term may send one) are no-ops.
     */
    private MonReply bootstrap(Cmd cmd) throws CommandException {
        if (bootstrapped()) {
            return MonReply.ok("already bootstrapped", null, epoch());
        }
        String fsid = cmd.str("fsid");
        List<MonMap.Mon> mons = new ArrayList<>();
        for (JsonNode m : cmd.json().path("mons")) {
            mons.add(new MonMap.Mon(m.path("name").asText(), m.path("addr").asText(), m.path("raft_addr").asText()));
        }
        if (mons.isEmpty()) {
            throw new CommandException(Errno.EINVAL, "bootstrap without monitors");
        }
        monmap = new MonMap(fsid, 1, mons);
        for (Map.Entry<String, JsonNode> e : cmd.json().path("config").properties()) {
            config.computeIfAbsent("global", k -> new TreeMap<>()).put(e.getKey(), e.getValue().asText());
        }
        // The full ratios live in the map from here on (osd set-full-ratio etc.), as in Ceph.
        osdmap = OsdMap.genesis(fsid, cmd.stamp(), CrushEditor.defaultMap(), ppm(MonOptions.NEARFULL_RATIO),
                ppm(MonOptions.BACKFILLFULL_RATIO), ppm(MonOptions.FULL_RATIO));
        for (Map.Entry<String, JsonNode> e : cmd.json().path("auth").properties()) {
            TreeMap<String, String> caps = new TreeMap<>();
            e.getValue().path("caps").properties().forEach(c -> caps.put(c.getKey(), c.getValue().asText()));
            auth.put(e.getKey(), new AuthEntity(e.getValue().path("key").asText(), caps));
        }
        return MonReply.ok("bootstrapped cluster " + fsid, null, epoch());
    }

    public byte[] encode() {
        MapWriter w = new MapWriter(4096);
        w.startStruct(5, 1).bool(bootstrapped());
        if (bootstrapped()) {
            monmap.encode(w);
            osdmap.encode(w);
        }
        w.i32(incrementals.size());
        incrementals.forEach((e, b) -> w.i64(e).bytes(b));
        w.i32(config.size());
        config.forEach((who, kv) -> {
            w.string(who).i32(kv.size());
            kv.forEach((k, v) -> w.string(k).string(v));
        });
        w.i32(auth.size());
        auth.forEach((name, a) -> {
            w.string(name).string(a.key()).i32(a.caps().size());
            a.caps().forEach((k, v) -> w.string(k).string(v));
        });
        w.i32(failures.size());
        failures.forEach((t, reps) -> {
            w.i32(t).i32(reps.size());
            reps.forEach((r, s) -> w.i32(r).i64(s));
        });
        pgStats.encode(w);
        w.bool(historyBase != null);
        if (historyBase != null) {
            historyBase.encode(w);
        }
        return w.endStruct().toByteArray();
    }

    public static MonState decode(byte[] bytes) throws MapDecodeException {
        MapReader r = new MapReader(bytes);
        MonState s = new MonState();
        int version = r.startStruct("mon state", 5);
        if (r.bool()) {
            s.monmap = MonMap.decode(r);
            s.osdmap = OsdMap.decode(r);
        }
        for (int i = 0, n = r.count("incrementals"); i < n; i++) {
            s.incrementals.put(r.i64(), r.bytes());
        }
        for (int i = 0, n = r.count("config"); i < n; i++) {
            TreeMap<String, String> kv = new TreeMap<>();
            String who = r.string();
            for (int j = 0, k = r.count("config section"); j < k; j++) {
                kv.put(r.string(), r.string());
            }
            s.config.put(who, kv);
        }
        for (int i = 0, n = r.count("auth"); i < n; i++) {
            String name = r.string();
            String key = r.string();
            TreeMap<String, String> caps = new TreeMap<>();
            for (int j = 0, k = r.count("caps"); j < k; j++) {
                caps.put(r.string(), r.string());
            }
            s.auth.put(name, new AuthEntity(key, caps));
        }
        for (int i = 0, n = r.count("failures"); i < n; i++) {
            TreeMap<Integer, Long> reps = new TreeMap<>();
            int target = r.i32();
            for (int j = 0, k = r.count("reporters"); j < k; j++) {
                reps.put(r.i32(), r.i64());
            }
            s.failures.put(target, reps);
        }
        if (version >= 2) {
            s.pgStats.decode(r, version);
        }
        if (version >= 5 && r.bool()) {
            s.historyBase = OsdMap.decode(r);
        }
        r.endStruct();
        r.expectEnd("mon state");
        return s;
    }
}
