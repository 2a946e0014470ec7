package io.loligo.msg;

/** Bad input from a peer, with the reason the server counts it under. */
final class BadFrame extends RuntimeException {
    final DropReason reason;

    BadFrame(DropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }
}
