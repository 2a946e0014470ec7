package io.loligo.maps;

import io.loligo.common.Invariants;
import java.util.List;

/**
 * A pool as the OSD map holds it (Ceph's pg_pool_t, replicated pools only for now). Flags use
 * Ceph's bits ({@link #FLAG_HASHPSPOOL} ...). Quotas of 0 mean none. {@code applications} is
 * sorted and holds the names enabled with {@code osd pool application enable}.
 */
public record Pool(int id, String name, int type, int size, int minSize, int crushRule, int pgNum, int pgpNum,
                   long flags, int objectHash, List<String> applications, long quotaMaxBytes,
                   long quotaMaxObjects, long lastChange, PoolSnaps snapshots) {
    public static final int TYPE_REPLICATED = 1;
    /** Ceph's CEPH_STR_HASH_RJENKINS: the object-name hash of every new pool. */
    public static final int HASH_RJENKINS = 2;
    public static final long FLAG_HASHPSPOOL = 1;
    public static final long FLAG_FULL = 1 << 1;
    public static final long FLAG_NODELETE = 1 << 4;
    public static final long FLAG_NOPGCHANGE = 1 << 5;
    public static final long FLAG_NOSIZECHANGE = 1 << 6;

    public Pool {
        Invariants.check(id >= 0, "pool id %d < 0", id);
        Invariants.check(name != null && !name.isEmpty(), "pool %d without a name", id);
        Invariants.check(size >= 1 && minSize >= 1 && minSize <= size,
                "pool %s: size %d min_size %d (need 1 <= min_size <= size)", name, size, minSize);
        Invariants.check(pgNum >= 1 && pgpNum >= 1 && pgpNum <= pgNum,
                "pool %s: pg_num %d pgp_num %d (need 1 <= pgp_num <= pg_num)", name, pgNum, pgpNum);
        applications = List.copyOf(applications);
        Invariants.check(snapshots != null, "pool %s without snapshots (use PoolSnaps.EMPTY)", name);
    }

    /** A pool without snapshots. */
    public Pool(int id, String name, int type, int size, int minSize, int crushRule, int pgNum, int pgpNum,
                long flags, int objectHash, List<String> applications, long quotaMaxBytes, long quotaMaxObjects,
                long lastChange) {
        this(id, name, type, size, minSize, crushRule, pgNum, pgpNum, flags, objectHash, applications, quotaMaxBytes,
                quotaMaxObjects, lastChange, PoolSnaps.EMPTY);
    }

    public Pool withSnaps(PoolSnaps newSnaps, long epoch) {
        return new Pool(id, name, type, size, minSize, crushRule, pgNum, pgpNum, flags, objectHash, applications,
                quotaMaxBytes, quotaMaxObjects, epoch, newSnaps);
    }

    public Pool withName(String newName, long epoch) {
        return new Pool(id, newName, type, size, minSize, crushRule, pgNum, pgpNum, flags, objectHash, applications,
                quotaMaxBytes, quotaMaxObjects, epoch, snapshots);
    }

    public Pool withSizes(int newSize, int newMinSize, long epoch) {
        return new Pool(id, name, type, newSize, newMinSize, crushRule, pgNum, pgpNum, flags, objectHash, applications,
                quotaMaxBytes, quotaMaxObjects, epoch, snapshots);
    }

    public Pool withPgs(int newPgNum, int newPgpNum, long epoch) {
        return new Pool(id, name, type, size, minSize, crushRule, newPgNum, newPgpNum, flags, objectHash, applications,
                quotaMaxBytes, quotaMaxObjects, epoch, snapshots);
    }

    public Pool withCrushRule(int rule, long epoch) {
        return new Pool(id, name, type, size, minSize, rule, pgNum, pgpNum, flags, objectHash, applications,
                quotaMaxBytes, quotaMaxObjects, epoch, snapshots);
    }

    public Pool withFlags(long newFlags, long epoch) {
        return new Pool(id, name, type, size, minSize, crushRule, pgNum, pgpNum, newFlags, objectHash, applications,
                quotaMaxBytes, quotaMaxObjects, epoch, snapshots);
    }

    public Pool withApplications(List<String> apps, long epoch) {
        return new Pool(id, name, type, size, minSize, crushRule, pgNum, pgpNum, flags, objectHash,
                apps.stream().distinct().sorted().toList(), quotaMaxBytes, quotaMaxObjects, epoch, snapshots);
    }

    public Pool withQuotas(long maxBytes, long maxObjects, long epoch) {
        return new Pool(id, name, type, size, minSize, crushRule, pgNum, pgpNum, flags, objectHash, applications,
                maxBytes, maxObjects, epoch, snapshots);
    }

    public boolean hashpspool() {
        return (flags & FLAG_HASHPSPOOL) != 0;
    }

    /** Flag names as {@code ceph osd pool ls detail} prints them. */
    public List<String> flagNames() {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        if ((flags & FLAG_HASHPSPOOL) != 0) {
            out.add("hashpspool");
        }
        if ((flags & FLAG_FULL) != 0) {
            out.add("full");
        }
        if ((flags & FLAG_NODELETE) != 0) {
            out.add("nodelete");
        }
        if ((flags & FLAG_NOPGCHANGE) != 0) {
            out.add("nopgchange");
        }
        if ((flags & FLAG_NOSIZECHANGE) != 0) {
            out.add("nosizechange");
        }
        return out;
    }
}
