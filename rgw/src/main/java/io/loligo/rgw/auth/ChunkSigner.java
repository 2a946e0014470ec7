package io.loligo.rgw.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature chain of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body: each chunk's signature covers
 * the previous one (the first covers the request's seed signature), so chunks can be neither
 * altered, dropped nor reordered. Not thread-safe: one per request body.
 *
 * <pre>
 * chunk:   AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n previous-signature \n hex(sha256("")) \n hex(sha256(chunk-data))
 * trailer: AWS4-HMAC-SHA256-TRAILER \n date \n scope \n previous-signature \n hex(sha256(trailer-lines))
 * </pre>
 */
final class ChunkSigner {
    /** One HMAC keyed once per body: a chunk costs a doFinal, not a provider lookup and a key schedule. */
    private final Mac mac;
    private final String amzDate;
    private final String scope;
    private String previous;

    ChunkSigner(byte[] signingKey, String amzDate, String scope, String seedSignature) {
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
        this.amzDate = amzDate;
        this.scope = scope;
        this.previous = seedSignature;
    }

    /** The signature the next chunk must carry, given its data's SHA-256; advances the chain. */
    String nextChunk(byte[] chunkSha256) {
        String toSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previous + "\n"
                + Canonical.EMPTY_SHA256 + "\n" + Canonical.hex(chunkSha256);
        previous = Canonical.hex(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        return previous;
    }

    /** The signature of the trailing headers, given their canonical form ("name:value\n" each). */
    String trailer(String canonicalTrailers) {
        String toSign = "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + previous + "\n"
                + Canonical.sha256Hex(canonicalTrailers);
        previous = Canonical.hex(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        return previous;
    }
}
