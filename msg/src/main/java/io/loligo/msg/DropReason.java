package io.loligo.msg;

/** Why a server dropped a connection; {@link MessengerServer#drops} counts each. */
public enum DropReason {
    /** A frame shorter than its header, with unknown kind or flags, or a payload that does not decode. */
    MALFORMED_FRAME,
    BAD_CRC,
    FRAME_TOO_LARGE,
    UNKNOWN_TYPE,
    /** Frames out of order: application traffic before the handshake ended, handshake after, a reply from a client. */
    PROTOCOL_VIOLATION,
    HANDSHAKE_TIMEOUT,
    /** Unknown entity, wrong key or unsupported protocol version. */
    AUTH_REFUSED,
    TOO_MANY_CONNECTIONS,
    /** A session whose pushes pile up because the peer does not read. */
    SLOW_CONSUMER
}
