package io.loligo.osd.objectstore;

/** The store's error when the store refuses a transaction that needs space it does not have; deletes still work. */
public final class StoreFullException extends StoreException {
    public StoreFullException(String message) {
        super(message);
    }
}
