package io.loligo.crush.placement;

/**
 * A placement group: pool id and placement seed (ps). Printed as Ceph prints it: {@code pool.ps}
 * with ps in lower-case hex without leading zeros, e.g. {@code 1.1f}.
 */
public record PgId(long pool, int seed) implements Comparable<PgId> {
    public PgId {
        if (pool < 0) {
            throw new IllegalArgumentException("pg pool id " + pool + " (expected: 0+)");
        }
    }

    /** Parses {@code 1.1f}; throws IllegalArgumentException with the offending text otherwise. */
    public static PgId parse(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1) {
            throw new IllegalArgumentException("pg id '" + text + "' (expected: POOL.HEXSEED, e.g. 1.1f)");
        }
        try {
            long pool = Long.parseLong(text.substring(0, dot));
            long seed = Long.parseLong(text.substring(dot + 1), 16);
            if (seed > 0xffffffffL) {
                throw new NumberFormatException();
            }
            return new PgId(pool, (int) seed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pg id '" + text + "' (expected: POOL.HEXSEED, e.g. 1.1f)");
        }
    }

    @Override
    public String toString() {
        return pool + "." + Integer.toHexString(seed);
    }

    @Override
    public int compareTo(PgId o) {
        int c = Long.compare(pool, o.pool);
        return c != 0 ? c : Integer.compareUnsigned(seed, o.seed);
    }
}
