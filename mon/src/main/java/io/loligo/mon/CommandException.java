package io.loligo.mon;

/** A command that cannot be carried out as given: bad input or a refused operation, with an errno and a message. */
public final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;
    public final int code;

    public CommandException(int code, String message) {
        super(message);
        this.code = code;
    }
}
