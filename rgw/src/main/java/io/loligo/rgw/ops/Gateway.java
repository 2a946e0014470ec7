package io.loligo.rgw.ops;

import io.loligo.rgw.RgwConfig;
import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;
import io.loligo.rgw.store.BucketIndex;
import io.loligo.rgw.store.BucketInfo;
import io.loligo.rgw.store.BucketStore;
import io.loligo.rgw.store.DataIo;
import io.loligo.rgw.store.Gc;
import io.loligo.rgw.store.ObjectStore;
import io.loligo.rgw.store.Quotas;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import io.loligo.rgw.store.UserStore;
import java.util.Optional;

/** Everything an S3 operation needs: settings, the RADOS-backed stores, and access control. */
public final class Gateway {
    /** Largest single PUT / part / copy (S3: 5 GiB). */
    public static final long PUT_BYTES_MAX = 5L << 30;
    public final RgwConfig config;
    public final RgwPools pools;
    public final UserStore users;
    public final BucketStore buckets;
    public final BucketIndex index;
    public final DataIo data;
    public final Gc gc;
    public final ObjectStore objects;
    public final Quotas quotas;

    public Gateway(RgwConfig config, RgwPools pools) {
        this.config = config;
        this.pools = pools;
        this.users = new UserStore(pools);
        this.index = new BucketIndex(pools.index);
        this.buckets = new BucketStore(pools, index);
        this.data = new DataIo(pools.data);
        this.gc = new Gc(pools.gc, data, config.gcMinWait());
        this.objects = new ObjectStore(index, gc);
        this.quotas = new Quotas(users, buckets, index, config.quotaCacheTtl());
        objects.gate(quotas);
    }

    /** What a request wants to do with a bucket or object. */
    enum Permission { READ, WRITE, OWNER }

    /** The caller's uid, or null when anonymous; a suspended user is refused. */
    static String caller(S3Exchange ex) {
        if (ex.auth().anonymous()) {
            return null;
        }
        var who = ex.auth().who().get();
        if (who.suspended()) {
            throw new S3Exception("UserSuspended", 403, "The user " + who.uid() + " is suspended.");
        }
        return who.uid();
    }

    UserInfo callerInfo(S3Exchange ex) {
        String uid = caller(ex);
        if (uid == null) {
            throw S3Exception.accessDenied();
        }
        return users.info(uid).orElseThrow(S3Exception::accessDenied);
    }

    BucketInfo bucket(String name) {
        return buckets.get(name).orElseThrow(() -> S3Exception.noSuchBucket(name));
    }

    /** Loads the addressed bucket and checks that the caller may act on it as {@code p}. */
    BucketInfo bucket(S3Exchange ex, Permission p) {
        return bucket(ex, ex.bucket(), p, null);
    }

    BucketInfo bucket(S3Exchange ex, String name, Permission p, String action) {
        BucketInfo b = bucket(name);
        String uid = caller(ex);
        Policy.Effect effect = Policy.evaluate(b, uid, action == null ? defaultAction(p) : action, "arn:aws:s3:::" + name);
        if (effect == Policy.Effect.DENY) {
            throw S3Exception.accessDenied();
        }
        if (uid != null && uid.equals(b.owner()) || effect == Policy.Effect.ALLOW && p != Permission.OWNER) {
            return b;
        }
        if (p == Permission.READ && cannedAllowsRead(b.acl(), uid) || p == Permission.WRITE && "public-read-write".equals(b.acl())) {
            return b;
        }
        throw S3Exception.accessDenied();
    }

    private static String defaultAction(Permission p) {
        return switch (p) {
            case READ -> "s3:ListBucket";
            case WRITE -> "s3:PutObject";
            case OWNER -> "s3:PutBucketPolicy";
        };
    }

    static boolean cannedAllowsRead(String acl, String uid) {
        return "public-read".equals(acl) || "public-read-write".equals(acl) || uid != null && "authenticated-read".equals(acl);
    }

    /** May the caller read this object (owner of the bucket or object, policy, or the object's canned ACL)? */
    void checkObjectRead(S3Exchange ex, BucketInfo b, Optional<String> objectAcl, Optional<String> objectOwner, String key) {
        String uid = caller(ex);
        Policy.Effect effect = Policy.evaluate(b, uid, "s3:GetObject", "arn:aws:s3:::" + b.name() + "/" + key);
        if (effect == Policy.Effect.DENY) {
            throw S3Exception.accessDenied();
        }
        if (uid != null && (uid.equals(b.owner()) || objectOwner.map(uid::equals).orElse(false)) || effect == Policy.Effect.ALLOW) {
            return;
        }
        if (objectAcl.map(a -> cannedAllowsRead(a, uid)).orElse(false)) {
            return;
        }
        throw S3Exception.accessDenied();
    }

    /** May the caller write objects in this bucket? */
    BucketInfo bucketForWrite(S3Exchange ex, String key) {
        BucketInfo b = bucket(ex.bucket());
        String uid = caller(ex);
        Policy.Effect effect = Policy.evaluate(b, uid, "s3:PutObject", "arn:aws:s3:::" + b.name() + "/" + key);
        if (effect == Policy.Effect.DENY) {
            throw S3Exception.accessDenied();
        }
        if (uid != null && uid.equals(b.owner()) || effect == Policy.Effect.ALLOW || "public-read-write".equals(b.acl())) {
            return b;
        }
        throw S3Exception.accessDenied();
    }

    String displayName(String uid) {
        return users.info(uid).map(UserInfo::displayName).orElse(uid);
    }
}
