package io.loligo.osd.objectstore;

/**
 * The store stopped after an I/O error on its durability path: its on-disk state is unknown until it is
 * reopened (which replays and checks it), so every later operation fails with this error.
 */
public final class StoreFailedException extends StoreException {
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
