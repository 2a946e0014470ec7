package io.loligo.osd.objectstore;

/** The store's error when remove of a collection that still holds objects. */
public final class CollectionNotEmptyException extends StoreException {
    public CollectionNotEmptyException(String message) {
        super(message);
    }
}
