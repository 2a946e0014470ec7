package io.loligo.msg;

/** No reply within the call's timeout. The request may still execute; a late reply is dropped. */
public final class Timeout extends MsgException {
    public Timeout(String message) {
        super(message);
    }
}
