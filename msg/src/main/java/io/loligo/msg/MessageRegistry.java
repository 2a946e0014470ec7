package io.loligo.msg;

import io.loligo.common.Invariants;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps 16-bit type ids to decoders. Build one at start-up, register every type the peer may send
 * (requests, replies and pushes), then hand it to {@link MessengerServer} or {@link Connection}.
 * {@link ErrorReply} is always registered.
 */
public final class MessageRegistry {
    /** Ids below this are reserved for the messenger's own messages. */
    public static final int FIRST_APPLICATION_TYPE = 0x0100;
    public static final int TYPE_MAX = 0xFFFF;

    /** Reads the fields of one message type; {@code version} is the struct version the sender wrote. */
    @FunctionalInterface
    public interface Reader<M extends Message> {
        M read(Decoder in, int version);
    }

    private record Entry(int supportedVersion, Reader<?> reader) {}

    private final Map<Integer, Entry> entries = new ConcurrentHashMap<>();

    private MessageRegistry() {}

    /** A registry holding the messenger's own types ({@link ErrorReply}). */
    public static MessageRegistry create() {
        MessageRegistry registry = new MessageRegistry();
        registry.put(ErrorReply.TYPE, ErrorReply.VERSION, ErrorReply::decode);
        return registry;
    }

    /**
     * Registers {@code reader} for {@code typeId}; {@code supportedVersion} is the newest encoding
     * version it understands (older ones too; newer ones are decoded as far as it knows).
     */
    public <M extends Message> MessageRegistry register(int typeId, int supportedVersion, Reader<M> reader) {
        if (typeId < FIRST_APPLICATION_TYPE || typeId > TYPE_MAX) {
            throw new IllegalArgumentException("message type id 0x" + Integer.toHexString(typeId)
                    + " outside 0x0100..0xffff (0x0000..0x00ff are reserved for the messenger)");
        }
        return put(typeId, supportedVersion, reader);
    }

    private MessageRegistry put(int typeId, int supportedVersion, Reader<?> reader) {
        if (supportedVersion < 1 || supportedVersion > 255) {
            throw new IllegalArgumentException("supported version " + supportedVersion + " outside 1..255");
        }
        Entry previous = entries.putIfAbsent(typeId, new Entry(supportedVersion, reader));
        if (previous != null) {
            throw new IllegalArgumentException("message type id 0x" + Integer.toHexString(typeId) + " registered twice");
        }
        return this;
    }

    public boolean knows(int typeId) {
        return entries.containsKey(typeId);
    }

    /** Writes {@code message} as a struct (header + fields) at {@code out}'s writer index. */
    public static void encode(Message message, ByteBuf out) {
        Encoder encoder = new Encoder(out);
        encoder.startStruct(message.version(), message.compatVersion());
        message.encodeFields(encoder);
        encoder.endStruct();
        Invariants.check(encoder.depth() == 0, "message type 0x%x left %d structs open",
                message.typeId(), encoder.depth());
    }

    /**
     * Decodes one message of type {@code typeId} from all readable bytes of {@code payload}.
     *
     * @throws UnknownMessageType when no reader is registered for {@code typeId}
     * @throws DecodeException when the bytes do not decode, or bytes remain after the struct
     */
    public Message decode(int typeId, ByteBuf payload) {
        Entry entry = entries.get(typeId);
        if (entry == null) {
            throw new UnknownMessageType(typeId);
        }
        Decoder decoder = new Decoder(payload);
        int version = decoder.startStruct(entry.supportedVersion());
        Message message = entry.reader().read(decoder, version);
        decoder.endStruct();
        if (payload.isReadable()) {
            throw new DecodeException("message type 0x" + Integer.toHexString(typeId) + " has "
                    + payload.readableBytes() + " bytes after its struct");
        }
        if (message == null || message.typeId() != typeId) {
            throw new IllegalStateException("invariant violated: reader for type 0x" + Integer.toHexString(typeId)
                    + " returned " + message);
        }
        return message;
    }

    /** A frame carried a type id this registry does not know. */
    public static final class UnknownMessageType extends RuntimeException {
        private final int typeId;

        public UnknownMessageType(int typeId) {
            super("unknown message type 0x" + Integer.toHexString(typeId));
            this.typeId = typeId;
        }

        public int typeId() {
            return typeId;
        }
    }
}
