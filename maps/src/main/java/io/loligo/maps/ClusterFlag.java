package io.loligo.maps;

import java.util.ArrayList;
import java.util.List;

/** Cluster-wide OSD map flags, with Ceph's bit values (CEPH_OSDMAP_*) and names ({@code ceph osd set NAME}). */
public enum ClusterFlag {
    NEARFULL(1, "nearfull"),
    FULL(1 << 1, "full"),
    PAUSERD(1 << 2, "pauserd"),
    PAUSEWR(1 << 3, "pausewr"),
    PAUSEREC(1 << 4, "pauserec"),
    NOUP(1 << 5, "noup"),
    NODOWN(1 << 6, "nodown"),
    NOOUT(1 << 7, "noout"),
    NOIN(1 << 8, "noin"),
    NOBACKFILL(1 << 9, "nobackfill"),
    NORECOVER(1 << 10, "norecover"),
    NOSCRUB(1 << 11, "noscrub"),
    NODEEP_SCRUB(1 << 12, "nodeep-scrub"),
    NOREBALANCE(1 << 14, "norebalance"),
    SORTBITWISE(1 << 15, "sortbitwise");

    public final int bit;
    public final String cephName;

    ClusterFlag(int bit, String cephName) {
        this.bit = bit;
        this.cephName = cephName;
    }

    /** The flag named {@code name} as {@code ceph osd set} spells it, or null. */
    public static ClusterFlag byName(String name) {
        for (ClusterFlag f : values()) {
            if (f.cephName.equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Flag names set in {@code flags}, in bit order, as {@code ceph osd dump} lists them. */
    public static List<String> names(int flags) {
        List<String> out = new ArrayList<>();
        for (ClusterFlag f : values()) {
            if ((flags & f.bit) != 0) {
                out.add(f.cephName);
            }
        }
        return out;
    }
}
