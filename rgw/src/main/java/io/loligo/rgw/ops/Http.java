package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Date formats, ETag quoting and URL encoding as S3 uses them. */
final class Http {
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.US).withZone(ZoneOffset.UTC);

    private Http() {}

    static String httpDate(long millis) {
        return HTTP_DATE.format(Instant.ofEpochMilli(millis));
    }

    static String iso(long millis) {
        return ISO.format(Instant.ofEpochMilli(millis));
    }

    /** Parses an HTTP date (RFC 1123, RFC 850 or asctime); null when absent or unparseable (then ignored, as S3 does). */
    static Long parseHttpDate(String s) {
        if (s == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(s.trim()).toEpochMilli();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    static String quote(String etag) {
        return "\"" + etag + "\"";
    }

    /** An ETag from a header or document, without quotes (W/ prefixes dropped). */
    static String unquote(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    /** Does an If-Match / If-None-Match list ("a", "b" or *) contain {@code etag}? */
    static boolean etagListMatches(String header, String etag) {
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.equals("*") || unquote(p).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** encoding-type=url: percent-encode like radosgw (unreserved characters and '/' stay). */
    static String urlEncode(String s, boolean on) {
        if (!on || s == null) {
            return s;
        }
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/").replace("*", "%2A")
                .replace("%7E", "~");
    }

    static int intParam(String value, String name, int dflt, int min, int max) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min) {
                throw S3Exception.invalidArgument("Argument " + name + " must be an integer between " + min + " and 2147483647");
            }
            return Math.min(v, max);
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument("Provided " + name + " not an integer or within integer range");
        }
    }
}
