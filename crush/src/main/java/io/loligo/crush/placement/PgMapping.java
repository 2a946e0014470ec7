package io.loligo.crush.placement;

import java.util.Arrays;

/**
 * Where one PG lives under one OSD map: the raw CRUSH result, the up set and its primary, and the
 * acting set and its primary (pg_temp / primary_temp applied). Erasure pools keep positions, so
 * their sets may hold {@link io.loligo.crush.CrushConstants#ITEM_NONE}. A primary of -1 means none.
 */
public record PgMapping(PgId pg, int placementSeed, int[] raw, int[] up, int upPrimary, int[] acting, int actingPrimary) {

    @Override
    public boolean equals(Object o) {
        return o instanceof PgMapping m && pg.equals(m.pg) && placementSeed == m.placementSeed
                && Arrays.equals(raw, m.raw) && Arrays.equals(up, m.up) && upPrimary == m.upPrimary
                && Arrays.equals(acting, m.acting) && actingPrimary == m.actingPrimary;
    }

    @Override
    public int hashCode() {
        return pg.hashCode() * 31 + Arrays.hashCode(acting);
    }

    @Override
    public String toString() {
        return pg + " raw " + Placement.format(raw) + " up " + Placement.format(up) + " p" + upPrimary
                + " acting " + Placement.format(acting) + " p" + actingPrimary;
    }
}
