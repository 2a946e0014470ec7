package io.loligo.client.striper;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The object operations the striper needs, asynchronous so a large read or write keeps every
 * object's operation in flight at once. {@link io.loligo.client.IoContext} provides them on a real
 * pool ({@link io.loligo.client.IoContext#stripeTarget()}); tests use an in-memory map.
 */
public interface StripeTarget {
    /** Up to {@code length} bytes at {@code offset}: shorter at the object's end, empty when it does not exist. */
    CompletableFuture<byte[]> read(String oid, long offset, int length);

    /** Writes (creating the object if needed); a hole before {@code offset} reads as zeros. */
    CompletableFuture<Void> write(String oid, long offset, byte[] data, int from, int length);

    /** Sets the object's length (creating it if needed). */
    CompletableFuture<Void> truncate(String oid, long length);

    /** Removes the object; a missing object is not an error. */
    CompletableFuture<Void> remove(String oid);

    /** The attribute, empty when the object or the attribute does not exist. */
    CompletableFuture<Optional<byte[]>> getXattr(String oid, String name);

    /** Sets attributes, creating the object if needed. */
    CompletableFuture<Void> setXattrs(String oid, Map<String, byte[]> attrs);
}
