package io.loligo.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.client.Cluster;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import io.loligo.rgw.store.UserJson;
import io.loligo.rgw.store.UserStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code loligo rgw user|key|subuser|caps|quota|stats ...}: the gateway's users and keys, kept in RADOS, managed like
 * {@code radosgw-admin} (same verbs, same JSON). A running gateway sees a change within its
 * credential cache's TTL (5 s). Exit codes: 0 done, 1 refused (the code is printed), 2 bad usage.
 */
@Command(name = "rgw", description = "S3 gateway users and keys (like radosgw-admin).",
        subcommands = {RgwCommand.User.class, RgwCommand.Key.class, RgwCommand.Subuser.class, RgwCommand.Caps.class,
                RgwCommand.Quota.class, RgwCommand.Stats.class})
public final class RgwCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** How to reach the cluster: --conf and --name, as every admin command takes them. */
    static final class Connection {
        @Option(names = {"-c", "--conf"}, description = "Cluster config file (default: $LOLIGO_CONF, ./.loligo/loligo.conf, /etc/loligo/loligo.conf).")
        Path conf;

        @Option(names = {"-n", "--name"}, defaultValue = "client.admin", description = "Client entity (default client.admin).")
        String name;
    }

    /** One user operation against the store. */
    @FunctionalInterface
    interface UserOp {
        UserInfo apply(UserStore users);
    }

    /** Connects, runs {@code op}, prints the user as radosgw-admin does; the exit code. */
    static int withUsers(Connection c, UserOp op) {
        Path conf = c.conf != null ? c.conf : LocalCluster.defaultConf();
        try (Cluster cluster = Cluster.connect(conf, c.name)) {
            UserInfo u = op.apply(new UserStore(RgwPools.open(cluster)));
            if (u != null) {
                System.out.println(userJson(u).toPrettyString());
            }
            return 0;
        } catch (UserStore.UserException e) {
            System.err.println("error: " + e.code() + ": " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("error: " + e.getMessage() + " (config " + conf + ")");
            return 1;
        }
    }

    /** The user as radosgw-admin prints it (user info / user create). */
    public static ObjectNode userJson(UserInfo u) {
        return UserJson.of(u);
    }

    /** --uid, with --tenant making it TENANT$UID (radosgw's tenant users). */
    static final class Uid {
        @Option(names = "--uid", required = true, description = "User id (TENANT$USER for a tenant's user, or use --tenant).")
        String uid;

        @Option(names = "--tenant", description = "The user's tenant.")
        String tenant;

        String full() {
            return tenant == null || tenant.isEmpty() || uid.contains("$") ? uid : UserStore.uid(tenant, uid);
        }
    }

    @Command(name = "user", description = "Create, show, list, change, suspend and remove users.",
            subcommands = {UserCreate.class, UserInfoCmd.class, UserList.class, UserRm.class, UserModify.class,
                    UserSuspend.class, UserEnable.class})
    public static final class User implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
        }
    }

    @Command(name = "create", description = "Create a user with one key pair (generated unless given); prints it with the keys.")
    static final class UserCreate implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Option(names = "--uid", required = true, description = "User id (the Owner ID the S3 API returns).")
        String uid;

        @Option(names = "--display-name", required = true, description = "Display name (the Owner DisplayName).")
        String displayName;

        @Option(names = "--email", description = "E-mail address.")
        String email;

        @Option(names = "--tenant", description = "Tenant: the user becomes TENANT$UID.")
        String tenant;

        @Option(names = "--access-key", description = "Access key to use instead of a generated one.")
        String accessKey;

        @Option(names = {"--secret-key", "--secret"}, description = "Secret key to use instead of a generated one.")
        String secretKey;

        @Override
        public Integer call() {
            if ((accessKey == null) != (secretKey == null)) {
                System.err.println("error: --access-key and --secret-key go together (give both, or neither to generate them)");
                return 2;
            }
            return withUsers(connection, users -> users.create(tenant, uid, displayName, email, accessKey, secretKey));
        }
    }

    @Command(name = "info", description = "Show a user, keys included.")
    static final class UserInfoCmd implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Override
        public Integer call() {
            return withUsers(connection, users -> users.require(uid.full()));
        }
    }

    @Command(name = "list", aliases = "ls", description = "List user ids (JSON array).")
    static final class UserList implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Override
        public Integer call() {
            return withUsers(connection, users -> {
                ArrayNode a = LocalCluster.JSON.createArrayNode();
                users.list().forEach(a::add);
                System.out.println(a.toPrettyString());
                return null;
            });
        }
    }

    @Command(name = "rm", description = "Remove a user and its keys (refused while it owns buckets).")
    static final class UserRm implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Override
        public Integer call() {
            return withUsers(connection, users -> {
                users.remove(uid.full());
                return null;
            });
        }
    }

    @Command(name = "modify", description = "Change a user's display name, e-mail or bucket limit.")
    static final class UserModify implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Option(names = "--display-name", description = "New display name.")
        String displayName;

        @Option(names = "--email", description = "New e-mail address.")
        String email;

        @Option(names = "--max-buckets", description = "Most buckets the user may own (0: no limit).")
        Integer maxBuckets;

        @Override
        public Integer call() {
            if (maxBuckets != null && maxBuckets < 0) {
                System.err.println("error: --max-buckets " + maxBuckets + " (expected: 0+)");
                return 2;
            }
            return withUsers(connection, users -> users.modify(uid.full(), displayName, email, maxBuckets));
        }
    }

    @Command(name = "suspend", description = "Suspend a user: its requests are refused (UserSuspended) until enabled.")
    static final class UserSuspend implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Override
        public Integer call() {
            return withUsers(connection, users -> users.suspend(uid.full(), true));
        }
    }

    @Command(name = "enable", description = "Lift a user's suspension.")
    static final class UserEnable implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Override
        public Integer call() {
            return withUsers(connection, users -> users.suspend(uid.full(), false));
        }
    }

    @Command(name = "key", description = "Add or remove a user's S3 key pairs.", subcommands = {KeyCreate.class, KeyRm.class})
    public static final class Key implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
        }
    }

    @Command(name = "create", description = "Add an S3 key pair (generated unless given) to a user, or with --key-type swift set the"
            + " Swift key of the user or of a subuser (--subuser UID:NAME, created if missing); prints the user.")
    static final class KeyCreate implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Option(names = "--uid", description = "User id (optional with --subuser UID:NAME).")
        String uid;

        @Option(names = "--tenant", description = "The user's tenant.")
        String tenant;

        @Option(names = "--subuser", description = "Subuser UID:NAME whose Swift key this is.")
        String subuser;

        @Option(names = "--key-type", defaultValue = "s3", description = "s3 (default) or swift.")
        String keyType;

        @Option(names = "--access-key", description = "Access key to use instead of a generated one.")
        String accessKey;

        @Option(names = {"--secret-key", "--secret"}, description = "Secret key to use instead of a generated one.")
        String secretKey;

        @Option(names = {"--gen-secret", "--gen-access-key"}, description = "Generate the key (the default when none is given).")
        boolean generate;

        @Override
        public Integer call() {
            if (!keyType.equals("s3") && !keyType.equals("swift")) {
                System.err.println("error: --key-type " + keyType + " (expected: s3 or swift)");
                return 2;
            }
            String full = uid == null ? null : tenant == null || tenant.isEmpty() || uid.contains("$") ? uid : UserStore.uid(tenant, uid);
            if (keyType.equals("swift")) {
                String swiftUser = subuser == null ? full : subuser.contains(":") ? subuser : full == null ? null : full + ":" + subuser;
                if (swiftUser == null) {
                    System.err.println("error: a swift key needs --subuser UID:NAME or --uid");
                    return 2;
                }
                if (full != null && !UserStore.uidOfSwiftUser(swiftUser).equals(full)) {
                    System.err.println("error: subuser " + swiftUser + " does not belong to user " + full);
                    return 2;
                }
                return withUsers(connection, users -> users.swiftKeyCreate(swiftUser, secretKey));
            }
            if (full == null) {
                System.err.println("error: --uid is required for an s3 key");
                return 2;
            }
            if ((accessKey == null) != (secretKey == null)) {
                System.err.println("error: --access-key and --secret-key go together (give both, or neither to generate them)");
                return 2;
            }
            return withUsers(connection, users -> users.keyCreate(full, accessKey, secretKey));
        }
    }

    @Command(name = "subuser", description = "Create or remove Swift subusers (UID:NAME).", subcommands = {SubuserCreate.class, SubuserRm.class})
    public static final class Subuser implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
        }
    }

    @Command(name = "create", description = "Create a subuser (with a Swift key when --secret-key or --gen-secret is given); prints the user.")
    static final class SubuserCreate implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Option(names = "--subuser", required = true, description = "UID:NAME (or NAME).")
        String subuser;

        @Option(names = "--access", defaultValue = "full", description = "read, write, readwrite or full (default full).")
        String access;

        @Option(names = "--key-type", defaultValue = "swift", description = "swift (the only kind a subuser has).")
        String keyType;

        @Option(names = {"--secret-key", "--secret"}, description = "The Swift key.")
        String secretKey;

        @Option(names = "--gen-secret", description = "Generate a Swift key.")
        boolean generate;

        @Override
        public Integer call() {
            if (!keyType.equals("swift")) {
                System.err.println("error: --key-type " + keyType + " (a subuser has swift keys only)");
                return 2;
            }
            return withUsers(connection, users -> users.subuserCreate(uid.full(), subuser, access, secretKey, generate));
        }
    }

    @Command(name = "rm", description = "Remove a subuser and its Swift key; prints the user.")
    static final class SubuserRm implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Option(names = "--subuser", required = true, description = "UID:NAME (or NAME).")
        String subuser;

        @Override
        public Integer call() {
            return withUsers(connection, users -> users.subuserRemove(uid.full(), subuser));
        }
    }

    @Command(name = "caps", description = "Add or remove admin capabilities (users=*, users=read, ...).", subcommands = {CapsAdd.class, CapsRm.class})
    public static final class Caps implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
        }
    }

    @Command(name = "add", description = "Add capabilities, e.g. --caps 'users=*' (lets the user call the admin REST API for users).")
    static final class CapsAdd implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Option(names = "--caps", required = true, description = "TYPE=PERM[;TYPE=PERM...], PERM read, write or *.")
        String caps;

        @Override
        public Integer call() {
            return withUsers(connection, users -> users.capsAdd(uid.full(), caps));
        }
    }

    @Command(name = "rm", description = "Remove capabilities (by type).")
    static final class CapsRm implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Option(names = "--caps", required = true, description = "TYPE=PERM[;...].")
        String caps;

        @Override
        public Integer call() {
            return withUsers(connection, users -> users.capsRemove(uid.full(), caps));
        }
    }

    @Command(name = "rm", description = "Remove one of a user's key pairs; prints the user.")
    static final class KeyRm implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Option(names = "--access-key", required = true, description = "The access key to remove.")
        String accessKey;

        @Override
        public Integer call() {
            return withUsers(connection, users -> users.keyRemove(uid.full(), accessKey));
        }
    }

    @Command(name = "quota", description = "Set, enable or disable a user's or its buckets' quota.",
            subcommands = {QuotaSet.class, QuotaEnable.class, QuotaDisable.class})
    public static final class Quota implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
        }
    }

    /** --quota-scope user|bucket. */
    static final class Scope {
        @Option(names = "--quota-scope", required = true, description = "user (all the user's data) or bucket (each bucket).")
        String scope;

        boolean valid() {
            if (scope.equals("user") || scope.equals("bucket")) {
                return true;
            }
            System.err.println("error: --quota-scope " + scope + " (expected: user or bucket)");
            return false;
        }

        UserInfo.Quota current(UserInfo u) {
            UserInfo.Quota q = scope.equals("user") ? u.userQuota() : u.bucketQuota();
            return q == null ? UserInfo.Quota.NONE : q;
        }

        UserInfo apply(UserStore users, String uid, UserInfo.Quota q) {
            return scope.equals("user") ? users.setQuotas(uid, q, null) : users.setQuotas(uid, null, q);
        }
    }

    @Command(name = "set", description = "Set quota limits (-1: unlimited); 'quota enable' turns them on.")
    static final class QuotaSet implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Mixin
        Scope scope = new Scope();

        @Option(names = "--max-size", description = "Bytes (-1: unlimited).")
        Long maxSize;

        @Option(names = "--max-objects", description = "Objects (-1: unlimited).")
        Long maxObjects;

        @Override
        public Integer call() {
            if (!scope.valid()) {
                return 2;
            }
            return withUsers(connection, users -> {
                UserInfo u = users.require(uid.full());
                UserInfo.Quota q = scope.current(u);
                return scope.apply(users, u.uid(), new UserInfo.Quota(q.enabled(),
                        maxSize == null ? q.maxSizeBytes() : maxSize, maxObjects == null ? q.maxObjects() : maxObjects));
            });
        }
    }

    @Command(name = "enable", description = "Enforce the quota.")
    static final class QuotaEnable implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Mixin
        Scope scope = new Scope();

        @Override
        public Integer call() {
            return scope.valid() ? withUsers(connection, users -> toggle(users, uid.full(), scope, true)) : 2;
        }
    }

    @Command(name = "disable", description = "Stop enforcing the quota (its limits are kept).")
    static final class QuotaDisable implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

        @Mixin
        Scope scope = new Scope();

        @Override
        public Integer call() {
            return scope.valid() ? withUsers(connection, users -> toggle(users, uid.full(), scope, false)) : 2;
        }
    }

    static UserInfo toggle(UserStore users, String uid, Scope scope, boolean enabled) {
        UserInfo u = users.require(uid);
        UserInfo.Quota q = scope.current(u);
        return scope.apply(users, u.uid(), new UserInfo.Quota(enabled, q.maxSizeBytes(), q.maxObjects()));
    }

    @Command(name = "stats", description = "Usage (objects and bytes, as counted in the bucket index) of a bucket or of all a user's buckets.")
    static final class Stats implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Option(names = "--uid", description = "Sum over the user's buckets.")
        String uid;

        @Option(names = "--bucket", description = "One bucket.")
        String bucket;

        @Override
        public Integer call() {
            if ((uid == null) == (bucket == null)) {
                System.err.println("error: give one of --uid or --bucket");
                return 2;
            }
            Path conf = connection.conf != null ? connection.conf : LocalCluster.defaultConf();
            try (Cluster cluster = Cluster.connect(conf, connection.name)) {
                RgwPools pools = RgwPools.open(cluster);
                io.loligo.rgw.store.BucketIndex index = new io.loligo.rgw.store.BucketIndex(pools.index);
                io.loligo.rgw.store.BucketStore buckets = new io.loligo.rgw.store.BucketStore(pools, index);
                ObjectNode j = LocalCluster.JSON.createObjectNode();
                io.loligo.rgw.store.BucketIndex.Usage u;
                if (bucket != null) {
                    var b = buckets.get(bucket);
                    if (b.isEmpty()) {
                        System.err.println("error: NoSuchBucket: bucket " + bucket + " does not exist");
                        return 1;
                    }
                    u = index.usage(b.get());
                    j.put("bucket", bucket).put("id", b.get().id()).put("owner", b.get().owner()).put("num_shards", b.get().shards());
                } else {
                    u = io.loligo.rgw.store.BucketIndex.Usage.ZERO;
                    for (var b : buckets.bucketsOf(uid)) {
                        u = u.plus(index.usage(b));
                    }
                    j.put("user_id", uid);
                }
                j.put("num_objects", u.objects()).put("size", u.bytes()).put("size_kb", (u.bytes() + 1023) / 1024);
                System.out.println(j.toPrettyString());
                return 0;
            } catch (IOException | RuntimeException e) {
                System.err.println("error: " + e.getMessage() + " (config " + conf + ")");
                return 1;
            }
        }
    }
}
