package io.loligo.crush.placement;

/**
 * The per-OSD facts placement reads from an OSD map: which ids exist, which are up, each OSD's
 * reweight (16.16 fixed point: 0x10000 in, 0 out) and primary affinity (16.16; 0x10000 default).
 */
public interface OsdStates {
    /** Number of OSD id slots (Ceph's max_osd); ids are 0 .. maxOsd - 1. */
    int maxOsd();

    boolean exists(int osd);

    boolean isUp(int osd);

    /**
     * Reweight of every OSD slot, indexed by id, length {@link #maxOsd()}: the weight vector CRUSH's
     * is_out test reads. Callers must not modify it.
     */
    int[] weights();

    /** Primary affinity of an OSD in 16.16 fixed point; {@link Placement#MAX_PRIMARY_AFFINITY} by default. */
    default int primaryAffinity(int osd) {
        return Placement.MAX_PRIMARY_AFFINITY;
    }

    /** True when some OSD has a primary affinity below the maximum (a fast path skips the work otherwise). */
    default boolean hasPrimaryAffinity() {
        return false;
    }

    /** All of {@code n} OSDs exist, are up and in. */
    static OsdStates allUpIn(int n) {
        int[] w = new int[n];
        java.util.Arrays.fill(w, Placement.WEIGHT_IN);
        return new OsdStates() {
            @Override public int maxOsd() { return n; }
            @Override public boolean exists(int osd) { return osd >= 0 && osd < n; }
            @Override public boolean isUp(int osd) { return exists(osd); }
            @Override public int[] weights() { return w; }
        };
    }
}
