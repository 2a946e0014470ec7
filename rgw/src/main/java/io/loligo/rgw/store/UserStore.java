package io.loligo.rgw.store;

import io.loligo.client.IoContext;
import io.loligo.client.ObjectWriteOperation;
import io.loligo.client.RadosException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
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
        return save(u.withKeys(keys));
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
