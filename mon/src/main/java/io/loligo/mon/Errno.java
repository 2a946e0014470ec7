package io.loligo.mon;

/** The negative errno codes monitor replies carry, as Ceph's monitors return them. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = -1;
    public static final int ENOENT = -2;
    public static final int EAGAIN = -11;
    public static final int EACCES = -13;
    public static final int EBUSY = -16;
    public static final int EEXIST = -17;
    public static final int EINVAL = -22;
    public static final int ERANGE = -34;
    public static final int ENOTSUP = -95;
    public static final int ETIMEDOUT = -110;

    public static String name(int code) {
        return switch (code) {
            case 0 -> "OK";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EAGAIN -> "EAGAIN";
            case EACCES -> "EACCES";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ERANGE -> "ERANGE";
            case ENOTSUP -> "ENOTSUP";
            case ETIMEDOUT -> "ETIMEDOUT";
            default -> "E" + (-code);
        };
    }
}
