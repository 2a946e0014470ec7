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
 * {@code fullness} holds the monitors' verdict on the OSD's reported usage against the map's ratios
 * (Ceph's CEPH_OSD_NEARFULL / BACKFILLFULL / FULL state bits): {@link #NEARFULL}, {@link #BACKFILLFULL},
 * {@link #FULL}, each implying the ones before it. Primaries refuse writes that add data while any
 * acting member is FULL; recovery and backfill do not push to a BACKFILLFULL member.
 */
public record OsdState(int id, String uuid, String address, String host, boolean up, int weight,
                       int primaryAffinity, long upFrom, long downAt, long downStampMillis, long upThru,
                       int fullness) {
    public static final int WEIGHT_IN = 0x10000;
    public static final int WEIGHT_OUT = 0;
    /** Fullness bits (see the class comment). */
    public static final int NEARFULL = 1;
    public static final int BACKFILLFULL = 1 << 1;
    public static final int FULL = 1 << 2;
    public static final int FULLNESS_MASK = NEARFULL | BACKFILLFULL | FULL;

    public OsdState {
        Invariants.check(id >= 0, "osd id %d < 0", id);
        Invariants.check(weight >= 0 && weight <= WEIGHT_IN, "osd.%d weight %d outside 0..0x10000", id, weight);
        Invariants.check(primaryAffinity >= 0 && primaryAffinity <= WEIGHT_IN,
                "osd.%d primary affinity %d outside 0..0x10000", id, primaryAffinity);
        uuid = uuid == null ? "" : uuid;
        address = address == null ? "" : address;
        host = host == null ? "" : host;
        Invariants.check(upThru >= 0, "osd.%d up_thru %d < 0", id, upThru);
        Invariants.check((fullness & ~FULLNESS_MASK) == 0, "osd.%d fullness bits %x", id, fullness);
    }

    public OsdState(int id, String uuid, String address, String host, boolean up, int weight, int primaryAffinity,
                    long upFrom, long downAt, long downStampMillis, long upThru) {
        this(id, uuid, address, host, up, weight, primaryAffinity, upFrom, downAt, downStampMillis, upThru, 0);
    }

    public OsdState(int id, String uuid, String address, String host, boolean up, int weight, int primaryAffinity,
                    long upFrom, long downAt, long downStampMillis) {
        this(id, uuid, address, host, up, weight, primaryAffinity, upFrom, downAt, downStampMillis, 0, 0);
    }

    /** A newly created OSD: down and out, as {@code ceph osd create} leaves it. */
    public static OsdState created(int id, String uuid) {
        return new OsdState(id, uuid, "", "", false, WEIGHT_OUT, WEIGHT_IN, 0, 0, 0);
    }

    public boolean in() {
        return weight > 0;
    }

    public OsdState withUp(String newAddress, String newHost, long epoch) {
        return new OsdState(id, uuid, newAddress, newHost, true, weight, primaryAffinity, epoch, downAt, 0, upThru,
                fullness);
    }

    public OsdState withDown(long epoch, long stampMillis) {
        return new OsdState(id, uuid, address, host, false, weight, primaryAffinity, upFrom, epoch, stampMillis, upThru,
                fullness);
    }

    public OsdState withWeight(int newWeight) {
        return new OsdState(id, uuid, address, host, up, newWeight, primaryAffinity, upFrom, downAt, downStampMillis, upThru,
                fullness);
    }

    public OsdState withPrimaryAffinity(int affinity) {
        return new OsdState(id, uuid, address, host, up, weight, affinity, upFrom, downAt, downStampMillis, upThru,
                fullness);
    }

    public OsdState withUpThru(long epoch) {
        return new OsdState(id, uuid, address, host, up, weight, primaryAffinity, upFrom, downAt, downStampMillis, epoch,
                fullness);
    }

    public OsdState withFullness(int bits) {
        return new OsdState(id, uuid, address, host, up, weight, primaryAffinity, upFrom, downAt, downStampMillis, upThru,
                bits);
    }

    /** At the map's full ratio: primaries refuse writes that add data to PGs this OSD serves. */
    public boolean isFull() {
        return (fullness & FULL) != 0;
    }

    /** At the map's backfillfull ratio (or full): recovery and backfill push no new data here. */
    public boolean isBackfillFull() {
        return (fullness & (BACKFILLFULL | FULL)) != 0;
    }

    public boolean isNearFull() {
        return fullness != 0;
    }

    /** Reweight as a float, as {@code ceph osd tree} prints it. */
    public double reweight() {
        return weight / (double) WEIGHT_IN;
    }
}
