package io.loligo.msg;

import io.loligo.common.Crc32c;
import io.loligo.common.Invariants;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.AbstractReferenceCounted;

/**
 * A message encoded once, to be sent as it is to several peers (the OSD's replicated write: one
 * 4 MiB transaction to every replica). Each frame that carries it is a header, a shared view of
 * these bytes and a trailer, written with one gathering write: the payload is neither encoded nor
 * checksummed again per peer (the frame's CRC32C is combined from the header's and the payload's,
 * {@link Crc32c#combine}).
 *
 * <p>Reference counted: {@link #of} returns it with one reference, each frame made from it holds
 * its own until written, and whoever may still send it holds one (retain before handing it to a
 * call, release when the call completes). The bytes live in the messenger's pooled direct memory.
 */
public final class EncodedMessage extends AbstractReferenceCounted implements Message {
    private final int typeId;
    private final ByteBuf struct;
    private final int structCrc;
    private final String description;

    private EncodedMessage(int typeId, ByteBuf struct, String description) {
        this.typeId = typeId;
        this.struct = struct;
        this.structCrc = Frames.crc(struct, struct.readerIndex(), struct.readableBytes());
        this.description = description;
    }

    /** Encodes {@code message} (its struct, as a frame would carry it) into pooled memory. */
    public static EncodedMessage of(Message message) {
        Invariants.check(!(message instanceof EncodedMessage), "message already encoded");
        ByteBuf buf = EventLoops.allocator().directBuffer(256);
        try {
            MessageRegistry.encode(message, buf);
            return new EncodedMessage(message.typeId(), buf, message.toString());
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    @Override
    public int typeId() {
        return typeId;
    }

    /** Bytes of the encoded struct (the frame's payload). */
    public int encodedBytes() {
        return struct.readableBytes();
    }

    @Override
    public void encodeFields(Encoder out) {
        throw new UnsupportedOperationException("an encoded message is framed as it is (Frames.encode)");
    }

    /** The frame carrying this message: header, a retained view of the payload, CRC; the caller owns it. */
    ByteBuf frame(ByteBufAllocator alloc, int kind, long correlationId, int maxFrameBytes) {
        int payload = struct.readableBytes();
        long length = (long) Frames.LENGTH_MIN + payload;
        if (length > maxFrameBytes) {
            throw new IllegalArgumentException("message type 0x" + Integer.toHexString(typeId) + " encodes to a "
                    + length + "-byte frame, over max_frame_bytes " + maxFrameBytes);
        }
        ByteBuf header = alloc.directBuffer(Frames.LENGTH_FIELD_BYTES + Frames.HEADER_AFTER_LENGTH_BYTES);
        header.writeInt((int) length).writeShort(typeId).writeByte(kind).writeByte(0).writeLong(correlationId);
        int headerCrc = Frames.crc(header, Frames.LENGTH_FIELD_BYTES, Frames.HEADER_AFTER_LENGTH_BYTES);
        ByteBuf trailer = alloc.directBuffer(Frames.CRC_BYTES);
        trailer.writeInt(Crc32c.combine(headerCrc, structCrc, payload));
        CompositeByteBuf frame = alloc.compositeDirectBuffer(3);
        frame.addComponents(true, header, struct.retainedDuplicate(), trailer);
        Invariants.check(frame.readableBytes() == length + Frames.LENGTH_FIELD_BYTES, "frame length mismatch");
        return frame;
    }

    @Override
    protected void deallocate() {
        struct.release();
    }

    @Override
    public EncodedMessage touch(Object hint) {
        struct.touch(hint);
        return this;
    }

    @Override
    public EncodedMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return "encoded " + description;
    }
}
