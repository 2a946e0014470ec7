package io.loligo.osd.cls;

import io.loligo.messages.OsdResult;

/** A class method's failure: the errno the op answers with (nothing of the op is applied). */
public final class ClassException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ClassException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public static ClassException invalid(String message) {
        return new ClassException(OsdResult.EINVAL, message);
    }
}
