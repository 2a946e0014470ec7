package io.loligo.rgw.auth;

import java.io.IOException;

/**
 * Thrown by a {@link Authenticated#body} stream when the payload does not match what was signed
 * (a bad chunk signature, a wrong x-amz-content-sha256, a trailer checksum mismatch, a truncated
 * chunk). The gateway must then discard everything it wrote for this request and answer with
 * {@link #cause()}'s code.
 */
public final class BodyAuthException extends IOException {
    public BodyAuthException(AuthException cause) {
        super(cause.getMessage(), cause);
    }

    public AuthException authCause() {
        return (AuthException) getCause();
    }
}
