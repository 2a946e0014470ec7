package io.loligo.rgw.auth;

import java.util.List;

/**
 * The parts of an HTTP request that signatures cover, as they arrived on the wire. The HTTP layer
 * adapts its request type to this; the authenticator never sees the server library.
 */
public interface SignedRequest {
    /** "GET", "PUT", ... */
    String method();

    /** The request target's path exactly as sent (still percent-encoded), without the query. */
    String rawPath();

    /** The query string exactly as sent, without the '?'; empty when there is none. */
    String rawQuery();

    /** Every header value for {@code name} (case-insensitive), in arrival order; empty if absent. */
    List<String> headers(String name);

    /** All header names as sent (any case, no duplicates). */
    List<String> headerNames();

    /**
     * The bucket named by the Host header when the request uses virtual-hosted-style addressing
     * ({@code bucket.s3.example.com}), else null. Signature V2 signs "/bucket" + path, so it needs to
     * know; V4 signs the path as sent and does not.
     */
    default String virtualHostedBucket() {
        return null;
    }

    default String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : String.join(",", values);
    }
}
