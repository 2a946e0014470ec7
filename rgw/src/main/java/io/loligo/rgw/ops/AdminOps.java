package io.loligo.rgw.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import io.loligo.rgw.store.UserJson;
import io.loligo.rgw.store.UserStore;
import java.io.IOException;

/**
 * radosgw's admin REST API for users, at {@code /admin/user}, signed like any S3 request by a user
 * holding the {@code users} capability ({@code users=read} for GET, {@code users=write} or
 * {@code users=*} for changes). Answers JSON as radosgw does:
 * <ul>
 *   <li>GET {@code ?uid=U} → the user; PUT {@code ?uid=U&display-name=N[&email][&access-key&secret-key|&generate-key]
 *       [&key-type=s3|swift][&max-buckets][&suspended][&user-caps]} → create; POST {@code ?uid=U[&display-name][&email]
 *       [&max-buckets][&suspended]} → modify; DELETE {@code ?uid=U} → remove;</li>
 *   <li>{@code ?key}: PUT adds a key (S3, or Swift with {@code key-type=swift[&subuser]}), answers the
 *       user's keys; DELETE {@code &access-key=K} (or {@code key-type=swift&subuser=S}) removes one;</li>
 *   <li>{@code ?subuser}: PUT {@code &subuser=S[&access][&secret-key|&generate-secret]}, DELETE;</li>
 *   <li>{@code ?quota&quota-type=user|bucket}: GET, PUT (JSON body: enabled, max_size, max_objects).</li>
 * </ul>
 * Errors: radosgw's codes (NoSuchUser 404, UserAlreadyExists 409, KeyExists 409, InvalidArgument 400,
 * AccessDenied 403).
 */
final class AdminOps {
    private final Gateway g;
    private final Runnable usersChanged;

    AdminOps(Gateway g, Runnable usersChanged) {
        this.g = g;
        this.usersChanged = usersChanged;
    }

    String dispatch(S3Exchange ex) throws Exception {
        if (!"user".equals(ex.key())) {
            throw new S3Exception("NotImplemented", 501, "admin resource /admin/" + (ex.key() == null ? "" : ex.key()) + " is not served");
        }
        UserInfo caller = g.callerInfo(ex);
        boolean read = ex.method().equals("GET");
        if (!caller.hasCap("users", read ? "read" : "write")) {
            throw S3Exception.accessDenied();
        }
        try {
            String op = user(ex);
            if (!read) {
                usersChanged.run();
            }
            return op;
        } catch (UserStore.UserException e) {
            throw new S3Exception(e.code(), status(e.code()), e.getMessage());
        }
    }

    private static int status(String code) {
        return switch (code) {
            case "NoSuchUser", "NoSuchSubUser", "NoSuchKey" -> 404;
            case "UserAlreadyExists", "KeyExists", "SubuserExists", "BucketsExist" -> 409;
            default -> 400;
        };
    }

    private static String uid(S3Exchange ex) {
        String uid = ex.query("uid");
        if (uid == null || uid.isEmpty()) {
            throw S3Exception.invalidArgument("uid is required");
        }
        String tenant = ex.query("tenant");
        return tenant == null || tenant.isEmpty() || uid.contains("$") ? uid : UserStore.uid(tenant, uid);
    }

    private static boolean flag(S3Exchange ex, String name) {
        String v = ex.query(name);
        return v != null && (v.isEmpty() || v.equalsIgnoreCase("true") || v.equals("1"));
    }

    private static Integer intParam(S3Exchange ex, String name) {
        String v = ex.query(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument(name + " '" + v + "' is not a number");
        }
    }

    private void json(S3Exchange ex, JsonNode j) {
        ex.sendBytes(200, "application/json", RgwPools.toJson(j));
    }

    private String user(S3Exchange ex) throws IOException {
        UserStore users = g.users;
        if (ex.hasQuery("key")) {
            return key(ex);
        }
        if (ex.hasQuery("subuser")) {
            return subuser(ex);
        }
        if (ex.hasQuery("quota")) {
            return quota(ex);
        }
        String uid = uid(ex);
        switch (ex.method()) {
            case "GET" -> {
                json(ex, UserJson.of(users.require(uid)));
                return "admin.GetUser";
            }
            case "PUT" -> {
                int dollar = uid.indexOf('$');
                String tenant = dollar < 0 ? null : uid.substring(0, dollar);
                String name = dollar < 0 ? uid : uid.substring(dollar + 1);
                boolean swift = "swift".equals(ex.query("key-type"));
                UserInfo u = users.create(tenant, name, ex.query("display-name"), ex.query("email"),
                        swift ? null : ex.query("access-key"), swift ? null : ex.query("secret-key"));
                if (swift) {
                    u = users.swiftKeyCreate(uid, ex.query("secret-key"));
                }
                Integer max = intParam(ex, "max-buckets");
                if (max != null) {
                    u = users.modify(uid, null, null, max);
                }
                if (flag(ex, "suspended")) {
                    u = users.suspend(uid, true);
                }
                if (ex.query("user-caps") != null) {
                    u = users.capsAdd(uid, ex.query("user-caps"));
                }
                json(ex, UserJson.of(u));
                return "admin.CreateUser";
            }
            case "POST" -> {
                UserInfo u = users.modify(uid, ex.query("display-name"), ex.query("email"), intParam(ex, "max-buckets"));
                if (ex.query("suspended") != null) {
                    u = users.suspend(uid, flag(ex, "suspended"));
                }
                json(ex, UserJson.of(u));
                return "admin.ModifyUser";
            }
            case "DELETE" -> {
                users.remove(uid);
                ex.send(200);
                return "admin.RemoveUser";
            }
            default -> throw S3Exception.methodNotAllowed(ex.method());
        }
    }

    private String key(S3Exchange ex) {
        String uid = uid(ex);
        boolean swift = "swift".equals(ex.query("key-type"));
        String subuser = ex.query("subuser");
        String swiftUser = subuser == null || subuser.isEmpty() ? uid : subuser.contains(":") ? subuser : uid + ":" + subuser;
        switch (ex.method()) {
            case "PUT" -> {
                UserInfo u = swift ? g.users.swiftKeyCreate(swiftUser, ex.query("secret-key"))
                        : g.users.keyCreate(uid, ex.query("access-key"), ex.query("secret-key"));
                json(ex, swift ? UserJson.swiftKeys(u) : UserJson.keys(u));
                return "admin.CreateKey";
            }
            case "DELETE" -> {
                if (swift) {
                    g.users.swiftKeyRemove(swiftUser);
                } else {
                    String ak = ex.query("access-key");
                    if (ak == null) {
                        throw S3Exception.invalidArgument("access-key is required");
                    }
                    g.users.keyRemove(uid, ak);
                }
                ex.send(200);
                return "admin.RemoveKey";
            }
            default -> throw S3Exception.methodNotAllowed(ex.method());
        }
    }

    private String subuser(S3Exchange ex) {
        String uid = uid(ex);
        String subuser = ex.query("subuser");
        switch (ex.method()) {
            case "PUT" -> {
                UserInfo u = g.users.subuserCreate(uid, subuser, ex.query("access"), ex.query("secret-key"), flag(ex, "generate-secret"));
                json(ex, UserJson.of(u).get("subusers"));
                return "admin.CreateSubuser";
            }
            case "DELETE" -> {
                g.users.subuserRemove(uid, subuser);
                ex.send(200);
                return "admin.RemoveSubuser";
            }
            default -> throw S3Exception.methodNotAllowed(ex.method());
        }
    }

    private String quota(S3Exchange ex) throws IOException {
        String uid = uid(ex);
        String type = ex.query("quota-type");
        if (!"user".equals(type) && !"bucket".equals(type)) {
            throw S3Exception.invalidArgument("quota-type must be user or bucket");
        }
        UserInfo u = g.users.require(uid);
        switch (ex.method()) {
            case "GET" -> {
                json(ex, UserJson.quota(type.equals("user") ? u.userQuota() : u.bucketQuota()));
                return "admin.GetQuota";
            }
            case "PUT" -> {
                JsonNode body;
                try {
                    body = RgwPools.JSON.readTree(ex.smallBody(64 << 10));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw S3Exception.invalidArgument("the quota must be JSON: " + e.getOriginalMessage());
                }
                UserInfo.Quota cur = type.equals("user") ? u.userQuota() : u.bucketQuota();
                UserInfo.Quota base = cur == null ? UserInfo.Quota.NONE : cur;
                long maxSize = body.has("max_size") ? body.get("max_size").asLong()
                        : body.has("max_size_kb") ? body.get("max_size_kb").asLong() * 1024 : base.maxSizeBytes();
                UserInfo.Quota q = new UserInfo.Quota(body.has("enabled") ? body.get("enabled").asBoolean() : base.enabled(), maxSize,
                        body.has("max_objects") ? body.get("max_objects").asLong() : base.maxObjects());
                g.users.setQuotas(uid, type.equals("user") ? q : null, type.equals("bucket") ? q : null);
                ex.send(200);
                return "admin.SetQuota";
            }
            default -> throw S3Exception.methodNotAllowed(ex.method());
        }
    }
}
