package io.loligo.crush.placement;

import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushHash;
import io.loligo.crush.CrushMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Object → PG → OSDs, exactly as Ceph's OSDMap computes it (pg_pool_t::hash_key, raw_pg_to_pg,
 * raw_pg_to_pps; OSDMap::_pg_to_raw_osds, _raw_to_up_osds, _apply_primary_affinity,
 * _get_temp_osds, _pg_to_up_acting_osds). Pure: no I/O, no clocks; the client, the OSDs and the
 * monitors all call this, so they always agree on where a PG lives for a given map.
 */
public final class Placement {
    /** Primary affinity 1.0 (16.16), Ceph's CEPH_OSD_MAX_PRIMARY_AFFINITY and the default. */
    public static final int MAX_PRIMARY_AFFINITY = 0x10000;
    /** Reweight of an OSD that is in. */
    public static final int WEIGHT_IN = 0x10000;

    private final CrushMapper mapper;
    private final ThreadLocal<CrushMapper.Workspace> workspace;

    public Placement(CrushMapper mapper) {
        this.mapper = mapper;
        this.workspace = ThreadLocal.withInitial(mapper::newWorkspace);
    }

    /** Ceph's ceph_stable_mod: maps x into [0, b) so that growing b moves as few values as possible. */
    public static int stableMod(int x, int b, int bmask) {
        return (x & bmask) < b ? x & bmask : x & (bmask >>> 1);
    }

    /** The 32-bit hash of an object's name (or locator key) within a namespace (pg_pool_t::hash_key). */
    public static int hashKey(PoolPlacement pool, String namespace, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = k;
        if (namespace != null && !namespace.isEmpty()) {
            byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
            bytes = new byte[ns.length + 1 + k.length];
            System.arraycopy(ns, 0, bytes, 0, ns.length);
            bytes[ns.length] = 037;   // Ceph separates namespace and name with a unit separator
            System.arraycopy(k, 0, bytes, ns.length + 1, k.length);
        }
        return pool.objectHash() == PoolPlacement.ObjectHash.RJENKINS
                ? CrushHash.strHashRjenkins(bytes)
                : CrushHash.strHashLinux(bytes);
    }

    /** The PG an object belongs to (its seed folded into pg_num), as {@code ceph osd map} prints it. */
    public static PgId objectToPg(PoolPlacement pool, String namespace, String name) {
        return rawPgToPg(pool, hashKey(pool, namespace, name));
    }

    /** Folds a raw 32-bit seed into the pool's pg_num (pg_pool_t::raw_pg_to_pg). */
    public static PgId rawPgToPg(PoolPlacement pool, int rawSeed) {
        return new PgId(pool.id(), stableMod(rawSeed, pool.pgNum(), pool.pgNumMask()));
    }

    /** The CRUSH input x for a PG (pg_pool_t::raw_pg_to_pps): pgp_num folding, then the pool id mixed in. */
    public static int placementSeed(PoolPlacement pool, int pgSeed) {
        int folded = stableMod(pgSeed, pool.pgpNum(), pool.pgpNumMask());
        return pool.hashPsPool() ? CrushHash.rjenkins1(folded, (int) pool.id()) : folded + (int) pool.id();
    }

    /**
     * The full mapping of a PG. {@code pgTemp} and {@code primaryTemp} may be empty maps; they are
     * keyed by the PG folded into pg_num.
     */
    public PgMapping map(PoolPlacement pool, PgId pg, OsdStates osds, Map<PgId, int[]> pgTemp, Map<PgId, Integer> primaryTemp) {
        int pps = placementSeed(pool, pg.seed());
        int[] raw = rawOsds(pool, pps, osds);
        int[] up = rawToUp(pool, raw, osds);
        int upPrimary = pickPrimary(up);
        if (osds.hasPrimaryAffinity()) {
            upPrimary = applyPrimaryAffinity(pps, pool, up, upPrimary, osds);
        }
        PgId folded = rawPgToPg(pool, pg.seed());
        int[] acting = tempOsds(pool, pgTemp.get(folded), osds);
        int actingPrimary = -1;
        Integer pt = primaryTemp.get(folded);
        if (pt != null) {
            actingPrimary = pt;
        } else if (acting.length > 0) {
            actingPrimary = pickPrimary(acting);
        }
        if (acting.length == 0) {
            acting = up;
            if (actingPrimary == -1) {
                actingPrimary = upPrimary;
            }
        }
        return new PgMapping(pg, pps, raw, up, upPrimary, acting, actingPrimary);
    }

    /** The mapping with no pg_temp or primary_temp in force. */
    public PgMapping map(PoolPlacement pool, PgId pg, OsdStates osds) {
        return map(pool, pg, osds, Map.of(), Map.of());
    }

    /** CRUSH's answer for the pool's rule with num-rep = size, non-existent OSDs removed (or holed). */
    int[] rawOsds(PoolPlacement pool, int pps, OsdStates osds) {
        int[] out = new int[pool.size()];
        // Like CrushWrapper::do_rule, a pool's choose_args (balancer weight sets) apply when present.
        io.loligo.crush.ChooseArgs args = mapper.chooseArgsWithFallback(pool.id());
        int n = mapper.doRule(pool.crushRule(), pps, out, pool.size(), osds.weights(), workspace.get(), args);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int o = out[i];
            boolean exists = o != CrushConstants.ITEM_NONE && osds.exists(o);
            if (exists) {
                out[kept++] = o;
            } else if (!pool.canShiftOsds()) {
                out[kept++] = CrushConstants.ITEM_NONE;
            }
        }
        return Arrays.copyOf(out, kept);
    }

    static int[] rawToUp(PoolPlacement pool, int[] raw, OsdStates osds) {
        int[] up = new int[raw.length];
        int n = 0;
        for (int o : raw) {
            boolean live = o != CrushConstants.ITEM_NONE && osds.exists(o) && osds.isUp(o);
            if (live) {
                up[n++] = o;
            } else if (!pool.canShiftOsds()) {
                up[n++] = CrushConstants.ITEM_NONE;
            }
        }
        return n == up.length ? up : Arrays.copyOf(up, n);
    }

    static int pickPrimary(int[] osds) {
        for (int o : osds) {
            if (o != CrushConstants.ITEM_NONE) {
                return o;
            }
        }
        return -1;
    }

    /** Ceph's _apply_primary_affinity: may pick another primary and, for replicated pools, move it to the front. */
    static int applyPrimaryAffinity(int pps, PoolPlacement pool, int[] osds, int primary, OsdStates states) {
        boolean any = false;
        for (int o : osds) {
            if (o != CrushConstants.ITEM_NONE && states.primaryAffinity(o) != MAX_PRIMARY_AFFINITY) {
                any = true;
                break;
            }
        }
        if (!any) {
            return primary;
        }
        int pos = -1;
        for (int i = 0; i < osds.length; i++) {
            int o = osds[i];
            if (o == CrushConstants.ITEM_NONE) {
                continue;
            }
            int a = states.primaryAffinity(o);
            if (a < MAX_PRIMARY_AFFINITY && Integer.compareUnsigned(CrushHash.rjenkins1(pps, o) >>> 16, a) >= 0) {
                if (pos < 0) {
                    pos = i;   // rejected as primary, but the fallback if nobody else qualifies
                }
            } else {
                pos = i;
                break;
            }
        }
        if (pos < 0) {
            return primary;
        }
        int chosen = osds[pos];
        if (pool.canShiftOsds() && pos > 0) {
            System.arraycopy(osds, 0, osds, 1, pos);
            osds[0] = chosen;
        }
        return chosen;
    }

    static int[] tempOsds(PoolPlacement pool, int[] temp, OsdStates osds) {
        if (temp == null || temp.length == 0) {
            return new int[0];
        }
        int[] out = new int[temp.length];
        int n = 0;
        for (int o : temp) {
            if (!osds.exists(o) || !osds.isUp(o)) {
                if (!pool.canShiftOsds()) {
                    out[n++] = CrushConstants.ITEM_NONE;
                }
            } else {
                out[n++] = o;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** {@code [1,2,3]} as Ceph prints OSD vectors. */
    public static String format(int[] osds) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < osds.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(osds[i]);
        }
        return sb.append(']').toString();
    }
}
