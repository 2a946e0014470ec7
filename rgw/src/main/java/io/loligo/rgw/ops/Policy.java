package io.loligo.rgw.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.store.BucketInfo;
import io.loligo.rgw.store.RgwPools;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Bucket policies, the common subset: statements with Effect Allow/Deny, Principal ("*",
 * {"AWS": "*" | uid | "arn:aws:iam::TENANT:user/UID" | list}), Action (s3:GetObject, s3:PutObject,
 * s3:ListBucket, s3:*, wildcards) and Resource (bucket and object ARNs with * and ?). Conditions
 * are refused at PUT time (not silently ignored). An explicit Deny wins over any Allow.
 */
final class Policy {
    enum Effect { ALLOW, DENY, NONE }

    private Policy() {}

    /** Checks a policy document when it is stored; a bad one is MalformedPolicy. */
    static void validate(String json, String bucket) {
        JsonNode root;
        try {
            root = RgwPools.JSON.readTree(json);
        } catch (Exception e) {
            throw malformed("not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw malformed("the policy must be a JSON object");
        }
        JsonNode st = root.path("Statement");
        if (st.isMissingNode() || !(st.isArray() || st.isObject())) {
            throw malformed("missing Statement");
        }
        for (JsonNode s : list(st)) {
            String effect = s.path("Effect").asText();
            if (!effect.equals("Allow") && !effect.equals("Deny")) {
                throw malformed("Effect must be Allow or Deny, not '" + effect + "'");
            }
            if (s.has("Condition")) {
                throw S3Exception.notImplemented("policy conditions");
            }
            if (!s.has("Principal") || !s.has("Action") || !s.has("Resource")) {
                throw malformed("each statement needs Principal, Action and Resource");
            }
            for (JsonNode r : list(s.path("Resource"))) {
                String arn = r.asText();
                if (!arn.startsWith("arn:aws:s3:::" + bucket)) {
                    throw malformed("Policy has invalid resource " + arn);
                }
            }
        }
    }

    private static S3Exception malformed(String why) {
        return new S3Exception("MalformedPolicy", 400, "Policy has invalid syntax: " + why);
    }

    static Effect evaluate(BucketInfo b, String uid, String action, String resource) {
        if (b.policy() == null) {
            return Effect.NONE;
        }
        JsonNode root;
        try {
            root = RgwPools.JSON.readTree(b.policy());
        } catch (Exception e) {
            return Effect.NONE;   // validated when stored; an unreadable one grants nothing
        }
        Effect out = Effect.NONE;
        for (JsonNode s : list(root.path("Statement"))) {
            if (!principalMatches(s.path("Principal"), uid) || !anyMatches(s.path("Action"), action)
                    || !anyMatches(s.path("Resource"), resource)) {
                continue;
            }
            if (s.path("Effect").asText().equals("Deny")) {
                return Effect.DENY;
            }
            out = Effect.ALLOW;
        }
        return out;
    }

    private static boolean principalMatches(JsonNode p, String uid) {
        if (p.isTextual()) {
            return p.asText().equals("*");
        }
        for (JsonNode n : list(p.path("AWS"))) {
            String v = n.asText();
            if (v.equals("*")) {
                return true;
            }
            if (uid != null && (v.equals(uid) || v.endsWith(":user/" + uid) || v.endsWith(":root") && v.contains("::" + uid + ":"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyMatches(JsonNode patterns, String value) {
        for (JsonNode n : list(patterns)) {
            if (glob(n.asText()).matcher(value).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private static List<JsonNode> list(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(out::add);
        } else if (!n.isMissingNode() && !n.isNull()) {
            out.add(n);
        }
        return out;
    }
}
