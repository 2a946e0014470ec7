package io.loligo.osd.objectstore;

/** The store's error when create of a collection that exists. */
public final class CollectionExistsException extends StoreException {
    public CollectionExistsException(String message) {
        super(message);
    }
}
