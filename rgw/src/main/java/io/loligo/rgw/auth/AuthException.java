package io.loligo.rgw.auth;

/**
 * A request that fails authentication, carrying the S3 error code and HTTP status to answer with
 * (e.g. SignatureDoesNotMatch/403, InvalidAccessKeyId/403, RequestTimeTooSkewed/403,
 * AccessDenied/403 for an expired presigned URL, XAmzContentSHA256Mismatch/400, BadDigest/400,
 * InvalidArgument/400, IncompleteBody/400).
 */
public final class AuthException extends Exception {
    private final String code;
    private final int httpStatus;

    public AuthException(String code, int httpStatus, String message) {
        super(message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
