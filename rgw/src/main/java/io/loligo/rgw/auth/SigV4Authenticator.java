package io.loligo.rgw.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's {@link Authenticator}: AWS Signature V4 in the Authorization header (with every S3
 * payload mode) and in a presigned query, and Signature V2 (header and query, see {@link SigV2}).
 *
 * <p>V4 (S3 API "sig-v4-header-based-auth"): the client signs a canonical request (method, S3's
 * canonical URI, sorted canonical query, the headers it lists in SignedHeaders, the payload hash
 * from x-amz-content-sha256) with a key derived from its secret and the credential scope
 * {@code date/region/s3/aws4_request}. Any region is accepted as signed (us-east-1, default, ...):
 * the gateway serves one zonegroup whatever the client believes. The payload hash selects how the
 * body is checked ({@link #payload}); the body checks run while the HTTP layer reads it.
 *
 * <p>Errors, as S3 and radosgw name them: no such key → InvalidAccessKeyId; a wrong signature →
 * SignatureDoesNotMatch; more than 15 minutes between the request's time and ours →
 * RequestTimeTooSkewed; an expired presigned URL → AccessDenied "Request has expired"; a suspended
 * user → UserSuspended (radosgw's ERR_USER_SUSPENDED, 403); malformed authorization →
 * AuthorizationHeaderMalformed / AuthorizationQueryParametersError / InvalidArgument (400).
 * Thread-safe.
 */
public final class SigV4Authenticator implements Authenticator {
    public static final Duration CLOCK_SKEW_MAX = Duration.ofMinutes(15);
    public static final long PRESIGNED_EXPIRES_SECONDS_MAX = 7L * 24 * 3600;
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final String STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    static final String STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    static final String SERVICE = "s3";

    private final SecretLookup keys;
    private final Clock clock;
    private final SigningKeys signingKeys = new SigningKeys();
    private final SigV2 v2;

    public SigV4Authenticator(SecretLookup keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
        this.v2 = new SigV2(this);
    }

    /** What a V4 signature claims: whose key, which scope, which headers, when. */
    private record Claim(String accessKey, String scopeDate, String region, String service,
            String signedHeaders, String signature, String amzDate, Instant time) {
        String scope() {
            return scopeDate + "/" + region + "/" + service + "/aws4_request";
        }
    }

    @Override
    public Authenticated authenticate(SignedRequest request) throws AuthException {
        List<Map.Entry<String, String>> query = Canonical.parseQuery(request.rawQuery());
        String authorization = request.header("authorization");
        boolean queryV4 = param(query, "X-Amz-Algorithm") != null || param(query, "X-Amz-Signature") != null
                || param(query, "X-Amz-Credential") != null;
        boolean queryV2 = param(query, "AWSAccessKeyId") != null || param(query, "Signature") != null;
        if (authorization != null && !authorization.isBlank()) {
            if (queryV4 || queryV2) {
                throw new AuthException("InvalidArgument", 400, "Only one auth mechanism allowed; only the X-Amz-Algorithm "
                        + "query parameter, Signature query string parameter or the Authorization header should be specified");
            }
            String auth = authorization.strip();
            if (auth.startsWith(ALGORITHM + " ")) {
                return headerV4(request, auth, query);
            }
            if (auth.startsWith("AWS ")) {
                return v2.header(request, auth, query);
            }
            int space = auth.indexOf(' ');
            throw new AuthException("InvalidArgument", 400, "Unsupported Authorization Type '"
                    + (space < 0 ? auth : auth.substring(0, space)) + "' (expected AWS4-HMAC-SHA256 or AWS)");
        }
        if (queryV4) {
            return presignedV4(request, query);
        }
        if (queryV2) {
            return v2.query(request, query);
        }
        return payload(null, request, request.header("x-amz-content-sha256"), null);
    }

    /** The body check of a V2-signed request: only what its headers declare (V2 signs no payload hash). */
    Authenticated unsignedPayload(Credentials who, SignedRequest request) throws AuthException {
        return payload(who, request, request.header("x-amz-content-sha256"), null);
    }

    private Authenticated headerV4(SignedRequest request, String auth, List<Map.Entry<String, String>> query)
            throws AuthException {
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : auth.substring(ALGORITHM.length()).split(",")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = p.substring(0, eq).strip();
            String value = p.substring(eq + 1).strip();
            switch (name) {
                case "Credential" -> credential = value;
                case "SignedHeaders" -> signedHeaders = value;
                case "Signature" -> signature = value;
                default -> { }
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            throw new AuthException("AuthorizationHeaderMalformed", 400,
                    "The authorization header is malformed; it needs Credential, SignedHeaders and Signature");
        }
        String amzDate = request.header("x-amz-date");
        Instant time = RequestTimes.parseAny(amzDate != null ? amzDate : request.header("date"));
        if (time == null) {
            throw new AuthException("AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header");
        }
        String dateForSigning = amzDate != null ? amzDate.strip() : RequestTimes.amzDate(time);
        Claim claim = claim(credential, signedHeaders, signature, dateForSigning, time, "AuthorizationHeaderMalformed");
        checkSkew(time);
        Credentials who = lookup(claim.accessKey());
        String payloadHash = request.header("x-amz-content-sha256");
        String signedPayload = payloadHash != null ? payloadHash.strip() : Canonical.EMPTY_SHA256;
        checkPayloadMode(signedPayload);
        byte[] key = verify(request, claim, who, Canonical.canonicalQuery(query, null), signedPayload);
        checkNotSuspended(who);
        ChunkSeed seed = new ChunkSeed(key, claim.amzDate(), claim.scope(), claim.signature());
        return payload(who, request, signedPayload, seed);
    }

    private Authenticated presignedV4(SignedRequest request, List<Map.Entry<String, String>> query)
            throws AuthException {
        String algorithm = param(query, "X-Amz-Algorithm");
        String credential = param(query, "X-Amz-Credential");
        String amzDate = param(query, "X-Amz-Date");
        String expires = param(query, "X-Amz-Expires");
        String signedHeaders = param(query, "X-Amz-SignedHeaders");
        String signature = param(query, "X-Amz-Signature");
        if (algorithm == null || credential == null || amzDate == null || expires == null
                || signedHeaders == null || signature == null) {
            throw queryError("Query-string authentication version 4 requires the X-Amz-Algorithm, "
                    + "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        }
        if (!algorithm.equals(ALGORITHM)) {
            throw queryError("X-Amz-Algorithm only supports \"" + ALGORITHM + "\", not \"" + algorithm + "\"");
        }
        Instant time = RequestTimes.parseAmzDate(amzDate);
        if (time == null) {
            throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not \"" + amzDate + "\"");
        }
        long expiresSeconds = parseExpires(expires);
        Claim claim = claim(credential, signedHeaders, signature, amzDate.strip(), time, "AuthorizationQueryParametersError");
        Instant now = clock.instant();
        if (!now.isBefore(time.plusSeconds(expiresSeconds))) {
            throw new AuthException("AccessDenied", 403, "Request has expired (X-Amz-Date " + amzDate
                    + " + X-Amz-Expires " + expiresSeconds + " s is before " + now + ")");
        }
        if (time.isAfter(now.plus(CLOCK_SKEW_MAX))) {
            throw new AuthException("AccessDenied", 403, "Request is not valid yet (X-Amz-Date " + amzDate + ")");
        }
        Credentials who = lookup(claim.accessKey());
        String payloadHash = request.header("x-amz-content-sha256");
        String signedPayload = payloadHash != null ? payloadHash.strip() : UNSIGNED_PAYLOAD;
        checkPayloadMode(signedPayload);
        if (signedPayload.startsWith("STREAMING-AWS4")) {
            throw new AuthException("InvalidArgument", 400, "a presigned request cannot carry a signed aws-chunked body");
        }
        verify(request, claim, who, Canonical.canonicalQuery(query, "X-Amz-Signature"), signedPayload);
        checkNotSuspended(who);
        return payload(who, request, signedPayload, null);
    }

    private static long parseExpires(String expires) throws AuthException {
        long seconds;
        try {
            seconds = Long.parseLong(expires.strip());
        } catch (NumberFormatException e) {
            throw queryError("X-Amz-Expires should be a number, not \"" + expires + "\"");
        }
        if (seconds < 1) {
            throw queryError("X-Amz-Expires must be non-negative and at least 1, not " + seconds);
        }
        if (seconds > PRESIGNED_EXPIRES_SECONDS_MAX) {
            throw queryError("X-Amz-Expires must be less than a week (in seconds) that is 604800, not " + seconds);
        }
        return seconds;
    }

    private static AuthException queryError(String message) {
        return new AuthException("AuthorizationQueryParametersError", 400, message);
    }

    /** Parses {@code AKID/yyyyMMdd/region/s3/aws4_request} and checks it against the request's time. */
    private static Claim claim(String credential, String signedHeaders, String signature, String amzDate,
            Instant time, String malformedCode) throws AuthException {
        String[] c = credential.split("/", -1);
        if (c.length != 5 || c[0].isEmpty() || c[2].isEmpty() || !c[4].equals("aws4_request")) {
            throw new AuthException(malformedCode, 400, "The credential '" + credential
                    + "' is malformed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        }
        if (!c[3].equals(SERVICE)) {
            throw new AuthException(malformedCode, 400, "The credential '" + credential
                    + "' is for service '" + c[3] + "'; expecting 's3'");
        }
        if (!amzDate.startsWith(c[1]) || c[1].length() != 8) {
            throw new AuthException(malformedCode, 400, "Invalid credential date '" + c[1]
                    + "'. Date is not the same as X-Amz-Date: " + amzDate.substring(0, Math.min(8, amzDate.length())));
        }
        return new Claim(c[0], c[1], c[2], c[3], signedHeaders, signature, amzDate, time);
    }

    void checkSkew(Instant time) throws AuthException {
        Instant now = clock.instant();
        if (Duration.between(time, now).abs().compareTo(CLOCK_SKEW_MAX) > 0) {
            throw new AuthException("RequestTimeTooSkewed", 403, "The difference between the request time ("
                    + time + ") and the server's time (" + now + ") is too large (more than " + CLOCK_SKEW_MAX.toMinutes()
                    + " minutes)");
        }
    }

    Instant now() {
        return clock.instant();
    }

    Credentials lookup(String accessKey) throws AuthException {
        Optional<Credentials> found = keys.find(accessKey);
        if (found.isEmpty()) {
            throw new AuthException("InvalidAccessKeyId", 403,
                    "The AWS Access Key Id you provided does not exist in our records: " + accessKey);
        }
        return found.get();
    }

    static void checkNotSuspended(Credentials who) throws AuthException {
        if (who.suspended()) {
            throw new AuthException("UserSuspended", 403, "user '" + who.uid() + "' is suspended");
        }
    }

    private static void checkPayloadMode(String payloadHash) throws AuthException {
        boolean known = payloadHash.equals(UNSIGNED_PAYLOAD) || payloadHash.equals(STREAMING_SIGNED)
                || payloadHash.equals(STREAMING_SIGNED_TRAILER) || payloadHash.equals(STREAMING_UNSIGNED_TRAILER)
                || Canonical.isHexSha256(payloadHash);
        if (!known) {
            throw new AuthException("InvalidArgument", 400, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                    + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                    + "or a valid sha256 value, not '" + payloadHash + "'");
        }
    }

    /** Checks the V4 signature; returns the signing key (the seed of a chunk signature chain). */
    private byte[] verify(SignedRequest request, Claim claim, Credentials who, String canonicalQuery,
            String payloadHash) throws AuthException {
        String canonicalRequest = canonicalRequest(request, canonicalQuery, claim.signedHeaders(), payloadHash);
        String stringToSign = ALGORITHM + "\n" + claim.amzDate() + "\n" + claim.scope() + "\n"
                + Canonical.sha256Hex(canonicalRequest);
        byte[] key = signingKeys.key(who.accessKey(), who.secretKey(), claim.scopeDate(), claim.region(), claim.service());
        String expected = Canonical.hex(Canonical.hmacSha256(key, stringToSign));
        if (!Canonical.sameSignature(expected, claim.signature().toLowerCase())) {
            throw new AuthException("SignatureDoesNotMatch", 403, "The request signature we calculated does not "
                    + "match the signature you provided. Check your key and signing method. (string to sign: "
                    + stringToSign.replace("\n", "\\n") + ")");
        }
        return key;
    }

    static String canonicalRequest(SignedRequest request, String canonicalQuery, String signedHeaders, String payloadHash) {
        StringBuilder out = new StringBuilder(256);
        out.append(request.method()).append('\n');
        out.append(Canonical.canonicalUri(request.rawPath())).append('\n');
        out.append(canonicalQuery).append('\n');
        for (String name : signedHeaders.split(";")) {
            if (!name.isEmpty()) {
                out.append(name).append(':').append(Canonical.foldedValue(request.headers(name))).append('\n');
            }
        }
        out.append('\n').append(signedHeaders).append('\n').append(payloadHash);
        return out.toString();
    }

    /** The seed of a signed aws-chunked body: a fresh {@link ChunkSigner} per body. */
    private record ChunkSeed(byte[] key, String amzDate, String scope, String signature) {
        ChunkSigner signer() {
            return new ChunkSigner(key, amzDate, scope, signature.toLowerCase());
        }
    }

    /**
     * How the body is checked, chosen by the signed payload hash: a hex SHA-256 is verified at the
     * end (XAmzContentSHA256Mismatch), UNSIGNED-PAYLOAD is taken as is, the STREAMING-* modes are
     * decoded from aws-chunked with their chunk signatures and trailer checksums verified. A
     * declared x-amz-checksum-* header of a PUT is verified in every mode (BadDigest).
     */
    private Authenticated payload(Credentials who, SignedRequest request, String payloadHash, ChunkSeed seed)
            throws AuthException {
        Optional<Credentials> whoOpt = Optional.ofNullable(who);
        ExpectedChecksum headerChecksum = headerChecksum(request);
        long contentLength = parseLength(request.header("content-length"), "Content-Length");
        String mode = payloadHash == null ? UNSIGNED_PAYLOAD : payloadHash.strip();
        if (mode.equals(UNSIGNED_PAYLOAD) || Canonical.isHexSha256(mode)) {
            String sha = mode.equals(UNSIGNED_PAYLOAD) ? null : mode;
            if (sha == null && headerChecksum == null) {
                return new Authenticated(whoOpt, contentLength, raw -> raw);
            }
            return new Authenticated(whoOpt, contentLength, raw -> new VerifyingInputStream(raw, sha, headerChecksum));
        }
        checkPayloadMode(mode);
        boolean signed = mode.startsWith("STREAMING-AWS4");
        if (signed && seed == null) {
            throw new AuthException("InvalidArgument", 400, mode + " needs a V4 Authorization header");
        }
        ChecksumAlgorithm trailer = null;
        String trailerHeader = request.header("x-amz-trailer");
        if (mode.endsWith("-TRAILER") && trailerHeader != null) {
            trailer = ChecksumAlgorithm.ofHeader(trailerHeader);
            if (trailer == null) {
                throw new AuthException("InvalidArgument", 400, "x-amz-trailer '" + trailerHeader
                        + "' is not a supported checksum (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256, -sha512, -md5)");
            }
        }
        long decoded = parseLength(request.header("x-amz-decoded-content-length"), "x-amz-decoded-content-length");
        ChecksumAlgorithm trailerAlgorithm = trailer;
        ExpectedChecksum checksum = trailer == null ? headerChecksum : null;
        return new Authenticated(whoOpt, decoded, raw -> new AwsChunkedInputStream(raw,
                signed ? seed.signer() : null, trailerAlgorithm, checksum, decoded));
    }

    private static long parseLength(String value, String name) throws AuthException {
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new AuthException("InvalidArgument", 400, name + " must be a non-negative integer, not '" + value + "'");
    }

    /**
     * A PUT's x-amz-checksum-* header (the body's own checksum). Other methods are left alone: a
     * CompleteMultipartUpload's checksum headers describe the object, not the XML body.
     */
    private static ExpectedChecksum headerChecksum(SignedRequest request) {
        if (!request.method().equals("PUT")) {
            return null;
        }
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String value = request.header(a.headerName());
            if (value != null && !value.contains("-")) {
                return new ExpectedChecksum(a, value.strip());
            }
        }
        return null;
    }

    static String param(List<Map.Entry<String, String>> query, String name) {
        for (Map.Entry<String, String> p : query) {
            if (p.getKey().equals(name)) {
                return p.getValue();
            }
        }
        return null;
    }

    /** For tests: how many derived signing keys are cached. */
    int cachedSigningKeys() {
        return signingKeys.size();
    }
}
