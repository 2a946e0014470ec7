package io.loligo.maps;

import io.loligo.common.Invariants;

/**
 * One OSD's entry in the OSD map. {@code weight} is Ceph's reweight in 16.16 fixed point:
 * 0x10000 is fully in, 0 is out. {@code primaryAffinity} is 16.16 too (0x10000 default).
 * {@code upFrom} and {@code downAt} are epochs; {@code downStampMillis} is the leader's wall clock
 * when it marked the OSD down (stamped into the command, so replay is deterministic).
 */
public record OsdState(int id, String uuid, String address, String host, boolean up, int weight,
                       int primaryAffinity, long upFrom, long downAt, long downStampMillis) {
    public static final int WEIGHT_IN = 0x10000;
    public static final int WEIGHT_OUT = 0;

    public OsdState {
        Invariants.check(id >= 0, "osd id %d < 0", id);
        Invariants.check(weight >= 0 && weight <= WEIGHT_IN, "osd.%d weight %d outside 0..0x10000", id, weight);
        Invariants.check(primaryAffinity >= 0 && primaryAffinity <= WEIGHT_IN,
                "osd.%d primary affinity %d outside 0..0x10000", id, primaryAffinity);
        uuid = uuid == null ? "" : uuid;
        address = address == null ? "" : address;
        host = host == null ? "" : host;
    }

    /** A newly created OSD: down and out, as {@code ceph osd create} leaves it. */
    public static OsdState created(int id, String uuid) {
        return new OsdState(id, uuid, "", "", false, WEIGHT_OUT, WEIGHT_IN, 0, 0, 0);
    }

    public boolean in() {
        return weight > 0;
    }

    public OsdState withUp(String newAddress, String newHost, long epoch) {
        return new OsdState(id, uuid, newAddress, newHost, true, weight, primaryAffinity, epoch, downAt, 0);
    }

    public OsdState withDown(long epoch, long stampMillis) {
        return new OsdState(id, uuid, address, host, false, weight, primaryAffinity, upFrom, epoch, stampMillis);
    }

    public OsdState withWeight(int newWeight) {
        return new OsdState(id, uuid, address, host, up, newWeight, primaryAffinity, upFrom, downAt, downStampMillis);
    }

    public OsdState withPrimaryAffinity(int affinity) {
        return new OsdState(id, uuid, address, host, up, weight, affinity, upFrom, downAt, downStampMillis);
    }

    /** Reweight as a float, as {@code ceph osd tree} prints it. */
    public double reweight() {
        return weight / (double) WEIGHT_IN;
    }
}
