package io.loligo.crush.binary;

/** A compiled crush map that cannot be decoded: truncated, corrupt or of an unsupported shape. */
public final class CrushBinaryException extends Exception {
    private final int offset;

    public CrushBinaryException(int offset, String message) {
        super("compiled crush map, byte " + offset + ": " + message);
        this.offset = offset;
    }

    /** Byte offset at which the problem was found. */
    public int offset() {
        return offset;
    }
}
