package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;
import io.loligo.rgw.http.Xml;
import io.loligo.rgw.store.BucketInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.w3c.dom.Element;

/** CORS: the bucket's CORSConfiguration, preflight (OPTIONS) answers, and headers on actual requests. */
final class Cors {
    private static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD");
    private final Gateway g;

    record Rule(List<String> origins, List<String> methods, List<String> headers, List<String> expose, Integer maxAge) {}

    Cors(Gateway g) {
        this.g = g;
    }

    static List<Rule> parse(String doc) {
        Element root = Xml.parse(doc.getBytes(StandardCharsets.UTF_8));
        List<Rule> rules = new ArrayList<>();
        for (Element r : Xml.children(root, "CORSRule")) {
            List<String> methods = texts(r, "AllowedMethod");
            for (String m : methods) {
                if (!METHODS.contains(m)) {
                    throw S3Exception.invalidArgument("Found unsupported HTTP method in CORS config. Unsupported method is " + m);
                }
            }
            List<String> origins = texts(r, "AllowedOrigin");
            if (methods.isEmpty() || origins.isEmpty()) {
                throw S3Exception.malformedXml("a CORSRule needs AllowedMethod and AllowedOrigin");
            }
            String age = Xml.text(r, "MaxAgeSeconds");
            rules.add(new Rule(origins, methods, texts(r, "AllowedHeader"), texts(r, "ExposeHeader"),
                    age == null ? null : Integer.valueOf(age.trim())));
        }
        if (rules.isEmpty()) {
            throw S3Exception.malformedXml("no CORSRule");
        }
        return rules;
    }

    private static List<String> texts(Element parent, String name) {
        List<String> out = new ArrayList<>();
        Xml.children(parent, name).forEach(e -> out.add(e.getTextContent().trim()));
        return out;
    }

    private static boolean wildcard(String pattern, String value) {
        int star = pattern.indexOf('*');
        if (star < 0) {
            return pattern.equalsIgnoreCase(value);
        }
        String pre = pattern.substring(0, star).toLowerCase(Locale.ROOT);
        String post = pattern.substring(star + 1).toLowerCase(Locale.ROOT);
        String v = value.toLowerCase(Locale.ROOT);
        return v.length() >= pre.length() + post.length() && v.startsWith(pre) && v.endsWith(post);
    }

    private static Rule match(List<Rule> rules, String origin, String method, List<String> requestHeaders) {
        for (Rule r : rules) {
            if (r.origins().stream().noneMatch(o -> wildcard(o, origin)) || !r.methods().contains(method)) {
                continue;
            }
            boolean headersOk = requestHeaders.stream().allMatch(h -> r.headers().stream().anyMatch(p -> wildcard(p, h)));
            if (headersOk) {
                return r;
            }
        }
        return null;
    }

    /** OPTIONS: answers a preflight from the bucket's rules (403 when none matches). */
    void preflight(S3Exchange ex) {
        String origin = ex.header("Origin");
        String method = ex.header("Access-Control-Request-Method");
        if (origin == null || method == null) {
            throw new S3Exception("BadRequest", 400, "Insufficient information. Origin request header needed.");
        }
        BucketInfo b = g.bucket(ex.bucket());
        List<String> reqHeaders = new ArrayList<>();
        String h = ex.header("Access-Control-Request-Headers");
        if (h != null) {
            for (String s : h.split(",")) {
                if (!s.isBlank()) {
                    reqHeaders.add(s.trim());
                }
            }
        }
        Rule r = b.cors() == null ? null : match(parse(b.cors()), origin, method, reqHeaders);
        if (r == null) {
            throw new S3Exception("AccessForbidden", 403, "CORSResponse: This CORS request is not allowed.");
        }
        ex.header("Access-Control-Allow-Origin", r.origins().contains("*") ? "*" : origin);
        ex.header("Access-Control-Allow-Methods", String.join(", ", r.methods()));
        if (!reqHeaders.isEmpty()) {
            ex.header("Access-Control-Allow-Headers", String.join(", ", reqHeaders));
        }
        if (!r.expose().isEmpty()) {
            ex.header("Access-Control-Expose-Headers", String.join(", ", r.expose()));
        }
        if (r.maxAge() != null) {
            ex.header("Access-Control-Max-Age", r.maxAge().toString());
        }
        ex.header("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
        ex.send(200);
    }

    /** An actual request with an Origin: adds the matching rule's headers. */
    void decorate(S3Exchange ex) {
        String origin = ex.header("Origin");
        if (origin == null) {
            return;
        }
        BucketInfo b = g.buckets.get(ex.bucket()).orElse(null);
        if (b == null || b.cors() == null) {
            return;
        }
        Rule r = match(parse(b.cors()), origin, ex.method(), List.of());
        if (r != null) {
            ex.header("Access-Control-Allow-Origin", r.origins().contains("*") ? "*" : origin);
            ex.header("Access-Control-Allow-Methods", String.join(", ", r.methods()));
            if (!r.expose().isEmpty()) {
                ex.header("Access-Control-Expose-Headers", String.join(", ", r.expose()));
            }
            ex.header("Vary", "Origin");
        }
    }
}
