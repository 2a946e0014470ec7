package io.loligo.rgw.auth;

/**
 * Checks a request's signature: AWS Signature V4 (Authorization header, presigned query, the
 * streaming payload modes) and V2 (header and query). Thread-safe.
 */
public interface Authenticator {
    /**
     * Verifies the request head. A request with no Authorization header and no signature in its
     * query is anonymous ({@link Authenticated#anonymous()}); access control decides what an
     * anonymous caller may do.
     *
     * @throws AuthException with the S3 error code to answer with
     */
    Authenticated authenticate(SignedRequest request) throws AuthException;
}
