package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;
import io.loligo.rgw.http.Xml;
import io.loligo.rgw.store.BucketIndex;
import io.loligo.rgw.store.BucketInfo;
import io.loligo.rgw.store.BucketStore;
import io.loligo.rgw.store.UserInfo;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/** Bucket operations: create, delete, head, location, versioning, ACL, policy, CORS, tagging. */
final class BucketOps {
    static final Set<String> CANNED = Set.of("private", "public-read", "public-read-write", "authenticated-read");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
    private static final int DOC_BYTES_MAX = 64 << 10;
    private final Gateway g;

    BucketOps(Gateway g) {
        this.g = g;
    }

    static void checkName(String name) {
        if (!NAME.matcher(name).matches() || IP.matcher(name).matches() || name.contains("..") || name.contains(".-")
                || name.contains("-.")) {
            throw new S3Exception("InvalidBucketName", 400, "The specified bucket is not valid.", name, null);
        }
    }

    String put(S3Exchange ex) throws Exception {
        if (ex.hasQuery("versioning")) {
            putVersioning(ex);
            return "PutBucketVersioning";
        }
        if (ex.hasQuery("acl")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            g.buckets.save(b.withAcl(cannedFromRequest(ex, b.acl())));
            return "PutBucketAcl";
        }
        if (ex.hasQuery("policy")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            String policy = new String(ex.smallBody(20 << 10), StandardCharsets.UTF_8);
            Policy.validate(policy, b.name());
            g.buckets.save(b.withPolicy(policy));
            ex.send(204);
            return "PutBucketPolicy";
        }
        if (ex.hasQuery("cors")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            String cors = new String(ex.smallBody(DOC_BYTES_MAX), StandardCharsets.UTF_8);
            Cors.parse(cors);
            g.buckets.save(b.withCors(cors));
            return "PutBucketCors";
        }
        if (ex.hasQuery("tagging")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            g.buckets.save(b.withTags(Tagging.parse(ex.smallBody(DOC_BYTES_MAX))));
            ex.send(204);
            return "PutBucketTagging";
        }
        create(ex);
        return "CreateBucket";
    }

    private void create(S3Exchange ex) throws Exception {
        String name = ex.bucket();
        checkName(name);
        UserInfo user = g.callerInfo(ex);
        byte[] body = ex.smallBody(DOC_BYTES_MAX);
        if (body.length > 0) {
            Element root = Xml.parse(body);
            String lc = Xml.text(root, "LocationConstraint");
            if (lc != null && !lc.isEmpty() && !lc.equals(g.config.zonegroup()) && !lc.equals("us-east-1")) {
                throw new S3Exception("InvalidLocationConstraint", 400, "The specified location-constraint is not valid", name, null);
            }
        }
        String acl = cannedFromRequest(ex, "private");
        if (user.maxBuckets() > 0 && g.buckets.get(name).isEmpty()
                && BucketStore.bucketsOf(g.pools, user.uid()).size() >= user.maxBuckets()) {
            throw new S3Exception("TooManyBuckets", 400, "You have attempted to create more buckets than allowed", name, null);
        }
        switch (g.buckets.create(name, user.uid(), g.config.zonegroup(), g.config.indexShards(), acl)) {
            case CREATED -> {
                ex.header("Location", "/" + name);
                ex.send(200);
            }
            case EXISTS_OWNED -> throw new S3Exception("BucketAlreadyOwnedByYou", 409,
                    "Your previous request to create the named bucket succeeded and you already own it.", name, null);
            case EXISTS_OTHER -> throw new S3Exception("BucketAlreadyExists", 409,
                    "The requested bucket name is not available. The bucket namespace is shared by all users of the system."
                            + " Please select a different name and try again.", name, null);
        }
    }

    /** The canned ACL of x-amz-acl, or one recognised in an AccessControlPolicy body, or {@code dflt}. */
    static String cannedFromRequest(S3Exchange ex, String dflt) throws Exception {
        String h = ex.header("x-amz-acl");
        if (h != null) {
            if (!CANNED.contains(h)) {
                throw S3Exception.invalidArgument("unsupported canned ACL '" + h + "' (expected: " + CANNED + ")");
            }
            return h;
        }
        if (!ex.hasQuery("acl")) {
            return dflt;
        }
        byte[] body = ex.smallBody(DOC_BYTES_MAX);
        if (body.length == 0) {
            return dflt;
        }
        String doc = new String(body, StandardCharsets.UTF_8);
        Xml.parse(body);
        boolean allRead = doc.contains("AllUsers") && doc.contains("<Permission>READ</Permission>");
        boolean allWrite = doc.contains("AllUsers") && doc.contains("<Permission>WRITE</Permission>");
        boolean authRead = doc.contains("AuthenticatedUsers");
        return allWrite ? "public-read-write" : allRead ? "public-read" : authRead ? "authenticated-read" : "private";
    }

    private void putVersioning(S3Exchange ex) throws Exception {
        BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
        Element root = Xml.parse(ex.smallBody(DOC_BYTES_MAX));
        String status = Xml.text(root, "Status");
        if (!"Enabled".equals(status) && !"Suspended".equals(status)) {
            throw S3Exception.malformedXml("Status must be Enabled or Suspended");
        }
        if ("Suspended".equals(status) && !b.versioned()) {
            ex.send(200);
            return;
        }
        g.buckets.save(b.withVersioning(status));
        ex.send(200);
    }

    /** GET on a bucket subresource; null when the request is a listing. */
    String getSubresource(S3Exchange ex) {
        if (ex.hasQuery("location")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            Xml x = Xml.doc("LocationConstraint");
            String zg = b.zonegroup().equals("us-east-1") ? null : b.zonegroup();
            ex.sendXml(200, zg == null ? x : Xml.docText("LocationConstraint", zg));
            return "GetBucketLocation";
        }
        if (ex.hasQuery("versioning")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            ex.sendXml(200, Xml.doc("VersioningConfiguration").elem("Status", b.versioned() ? b.versioning() : null));
            return "GetBucketVersioning";
        }
        if (ex.hasQuery("acl")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            ex.sendXml(200, acl(b.owner(), g.displayName(b.owner()), b.acl()));
            return "GetBucketAcl";
        }
        if (ex.hasQuery("policy")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            if (b.policy() == null) {
                throw new S3Exception("NoSuchBucketPolicy", 404, "The bucket policy does not exist", b.name(), null);
            }
            ex.sendBytes(200, "application/json", b.policy().getBytes(StandardCharsets.UTF_8));
            return "GetBucketPolicy";
        }
        if (ex.hasQuery("cors")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            if (b.cors() == null) {
                throw new S3Exception("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist", b.name(), null);
            }
            ex.sendBytes(200, "application/xml", b.cors().getBytes(StandardCharsets.UTF_8));
            return "GetBucketCors";
        }
        if (ex.hasQuery("tagging")) {
            BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
            if (b.tags() == null || b.tags().isEmpty()) {
                throw new S3Exception("NoSuchTagSet", 404, "The TagSet does not exist", b.name(), null);
            }
            ex.sendXml(200, Tagging.xml(b.tags()));
            return "GetBucketTagging";
        }
        for (String unsupported : new String[] {"lifecycle", "website", "replication", "notification", "logging",
                "encryption", "object-lock", "requestPayment", "accelerate", "ownershipControls", "publicAccessBlock"}) {
            if (ex.hasQuery(unsupported)) {
                throw S3Exception.notImplemented("bucket " + unsupported);
            }
        }
        return null;
    }

    static Xml acl(String ownerId, String ownerName, String canned) {
        Xml x = Xml.doc("AccessControlPolicy").start("Owner").elem("ID", ownerId).elem("DisplayName", ownerName).end()
                .start("AccessControlList");
        grant(x, "xsi:type=\"CanonicalUser\"", ownerId, ownerName, null, "FULL_CONTROL");
        switch (canned) {
            case "public-read" -> grant(x, "xsi:type=\"Group\"", null, null, "http://acs.amazonaws.com/groups/global/AllUsers", "READ");
            case "public-read-write" -> {
                grant(x, "xsi:type=\"Group\"", null, null, "http://acs.amazonaws.com/groups/global/AllUsers", "READ");
                grant(x, "xsi:type=\"Group\"", null, null, "http://acs.amazonaws.com/groups/global/AllUsers", "WRITE");
            }
            case "authenticated-read" -> grant(x, "xsi:type=\"Group\"", null, null,
                    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ");
            default -> { }
        }
        return x.end();
    }

    private static void grant(Xml x, String type, String id, String name, String uri, String permission) {
        x.start("Grant").startWithAttrs("Grantee", "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" " + type)
                .elem("ID", id).elem("DisplayName", name).elem("URI", uri).end().elem("Permission", permission).end();
    }

    void head(S3Exchange ex) {
        BucketInfo b = g.bucket(ex, Gateway.Permission.READ);
        ex.header("x-amz-bucket-region", b.zonegroup());
        ex.send(200);
    }

    String delete(S3Exchange ex) {
        BucketInfo b = g.bucket(ex, Gateway.Permission.OWNER);
        if (ex.hasQuery("policy")) {
            g.buckets.save(b.withPolicy(null));
            ex.send(204);
            return "DeleteBucketPolicy";
        }
        if (ex.hasQuery("cors")) {
            g.buckets.save(b.withCors(null));
            ex.send(204);
            return "DeleteBucketCors";
        }
        if (ex.hasQuery("tagging")) {
            g.buckets.save(b.withTags(Map.of()));
            ex.send(204);
            return "DeleteBucketTagging";
        }
        if (!g.index.noneOf(b, BucketIndex.OBJECT) || !g.index.noneOf(b, BucketIndex.VERSION)) {
            throw new S3Exception("BucketNotEmpty", 409, "The bucket you tried to delete is not empty", b.name(), null);
        }
        g.buckets.remove(b);
        ex.send(204);
        return "DeleteBucket";
    }
}
