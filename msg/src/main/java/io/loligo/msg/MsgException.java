package io.loligo.msg;

/**
 * The messenger's typed failures. Futures returned by {@link Connection} fail with one of these;
 * callers switch on the type to decide whether to resend (after {@link ConnectionLost}), give up
 * ({@link AuthFailed}) or report ({@link RemoteError}).
 */
public abstract sealed class MsgException extends RuntimeException
        permits AuthFailed, ConnectionLost, Timeout, RemoteError, ProtocolError, Overloaded {
    MsgException(String message) {
        super(message);
    }

    MsgException(String message, Throwable cause) {
        super(message, cause);
    }
}
