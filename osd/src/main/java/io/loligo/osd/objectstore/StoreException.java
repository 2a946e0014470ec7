package io.loligo.osd.objectstore;

/** Every error the store reports: one family, each kind its own type, each message naming the thing. */
public abstract sealed class StoreException extends RuntimeException
        permits BadRequestException, ObjectNotFoundException, CollectionNotFoundException, CollectionExistsException,
                CollectionNotEmptyException, ChecksumMismatchException, StoreFullException, StoreFailedException {
    protected StoreException(String message) {
        super(message);
    }

    protected StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
