package io.loligo.osd.objectstore;

/** The store's error when an operation names a collection that does not exist. */
public final class CollectionNotFoundException extends StoreException {
    public CollectionNotFoundException(String message) {
        super(message);
    }
}
