package io.loligo.rgw.store;

import io.loligo.client.IoContext;
import io.loligo.client.ObjectWriteOperation;
import io.loligo.client.RadosException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Users and access keys in RADOS (radosgw-admin's user commands as a Java API). Records:
 * {@code .rgw.meta} ns {@code users}, object = uid, JSON {@link UserInfo}; ns {@code keys}, object =
 * access key, content = the owning uid (created exclusively, so an access key belongs to one user).
 * A user's buckets are the omap of {@code .rgw.meta} ns {@code buckets} object {@code user.UID}.
 */
public final class UserStore {
    private static final Pattern UID = Pattern.compile("[A-Za-z0-9_.@+=,-]{1,64}");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final Pattern ACCESS_KEY = Pattern.compile("[A-Za-z0-9_+=/.-]{3,128}");
    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private final RgwPools pools;
    private final SecureRandom random = new SecureRandom();

    /** A refused user operation; {@code code} is radosgw-admin's (UserAlreadyExists, NoSuchUser, ...). */
    public static final class UserException extends RuntimeException {
        private final String code;

        public UserException(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public UserStore(RgwPools pools) {
        this.pools = pools;
    }

    /** The stored uid of user {@code user} of {@code tenant} (null or empty: no tenant). */
    public static String uid(String tenant, String user) {
        return tenant == null || tenant.isEmpty() ? user : tenant + "$" + user;
    }

    /**
     * Creates a user with one key pair ({@code accessKey}/{@code secretKey} as given, or generated
     * when null). Fails with UserAlreadyExists, KeyExists or InvalidArgument.
     */
    public UserInfo create(String tenant, String user, String displayName, String email, String accessKey, String secretKey) {
        checkName(UID, user, "uid");
        if (tenant != null && !tenant.isEmpty()) {
            checkName(TENANT, tenant, "tenant");
        }
        if (displayName == null || displayName.isBlank()) {
            throw new UserException("InvalidArgument", "a user needs a display name (--display-name)");
        }
        String uid = uid(tenant, user);
        UserInfo.AccessKey key = newKey(accessKey, secretKey);
        UserInfo info = new UserInfo(uid, displayName, email == null ? "" : email, tenant == null ? "" : tenant,
                List.of(key), false, UserInfo.MAX_BUCKETS_DEFAULT, UserInfo.Quota.NONE, UserInfo.Quota.NONE,
                System.currentTimeMillis());
        try {
            pools.users.operate(uid, new ObjectWriteOperation().create(true).writeFull(RgwPools.toJson(info)));
        } catch (RadosException.ObjectExists e) {
            throw new UserException("UserAlreadyExists", "user " + uid + " already exists");
        }
        try {
            claimKey(key.accessKey(), uid);
        } catch (UserException e) {
            pools.users.remove(uid);
            throw e;
        }
        bumpKeysEpoch();
        return info;
    }

    public Optional<UserInfo> info(String uid) {
        try {
            return Optional.of(RgwPools.fromJson(pools.users.read(uid), UserInfo.class));
        } catch (RadosException.ObjectNotFound e) {
            return Optional.empty();
        }
    }

    public UserInfo require(String uid) {
        return info(uid).orElseThrow(() -> new UserException("NoSuchUser", "user " + uid + " does not exist"));
    }

    /** The user owning {@code accessKey}, if any. */
    public Optional<UserInfo> byAccessKey(String accessKey) {
        try {
            String uid = new String(pools.keys.read(accessKey), java.nio.charset.StandardCharsets.UTF_8);
            return info(uid);
        } catch (RadosException.ObjectNotFound | RadosException.BadRequest e) {
            return Optional.empty();
        }
    }

    public List<String> list() {
        List<String> out = new ArrayList<>(pools.users.listAll());
        out.sort(null);
        return out;
    }

    /** Removes a user and its keys; refused while the user owns buckets. */
    public void remove(String uid) {
        UserInfo info = require(uid);
        if (!BucketStore.bucketsOf(pools, uid).isEmpty()) {
            throw new UserException("BucketsExist", "user " + uid + " still owns buckets; delete them first");
        }
        for (UserInfo.AccessKey k : info.keys()) {
            releaseKey(k.accessKey());
        }
        pools.users.remove(uid);
    }

    /** Changes the display name, email and bucket limit (null leaves a field as it is). */
    public UserInfo modify(String uid, String displayName, String email, Integer maxBuckets) {
        UserInfo u = require(uid);
        UserInfo changed = u.withProfile(displayName == null ? u.displayName() : displayName,
                email == null ? u.email() : email, maxBuckets == null ? u.maxBuckets() : maxBuckets);
        return save(changed);
    }

    public UserInfo suspend(String uid, boolean suspended) {
        return save(require(uid).withSuspended(suspended));
    }

    public UserInfo setQuotas(String uid, UserInfo.Quota userQuota, UserInfo.Quota bucketQuota) {
        UserInfo u = require(uid);
        return save(u.withQuotas(userQuota == null ? u.userQuota() : userQuota, bucketQuota == null ? u.bucketQuota() : bucketQuota));
    }

    /** Adds a key pair (generated when null) to a user. */
    public UserInfo keyCreate(String uid, String accessKey, String secretKey) {
        UserInfo u = require(uid);
        UserInfo.AccessKey key = newKey(accessKey, secretKey);
        claimKey(key.accessKey(), uid);
        List<UserInfo.AccessKey> keys = new ArrayList<>(u.keys());
        keys.add(key);
        UserInfo saved = save(u.withKeys(keys));
        bumpKeysEpoch();
        return saved;
    }

    public UserInfo keyRemove(String uid, String accessKey) {
        UserInfo u = require(uid);
        List<UserInfo.AccessKey> keys = new ArrayList<>(u.keys());
        if (!keys.removeIf(k -> k.accessKey().equals(accessKey))) {
            throw new UserException("InvalidAccessKeyId", "user " + uid + " has no access key " + accessKey);
        }
        UserInfo saved = save(u.withKeys(keys));
        releaseKey(accessKey);
        return saved;
    }

    // ---- Swift: subusers and keys (radosgw-admin subuser create, key create --key-type swift) ----

    private static final java.util.Set<String> SUBUSER_ACCESS = java.util.Set.of("read", "write", "readwrite", "full");
    private static final Pattern SUBUSER = Pattern.compile("[A-Za-z0-9_.@+=,-]{1,64}");

    /** The uid a Swift user name ({@code uid} or {@code uid:subuser}) belongs to. */
    public static String uidOfSwiftUser(String swiftUser) {
        int colon = swiftUser.indexOf(':');
        return colon < 0 ? swiftUser : swiftUser.substring(0, colon);
    }

    /**
     * Adds subuser {@code subuser} ({@code uid:name}, or just {@code name}) with {@code access}
     * (read, write, readwrite, full; default full); with {@code secret} (or {@code generate}) it also
     * gets a Swift key. Fails with SubuserExists or InvalidArgument.
     */
    public UserInfo subuserCreate(String uid, String subuser, String access, String secret, boolean generate) {
        UserInfo u = require(uid);
        String id = subuserId(uid, subuser);
        String perm = access == null ? "full" : access.equals("full-control") ? "full" : access;
        if (!SUBUSER_ACCESS.contains(perm)) {
            throw new UserException("InvalidArgument", "subuser access '" + access + "' (expected: read, write, readwrite or full)");
        }
        if (u.subusers().stream().anyMatch(s -> s.id().equals(id))) {
            throw new UserException("SubuserExists", "subuser " + id + " already exists");
        }
        List<UserInfo.Subuser> subs = new ArrayList<>(u.subusers());
        subs.add(new UserInfo.Subuser(id, perm));
        List<UserInfo.SwiftKey> swift = new ArrayList<>(u.swiftKeys());
        if (secret != null || generate) {
            swift.removeIf(k -> k.user().equals(id));
            swift.add(new UserInfo.SwiftKey(id, secret == null ? randomString(SECRET_ALPHABET, 40) : checkSecret(secret)));
        }
        return save(u.withSwift(subs, swift));
    }

    public UserInfo subuserRemove(String uid, String subuser) {
        UserInfo u = require(uid);
        String id = subuserId(uid, subuser);
        List<UserInfo.Subuser> subs = new ArrayList<>(u.subusers());
        if (!subs.removeIf(s -> s.id().equals(id))) {
            throw new UserException("NoSuchSubUser", "user " + uid + " has no subuser " + id);
        }
        List<UserInfo.SwiftKey> swift = new ArrayList<>(u.swiftKeys());
        swift.removeIf(k -> k.user().equals(id));
        return save(u.withSwift(subs, swift));
    }

    /**
     * Sets the Swift key of {@code swiftUser} (the uid itself, or one of its subusers) to
     * {@code secret}, generated when null; a subuser that does not exist yet is created (full access).
     */
    public UserInfo swiftKeyCreate(String swiftUser, String secret) {
        String uid = uidOfSwiftUser(swiftUser);
        UserInfo u = require(uid);
        List<UserInfo.Subuser> subs = new ArrayList<>(u.subusers());
        if (!swiftUser.equals(uid) && subs.stream().noneMatch(s -> s.id().equals(swiftUser))) {
            subs.add(new UserInfo.Subuser(subuserId(uid, swiftUser), "full"));
        }
        List<UserInfo.SwiftKey> swift = new ArrayList<>(u.swiftKeys());
        swift.removeIf(k -> k.user().equals(swiftUser));
        swift.add(new UserInfo.SwiftKey(swiftUser, secret == null ? randomString(SECRET_ALPHABET, 40) : checkSecret(secret)));
        return save(u.withSwift(subs, swift));
    }

    public UserInfo swiftKeyRemove(String swiftUser) {
        UserInfo u = require(uidOfSwiftUser(swiftUser));
        List<UserInfo.SwiftKey> swift = new ArrayList<>(u.swiftKeys());
        if (!swift.removeIf(k -> k.user().equals(swiftUser))) {
            throw new UserException("InvalidArgument", "no swift key for " + swiftUser);
        }
        return save(u.withSwift(u.subusers(), swift));
    }

    /** The user a Swift user name belongs to, with that name's key, if both exist. */
    public Optional<Map.Entry<UserInfo, UserInfo.SwiftKey>> bySwiftUser(String swiftUser) {
        String uid = uidOfSwiftUser(swiftUser);
        if (!UID.matcher(uid.substring(uid.indexOf('$') + 1)).matches()) {
            return Optional.empty();
        }
        return info(uid).flatMap(u -> u.swiftKeys().stream().filter(k -> k.user().equals(swiftUser)).findFirst()
                .map(k -> Map.entry(u, k)));
    }

    /** Adds capabilities ("users=*;buckets=read"), as radosgw-admin caps add. */
    public UserInfo capsAdd(String uid, String caps) {
        UserInfo u = require(uid);
        List<UserInfo.Cap> out = new ArrayList<>(u.caps());
        for (UserInfo.Cap c : parseCaps(caps)) {
            out.removeIf(x -> x.type().equals(c.type()));
            out.add(c);
        }
        return save(u.withCaps(out));
    }

    public UserInfo capsRemove(String uid, String caps) {
        UserInfo u = require(uid);
        List<UserInfo.Cap> out = new ArrayList<>(u.caps());
        for (UserInfo.Cap c : parseCaps(caps)) {
            out.removeIf(x -> x.type().equals(c.type()));
        }
        return save(u.withCaps(out));
    }

    static List<UserInfo.Cap> parseCaps(String caps) {
        List<UserInfo.Cap> out = new ArrayList<>();
        for (String part : caps.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String type = eq < 0 ? "" : p.substring(0, eq).trim();
            String perm = eq < 0 ? "" : p.substring(eq + 1).trim();
            if (!java.util.Set.of("users", "buckets", "metadata", "usage", "zone", "info").contains(type)
                    || !java.util.Set.of("read", "write", "*", "read, write").contains(perm)) {
                throw new UserException("InvalidArgument", "capability '" + p + "' (expected TYPE=PERM, e.g. users=*; PERM read, write or *)");
            }
            out.add(new UserInfo.Cap(type, perm.equals("read, write") ? "*" : perm));
        }
        return out;
    }

    private static String subuserId(String uid, String subuser) {
        if (subuser == null || subuser.isEmpty()) {
            throw new UserException("InvalidArgument", "a subuser needs a name (--subuser UID:NAME)");
        }
        String name = subuser.startsWith(uid + ":") ? subuser.substring(uid.length() + 1) : subuser;
        if (name.contains(":")) {
            throw new UserException("InvalidArgument", "subuser " + subuser + " does not belong to user " + uid);
        }
        checkName(SUBUSER, name, "subuser");
        return uid + ":" + name;
    }

    private static String checkSecret(String secret) {
        if (secret.isEmpty() || secret.length() > 256) {
            throw new UserException("InvalidArgument", "secret key must be 1..256 characters");
        }
        return secret;
    }

    /**
     * An object in the keys namespace ('#' is not allowed in an access key) rewritten whenever a key
     * is added, so gateways polling it forget the unknown keys they cached (a key used just before
     * its user was created works within one poll, not after the negative cache's TTL).
     */
    static final String KEYS_EPOCH = "#epoch";

    private void bumpKeysEpoch() {
        byte[] v = new byte[16];
        random.nextBytes(v);
        pools.keys.writeFull(KEYS_EPOCH, v);
    }

    /** The current keys epoch (empty when no key was ever added). */
    public byte[] keysEpoch() {
        try {
            return pools.keys.read(KEYS_EPOCH);
        } catch (RadosException.ObjectNotFound e) {
            return new byte[0];
        }
    }

    private UserInfo save(UserInfo u) {
        pools.users.writeFull(u.uid(), RgwPools.toJson(u));
        return u;
    }

    private void claimKey(String accessKey, String uid) {
        try {
            pools.keys.operate(accessKey, new ObjectWriteOperation().create(true)
                    .writeFull(uid.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (RadosException.ObjectExists e) {
            throw new UserException("KeyExists", "access key " + accessKey + " is already in use");
        }
    }

    private void releaseKey(String accessKey) {
        try {
            pools.keys.remove(accessKey);
        } catch (RadosException.ObjectNotFound e) {
            // already gone: removing is idempotent
        }
    }

    private UserInfo.AccessKey newKey(String accessKey, String secretKey) {
        String ak = accessKey == null ? randomString(KEY_ALPHABET, 20) : accessKey;
        checkName(ACCESS_KEY, ak, "access key");
        String sk = secretKey == null ? randomString(SECRET_ALPHABET, 40) : secretKey;
        if (sk.isEmpty() || sk.length() > 256) {
            throw new UserException("InvalidArgument", "secret key must be 1..256 characters");
        }
        return new UserInfo.AccessKey(ak, sk);
    }

    private String randomString(String alphabet, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static void checkName(Pattern p, String value, String what) {
        if (value == null || !p.matcher(value).matches()) {
            throw new UserException("InvalidArgument", what + " '" + value + "' is not valid (expected: " + p.pattern() + ")");
        }
    }
}
