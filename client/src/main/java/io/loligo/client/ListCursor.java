package io.loligo.client;

import io.loligo.messages.ObjectRef;
import java.util.List;
import java.util.Optional;

/**
 * Where an object listing stands: the PG being listed (PGs go in seed order) and the last object
 * returned in it (objects of a PG come in hash order). {@link #START} begins a listing. If pg_num
 * grows during a listing, objects that moved to the new PGs may be listed twice (never skipped).
 */
public record ListCursor(int pgSeed, Optional<ObjectRef> after) {
    public static final ListCursor START = new ListCursor(0, Optional.empty());

    /** One page: objects in listing order and the cursor for the next page, empty when the listing is complete. */
    public record Page(List<ObjectRef> objects, Optional<ListCursor> next) {}
}
