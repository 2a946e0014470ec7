package io.loligo.rgw.store;

import io.loligo.rgw.auth.Credentials;
import io.loligo.rgw.auth.SecretLookup;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access key → credentials from {@link UserStore}, cached for a short time so a busy gateway does
 * not read RADOS twice per request, while a removed key or a suspension takes effect within the
 * TTL on every gateway. Misses are cached too (an unknown key costs one read per TTL).
 */
public final class CachingSecretLookup implements SecretLookup {
    public static final Duration TTL_DEFAULT = Duration.ofSeconds(5);
    private static final int ENTRIES_MAX = 100_000;
    private final UserStore users;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    private record Entry(Optional<Credentials> credentials, long expiresNanos) {}

    public CachingSecretLookup(UserStore users, Duration ttl) {
        this.users = users;
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public Optional<Credentials> find(String accessKey) {
        long now = System.nanoTime();
        Entry e = cache.get(accessKey);
        if (e != null && now - e.expiresNanos() < 0) {
            return e.credentials();
        }
        Optional<Credentials> c = users.byAccessKey(accessKey).flatMap(u -> u.keys().stream()
                .filter(k -> k.accessKey().equals(accessKey)).findFirst()
                .map(k -> new Credentials(k.accessKey(), k.secretKey(), u.uid(), u.suspended())));
        if (cache.size() >= ENTRIES_MAX) {
            cache.clear();   // bounded: a flood of random keys cannot grow the cache without limit
        }
        cache.put(accessKey, new Entry(c, now + ttlNanos));
        return c;
    }

    private volatile byte[] epoch;

    /**
     * Polls the keys epoch ({@link UserStore#keysEpoch}); when a key was added anywhere since the
     * last poll, forgets the cached misses. Called every {@link #EPOCH_POLL} by the server.
     */
    public void pollKeysEpoch() {
        byte[] now = users.keysEpoch();
        byte[] before = epoch;
        epoch = now;
        if (before != null && !java.util.Arrays.equals(before, now)) {
            cache.values().removeIf(e -> e.credentials().isEmpty());
        }
    }

    public static final Duration EPOCH_POLL = Duration.ofMillis(250);

    /** Forgets everything (after a local change that must show at once). */
    public void invalidate() {
        cache.clear();
    }
}
