package io.loligo.osd.objectstore;

/** The store's error when bad input (an argument out of range, a malformed transaction). */
public final class BadRequestException extends StoreException {
    public BadRequestException(String message) {
        super(message);
    }
}
