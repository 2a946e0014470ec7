package io.loligo.msg;

/** A local limit (calls in flight on this connection) is reached; retry later or slow down. */
public final class Overloaded extends MsgException {
    public Overloaded(String message) {
        super(message);
    }
}
