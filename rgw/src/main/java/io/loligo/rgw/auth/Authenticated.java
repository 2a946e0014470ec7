package io.loligo.rgw.auth;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The outcome of authenticating a request's head.
 *
 * @param who the verified credentials, or empty for an anonymous request (no signature at all)
 * @param decodedContentLength the payload's length after aws-chunked decoding
 *     (x-amz-decoded-content-length), or the Content-Length, or -1 when unknown
 * @param body turns the raw request body into the payload: decodes aws-chunked framing, verifies
 *     chunk signatures, trailer checksums and x-amz-content-sha256; a mismatch surfaces as a
 *     {@link BodyAuthException} from read(), at the latest when the stream reaches its end (so the
 *     caller must read to EOF before making the write visible)
 */
public record Authenticated(Optional<Credentials> who, long decodedContentLength, BodyDecoder body) {
    /** Wraps the raw body stream; see {@link Authenticated}. */
    @FunctionalInterface
    public interface BodyDecoder {
        InputStream decode(InputStream raw) throws IOException;
    }

    public boolean anonymous() {
        return who.isEmpty();
    }
}
