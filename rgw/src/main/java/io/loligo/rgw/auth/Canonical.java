package io.loligo.rgw.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pieces of AWS request canonicalisation shared by Signature V4 and V2: S3's URI encoding,
 * query parsing, header value folding, and the hash and HMAC primitives.
 *
 * <p>S3 differs from the other AWS services in one place: the path is URI-encoded once (never
 * double-encoded) and never normalised ({@code /a/../b} and {@code //} are distinct keys). We
 * percent-decode what arrived on the wire and re-encode it with AWS's rule (everything but
 * {@code A-Z a-z 0-9 - _ . ~} becomes {@code %XX} of its UTF-8 bytes, upper-case hex), which is
 * what every signer computes from the decoded key, however loosely it escaped the wire form.
 */
final class Canonical {
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();
    private static final char[] HEX_LOWER = "0123456789abcdef".toCharArray();

    private Canonical() {}

    static boolean unreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '~';
    }

    /** AWS's UriEncode of an already decoded string; {@code keepSlash} for paths. */
    static String uriEncode(String decoded, boolean keepSlash) {
        byte[] bytes = decoded.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (unreserved(c) || (keepSlash && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX_UPPER[c >>> 4]).append(HEX_UPPER[c & 0xf]);
            }
        }
        return out.toString();
    }

    /**
     * Percent-decodes (no '+' to space: S3 signers escape a space as %20, and a literal '+' is a
     * plus). A '%' not followed by two hex digits is kept as is, like radosgw's url_decode.
     */
    static String percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        byte[] in = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length && in[i] == '%' ? Character.digit(in[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(in[i + 2], 16) : -1;
            if (lo >= 0) {
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The canonical URI of an S3 request: decoded once, encoded once, '/' kept; "/" when empty. */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return uriEncode(percentDecode(rawPath), true);
    }

    /** The query's parameters, decoded, in arrival order; a name without '=' has value "". */
    static List<Map.Entry<String, String>> parseQuery(String rawQuery) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            // A '+' in a query is a space, as radosgw reads it (form-style clients send one).
            String name = (eq < 0 ? part : part.substring(0, eq)).replace('+', ' ');
            String value = eq < 0 ? "" : part.substring(eq + 1).replace('+', ' ');
            params.add(Map.entry(percentDecode(name), percentDecode(value)));
        }
        return params;
    }

    /** The canonical query string: names and values encoded, sorted by name then value, minus {@code skip}. */
    static String canonicalQuery(List<Map.Entry<String, String>> params, String skip) {
        List<String[]> encoded = new ArrayList<>(params.size());
        for (Map.Entry<String, String> p : params) {
            if (p.getKey().equals(skip)) {
                continue;
            }
            encoded.add(new String[] {uriEncode(p.getKey(), false), uriEncode(p.getValue(), false)});
        }
        encoded.sort((a, b) -> {
            int byName = a[0].compareTo(b[0]);
            return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
        StringBuilder out = new StringBuilder();
        for (String[] p : encoded) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** A header's values as signed: each trimmed with inner runs of spaces folded to one, joined by ','. */
    static String foldedValue(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            String v = values.get(i).strip();
            boolean space = false;
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                boolean ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
                if (ws) {
                    space = true;
                    continue;
                }
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String sha256Hex(String s) {
        return hex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] hmac(String algorithm, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }

    static byte[] hmacSha256(byte[] key, String data) {
        return hmac("HmacSHA256", key, data);
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX_LOWER[(bytes[i] >>> 4) & 0xf];
            out[2 * i + 1] = HEX_LOWER[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** Compares two signatures in time independent of where they differ. */
    static boolean sameSignature(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII));
    }

    static boolean isHexSha256(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
