package io.loligo.msg;

/**
 * The connection dropped (or is reconnecting) before a reply arrived. The request may or may not
 * have been executed: the caller decides whether to resend.
 */
public final class ConnectionLost extends MsgException {
    public ConnectionLost(String message) {
        super(message);
    }

    public ConnectionLost(String message, Throwable cause) {
        super(message, cause);
    }
}
