package io.loligo.maps;

import io.loligo.common.Invariants;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A pool's snapshots as the OSD map holds them (Ceph's pg_pool_t snap_seq, snaps, removed_snaps):
 * {@code seq} is the newest snap id ever given (ids start at 1 and are never reused), {@code snaps}
 * the live snapshots by id, {@code removed} the ids removed with {@code rmsnap} (OSDs trim the clones
 * only those needed). Immutable.
 */
public record PoolSnaps(long seq, NavigableMap<Long, Snap> snaps, NavigableSet<Long> removed) {
    public static final PoolSnaps EMPTY = new PoolSnaps(0, new TreeMap<>(), new TreeSet<>());
    /** Most live snapshots per pool; more is refused (each write carries their ids). */
    public static final int SNAPS_MAX = 1024;

    /** One pool snapshot: its id, name and creation stamp (ms, the monitor leader's clock). */
    public record Snap(long id, String name, long stampMillis) {
        public Snap {
            Invariants.check(id >= 1, "snap id %d < 1", id);
            Invariants.check(name != null && !name.isEmpty(), "snap %d without a name", id);
        }
    }

    public PoolSnaps {
        Invariants.check(seq >= 0, "snap_seq %d < 0", seq);
        snaps = Collections.unmodifiableNavigableMap(new TreeMap<>(snaps));
        removed = Collections.unmodifiableNavigableSet(new TreeSet<>(removed));
        for (Snap s : snaps.values()) {
            Invariants.check(s.id() <= seq, "snap %d beyond snap_seq %d", s.id(), seq);
            Invariants.check(!removed.contains(s.id()), "snap %d both live and removed", s.id());
        }
        for (long r : removed) {
            Invariants.check(r >= 1 && r <= seq, "removed snap %d outside 1..%d", r, seq);
        }
    }

    public Snap byName(String name) {
        for (Snap s : snaps.values()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** A new snapshot with the next id. */
    public PoolSnaps withSnap(String name, long stampMillis) {
        TreeMap<Long, Snap> next = new TreeMap<>(snaps);
        next.put(seq + 1, new Snap(seq + 1, name, stampMillis));
        return new PoolSnaps(seq + 1, next, removed);
    }

    /** Without snapshot {@code id}, which joins the removed set. */
    public PoolSnaps withoutSnap(long id) {
        TreeMap<Long, Snap> next = new TreeMap<>(snaps);
        next.remove(id);
        TreeSet<Long> rm = new TreeSet<>(removed);
        rm.add(id);
        return new PoolSnaps(seq, next, rm);
    }

    /** The snap context writers send (Ceph's SnapContext): the live ids, newest first. */
    public List<Long> liveIdsDescending() {
        return new ArrayList<>(snaps.descendingKeySet());
    }
}
