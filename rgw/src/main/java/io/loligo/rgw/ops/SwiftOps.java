package io.loligo.rgw.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.SwiftException;
import io.loligo.rgw.http.SwiftExchange;
import io.loligo.rgw.http.SwiftHandler;
import io.loligo.rgw.store.BucketIndex;
import io.loligo.rgw.store.BucketInfo;
import io.loligo.rgw.store.BucketStore;
import io.loligo.rgw.store.ObjectEntry;
import io.loligo.rgw.store.ObjectStore;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;

/**
 * The Swift API basics on the same data as S3 (a container is a bucket, an object the object S3
 * sees; X-Object-Meta-NAME is x-amz-meta-NAME): account GET/HEAD, container PUT/GET/HEAD/DELETE/POST
 * (listing with prefix, delimiter, marker, end_marker, limit; plain text or ?format=json), object
 * PUT (ETag checked, X-Copy-From), GET (Range), HEAD, DELETE, COPY (Destination), POST (metadata).
 * A container is its owner's: others are refused (no container ACLs).
 */
public final class SwiftOps implements SwiftHandler.Service {
    /** Swift's default and largest listing page. */
    static final int LISTING_LIMIT_MAX = 10_000;
    private static final DateTimeFormatter SWIFT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);
    private final Gateway g;
    private final SwiftAuth auth;
    private final ListOps list;
    private final ObjectOps objects;

    public SwiftOps(Gateway g) {
        this.g = g;
        this.auth = new SwiftAuth(g.users);
        this.list = new ListOps(g);
        this.objects = new ObjectOps(g);
    }

    public SwiftAuth tempAuth() {
        return auth;
    }

    @Override
    public void auth(SwiftExchange ex) {
        if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
            throw new SwiftException(405, "TempAuth takes GET");
        }
        String user = first(ex.header("X-Auth-User"), ex.header("X-Storage-User"));
        String key = first(ex.header("X-Auth-Key"), ex.header("X-Storage-Pass"));
        SwiftAuth.Token t = auth.issue(user, key);
        String host = ex.header("Host") == null ? g.config.bindAddress() + ":" + g.config.port() : ex.header("Host");
        ex.responseHeader("X-Storage-Url", "http://" + host + SwiftExchange.PREFIX);
        ex.responseHeader("X-Auth-Token", t.token());
        ex.responseHeader("X-Storage-Token", t.token());
        ex.responseHeader("X-Auth-Token-Expires", String.valueOf(Math.max(0, (t.expiresMillis() - System.currentTimeMillis()) / 1000)));
        ex.send(204);
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    @Override
    public String dispatch(SwiftExchange ex) throws Exception {
        SwiftAuth.Identity id = auth.verify(ex.header("X-Auth-Token"));
        ex.user(id.user());
        boolean reads = ex.method().equals("GET") || ex.method().equals("HEAD");
        if (reads ? !id.mayRead() : !id.mayWrite()) {
            throw new SwiftException(403, "subuser " + id.swiftUser() + " has " + id.access() + " access");
        }
        if (ex.container() == null) {
            return account(ex, id.user());
        }
        return ex.object() == null ? container(ex, id.user()) : object(ex, id.user());
    }

    // ---- account ----

    private String account(SwiftExchange ex, UserInfo u) {
        List<BucketInfo> all = g.buckets.bucketsOf(u.uid());
        long objectsUsed = 0;
        long bytesUsed = 0;
        List<BucketIndex.Usage> usage = new ArrayList<>();
        for (BucketInfo b : all) {
            BucketIndex.Usage x = g.index.usage(b);
            usage.add(x);
            objectsUsed += x.objects();
            bytesUsed += x.bytes();
        }
        ex.responseHeader("X-Account-Container-Count", String.valueOf(all.size()));
        ex.responseHeader("X-Account-Object-Count", String.valueOf(objectsUsed));
        ex.responseHeader("X-Account-Bytes-Used", String.valueOf(bytesUsed));
        ex.responseHeader("X-Timestamp", timestamp(u.createdMillis()));
        switch (ex.method()) {
            case "HEAD" -> {
                ex.send(204);
                return "HeadAccount";
            }
            case "GET" -> {
                String prefix = orEmpty(ex.query("prefix"));
                String marker = orEmpty(ex.query("marker"));
                String end = ex.query("end_marker");
                int limit = limit(ex);
                ArrayNode json = RgwPools.JSON.createArrayNode();
                StringBuilder plain = new StringBuilder();
                int n = 0;
                for (int i = 0; i < all.size() && n < limit; i++) {
                    BucketInfo b = all.get(i);
                    if (!b.name().startsWith(prefix) || b.name().compareTo(marker) <= 0 || end != null && b.name().compareTo(end) >= 0) {
                        continue;
                    }
                    n++;
                    plain.append(b.name()).append('\n');
                    json.addObject().put("name", b.name()).put("count", usage.get(i).objects()).put("bytes", usage.get(i).bytes())
                            .put("last_modified", SWIFT_TIME.format(Instant.ofEpochMilli(b.createdMillis())));
                }
                answerListing(ex, n, plain, json);
                return "ListContainers";
            }
            default -> throw new SwiftException(405, ex.method() + " is not allowed on an account");
        }
    }

    private static void answerListing(SwiftExchange ex, int n, StringBuilder plain, ArrayNode json) {
        if (ex.json()) {
            ex.sendBytes(200, "application/json; charset=utf-8", RgwPools.toJson(json));
        } else if (n == 0) {
            ex.send(204);
        } else {
            ex.sendBytes(200, "text/plain; charset=utf-8", plain.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static int limit(SwiftExchange ex) {
        String l = ex.query("limit");
        if (l == null) {
            return LISTING_LIMIT_MAX;
        }
        try {
            int n = Integer.parseInt(l);
            if (n >= 0 && n <= LISTING_LIMIT_MAX) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new SwiftException(412, "limit " + l + " (expected 0.." + LISTING_LIMIT_MAX + ")");
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    // ---- containers ----

    private BucketInfo owned(UserInfo u, String name) {
        BucketInfo b = g.buckets.get(name).orElseThrow(() -> new SwiftException(404, "container " + name + " does not exist"));
        if (!b.owner().equals(u.uid())) {
            throw new SwiftException(403, "container " + name + " belongs to another account");
        }
        return b;
    }

    private String container(SwiftExchange ex, UserInfo u) {
        String name = ex.container();
        switch (ex.method()) {
            case "PUT" -> {
                BucketOps.checkName(name);
                if (u.maxBuckets() > 0 && g.buckets.get(name).isEmpty() && BucketStore.bucketsOf(g.pools, u.uid()).size() >= u.maxBuckets()) {
                    throw new SwiftException(400, "too many containers (limit " + u.maxBuckets() + ")");
                }
                switch (g.buckets.create(name, u.uid(), g.config.zonegroup(), g.config.indexShards(), "private")) {
                    case CREATED -> ex.send(201);
                    case EXISTS_OWNED -> ex.send(202);
                    case EXISTS_OTHER -> throw new SwiftException(409, "container " + name + " belongs to another account");
                }
                return "CreateContainer";
            }
            case "HEAD" -> {
                containerHeaders(ex, owned(u, name));
                ex.send(204);
                return "HeadContainer";
            }
            case "GET" -> {
                listContainer(ex, owned(u, name));
                return "ListObjects";
            }
            case "POST" -> {
                owned(u, name);
                ex.send(204);   // container metadata is not kept
                return "PostContainer";
            }
            case "DELETE" -> {
                BucketInfo b = owned(u, name);
                if (!g.index.noneOf(b, BucketIndex.OBJECT) || !g.index.noneOf(b, BucketIndex.VERSION)) {
                    throw new SwiftException(409, "There was a conflict when trying to complete your request: container " + name
                            + " is not empty");
                }
                g.buckets.remove(b);
                ex.send(204);
                return "DeleteContainer";
            }
            default -> throw new SwiftException(405, ex.method() + " is not allowed on a container");
        }
    }

    private BucketIndex.Usage containerHeaders(SwiftExchange ex, BucketInfo b) {
        BucketIndex.Usage u = g.index.usage(b);
        ex.responseHeader("X-Container-Object-Count", String.valueOf(u.objects()));
        ex.responseHeader("X-Container-Bytes-Used", String.valueOf(u.bytes()));
        ex.responseHeader("X-Timestamp", timestamp(b.createdMillis()));
        ex.responseHeader("X-Storage-Policy", "default-placement");
        return u;
    }

    private void listContainer(SwiftExchange ex, BucketInfo b) {
        containerHeaders(ex, b);
        String prefix = orEmpty(ex.query("prefix"));
        String delimiter = orEmpty(ex.query("delimiter"));
        String path = ex.query("path");
        if (path != null) {   // ?path=P: the "directory" P, as prefix P/ with delimiter /
            prefix = path.isEmpty() || path.endsWith("/") ? path : path + "/";
            delimiter = "/";
        }
        String marker = orEmpty(ex.query("marker"));
        String end = ex.query("end_marker");
        int limit = limit(ex);
        ListOps.Page page = list.page(b, prefix, delimiter, ListOps.afterMarker(marker, prefix, delimiter), limit);
        ArrayNode json = RgwPools.JSON.createArrayNode();
        StringBuilder plain = new StringBuilder();
        int n = 0;
        for (ListOps.Item it : page.items()) {
            if (end != null && BucketIndex.compare(it.key(), end) >= 0) {
                break;
            }
            n++;
            plain.append(it.key()).append('\n');
            if (it.commonPrefix() != null) {
                json.addObject().put("subdir", it.commonPrefix());
            } else {
                ObjectEntry e = it.entry();
                ObjectNode o = json.addObject();
                o.put("name", e.key()).put("hash", e.etag()).put("bytes", e.size()).put("content_type", e.contentType())
                        .put("last_modified", SWIFT_TIME.format(Instant.ofEpochMilli(e.mtimeMillis())));
            }
        }
        answerListing(ex, n, plain, json);
    }

    // ---- objects ----

    private String object(SwiftExchange ex, UserInfo u) throws Exception {
        BucketInfo b = owned(u, ex.container());
        String key = ex.object();
        ObjectOps.checkKey(b.name(), key);
        switch (ex.method()) {
            case "PUT" -> {
                String from = ex.header("X-Copy-From");
                if (from != null) {
                    copy(ex, u, from, b, key);
                    return "CopyObject";
                }
                put(ex, u, b, key);
                return "PutObject";
            }
            case "GET", "HEAD" -> {
                get(ex, b, key);
                return ex.method().equals("GET") ? "GetObject" : "HeadObject";
            }
            case "DELETE" -> {
                ObjectOps.Result r = objects.deleteOne(b, key, null, u.uid());
                if (!r.existed()) {
                    throw new SwiftException(404, "object " + key + " does not exist");
                }
                ex.send(204);
                return "DeleteObject";
            }
            case "COPY" -> {
                String dest = ex.header("Destination");
                if (dest == null) {
                    throw new SwiftException(412, "COPY needs a Destination header (/container/object)");
                }
                String[] cd = splitPath(dest, "Destination");
                copy(ex, u, "/" + b.name() + "/" + key, owned(u, cd[0]), cd[1]);
                return "CopyObject";
            }
            case "POST" -> {
                Map<String, String> meta = meta(ex);
                String type = ex.header("Content-Type");
                Optional<ObjectEntry> cur = g.objects.head(b, key).filter(e -> !e.deleteMarker());
                if (cur.isEmpty() || g.objects.rewriteHead(b, key, cur.get().versionId(), e -> withMeta(e, meta, type)).isEmpty()) {
                    throw new SwiftException(404, "object " + key + " does not exist");
                }
                ex.send(202);
                return "PostObject";
            }
            default -> throw new SwiftException(405, ex.method() + " is not allowed on an object");
        }
    }

    private static ObjectEntry withMeta(ObjectEntry e, Map<String, String> meta, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>(e.headers());
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return new ObjectEntry(e.key(), e.size(), e.etag(), e.mtimeMillis(), e.owner(), meta, headers, e.manifest(), e.versionId(),
                e.deleteMarker(), e.acl(), e.tags(), e.parts());
    }

    /** "/container/object" (or "container/object", percent-encoded) → {container, object}. */
    static String[] splitPath(String value, String header) {
        String v = value.startsWith("/") ? value.substring(1) : value;
        int slash = v.indexOf('/');
        if (slash <= 0 || slash == v.length() - 1) {
            throw new SwiftException(412, header + " must be /container/object, got '" + value + "'");
        }
        return new String[] {decode(v.substring(0, slash)), decode(v.substring(slash + 1))};
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new SwiftException(412, "'" + s + "' is not valid percent-encoding");
        }
    }

    /** X-Object-Meta-NAME headers → {name (lower case): value}, within S3's 2 KB. */
    static Map<String, String> meta(SwiftExchange ex) {
        Map<String, String> meta = new LinkedHashMap<>();
        int bytes = 0;
        for (HttpField f : ex.headerFields()) {
            String n = f.getName().toLowerCase(Locale.ROOT);
            if (n.startsWith("x-object-meta-")) {
                String name = n.substring("x-object-meta-".length());
                meta.put(name, f.getValue());
                bytes += name.length() + f.getValue().length();
            }
        }
        if (bytes > ObjectOps.META_BYTES_MAX) {
            throw new SwiftException(400, "metadata exceeds " + ObjectOps.META_BYTES_MAX + " bytes");
        }
        return meta;
    }

    private static Map<String, String> storedHeaders(SwiftExchange ex) {
        Map<String, String> h = new LinkedHashMap<>();
        for (String name : ObjectOps.STORED_HEADERS) {
            String v = ex.header(name);
            if (v != null) {
                h.put(name, v);
            }
        }
        h.putIfAbsent("Content-Type", "application/octet-stream");
        return h;
    }

    private void put(SwiftExchange ex, UserInfo u, BucketInfo b, String key) throws Exception {
        long length = ex.contentLength();
        if (length < 0 && !"chunked".equalsIgnoreCase(ex.header("Transfer-Encoding"))) {
            throw new SwiftException(411, "a PUT needs Content-Length or Transfer-Encoding: chunked");
        }
        if (length > Gateway.PUT_BYTES_MAX) {
            throw new SwiftException(413, "object larger than " + Gateway.PUT_BYTES_MAX + " bytes");
        }
        byte[] md5 = null;
        String etag = ex.header("ETag");
        if (etag != null) {
            try {
                md5 = HexFormat.of().parseHex(Http.unquote(etag).toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SwiftException(422, "ETag '" + etag + "' is not an MD5");
            }
        }
        objects.checkQuotaBefore(b, key, Math.max(0, length));
        ObjectEntry e;
        try (InputStream in = ex.body()) {
            e = objects.write(b, key, in, length, md5, u.uid(), meta(ex), storedHeaders(ex), "private", Map.of());
        } catch (S3Exception bad) {
            if (bad.code().equals("BadDigest")) {
                throw new SwiftException(422, "the body's MD5 does not match the ETag header");
            }
            throw bad;
        }
        ex.responseHeader("ETag", e.etag());
        ex.responseHeader("Last-Modified", Http.httpDate(e.mtimeMillis()));
        ex.send(201);
    }

    private void copy(SwiftExchange ex, UserInfo u, String from, BucketInfo b, String key) throws java.io.IOException {
        String[] src = splitPath(from, "X-Copy-From");
        BucketInfo sb = owned(u, src[0]);
        ObjectEntry se = g.objects.head(sb, src[1]).filter(e -> !e.deleteMarker())
                .orElseThrow(() -> new SwiftException(404, "source object " + from + " does not exist"));
        boolean fresh = "true".equalsIgnoreCase(ex.header("X-Fresh-Metadata"));
        Map<String, String> meta = new LinkedHashMap<>(fresh ? Map.of() : se.meta());
        meta.putAll(meta(ex));
        Map<String, String> headers = new LinkedHashMap<>(se.headers());
        if (ex.header("Content-Type") != null) {
            headers.put("Content-Type", ex.header("Content-Type"));
        }
        ObjectEntry e = objects.copyInto(sb, se, b, key, u.uid(), meta, headers, se.acl(), se.tags());
        ex.responseHeader("ETag", e.etag());
        ex.responseHeader("X-Copied-From", sb.name() + "/" + se.key());
        ex.responseHeader("X-Copied-From-Last-Modified", Http.httpDate(se.mtimeMillis()));
        ex.responseHeader("Last-Modified", Http.httpDate(e.mtimeMillis()));
        ex.send(201);
    }

    private void get(SwiftExchange ex, BucketInfo b, String key) throws Exception {
        ObjectStore.HeadAndData hd = g.objects.headWithData(b, key).filter(x -> !x.head().deleteMarker())
                .orElseThrow(() -> new SwiftException(404, "object " + key + " does not exist"));
        ObjectEntry e = hd.head();
        String ifNoneMatch = ex.header("If-None-Match");
        String ifMatch = ex.header("If-Match");
        if (ifMatch != null && !Http.etagListMatches(ifMatch, e.etag())) {
            throw new SwiftException(412, "If-Match does not hold");
        }
        if (ifNoneMatch != null && Http.etagListMatches(ifNoneMatch, e.etag())) {
            ex.responseHeader("ETag", e.etag());
            ex.send(304);
            return;
        }
        long start = 0;
        long length = e.size();
        int status = 200;
        String range = ex.header("Range");
        if (range != null) {
            long[] r;
            try {
                r = Ranges.parse(range, e.size());
            } catch (S3Exception bad) {
                throw new SwiftException(416, "Requested Range Not Satisfiable");
            }
            if (r != null) {
                start = r[0];
                length = r[1];
                status = 206;
                ex.responseHeader("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + e.size());
            }
        }
        ex.responseHeader("ETag", e.etag());
        ex.responseHeader("Last-Modified", Http.httpDate(e.mtimeMillis()));
        ex.responseHeader("X-Timestamp", timestamp(e.mtimeMillis()));
        ex.responseHeader("Accept-Ranges", "bytes");
        ex.responseHeader("Content-Type", e.contentType());
        e.headers().forEach((k, v) -> {
            if (!k.equals("Content-Type")) {
                ex.responseHeader(k, v);
            }
        });
        e.meta().forEach((k, v) -> ex.responseHeader("X-Object-Meta-" + k, v));
        if (ex.method().equals("HEAD")) {
            ex.sendHead(status, length);
            return;
        }
        try (OutputStream out = ex.stream(status, length)) {
            if (hd.inline() != null) {
                out.write(hd.inline(), (int) start, (int) length);
            } else {
                g.data.read(e.manifest(), start, length, out);
            }
        }
    }

    private static String timestamp(long millis) {
        return String.format(Locale.ROOT, "%d.%05d", millis / 1000, (millis % 1000) * 100);
    }
}
