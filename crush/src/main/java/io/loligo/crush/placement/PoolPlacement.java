package io.loligo.crush.placement;

/**
 * What placement needs to know about a pool (a slice of Ceph's pg_pool_t): id, replicated or
 * erasure, size, pg_num and pgp_num, the CRUSH rule, the hashpspool flag and the object hash.
 */
public record PoolPlacement(long id, boolean erasure, int size, int pgNum, int pgpNum, int crushRule,
                            boolean hashPsPool, ObjectHash objectHash) {

    /** The object-name hash a pool uses (Ceph's CEPH_STR_HASH_LINUX = 1, CEPH_STR_HASH_RJENKINS = 2). */
    public enum ObjectHash { LINUX, RJENKINS }

    public PoolPlacement {
        if (size < 1) {
            throw new IllegalArgumentException("pool " + id + ": size " + size + " (expected: 1+)");
        }
        if (pgNum < 1 || pgpNum < 1 || pgpNum > pgNum) {
            throw new IllegalArgumentException("pool " + id + ": pg_num " + pgNum + ", pgp_num " + pgpNum
                    + " (expected: 1 <= pgp_num <= pg_num)");
        }
    }

    /** A replicated pool with Ceph's defaults: hashpspool on, rjenkins object hash. */
    public static PoolPlacement replicated(long id, int size, int pgNum, int crushRule) {
        return new PoolPlacement(id, false, size, pgNum, pgNum, crushRule, true, ObjectHash.RJENKINS);
    }

    public int pgNumMask() {
        return mask(pgNum);
    }

    public int pgpNumMask() {
        return mask(pgpNum);
    }

    /** Replicated pools close gaps when an OSD is missing; erasure pools keep positions (holes). */
    public boolean canShiftOsds() {
        return !erasure;
    }

    /** (1 &lt;&lt; cbits(n - 1)) - 1: the smallest all-ones mask covering n - 1. */
    static int mask(int n) {
        return n <= 1 ? 0 : (int) ((1L << (32 - Integer.numberOfLeadingZeros(n - 1))) - 1);
    }
}
