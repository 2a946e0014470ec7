package io.loligo.osd.objectstore;

/** The store's error when an operation needs an object that does not exist. */
public final class ObjectNotFoundException extends StoreException {
    public ObjectNotFoundException(String message) {
        super(message);
    }
}
