package io.loligo.maps.codec;

/** Bytes that do not decode as the expected map, incremental or command: bad input, never a bug. */
public final class MapDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public MapDecodeException(String message) {
        super(message);
    }
}
