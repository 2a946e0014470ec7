package io.loligo.crush.text;

/** A text crush map that cannot be parsed; carries the 1-based line and column of the problem. */
public final class CrushParseException extends Exception {
    private final int line;
    private final int column;

    public CrushParseException(int line, int column, String message) {
        super("line " + line + ", column " + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
