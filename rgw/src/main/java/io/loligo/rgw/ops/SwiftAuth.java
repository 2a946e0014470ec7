package io.loligo.rgw.ops;

import io.loligo.rgw.http.SwiftException;
import io.loligo.rgw.store.UserInfo;
import io.loligo.rgw.store.UserStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Swift TempAuth v1 ({@code GET /auth/v1.0} with X-Auth-User / X-Auth-Key, or X-Storage-User /
 * X-Storage-Pass). The token is stateless, so any gateway accepts a token another one issued:
 * {@code AUTH_rgwtk} + hex(swift user NL expiry-ms NL nonce) + "." + hex(HMAC-SHA256 over that
 * with the user's Swift key). Removing or changing the key revokes its tokens (within the
 * verification cache's {@link #CACHE_TTL}); a suspended user is refused.
 */
public final class SwiftAuth {
    public static final String TOKEN_PREFIX = "AUTH_rgwtk";
    /** radosgw's rgw_swift_token_expiration default: one day. */
    public static final Duration TOKEN_LIFETIME = Duration.ofDays(1);
    static final Duration CACHE_TTL = Duration.ofSeconds(5);
    private static final int CACHE_ENTRIES_MAX = 100_000;
    private static final int TOKEN_CHARS_MAX = 4096;
    private final UserStore users;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Verified> cache = new ConcurrentHashMap<>();

    /** A verified token's user, its Swift user name (uid or subuser) and that name's access. */
    public record Identity(UserInfo user, String swiftUser, String access, long expiresMillis) {
        public boolean mayRead() {
            return !access.equals("write");
        }

        public boolean mayWrite() {
            return !access.equals("read");
        }
    }

    private record Verified(Identity identity, long cachedUntilNanos) {}

    /** A token issued to a Swift user. */
    public record Token(String token, long expiresMillis) {}

    public SwiftAuth(UserStore users) {
        this.users = users;
    }

    /** Checks the user name and key; 401 when either is wrong, 403 when the user is suspended. */
    public Token issue(String swiftUser, String key) {
        if (swiftUser == null || key == null || swiftUser.isEmpty()) {
            throw new SwiftException(401, "X-Auth-User and X-Auth-Key are required");
        }
        var found = users.bySwiftUser(swiftUser);
        if (found.isEmpty() || !MessageDigest.isEqual(found.get().getValue().secretKey().getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8))) {
            throw new SwiftException(401, "unknown user or wrong key");
        }
        if (found.get().getKey().suspended()) {
            throw new SwiftException(403, "user " + found.get().getKey().uid() + " is suspended");
        }
        long expires = System.currentTimeMillis() + TOKEN_LIFETIME.toMillis();
        byte[] nonce = new byte[8];
        random.nextBytes(nonce);
        String payload = swiftUser + "\n" + expires + "\n" + HexFormat.of().formatHex(nonce);
        String token = TOKEN_PREFIX + HexFormat.of().formatHex(payload.getBytes(StandardCharsets.UTF_8)) + "."
                + HexFormat.of().formatHex(hmac(found.get().getValue().secretKey(), payload));
        return new Token(token, expires);
    }

    /** The identity of a valid token; 401 when it is malformed, forged, expired or its key is gone. */
    public Identity verify(String token) {
        if (token == null || token.isEmpty()) {
            throw new SwiftException(401, "X-Auth-Token is required");
        }
        long now = System.nanoTime();
        Verified v = cache.get(token);
        if (v != null && now - v.cachedUntilNanos() < 0) {
            return checkLive(v.identity());
        }
        Identity id = verifyUncached(token);
        if (cache.size() >= CACHE_ENTRIES_MAX) {
            cache.clear();
        }
        cache.put(token, new Verified(id, now + CACHE_TTL.toNanos()));
        return id;
    }

    private static Identity checkLive(Identity id) {
        if (System.currentTimeMillis() > id.expiresMillis()) {
            throw new SwiftException(401, "token expired");
        }
        if (id.user().suspended()) {
            throw new SwiftException(403, "user " + id.user().uid() + " is suspended");
        }
        return id;
    }

    private Identity verifyUncached(String token) {
        int dot = token.lastIndexOf('.');
        if (!token.startsWith(TOKEN_PREFIX) || token.length() > TOKEN_CHARS_MAX || dot < TOKEN_PREFIX.length()) {
            throw new SwiftException(401, "malformed token");
        }
        String payload;
        byte[] mac;
        try {
            payload = new String(HexFormat.of().parseHex(token.substring(TOKEN_PREFIX.length(), dot)), StandardCharsets.UTF_8);
            mac = HexFormat.of().parseHex(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new SwiftException(401, "malformed token");
        }
        String[] f = payload.split("\n");
        if (f.length != 3) {
            throw new SwiftException(401, "malformed token");
        }
        long expires;
        try {
            expires = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            throw new SwiftException(401, "malformed token");
        }
        var found = users.bySwiftUser(f[0]);
        if (found.isEmpty() || !MessageDigest.isEqual(mac, hmac(found.get().getValue().secretKey(), payload))) {
            throw new SwiftException(401, "invalid token");
        }
        UserInfo u = found.get().getKey();
        String access = u.uid().equals(f[0]) ? "full" : u.subusers().stream().filter(s -> s.id().equals(f[0]))
                .map(UserInfo.Subuser::permissions).findFirst().orElse("full");
        return checkLive(new Identity(u, f[0], access, expires));
    }

    static byte[] hmac(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Forgets verified tokens (after a local key change that must show at once). */
    public void invalidate() {
        cache.clear();
    }
}
