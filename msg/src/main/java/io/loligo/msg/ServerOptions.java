package io.loligo.msg;

import java.time.Duration;

/**
 * Limits and identity of a {@link MessengerServer}.
 *
 * @param serverEntity        this daemon's name ("mon.a", "osd.3"); bound into the handshake proofs
 * @param maxFrameBytes       largest frame accepted or sent after the handshake
 * @param maxInFlightPerConnection requests a connection may have awaiting replies; at the limit the
 *                            server stops reading that connection until replies drain (TCP backpressure)
 * @param maxConnections      connections beyond this are refused with {@link ErrorReply#EBUSY}
 * @param handshakeTimeout    a peer that has not authenticated by then is dropped
 * @param maxPushBacklogBytes unsent pushes beyond this mark the session a slow consumer and close it
 */
public record ServerOptions(String serverEntity, int maxFrameBytes, int maxInFlightPerConnection, int maxConnections,
                            Duration handshakeTimeout, long maxPushBacklogBytes) {
    /** 64 MiB of payload plus the frame's header and CRC: a 64 MiB object write fits in one frame. */
    public static final int MAX_FRAME_BYTES_DEFAULT = 64 * 1024 * 1024 + 64;

    public ServerOptions {
        if (serverEntity == null || serverEntity.isBlank()) {
            throw new IllegalArgumentException("server entity name is empty (expected e.g. mon.a)");
        }
        if (maxFrameBytes < Handshake.FRAME_BYTES_MAX) {
            throw new IllegalArgumentException("max_frame_bytes " + maxFrameBytes + " (expected " + Handshake.FRAME_BYTES_MAX + "+)");
        }
        if (maxInFlightPerConnection < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("max in flight " + maxInFlightPerConnection + " and max connections "
                    + maxConnections + " must be 1+");
        }
        if (maxPushBacklogBytes < 1) {
            throw new IllegalArgumentException("max push backlog " + maxPushBacklogBytes + " bytes (expected 1+)");
        }
        if (!io.loligo.msg.auth.Keyring.isValidEntityName(serverEntity)) {
            throw new IllegalArgumentException("server entity name '" + serverEntity + "' is not valid (expected e.g. mon.a, osd.3)");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout " + handshakeTimeout + " (expected > 0)");
        }
    }

    /**
     * Defaults: 1024 requests in flight per connection (a client's queue depth, far above what one
     * disk or monitor serves at once); 4096 connections (clients + peers of a large daemon); 10 s to
     * authenticate (a round trip plus a key lookup, with slack for a loaded host); 256 MiB of
     * unsent pushes (four max-size frames).
     */
    public static ServerOptions defaults(String serverEntity) {
        return new ServerOptions(serverEntity, MAX_FRAME_BYTES_DEFAULT, 1024, 4096, Duration.ofSeconds(10), 256L << 20);
    }

    public ServerOptions withMaxFrameBytes(int bytes) {
        return new ServerOptions(serverEntity, bytes, maxInFlightPerConnection, maxConnections, handshakeTimeout, maxPushBacklogBytes);
    }

    public ServerOptions withMaxInFlightPerConnection(int count) {
        return new ServerOptions(serverEntity, maxFrameBytes, count, maxConnections, handshakeTimeout, maxPushBacklogBytes);
    }

    public ServerOptions withMaxConnections(int count) {
        return new ServerOptions(serverEntity, maxFrameBytes, maxInFlightPerConnection, count, handshakeTimeout, maxPushBacklogBytes);
    }

    public ServerOptions withMaxPushBacklogBytes(long bytes) {
        return new ServerOptions(serverEntity, maxFrameBytes, maxInFlightPerConnection, maxConnections, handshakeTimeout, bytes);
    }

    public ServerOptions withHandshakeTimeout(Duration timeout) {
        return new ServerOptions(serverEntity, maxFrameBytes, maxInFlightPerConnection, maxConnections, timeout, maxPushBacklogBytes);
    }
}
