package io.loligo.msg;

import java.util.concurrent.CompletableFuture;

/**
 * The application side of a {@link MessengerServer}. Called on the connection's I/O thread, in
 * the order the peer sent its messages: do not block here; start the work and return a future
 * (complete it from any thread). A failed future, or a thrown exception, becomes an {@link
 * ErrorReply}: a {@link RemoteError} keeps its code, anything else is {@link ErrorReply#EIO}.
 */
public interface Handler {
    /** A request; its reply (any registered message, or an {@link ErrorReply}) goes back to the caller. */
    CompletableFuture<? extends Message> onRequest(Session session, Message request);

    /** A one-way message; nothing is sent back. */
    default void onMessage(Session session, Message message) {}

    /** After a successful handshake; the session may be pushed to from now on. */
    default void onSessionOpened(Session session) {}

    /** The connection closed (either side); forget subscriptions here. */
    default void onSessionClosed(Session session) {}
}
