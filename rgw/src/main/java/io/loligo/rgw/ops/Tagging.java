package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.Xml;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.w3c.dom.Element;

/** Tag sets: the Tagging XML document and the x-amz-tagging header (URL query form). */
final class Tagging {
    static final int OBJECT_TAGS_MAX = 10;
    static final int BUCKET_TAGS_MAX = 50;

    private Tagging() {}

    static Map<String, String> parse(byte[] body) {
        Element root = Xml.parse(body);
        Element set = Xml.child(root, "TagSet");
        if (set == null) {
            throw S3Exception.malformedXml("missing TagSet");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Element t : Xml.children(set, "Tag")) {
            put(tags, Xml.text(t, "Key"), Xml.text(t, "Value"));
        }
        return tags;
    }

    static Map<String, String> fromHeader(String header) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (header == null || header.isEmpty()) {
            return tags;
        }
        for (String part : header.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            put(tags, k, v);
        }
        return tags;
    }

    private static void put(Map<String, String> tags, String k, String v) {
        if (k == null || k.isEmpty() || k.length() > 128) {
            throw new S3Exception("InvalidTag", 400, "The TagKey you have provided is invalid");
        }
        if (v == null) {
            v = "";
        }
        if (v.length() > 256) {
            throw new S3Exception("InvalidTag", 400, "The TagValue you have provided is invalid");
        }
        if (tags.put(k, v) != null) {
            throw new S3Exception("InvalidTag", 400, "Cannot provide multiple Tags with the same key");
        }
    }

    static void checkCount(Map<String, String> tags, int max) {
        if (tags.size() > max) {
            throw new S3Exception("BadRequest", 400, "Object tags cannot be greater than " + max);
        }
    }

    static Xml xml(Map<String, String> tags) {
        Xml x = Xml.doc("Tagging").start("TagSet");
        tags.forEach((k, v) -> x.start("Tag").elem("Key", k).elem("Value", v).end());
        return x.end();
    }
}
