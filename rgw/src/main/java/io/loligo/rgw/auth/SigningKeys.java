package io.loligo.rgw.auth;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Derived SigV4 signing keys, cached: a key depends only on (secret, date, region, service), so one
 * derivation (four HMACs) serves a client's every request of a day. Bounded: past
 * {@link #ENTRIES_MAX} entries the cache is cleared (a day's worth of active keys fits many times).
 */
final class SigningKeys {
    static final int ENTRIES_MAX = 4096;

    private record Scope(String accessKey, String secret, String date, String region, String service) {}

    private final ConcurrentHashMap<Scope, byte[]> cache = new ConcurrentHashMap<>();

    byte[] key(String accessKey, String secret, String date, String region, String service) {
        Scope scope = new Scope(accessKey, secret, date, region, service);
        byte[] key = cache.get(scope);
        if (key == null) {
            key = derive(secret, date, region, service);
            if (cache.size() >= ENTRIES_MAX) {
                cache.clear();
            }
            cache.put(scope, key);
        }
        return key;
    }

    static byte[] derive(String secret, String date, String region, String service) {
        byte[] kDate = Canonical.hmacSha256(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        byte[] kRegion = Canonical.hmacSha256(kDate, region);
        byte[] kService = Canonical.hmacSha256(kRegion, service);
        return Canonical.hmacSha256(kService, "aws4_request");
    }

    int size() {
        return cache.size();
    }
}
