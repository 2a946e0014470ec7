package io.loligo.msg;

import io.loligo.common.Crc32c;
import io.loligo.common.Invariants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The frame: the unit the messenger puts on a TCP connection. Wire format (big-endian):
 * <pre>
 *   offset  size  field
 *        0     4  length       bytes after this field: 16 + payload + 4; at most max_frame_bytes
 *        4     2  type         message type id (see {@link Message})
 *        6     1  kind         1 request, 2 reply, 3 one-way, 4 push (server to client), 5 handshake
 *        7     1  flags        0 (reserved; a receiver refuses other values)
 *        8     8  correlation  request id echoed by its reply; 0 for one-way, push and handshake
 *       16     n  payload      the message: struct header (u8 version, u8 compat, u32 length) + fields
 *     16+n     4  crc32c       CRC32C (Castagnoli) of bytes 4 .. 16+n, i.e. header after length + payload
 * </pre>
 * The first frames on a connection are handshake frames (see {@link Handshake}); anything else
 * before authentication is a protocol error.
 */
final class Frames {
    static final int LENGTH_FIELD_BYTES = 4;
    /** type + kind + flags + correlation. */
    static final int HEADER_AFTER_LENGTH_BYTES = 12;
    static final int CRC_BYTES = 4;
    /** Smallest legal value of the length field: a header and a CRC around an empty payload. */
    static final int LENGTH_MIN = HEADER_AFTER_LENGTH_BYTES + CRC_BYTES;
    /** Header and trailer bytes around a payload, length field included. */
    static final int OVERHEAD_BYTES = LENGTH_FIELD_BYTES + LENGTH_MIN;

    static final int KIND_REQUEST = 1;
    static final int KIND_REPLY = 2;
    static final int KIND_ONE_WAY = 3;
    static final int KIND_PUSH = 4;
    static final int KIND_HANDSHAKE = 5;

    private Frames() {}

    static String kindName(int kind) {
        return switch (kind) {
            case KIND_REQUEST -> "request";
            case KIND_REPLY -> "reply";
            case KIND_ONE_WAY -> "one-way";
            case KIND_PUSH -> "push";
            case KIND_HANDSHAKE -> "handshake";
            default -> "kind " + kind;
        };
    }

    /** Encodes {@code message} into a new frame buffer; the caller owns (writes or releases) it. */
    static ByteBuf encode(ByteBufAllocator alloc, int kind, long correlationId, Message message, int maxFrameBytes) {
        if (message instanceof EncodedMessage encoded) {
            return encoded.frame(alloc, kind, correlationId, maxFrameBytes);
        }
        ByteBuf frame = alloc.buffer(256);
        boolean ok = false;
        try {
            frame.writeInt(0);
            frame.writeShort(message.typeId());
            frame.writeByte(kind);
            frame.writeByte(0);
            frame.writeLong(correlationId);
            MessageRegistry.encode(message, frame);
            int length = frame.readableBytes() - LENGTH_FIELD_BYTES + CRC_BYTES;
            if (length > maxFrameBytes) {
                throw new IllegalArgumentException("message type 0x" + Integer.toHexString(message.typeId())
                        + " encodes to a " + length + "-byte frame, over max_frame_bytes " + maxFrameBytes);
            }
            frame.setInt(0, length);
            frame.writeInt(crc(frame, LENGTH_FIELD_BYTES, frame.writerIndex() - LENGTH_FIELD_BYTES));
            Invariants.check(frame.readableBytes() == length + LENGTH_FIELD_BYTES, "frame length mismatch");
            ok = true;
            return frame;
        } finally {
            if (!ok) {
                frame.release();
            }
        }
    }

    static int crc(ByteBuf buf, int index, int length) {
        if (buf.nioBufferCount() == 1) {
            return Crc32c.of(buf.nioBuffer(index, length));
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (java.nio.ByteBuffer part : buf.nioBuffers(index, length)) {
            crc.update(part);
        }
        return (int) crc.getValue();
    }
}
