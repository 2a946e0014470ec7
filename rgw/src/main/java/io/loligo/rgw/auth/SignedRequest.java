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

    default String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : String.join(",", values);
    }
}
