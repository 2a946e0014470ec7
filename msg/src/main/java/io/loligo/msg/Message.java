package io.loligo.msg;

/**
 * Something that travels in a frame. Each type has a 16-bit id, unique within a
 * {@link MessageRegistry}, and a versioned encoding: the messenger wraps {@link #encodeFields} in a
 * struct header ({@link Encoder#startStruct}) carrying {@link #version()} and {@link
 * #compatVersion()}, so a newer sender can append fields an older receiver skips.
 *
 * <p>Ids 0x0000–0x00FF belong to the messenger itself (handshake, {@link ErrorReply}); daemons
 * and clients use 0x0100 and up. A record implementing this interface is the usual shape:
 * <pre>{@code
 * record Ping(long sentNanos) implements Message {
 *     static final int TYPE = 0x0100;
 *     public int typeId() { return TYPE; }
 *     public void encodeFields(Encoder out) { out.putLong(sentNanos); }
 *     static Ping decode(Decoder in, int version) { return new Ping(in.getLong()); }
 * }
 * registry.register(Ping.TYPE, 1, Ping::decode);
 * }</pre>
 */
public interface Message {
    /** 16-bit type id (0..65535); 0..255 are reserved for the messenger. */
    int typeId();

    /** Version of this encoding; bump it when appending fields. */
    default int version() {
        return 1;
    }

    /** Oldest reader version able to decode this encoding; raise it only for incompatible changes. */
    default int compatVersion() {
        return 1;
    }

    /** Writes the fields; the struct header around them is the messenger's job. */
    void encodeFields(Encoder out);
}
