package io.loligo.msg;

/** The peer sent something this side cannot accept (bad frame, bad CRC, unknown type, wrong reply type). */
public final class ProtocolError extends MsgException {
    public ProtocolError(String message) {
        super(message);
    }
}
