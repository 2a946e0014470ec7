package io.loligo.rgw.http;

/** A Swift error: an HTTP status and a short plain-text explanation (Swift's errors have no code). */
public final class SwiftException extends RuntimeException {
    private final int status;

    public SwiftException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
