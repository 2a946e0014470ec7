package io.loligo.maps;

import io.loligo.common.Invariants;
import io.loligo.crush.CrushMap;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import io.loligo.maps.codec.MapWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/*
 * OSD map encoding (see MapWriter for primitives):
 *   struct v1 compat 1 {
 *     string fsid; i64 epoch; i64 createdMillis; i64 modifiedMillis; i32 flags; i32 maxOsd; i32 poolMax;
 *     i32 n; n x OsdState   (struct v3 compat 1 { i32 id; string uuid, address, host; bool up; i32 weight,
 *                            primaryAffinity; i64 upFrom, downAt, downStampMillis; v2: i64 upThru;
 *                            v3: i32 fullness })
 *     i32 n; n x Pool       (struct v1 { i32 id; string name; i32 type, size, minSize, crushRule, pgNum,
 *                            pgpNum; i64 flags; i32 objectHash; i32 n; n x string application;
 *                            i64 quotaMaxBytes, quotaMaxObjects, lastChange })
 *     CrushCodec crush map
 *     i32 n; n x { i32 pool; i32 seed; i32 k; k x i32 osd }         pg_temp
 *     i32 n; n x { i32 pool; i32 seed; i32 osd }                    primary_temp
 *     i32 n; n x { string addr; i64 expiryMillis }                  blocklist
 *     v2: i32 nearfull, backfillfull, full ratio in parts per million (v1 maps: 0.85, 0.90, 0.95)
 *   }
 * Incremental (OsdMap.Incremental):
 *   struct v1 compat 1 {
 *     string fsid; i64 epoch; i64 modifiedMillis; i32 newFlags (-1 unchanged); i32 newMaxOsd (-1);
 *     i32 newPoolMax (-1); i32 n; n x OsdState; i32 n; n x i32 removed osd; i32 n; n x Pool;
 *     i32 n; n x i32 removed pool; bool hasCrush; [crush map];
 *     i32 n; n x { pool, seed, k, k x osd } (k = 0 removes the pg_temp entry);
 *     i32 n; n x { pool, seed, osd } (osd -1 removes); i32 n; n x { addr, expiry }; i32 n; n x string addr
 *     v2: i32 new nearfull, backfillfull, full ratio in ppm (-1 unchanged)
 *   }
 * All collections are written in key order, so equal maps have equal encodings.
 */
/**
 * The OSD map at one epoch: OSD states, pools, the CRUSH map, pg_temp/primary_temp, blocklist and
 * cluster flags. Immutable: {@link #apply(Incremental)} returns the next epoch's map. The CRUSH map
 * it holds must never be mutated; changing CRUSH means an incremental carrying a new copy.
 */
public final class OsdMap {
    private static final int VERSION = 2;
    private static final int INC_VERSION = 2;
    /** Ceph's defaults (mon_osd_nearfull_ratio, mon_osd_backfillfull_ratio, mon_osd_full_ratio), in ppm. */
    public static final int DEFAULT_NEARFULL_PPM = 850_000;
    public static final int DEFAULT_BACKFILLFULL_PPM = 900_000;
    public static final int DEFAULT_FULL_PPM = 950_000;
    public static final int PPM = 1_000_000;

    private final String fsid;
    private final long epoch;
    private final long createdMillis;
    private final long modifiedMillis;
    private final int flags;
    private final int maxOsd;
    private final int poolMax;
    private final NavigableMap<Integer, OsdState> osds;
    private final NavigableMap<Integer, Pool> pools;
    private final CrushMap crush;
    private final NavigableMap<PgId, List<Integer>> pgTemp;
    private final NavigableMap<PgId, Integer> primaryTemp;
    private final NavigableMap<String, Long> blocklist;
    /** nearfull, backfillfull, full ratios in parts per million (Ceph's osdmap nearfull_ratio etc.). */
    private final int nearfullPpm;
    private final int backfillfullPpm;
    private final int fullPpm;

    private OsdMap(String fsid, long epoch, long createdMillis, long modifiedMillis, int flags, int maxOsd,
                   int poolMax, TreeMap<Integer, OsdState> osds, TreeMap<Integer, Pool> pools, CrushMap crush,
                   TreeMap<PgId, List<Integer>> pgTemp, TreeMap<PgId, Integer> primaryTemp,
                   TreeMap<String, Long> blocklist, int nearfullPpm, int backfillfullPpm, int fullPpm) {
        this.fsid = fsid;
        this.nearfullPpm = nearfullPpm;
        this.backfillfullPpm = backfillfullPpm;
        this.fullPpm = fullPpm;
        Invariants.check(validRatio(nearfullPpm) && validRatio(backfillfullPpm) && validRatio(fullPpm),
                "osdmap e%d: full ratios %d/%d/%d ppm outside 1..1000000", epoch, nearfullPpm, backfillfullPpm, fullPpm);
        this.epoch = epoch;
        this.createdMillis = createdMillis;
        this.modifiedMillis = modifiedMillis;
        this.flags = flags;
        this.maxOsd = maxOsd;
        this.poolMax = poolMax;
        this.osds = Collections.unmodifiableNavigableMap(osds);
        this.pools = Collections.unmodifiableNavigableMap(pools);
        this.crush = crush;
        this.pgTemp = Collections.unmodifiableNavigableMap(pgTemp);
        this.primaryTemp = Collections.unmodifiableNavigableMap(primaryTemp);
        this.blocklist = Collections.unmodifiableNavigableMap(blocklist);
        for (OsdState o : osds.values()) {
            Invariants.check(o.id() < maxOsd, "osdmap e%d: osd.%d beyond max_osd %d", epoch, o.id(), maxOsd);
        }
        for (Pool p : pools.values()) {
            Invariants.check(p.id() <= poolMax, "osdmap e%d: pool %d beyond pool_max %d", epoch, p.id(), poolMax);
        }
    }

    /** The first OSD map of a cluster: epoch 1, no OSDs, no pools, the given CRUSH map. */
    public static OsdMap genesis(String fsid, long createdMillis, CrushMap crush) {
        return genesis(fsid, createdMillis, crush, DEFAULT_NEARFULL_PPM, DEFAULT_BACKFILLFULL_PPM, DEFAULT_FULL_PPM);
    }

    /** The first OSD map with the given nearfull, backfillfull and full ratios (ppm). */
    public static OsdMap genesis(String fsid, long createdMillis, CrushMap crush, int nearfullPpm, int backfillfullPpm,
                                 int fullPpm) {
        return new OsdMap(fsid, 1, createdMillis, createdMillis, ClusterFlag.SORTBITWISE.bit, 0, 0, new TreeMap<>(),
                new TreeMap<>(), crush, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), nearfullPpm, backfillfullPpm,
                fullPpm);
    }

    /** Whether {@code ppm} is a ratio the map can hold (above 0, at most 1). */
    public static boolean validRatio(int ppm) {
        return ppm > 0 && ppm <= PPM;
    }

    public double nearfullRatio() { return nearfullPpm / (double) PPM; }
    public double backfillfullRatio() { return backfillfullPpm / (double) PPM; }
    public double fullRatio() { return fullPpm / (double) PPM; }
    public int nearfullPpm() { return nearfullPpm; }
    public int backfillfullPpm() { return backfillfullPpm; }
    public int fullPpm() { return fullPpm; }

    /** The fullness bits ({@link OsdState#FULL} etc.) an OSD with {@code used} of {@code total} bytes has by this map's ratios. */
    public int fullnessOf(long used, long total) {
        if (total <= 0) {
            return 0;
        }
        double u = used / (double) total;
        return u >= fullRatio() ? OsdState.FULL : u >= backfillfullRatio() ? OsdState.BACKFILLFULL
                : u >= nearfullRatio() ? OsdState.NEARFULL : 0;
    }

    public String fsid() { return fsid; }
    public long epoch() { return epoch; }
    public long createdMillis() { return createdMillis; }
    public long modifiedMillis() { return modifiedMillis; }
    public int flags() { return flags; }
    public boolean isSet(ClusterFlag f) { return (flags & f.bit) != 0; }
    public int maxOsd() { return maxOsd; }
    public int poolMax() { return poolMax; }
    public NavigableMap<Integer, OsdState> osds() { return osds; }
    public OsdState osd(int id) { return osds.get(id); }
    public NavigableMap<Integer, Pool> pools() { return pools; }
    public Pool pool(int id) { return pools.get(id); }
    /** The CRUSH map; read only (see class comment). */
    public CrushMap crush() { return crush; }
    public NavigableMap<PgId, List<Integer>> pgTemp() { return pgTemp; }
    public NavigableMap<PgId, Integer> primaryTemp() { return primaryTemp; }
    public NavigableMap<String, Long> blocklist() { return blocklist; }

    private volatile OsdMapPlacement placement;

    /** Placement (object → PG → OSDs) against this map; built on first use. */
    public OsdMapPlacement placement() {
        OsdMapPlacement p = placement;
        if (p == null) {
            p = new OsdMapPlacement(this);
            placement = p;
        }
        return p;
    }

    public Pool poolByName(String name) {
        for (Pool p : pools.values()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    public int numUp() {
        int n = 0;
        for (OsdState o : osds.values()) {
            n += o.up() ? 1 : 0;
        }
        return n;
    }

    public int numIn() {
        int n = 0;
        for (OsdState o : osds.values()) {
            n += o.in() ? 1 : 0;
        }
        return n;
    }

    /** The map of the next epoch; {@code inc} must be for exactly epoch + 1 of this cluster. */
    public OsdMap apply(Incremental inc) {
        Invariants.check(inc.fsid.equals(fsid), "incremental for fsid %s applied to %s", inc.fsid, fsid);
        Invariants.check(inc.epoch == epoch + 1, "incremental e%d applied to osdmap e%d", inc.epoch, epoch);
        TreeMap<Integer, OsdState> o = new TreeMap<>(osds);
        inc.oldOsds.forEach(o::remove);
        o.putAll(inc.newOsds);
        TreeMap<Integer, Pool> p = new TreeMap<>(pools);
        inc.oldPools.forEach(p::remove);
        p.putAll(inc.newPools);
        TreeMap<PgId, List<Integer>> pt = new TreeMap<>(pgTemp);
        inc.newPgTemp.forEach((pg, osdsOfPg) -> {
            if (osdsOfPg.isEmpty()) {
                pt.remove(pg);
            } else {
                pt.put(pg, List.copyOf(osdsOfPg));
            }
        });
        TreeMap<PgId, Integer> prt = new TreeMap<>(primaryTemp);
        inc.newPrimaryTemp.forEach((pg, osd) -> {
            if (osd < 0) {
                prt.remove(pg);
            } else {
                prt.put(pg, osd);
            }
        });
        TreeMap<String, Long> bl = new TreeMap<>(blocklist);
        inc.oldBlocklist.forEach(bl::remove);
        bl.putAll(inc.newBlocklist);
        return new OsdMap(fsid, inc.epoch, createdMillis, inc.modifiedMillis, inc.newFlags >= 0 ? inc.newFlags : flags,
                inc.newMaxOsd >= 0 ? inc.newMaxOsd : maxOsd, inc.newPoolMax >= 0 ? inc.newPoolMax : poolMax, o, p,
                inc.newCrush != null ? inc.newCrush : crush, pt, prt, bl,
                inc.newNearfullPpm >= 0 ? inc.newNearfullPpm : nearfullPpm,
                inc.newBackfillfullPpm >= 0 ? inc.newBackfillfullPpm : backfillfullPpm,
                inc.newFullPpm >= 0 ? inc.newFullPpm : fullPpm);
    }

    /** The next epoch's incremental, to be filled in by whoever changes the map. */
    public Incremental newIncremental(long modifiedMillis) {
        return new Incremental(fsid, epoch + 1, modifiedMillis);
    }

    public byte[] encode() {
        MapWriter w = new MapWriter(1024);
        encode(w);
        return w.toByteArray();
    }

    public void encode(MapWriter w) {
        w.startStruct(VERSION, 1).string(fsid).i64(epoch).i64(createdMillis).i64(modifiedMillis).i32(flags)
                .i32(maxOsd).i32(poolMax);
        w.i32(osds.size());
        osds.values().forEach(s -> encodeOsd(s, w));
        w.i32(pools.size());
        pools.values().forEach(pool -> encodePool(pool, w));
        CrushCodec.encode(crush, w);
        encodePgTemp(pgTemp, w);
        encodePrimaryTemp(primaryTemp, w);
        w.i32(blocklist.size());
        blocklist.forEach((addr, expiry) -> w.string(addr).i64(expiry));
        w.i32(nearfullPpm).i32(backfillfullPpm).i32(fullPpm);
        w.endStruct();
    }

    public static OsdMap decode(byte[] bytes) throws MapDecodeException {
        MapReader r = new MapReader(bytes);
        OsdMap m = decode(r);
        r.expectEnd("osdmap");
        return m;
    }

    public static OsdMap decode(MapReader r) throws MapDecodeException {
        int version = r.startStruct("osdmap", VERSION);
        String fsid = r.string();
        long epoch = r.i64();
        long created = r.i64();
        long modified = r.i64();
        int flags = r.i32();
        int maxOsd = r.i32();
        int poolMax = r.i32();
        TreeMap<Integer, OsdState> osds = new TreeMap<>();
        for (int i = 0, n = r.count("osds"); i < n; i++) {
            OsdState s = decodeOsd(r);
            osds.put(s.id(), s);
        }
        TreeMap<Integer, Pool> pools = new TreeMap<>();
        for (int i = 0, n = r.count("pools"); i < n; i++) {
            Pool p = decodePool(r);
            pools.put(p.id(), p);
        }
        CrushMap crush = CrushCodec.decode(r);
        TreeMap<PgId, List<Integer>> pgTemp = decodePgTemp(r);
        TreeMap<PgId, Integer> primaryTemp = decodePrimaryTemp(r);
        TreeMap<String, Long> blocklist = new TreeMap<>();
        for (int i = 0, n = r.count("blocklist"); i < n; i++) {
            blocklist.put(r.string(), r.i64());
        }
        int nearfull = version >= 2 ? r.i32() : DEFAULT_NEARFULL_PPM;
        int backfillfull = version >= 2 ? r.i32() : DEFAULT_BACKFILLFULL_PPM;
        int full = version >= 2 ? r.i32() : DEFAULT_FULL_PPM;
        r.endStruct();
        if (!validRatio(nearfull) || !validRatio(backfillfull) || !validRatio(full)) {
            throw new MapDecodeException("osdmap with full ratios " + nearfull + "/" + backfillfull + "/" + full
                    + " ppm (need 1..1000000)");
        }
        if (fsid == null || epoch < 1) {
            throw new MapDecodeException("osdmap with fsid " + fsid + " epoch " + epoch + " (need an fsid, epoch >= 1)");
        }
        try {
            return new OsdMap(fsid, epoch, created, modified, flags, maxOsd, poolMax, osds, pools, crush, pgTemp,
                    primaryTemp, blocklist, nearfull, backfillfull, full);
        } catch (IllegalStateException e) {
            throw new MapDecodeException("osdmap e" + epoch + " is inconsistent: " + e.getMessage());
        }
    }

    static void encodeOsd(OsdState s, MapWriter w) {
        w.startStruct(3, 1).i32(s.id()).string(s.uuid()).string(s.address()).string(s.host()).bool(s.up())
                .i32(s.weight()).i32(s.primaryAffinity()).i64(s.upFrom()).i64(s.downAt()).i64(s.downStampMillis())
                .i64(s.upThru()).i32(s.fullness()).endStruct();
    }

    static OsdState decodeOsd(MapReader r) throws MapDecodeException {
        int version = r.startStruct("osd state", 1);
        int id = r.i32();
        String uuid = r.string();
        String address = r.string();
        String host = r.string();
        boolean up = r.bool();
        int weight = r.i32();
        int affinity = r.i32();
        long upFrom = r.i64();
        long downAt = r.i64();
        long downStamp = r.i64();
        long upThru = version >= 2 ? r.i64() : 0;
        int fullness = version >= 3 ? r.i32() : 0;
        r.endStruct();
        if ((fullness & ~OsdState.FULLNESS_MASK) != 0) {
            throw new MapDecodeException("osd " + id + " with fullness bits " + fullness);
        }
        if (upThru < 0) {
            throw new MapDecodeException("osd " + id + " with up_thru " + upThru + " (need >= 0)");
        }
        if (id < 0 || weight < 0 || weight > OsdState.WEIGHT_IN || affinity < 0 || affinity > OsdState.WEIGHT_IN) {
            throw new MapDecodeException("osd " + id + " with weight " + weight + " affinity " + affinity
                    + " (need id >= 0 and both in 0..65536)");
        }
        return new OsdState(id, uuid, address, host, up, weight, affinity, upFrom, downAt, downStamp, upThru, fullness);
    }

    static void encodePool(Pool p, MapWriter w) {
        w.startStruct(2, 1).i32(p.id()).string(p.name()).i32(p.type()).i32(p.size()).i32(p.minSize())
                .i32(p.crushRule()).i32(p.pgNum()).i32(p.pgpNum()).i64(p.flags()).i32(p.objectHash())
                .i32(p.applications().size());
        p.applications().forEach(w::string);
        w.i64(p.quotaMaxBytes()).i64(p.quotaMaxObjects()).i64(p.lastChange());
        PoolSnaps snaps = p.snapshots();
        w.i64(snaps.seq()).i32(snaps.snaps().size());
        snaps.snaps().values().forEach(s -> w.i64(s.id()).string(s.name()).i64(s.stampMillis()));
        w.i32(snaps.removed().size());
        snaps.removed().forEach(w::i64);
        w.endStruct();
    }

    private static PoolSnaps decodePoolSnaps(MapReader r) throws MapDecodeException {
        long seq = r.i64();
        TreeMap<Long, PoolSnaps.Snap> snaps = new TreeMap<>();
        for (int i = 0, n = r.count("pool snaps"); i < n; i++) {
            long id = r.i64();
            String name = r.string();
            long stamp = r.i64();
            if (id < 1 || id > seq || name == null || name.isEmpty()) {
                throw new MapDecodeException("pool snap " + id + " '" + name + "' (need 1 <= id <= snap_seq " + seq
                        + " and a name)");
            }
            snaps.put(id, new PoolSnaps.Snap(id, name, stamp));
        }
        TreeSet<Long> removed = new TreeSet<>();
        for (int i = 0, n = r.count("pool removed snaps"); i < n; i++) {
            removed.add(r.i64());
        }
        try {
            return new PoolSnaps(seq, snaps, removed);
        } catch (IllegalStateException e) {
            throw new MapDecodeException("bad pool snapshots: " + e.getMessage());
        }
    }

    static Pool decodePool(MapReader r) throws MapDecodeException {
        int version = r.startStruct("pool", 2);
        int id = r.i32();
        String name = r.string();
        int type = r.i32();
        int size = r.i32();
        int minSize = r.i32();
        int rule = r.i32();
        int pgNum = r.i32();
        int pgpNum = r.i32();
        long flags = r.i64();
        int hash = r.i32();
        List<String> apps = new ArrayList<>();
        for (int i = 0, n = r.count("pool applications"); i < n; i++) {
            apps.add(r.string());
        }
        long qb = r.i64();
        long qo = r.i64();
        long lastChange = r.i64();
        PoolSnaps snaps = version >= 2 ? decodePoolSnaps(r) : PoolSnaps.EMPTY;
        r.endStruct();
        try {
            return new Pool(id, name, type, size, minSize, rule, pgNum, pgpNum, flags, hash, apps, qb, qo, lastChange,
                    snaps);
        } catch (IllegalStateException e) {
            throw new MapDecodeException("bad pool encoding: " + e.getMessage());
        }
    }

    static void encodePgTemp(Map<PgId, List<Integer>> m, MapWriter w) {
        w.i32(m.size());
        m.forEach((pg, list) -> {
            w.i32(pg.pool()).i32(pg.seed()).i32(list.size());
            list.forEach(w::i32);
        });
    }

    static TreeMap<PgId, List<Integer>> decodePgTemp(MapReader r) throws MapDecodeException {
        TreeMap<PgId, List<Integer>> m = new TreeMap<>();
        for (int i = 0, n = r.count("pg_temp"); i < n; i++) {
            PgId pg = new PgId(r.i32(), r.i32());
            List<Integer> list = new ArrayList<>();
            for (int j = 0, k = r.count("pg_temp osds"); j < k; j++) {
                list.add(r.i32());
            }
            m.put(pg, List.copyOf(list));
        }
        return m;
    }

    static void encodePrimaryTemp(Map<PgId, Integer> m, MapWriter w) {
        w.i32(m.size());
        m.forEach((pg, osd) -> w.i32(pg.pool()).i32(pg.seed()).i32(osd));
    }

    static TreeMap<PgId, Integer> decodePrimaryTemp(MapReader r) throws MapDecodeException {
        TreeMap<PgId, Integer> m = new TreeMap<>();
        for (int i = 0, n = r.count("primary_temp"); i < n; i++) {
            m.put(new PgId(r.i32(), r.i32()), r.i32());
        }
        return m;
    }

    /**
     * The change from one epoch to the next. Whole OSD and pool entries are replaced (simpler than
     * Ceph's per-field deltas, and OSD entries are small); a new CRUSH map travels whole, as in Ceph.
     */
    public static final class Incremental {
        public final String fsid;
        public final long epoch;
        public final long modifiedMillis;
        public int newFlags = -1;
        public int newMaxOsd = -1;
        public int newPoolMax = -1;
        public final TreeMap<Integer, OsdState> newOsds = new TreeMap<>();
        public final TreeSet<Integer> oldOsds = new TreeSet<>();
        public final TreeMap<Integer, Pool> newPools = new TreeMap<>();
        public final TreeSet<Integer> oldPools = new TreeSet<>();
        public CrushMap newCrush;
        public final TreeMap<PgId, List<Integer>> newPgTemp = new TreeMap<>();
        public final TreeMap<PgId, Integer> newPrimaryTemp = new TreeMap<>();
        public final TreeMap<String, Long> newBlocklist = new TreeMap<>();
        public final TreeSet<String> oldBlocklist = new TreeSet<>();
        /** New full ratios in ppm ({@code osd set-nearfull-ratio} etc.); -1: unchanged. */
        public int newNearfullPpm = -1;
        public int newBackfillfullPpm = -1;
        public int newFullPpm = -1;

        public Incremental(String fsid, long epoch, long modifiedMillis) {
            Invariants.check(epoch >= 2, "incremental epoch %d < 2", epoch);
            this.fsid = fsid;
            this.epoch = epoch;
            this.modifiedMillis = modifiedMillis;
        }

        public byte[] encode() {
            MapWriter w = new MapWriter(256);
            encode(w);
            return w.toByteArray();
        }

        public void encode(MapWriter w) {
            w.startStruct(INC_VERSION, 1).string(fsid).i64(epoch).i64(modifiedMillis).i32(newFlags).i32(newMaxOsd)
                    .i32(newPoolMax);
            w.i32(newOsds.size());
            newOsds.values().forEach(s -> encodeOsd(s, w));
            w.i32(oldOsds.size());
            oldOsds.forEach(w::i32);
            w.i32(newPools.size());
            newPools.values().forEach(p -> encodePool(p, w));
            w.i32(oldPools.size());
            oldPools.forEach(w::i32);
            w.bool(newCrush != null);
            if (newCrush != null) {
                CrushCodec.encode(newCrush, w);
            }
            encodePgTemp(newPgTemp, w);
            encodePrimaryTemp(newPrimaryTemp, w);
            w.i32(newBlocklist.size());
            newBlocklist.forEach((addr, expiry) -> w.string(addr).i64(expiry));
            w.i32(oldBlocklist.size());
            oldBlocklist.forEach(w::string);
            w.i32(newNearfullPpm).i32(newBackfillfullPpm).i32(newFullPpm);
            w.endStruct();
        }

        public static Incremental decode(byte[] bytes) throws MapDecodeException {
            MapReader r = new MapReader(bytes);
            Incremental inc = decode(r);
            r.expectEnd("osdmap incremental");
            return inc;
        }

        public static Incremental decode(MapReader r) throws MapDecodeException {
            int version = r.startStruct("osdmap incremental", INC_VERSION);
            String fsid = r.string();
            long epoch = r.i64();
            if (fsid == null || epoch < 2) {
                throw new MapDecodeException("incremental with fsid " + fsid + " epoch " + epoch);
            }
            Incremental inc = new Incremental(fsid, epoch, r.i64());
            inc.newFlags = r.i32();
            inc.newMaxOsd = r.i32();
            inc.newPoolMax = r.i32();
            for (int i = 0, n = r.count("new osds"); i < n; i++) {
                OsdState s = decodeOsd(r);
                inc.newOsds.put(s.id(), s);
            }
            for (int i = 0, n = r.count("old osds"); i < n; i++) {
                inc.oldOsds.add(r.i32());
            }
            for (int i = 0, n = r.count("new pools"); i < n; i++) {
                Pool p = decodePool(r);
                inc.newPools.put(p.id(), p);
            }
            for (int i = 0, n = r.count("old pools"); i < n; i++) {
                inc.oldPools.add(r.i32());
            }
            if (r.bool()) {
                inc.newCrush = CrushCodec.decode(r);
            }
            inc.newPgTemp.putAll(decodePgTemp(r));
            inc.newPrimaryTemp.putAll(decodePrimaryTemp(r));
            for (int i = 0, n = r.count("new blocklist"); i < n; i++) {
                inc.newBlocklist.put(r.string(), r.i64());
            }
            for (int i = 0, n = r.count("old blocklist"); i < n; i++) {
                inc.oldBlocklist.add(r.string());
            }
            if (version >= 2) {
                inc.newNearfullPpm = r.i32();
                inc.newBackfillfullPpm = r.i32();
                inc.newFullPpm = r.i32();
                for (int ppm : new int[] {inc.newNearfullPpm, inc.newBackfillfullPpm, inc.newFullPpm}) {
                    if (ppm != -1 && !validRatio(ppm)) {
                        throw new MapDecodeException("incremental e" + epoch + " with full ratio " + ppm + " ppm");
                    }
                }
            }
            r.endStruct();
            return inc;
        }

        public boolean isEmpty() {
            return newFlags < 0 && newMaxOsd < 0 && newPoolMax < 0 && newOsds.isEmpty() && oldOsds.isEmpty()
                    && newPools.isEmpty() && oldPools.isEmpty() && newCrush == null && newPgTemp.isEmpty()
                    && newPrimaryTemp.isEmpty() && newBlocklist.isEmpty() && oldBlocklist.isEmpty()
                    && newNearfullPpm < 0 && newBackfillfullPpm < 0 && newFullPpm < 0;
        }
    }
}
