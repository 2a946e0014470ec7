package io.loligo.msg;

/** Bytes from the wire (or disk) that do not decode: truncated, over-long, or from an incompatible version. */
public final class DecodeException extends RuntimeException {
    public DecodeException(String message) {
        super(message);
    }
}
