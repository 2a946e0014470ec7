package io.loligo.maps;

/** A placement group: pool id and seed (ps). Printed as Ceph does: {@code 1.1f} (seed in hex). */
public record PgId(int pool, int seed) implements Comparable<PgId> {
    @Override
    public int compareTo(PgId o) {
        int c = Integer.compare(pool, o.pool);
        return c != 0 ? c : Integer.compareUnsigned(seed, o.seed);
    }

    @Override
    public String toString() {
        return pool + "." + Integer.toHexString(seed);
    }

    /** Parses {@code POOL.SEEDHEX}; null when malformed. */
    public static PgId parse(String s) {
        int dot = s.indexOf('.');
        if (dot <= 0 || dot == s.length() - 1) {
            return null;
        }
        try {
            return new PgId(Integer.parseInt(s.substring(0, dot)), Integer.parseUnsignedInt(s.substring(dot + 1), 16));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
