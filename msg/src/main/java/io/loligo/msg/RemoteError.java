package io.loligo.msg;

/** The peer replied with an {@link ErrorReply}: its code and message. Handlers may also throw this to reply with a code. */
public final class RemoteError extends MsgException {
    private final int code;

    public RemoteError(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }

    @Override
    public String toString() {
        return "RemoteError(" + code + "): " + getMessage();
    }
}
