package io.loligo.maps;

import io.loligo.crush.CrushMapper;
import io.loligo.crush.placement.OsdStates;
import io.loligo.crush.placement.PgMapping;
import io.loligo.crush.placement.Placement;
import io.loligo.crush.placement.PoolPlacement;
import java.util.HashMap;
import java.util.Map;

/**
 * Placement against one OSD map: object → PG → up/acting OSDs via io.loligo.crush.placement, with
 * this map's OSD states, reweights, primary affinities, pg_temp and primary_temp. Built once per
 * map (compiling CRUSH is not free) and immutable like the map.
 */
public final class OsdMapPlacement {
    private final OsdMap map;
    private final Placement placement;
    private final OsdStates states;
    private final Map<io.loligo.crush.placement.PgId, int[]> pgTemp = new HashMap<>();
    private final Map<io.loligo.crush.placement.PgId, Integer> primaryTemp = new HashMap<>();

    OsdMapPlacement(OsdMap map) {
        this.map = map;
        this.placement = new Placement(new CrushMapper(map.crush()));
        int n = map.maxOsd();
        int[] weights = new int[n];
        int[] affinity = new int[n];
        boolean[] exists = new boolean[n];
        boolean[] up = new boolean[n];
        boolean anyAffinity = false;
        for (OsdState o : map.osds().values()) {
            exists[o.id()] = true;
            up[o.id()] = o.up();
            weights[o.id()] = o.weight();
            affinity[o.id()] = o.primaryAffinity();
            anyAffinity |= o.primaryAffinity() != Placement.MAX_PRIMARY_AFFINITY;
        }
        boolean hasAffinity = anyAffinity;
        this.states = new OsdStates() {
            @Override public int maxOsd() { return n; }
            @Override public boolean exists(int osd) { return osd >= 0 && osd < n && exists[osd]; }
            @Override public boolean isUp(int osd) { return exists(osd) && up[osd]; }
            @Override public int[] weights() { return weights; }
            @Override public int primaryAffinity(int osd) { return exists(osd) ? affinity[osd] : Placement.MAX_PRIMARY_AFFINITY; }
            @Override public boolean hasPrimaryAffinity() { return hasAffinity; }
        };
        map.pgTemp().forEach((pg, osds) -> pgTemp.put(new io.loligo.crush.placement.PgId(pg.pool(), pg.seed()),
                osds.stream().mapToInt(Integer::intValue).toArray()));
        map.primaryTemp().forEach((pg, osd) -> primaryTemp.put(new io.loligo.crush.placement.PgId(pg.pool(), pg.seed()), osd));
    }

    public static PoolPlacement poolPlacement(Pool p) {
        return new PoolPlacement(p.id(), false, p.size(), p.pgNum(), p.pgpNum(), p.crushRule(), p.hashpspool(),
                p.objectHash() == 1 ? PoolPlacement.ObjectHash.LINUX : PoolPlacement.ObjectHash.RJENKINS);
    }

    /** The raw 32-bit hash of an object name in a pool (Ceph's "raw pgid" seed). */
    public int objectHash(Pool pool, String namespace, String name) {
        return Placement.hashKey(poolPlacement(pool), namespace, name);
    }

    public PgMapping mapObject(Pool pool, String namespace, String name) {
        PoolPlacement pp = poolPlacement(pool);
        return mapPg(pool, Placement.objectToPg(pp, namespace, name).seed());
    }

    public PgMapping mapPg(Pool pool, int seed) {
        PoolPlacement pp = poolPlacement(pool);
        return placement.map(pp, new io.loligo.crush.placement.PgId(pool.id(), seed), states, pgTemp, primaryTemp);
    }

    public OsdMap map() {
        return map;
    }
}
