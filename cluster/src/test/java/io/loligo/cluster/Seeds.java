package io.loligo.cluster;

/**
 * The seed of a run: {@code LOLIGO_SEED} (environment) or {@code -Dloligo.seed} when set, so a
 * printed seed replays a run; otherwise a fresh one, which the caller prints.
 */
final class Seeds {
    private Seeds() {}

    static long current() {
        String s = System.getenv("LOLIGO_SEED");
        if (s == null || s.isBlank()) {
            s = System.getProperty("loligo.seed");
        }
        if (s != null && !s.isBlank()) {
            return Long.parseLong(s.trim());
        }
        return new java.util.SplittableRandom().nextLong() & Long.MAX_VALUE;
    }
}
