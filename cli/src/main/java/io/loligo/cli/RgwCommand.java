package io.loligo.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.client.Cluster;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import io.loligo.rgw.store.UserStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code loligo rgw user|key|quota ...}: the gateway's users and keys, kept in RADOS, managed like
 * {@code radosgw-admin} (same verbs, same JSON). A running gateway sees a change within its
 * credential cache's TTL (5 s). Exit codes: 0 done, 1 refused (the code is printed), 2 bad usage.
 */
@Command(name = "rgw", description = "S3 gateway users and keys (like radosgw-admin).",
        subcommands = {RgwCommand.User.class, RgwCommand.Key.class, RgwCommand.Quota.class})
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
        ObjectNode j = LocalCluster.JSON.createObjectNode();
        j.put("user_id", u.uid()).put("display_name", u.displayName()).put("email", u.email());
        if (!u.tenant().isEmpty()) {
            j.put("tenant", u.tenant());
        }
        j.put("suspended", u.suspended() ? 1 : 0).put("max_buckets", u.maxBuckets());
        j.putArray("subusers");
        ArrayNode keys = j.putArray("keys");
        for (UserInfo.AccessKey k : u.keys()) {
            keys.addObject().put("user", u.uid()).put("access_key", k.accessKey()).put("secret_key", k.secretKey());
        }
        j.putArray("swift_keys");
        j.putArray("caps");
        j.put("op_mask", "read, write, delete");
        j.set("bucket_quota", quotaJson(u.bucketQuota()));
        j.set("user_quota", quotaJson(u.userQuota()));
        j.put("type", "rgw");
        return j;
    }

    private static ObjectNode quotaJson(UserInfo.Quota q) {
        ObjectNode j = LocalCluster.JSON.createObjectNode();
        UserInfo.Quota quota = q == null ? UserInfo.Quota.NONE : q;
        j.put("enabled", quota.enabled()).put("check_on_raw", false).put("max_size", quota.maxSizeBytes())
                .put("max_size_kb", quota.maxSizeBytes() < 0 ? 0 : (quota.maxSizeBytes() + 1023) / 1024)
                .put("max_objects", quota.maxObjects());
        return j;
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

    @Command(name = "create", description = "Add a key pair (generated unless given) to a user; prints the user.")
    static final class KeyCreate implements Callable<Integer> {
        @Mixin
        Connection connection = new Connection();

        @Mixin
        Uid uid = new Uid();

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
            return withUsers(connection, users -> users.keyCreate(uid.full(), accessKey, secretKey));
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
}
