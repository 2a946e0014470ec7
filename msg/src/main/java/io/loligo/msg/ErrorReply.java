package io.loligo.msg;

/**
 * The generic error reply any handler may return: a numeric code and a human-readable message.
 * The caller's future fails with {@link RemoteError} carrying both. Codes are positive POSIX errno
 * values, as in Ceph's replies (there negated); the constants below are the ones the messenger
 * itself uses.
 */
public record ErrorReply(int code, String message) implements Message {
    public static final int TYPE = 0x0010;
    static final int VERSION = 1;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EPROTO = 71;
    public static final int ETIMEDOUT = 110;

    public ErrorReply {
        if (message == null) {
            throw new IllegalArgumentException("error reply needs a message");
        }
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(code).putString(message);
    }

    static ErrorReply decode(Decoder in, int version) {
        return new ErrorReply(in.getInt(), in.getString());
    }
}
