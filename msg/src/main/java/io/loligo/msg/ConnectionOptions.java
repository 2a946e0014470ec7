package io.loligo.msg;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * How a {@link Connection} behaves. Start from {@link #defaults()} and change what you need with
 * the {@code with*} methods.
 *
 * @param onPush              receives server-initiated messages, in order, on the connection's callback
 *                            thread (a virtual thread of its own: blocking here delays only later pushes)
 * @param onReconnect         runs after each successful reconnect (resubscribe here), on the same thread
 * @param connectTimeout      TCP connect plus handshake, per attempt
 * @param reconnectBackoffMin first delay after a drop; doubles per failed attempt
 * @param reconnectBackoffMax delay cap between attempts
 * @param maxFrameBytes       largest frame sent or accepted
 * @param maxPendingCalls     calls awaiting replies; beyond it {@link Connection#call} fails with {@link Overloaded}
 * @param serverType          the entity type the server must identify as ("mon", "osd"), or null for any:
 *                            any daemon that knows our key can prove it, so a client that means to talk to a
 *                            monitor says so, and an OSD cannot pose as one
 */
public record ConnectionOptions(Consumer<Message> onPush, Runnable onReconnect, Duration connectTimeout,
                                Duration reconnectBackoffMin, Duration reconnectBackoffMax, int maxFrameBytes,
                                int maxPendingCalls, String serverType) {
    public ConnectionOptions {
        if (reconnectBackoffMin.isNegative() || reconnectBackoffMin.isZero()
                || reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("reconnect backoff " + reconnectBackoffMin + ".." + reconnectBackoffMax
                    + " (expected 0 < min <= max)");
        }
        if (maxFrameBytes < Handshake.FRAME_BYTES_MAX || maxPendingCalls < 1) {
            throw new IllegalArgumentException("max_frame_bytes " + maxFrameBytes + " / max pending " + maxPendingCalls);
        }
        if (serverType != null && (serverType.isEmpty() || serverType.contains("."))) {
            throw new IllegalArgumentException("server type '" + serverType + "' (expected e.g. mon, osd)");
        }
    }

    /**
     * Defaults: pushes ignored; any server type; 10 s to connect and authenticate; backoff 100 ms
     * doubling to 5 s (a restarting daemon is back within seconds, and 5 s bounds how stale a client
     * stays); 64 MiB frames; 65536 pending calls (64 clients' worth of a 1024 queue depth).
     */
    public static ConnectionOptions defaults() {
        return new ConnectionOptions(message -> {}, () -> {}, Duration.ofSeconds(10), Duration.ofMillis(100),
                Duration.ofSeconds(5), ServerOptions.MAX_FRAME_BYTES_DEFAULT, 65536, null);
    }

    /** True when a server calling itself {@code serverEntity} is the kind this connection expects. */
    boolean acceptsServer(String serverEntity) {
        return serverType == null || serverEntity.startsWith(serverType + ".");
    }

    public ConnectionOptions withOnPush(Consumer<Message> handler) {
        return new ConnectionOptions(handler, onReconnect, connectTimeout, reconnectBackoffMin, reconnectBackoffMax,
                maxFrameBytes, maxPendingCalls, serverType);
    }

    public ConnectionOptions withOnReconnect(Runnable listener) {
        return new ConnectionOptions(onPush, listener, connectTimeout, reconnectBackoffMin, reconnectBackoffMax,
                maxFrameBytes, maxPendingCalls, serverType);
    }

    public ConnectionOptions withReconnectBackoff(Duration min, Duration max) {
        return new ConnectionOptions(onPush, onReconnect, connectTimeout, min, max, maxFrameBytes, maxPendingCalls, serverType);
    }

    public ConnectionOptions withConnectTimeout(Duration timeout) {
        return new ConnectionOptions(onPush, onReconnect, timeout, reconnectBackoffMin, reconnectBackoffMax,
                maxFrameBytes, maxPendingCalls, serverType);
    }

    public ConnectionOptions withMaxPendingCalls(int calls) {
        return new ConnectionOptions(onPush, onReconnect, connectTimeout, reconnectBackoffMin, reconnectBackoffMax,
                maxFrameBytes, calls, serverType);
    }

    public ConnectionOptions withMaxFrameBytes(int bytes) {
        return new ConnectionOptions(onPush, onReconnect, connectTimeout, reconnectBackoffMin, reconnectBackoffMax,
                bytes, maxPendingCalls, serverType);
    }

    /** Only accept a server whose entity name is {@code type.ID}, e.g. "mon" for the monitors. */
    public ConnectionOptions withServerType(String type) {
        return new ConnectionOptions(onPush, onReconnect, connectTimeout, reconnectBackoffMin, reconnectBackoffMax,
                maxFrameBytes, maxPendingCalls, type);
    }
}
