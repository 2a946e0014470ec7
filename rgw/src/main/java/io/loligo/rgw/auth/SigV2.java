package io.loligo.rgw.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * AWS Signature Version 2 for old clients (S3 API "RESTAuthentication"): HMAC-SHA1 of
 *
 * <pre>
 * method \n Content-MD5 \n Content-Type \n Date-or-Expires \n CanonicalizedAmzHeaders CanonicalizedResource
 * </pre>
 *
 * in the header {@code Authorization: AWS AKID:base64(signature)} or in the query
 * ({@code AWSAccessKeyId}, {@code Expires} in epoch seconds, {@code Signature}). The Date line is
 * empty when x-amz-date is sent (it is then signed among the x-amz- headers). The canonical
 * resource is "/bucket" for virtual-hosted requests, then the path as sent (still encoded, as
 * radosgw takes its request_uri), then the signed sub-resources present in the query, sorted.
 */
final class SigV2 {
    /** The sub-resources that are part of the signed resource (radosgw's list, alphabetical). */
    static final List<String> SUBRESOURCES = List.of("acl", "cors", "delete", "encryption", "end-date",
            "legal-hold", "lifecycle", "location", "logging", "notification", "object-lock", "partNumber", "policy",
            "policyStatus", "publicAccessBlock", "requestPayment", "response-cache-control",
            "response-content-disposition", "response-content-encoding", "response-content-language",
            "response-content-type", "response-expires", "retention", "start-date", "tagging", "torrent",
            "uploadId", "uploads", "versionId", "versioning", "versions", "website");

    private final SigV4Authenticator authenticator;

    SigV2(SigV4Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    Authenticated header(SignedRequest request, String auth, List<Map.Entry<String, String>> query)
            throws AuthException {
        String rest = auth.substring("AWS ".length()).strip();
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new AuthException("InvalidArgument", 400,
                    "AWS authorization header is invalid. Expected AwsAccessKeyId:signature, got '" + auth + "'");
        }
        String accessKey = rest.substring(0, colon);
        String signature = rest.substring(colon + 1);
        String amzDate = request.header("x-amz-date");
        String date = request.header("date");
        Instant time = RequestTimes.parseAny(amzDate != null ? amzDate : date);
        if (time == null) {
            throw new AuthException("AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header");
        }
        authenticator.checkSkew(time);
        Credentials who = authenticator.lookup(accessKey);
        String dateLine = amzDate != null ? "" : date.strip();
        verify(request, query, who, dateLine, signature, List.of());
        SigV4Authenticator.checkNotSuspended(who);
        return authenticator.unsignedPayload(who, request);
    }

    Authenticated query(SignedRequest request, List<Map.Entry<String, String>> query) throws AuthException {
        String accessKey = SigV4Authenticator.param(query, "AWSAccessKeyId");
        String signature = SigV4Authenticator.param(query, "Signature");
        String expires = SigV4Authenticator.param(query, "Expires");
        if (accessKey == null || signature == null || expires == null) {
            throw new AuthException("AccessDenied", 403,
                    "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
        }
        long expiresEpoch;
        try {
            expiresEpoch = Long.parseLong(expires.strip());
        } catch (NumberFormatException e) {
            throw new AuthException("AccessDenied", 403, "Expires must be seconds since the epoch, not '" + expires + "'");
        }
        Instant now = authenticator.now();
        if (now.getEpochSecond() > expiresEpoch) {
            throw new AuthException("AccessDenied", 403, "Request has expired (Expires " + expiresEpoch
                    + " is before now, " + now.getEpochSecond() + ")");
        }
        Credentials who = authenticator.lookup(accessKey);
        // Like radosgw, x-amz-meta-* and x-amz-security-token given in the query are signed as headers.
        List<String[]> queryAmz = new ArrayList<>();
        for (Map.Entry<String, String> p : query) {
            String name = p.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-amz-meta-") || name.equals("x-amz-security-token")) {
                queryAmz.add(new String[] {name, p.getValue()});
            }
        }
        verify(request, query, who, expires.strip(), signature, queryAmz);
        SigV4Authenticator.checkNotSuspended(who);
        return authenticator.unsignedPayload(who, request);
    }

    private static void verify(SignedRequest request, List<Map.Entry<String, String>> query, Credentials who,
            String dateLine, String signature, List<String[]> queryAmz) throws AuthException {
        String stringToSign = stringToSign(request, query, dateLine, queryAmz);
        byte[] mac = Canonical.hmac("HmacSHA1", who.secretKey().getBytes(StandardCharsets.UTF_8), stringToSign);
        String expected = Base64.getEncoder().encodeToString(mac);
        // Base64 has no spaces: a space is a '+' that a client left unescaped in a query.
        if (!Canonical.sameSignature(expected, signature.strip().replace(' ', '+'))) {
            throw new AuthException("SignatureDoesNotMatch", 403, "The request signature we calculated does not "
                    + "match the signature you provided. Check your key and signing method. (string to sign: "
                    + stringToSign.replace("\n", "\\n") + ")");
        }
    }

    static String stringToSign(SignedRequest request, List<Map.Entry<String, String>> query, String dateLine,
            List<String[]> queryAmz) {
        StringBuilder out = new StringBuilder(256);
        out.append(request.method()).append('\n');
        out.append(orEmpty(request.header("content-md5"))).append('\n');
        out.append(orEmpty(request.header("content-type"))).append('\n');
        out.append(dateLine).append('\n');
        List<String[]> amz = new ArrayList<>(queryAmz);
        for (String name : request.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-")) {
                amz.add(new String[] {lower, Canonical.foldedValue(request.headers(name))});
            }
        }
        amz.sort((a, b) -> a[0].compareTo(b[0]));
        for (String[] h : amz) {
            out.append(h[0]).append(':').append(h[1]).append('\n');
        }
        String bucket = request.virtualHostedBucket();
        if (bucket != null) {
            out.append('/').append(bucket);
        }
        String path = request.rawPath();
        out.append(path == null || path.isEmpty() ? "/" : path);
        char sep = '?';
        for (String sub : SUBRESOURCES) {
            for (Map.Entry<String, String> p : query) {
                if (p.getKey().equals(sub)) {
                    out.append(sep).append(sub);
                    if (!p.getValue().isEmpty()) {
                        out.append('=').append(p.getValue());
                    }
                    sep = '&';
                    break;
                }
            }
        }
        return out.toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s.strip();
    }
}
