package io.loligo.maps;

import io.loligo.common.Invariants;

/**
 * One OSD's entry in the OSD map. {@code weight} is Ceph's reweight in 16.16 fixed point:
 * 0x10000 is fully in, 0 is out. {@code primaryAffinity} is 16.16 too (0x10000 default).
 * {@code upFrom} and {@code downAt} are epochs; {@code downStampMillis} is the leader's wall clock
 * when it marked the OSD down (stamped into the command, so replay is deterministic).
 * {@code upThru} (Ceph's up_thru) is the newest epoch through which the monitors have recorded the
 * OSD alive at its own request ({@code osd alive}): a PG whose primary had up_thru below the start
 * of an interval cannot have gone active (accepted writes) in that interval, and peering uses this
 * to tell intervals that may have written from those that could not.
 */
public record OsdState(int id, String uuid, String address, String host, boolean up, int weight,
                       int primaryAffinity, long upFrom, long downAt, long downStampMillis, long upThru) {
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
        Invariants.check(upThru >= 0, "osd.%d up_thru %d < 0", id, upThru);
    }

    public OsdState(int id, String uuid, String address, String host, boolean up, int weight, int primaryAffinity,
                    long upFrom, long downAt, long downStampMillis) {
        this(id, uuid, address, host, up, weight, primaryAffinity, upFrom, downAt, downStampMillis, 0);
    }

    /** A newly created OSD: down and out, as {@code ceph osd create} leaves it. */
    public static OsdState created(int id, String uuid) {
        return new OsdState(id, uuid, "", "", false, WEIGHT_OUT, WEIGHT_IN, 0, 0, 0);
    }

    public boolean in() {
        return weight > 0;
    }

    public OsdState withUp(String newAddress, String newHost, long epoch) {
        return new OsdState(id, uuid, newAddress, newHost, true, weight, primaryAffinity, epoch, downAt, 0, upThru);
    }

    public OsdState withDown(long epoch, long stampMillis) {
        return new OsdState(id, uuid, address, host, false, weight, primaryAffinity, upFrom, epoch, stampMillis, upThru);
    }

    public OsdState withWeight(int newWeight) {
        return new OsdState(id, uuid, address, host, up, newWeight, primaryAffinity, upFrom, downAt, downStampMillis, upThru);
    }

    public OsdState withPrimaryAffinity(int affinity) {
        return new OsdState(id, uuid, address, host, up, weight, affinity, upFrom, downAt, downStampMillis, upThru);
    }

    public OsdState withUpThru(long epoch) {
        return new OsdState(id, uuid, address, host, up, weight, primaryAffinity, upFrom, downAt, downStampMillis, epoch);
    }

    /** Reweight as a float, as {@code ceph osd tree} prints it. */
    public double reweight() {
        return weight / (double) WEIGHT_IN;
    }
}
