package io.loligo.rgw.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A user as radosgw-admin and radosgw's admin REST API print it (user info / user create). */
public final class UserJson {
    private UserJson() {}

    public static ObjectNode of(UserInfo u) {
        ObjectNode j = RgwPools.JSON.createObjectNode();
        j.put("user_id", u.uid()).put("display_name", u.displayName()).put("email", u.email());
        if (!u.tenant().isEmpty()) {
            j.put("tenant", u.tenant());
        }
        j.put("suspended", u.suspended() ? 1 : 0).put("max_buckets", u.maxBuckets());
        ArrayNode subs = j.putArray("subusers");
        for (UserInfo.Subuser s : u.subusers()) {
            subs.addObject().put("id", s.id()).put("permissions", s.permissions().equals("full") ? "full-control" : s.permissions());
        }
        j.set("keys", keys(u));
        j.set("swift_keys", swiftKeys(u));
        ArrayNode caps = j.putArray("caps");
        for (UserInfo.Cap c : u.caps()) {
            caps.addObject().put("type", c.type()).put("perm", c.perm());
        }
        j.put("op_mask", "read, write, delete");
        j.set("bucket_quota", quota(u.bucketQuota()));
        j.set("user_quota", quota(u.userQuota()));
        j.put("type", "rgw");
        return j;
    }

    public static ArrayNode keys(UserInfo u) {
        ArrayNode keys = RgwPools.JSON.createArrayNode();
        for (UserInfo.AccessKey k : u.keys()) {
            keys.addObject().put("user", u.uid()).put("access_key", k.accessKey()).put("secret_key", k.secretKey());
        }
        return keys;
    }

    public static ArrayNode swiftKeys(UserInfo u) {
        ArrayNode swift = RgwPools.JSON.createArrayNode();
        for (UserInfo.SwiftKey k : u.swiftKeys()) {
            swift.addObject().put("user", k.user()).put("secret_key", k.secretKey());
        }
        return swift;
    }

    public static ObjectNode quota(UserInfo.Quota q) {
        ObjectNode j = RgwPools.JSON.createObjectNode();
        UserInfo.Quota quota = q == null ? UserInfo.Quota.NONE : q;
        j.put("enabled", quota.enabled()).put("check_on_raw", false).put("max_size", quota.maxSizeBytes())
                .put("max_size_kb", quota.maxSizeBytes() < 0 ? 0 : (quota.maxSizeBytes() + 1023) / 1024)
                .put("max_objects", quota.maxObjects());
        return j;
    }
}
