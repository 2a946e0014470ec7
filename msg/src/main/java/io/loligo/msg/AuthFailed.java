package io.loligo.msg;

/** The handshake failed: the server refused us (code + reason), or the server could not prove it knows our key. */
public final class AuthFailed extends MsgException {
    private final int code;

    public AuthFailed(int code, String message) {
        super(message);
        this.code = code;
    }

    /** The refusal's errno-style code ({@link ErrorReply#EACCES} for a wrong key, {@link ErrorReply#ENOENT} for an unknown entity). */
    public int code() {
        return code;
    }
}
