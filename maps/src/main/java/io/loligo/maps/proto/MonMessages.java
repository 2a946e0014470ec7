package io.loligo.maps.proto;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import io.loligo.msg.MessageRegistry;
import java.util.List;

/*
 * Wire messages between monitors and their clients (daemons, the CLI), carried by the msg module's
 * frames (see docs/msg.md for framing and struct headers). Fields, in order:
 *   0x0200 MonCommand        v1: string json        a command object {"prefix": ..., args...}
 *   0x0201 MonCommandReply   v1: string json        {"r": errno, "outs": text, "data": JSON, "epoch": N}
 *   0x0202 MonSubscribe      v1: i64 since          subscribe to the OSD map after epoch `since`
 *   0x0203 OsdMapUpdate      v1: i64 epoch; bytes full (empty: none); list<bytes> incrementals
 *                                                   reply to MonSubscribe, then pushed on every new epoch
 * The OSD map and incremental bytes are io.loligo.maps.OsdMap encodings.
 */
/** The monitor protocol's messages and their registration. */
public final class MonMessages {
    public static final int MON_COMMAND = 0x0200;
    public static final int MON_COMMAND_REPLY = 0x0201;
    public static final int MON_SUBSCRIBE = 0x0202;
    public static final int OSDMAP_UPDATE = 0x0203;

    private MonMessages() {}

    /** A registry holding every monitor-protocol message (plus the messenger's own). */
    public static MessageRegistry registry() {
        return register(MessageRegistry.create());
    }

    public static MessageRegistry register(MessageRegistry r) {
        r.register(MON_COMMAND, 1, (in, v) -> new MonCommand(in.getString()));
        r.register(MON_COMMAND_REPLY, 1, (in, v) -> new MonCommandReply(in.getString()));
        r.register(MON_SUBSCRIBE, 1, (in, v) -> new MonSubscribe(in.getLong()));
        r.register(OSDMAP_UPDATE, 1, MonMessages::decodeUpdate);
        return r;
    }

    private static OsdMapUpdate decodeUpdate(Decoder in, int version) {
        long epoch = in.getLong();
        byte[] full = in.getBytes();
        List<byte[]> incs = in.getList(Decoder::getBytes);
        return new OsdMapUpdate(epoch, full, incs);
    }

    /** A monitor command: a JSON object with a prefix and named arguments. */
    public record MonCommand(String json) implements Message {
        @Override
        public int typeId() {
            return MON_COMMAND;
        }

        @Override
        public void encodeFields(Encoder out) {
            out.putString(json);
        }
    }

    /** The reply to a {@link MonCommand}. */
    public record MonCommandReply(String json) implements Message {
        @Override
        public int typeId() {
            return MON_COMMAND_REPLY;
        }

        @Override
        public void encodeFields(Encoder out) {
            out.putString(json);
        }
    }

    /** Subscribe to OSD map changes after {@code since} (0: send the full map first). */
    public record MonSubscribe(long since) implements Message {
        @Override
        public int typeId() {
            return MON_SUBSCRIBE;
        }

        @Override
        public void encodeFields(Encoder out) {
            out.putLong(since);
        }
    }

    /** OSD map epochs: a full map (when the receiver is too far behind) and/or incrementals in order. */
    public record OsdMapUpdate(long epoch, byte[] full, List<byte[]> incrementals) implements Message {
        public OsdMapUpdate {
            incrementals = List.copyOf(incrementals);
        }

        @Override
        public int typeId() {
            return OSDMAP_UPDATE;
        }

        @Override
        public void encodeFields(Encoder out) {
            out.putLong(epoch).putBytes(full).putList(incrementals, Encoder::putBytes);
        }
    }
}
