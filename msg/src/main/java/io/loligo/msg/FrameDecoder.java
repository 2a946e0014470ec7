package io.loligo.msg;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into {@link Frame}s (format in {@link Frames}) and checks each: length
 * within bounds, flags zero, known kind, CRC32C matching. Any violation throws {@link BadFrame};
 * the connection's handler logs it and closes the connection. Before authentication the length
 * bound is small ({@link Handshake#FRAME_BYTES_MAX}) so an unauthenticated peer cannot make us buffer
 * 64 MiB.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    /** Past this many read buffers in one pending frame (a peer trickling bytes), copy them into one. */
    static final int CUMULATION_COMPONENTS_MAX = 256;

    private static final Cumulator BOUNDED_COMPOSITE = (alloc, cumulation, in) -> {
        ByteBuf out = COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in);
        if (out instanceof CompositeByteBuf composite && composite.numComponents() > CUMULATION_COMPONENTS_MAX) {
            composite.consolidate();
        }
        return out;
    };

    private volatile int maxFrameBytes;
    private volatile String limitName = "the pre-authentication frame limit";
    /** After the first bad frame the stream is garbage: discard the rest while the connection closes. */
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
        // A frame spanning several reads is kept as a list of the read buffers rather than copied
        // into one growing buffer: a 4 MiB frame costs no extra copy (TransportBench, docs/msg.md).
        setCumulator(BOUNDED_COMPOSITE);
    }

    void maxFrameBytes(int bytes) {
        this.maxFrameBytes = bytes;
        this.limitName = "max_frame_bytes";
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeOne(in, out);
        } catch (BadFrame e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeOne(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < Frames.LENGTH_FIELD_BYTES) {
            return;
        }
        int start = in.readerIndex();
        long length = in.getUnsignedInt(start);
        if (length > maxFrameBytes) {
            throw new BadFrame(DropReason.FRAME_TOO_LARGE, "frame length " + length + " exceeds " + limitName + " " + maxFrameBytes);
        }
        if (length < Frames.LENGTH_MIN) {
            throw new BadFrame(DropReason.MALFORMED_FRAME, "frame length " + length + " below the minimum " + Frames.LENGTH_MIN);
        }
        if (in.readableBytes() < Frames.LENGTH_FIELD_BYTES + length) {
            return;
        }
        int bodyStart = start + Frames.LENGTH_FIELD_BYTES;
        int checked = (int) length - Frames.CRC_BYTES;
        int crcExpected = in.getInt(bodyStart + checked);
        int crcActual = Frames.crc(in, bodyStart, checked);
        if (crcActual != crcExpected) {
            throw new BadFrame(DropReason.BAD_CRC, String.format("frame CRC32C mismatch: computed %08x, frame says %08x", crcActual, crcExpected));
        }
        int type = in.getUnsignedShort(bodyStart);
        int kind = in.getUnsignedByte(bodyStart + 2);
        int flags = in.getUnsignedByte(bodyStart + 3);
        long correlationId = in.getLong(bodyStart + 4);
        if (kind < Frames.KIND_REQUEST || kind > Frames.KIND_HANDSHAKE) {
            throw new BadFrame(DropReason.MALFORMED_FRAME, "frame kind " + kind + " unknown (expected 1..5)");
        }
        if (flags != 0) {
            throw new BadFrame(DropReason.MALFORMED_FRAME, "frame flags " + flags + " not supported (expected 0)");
        }
        int payloadStart = bodyStart + Frames.HEADER_AFTER_LENGTH_BYTES;
        ByteBuf payload = in.retainedSlice(payloadStart, checked - Frames.HEADER_AFTER_LENGTH_BYTES);
        in.readerIndex(start + Frames.LENGTH_FIELD_BYTES + (int) length);
        out.add(new Frame(type, kind, correlationId, payload));
    }
}
