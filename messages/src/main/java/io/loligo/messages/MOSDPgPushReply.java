package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.Objects;

/**
 * A member's answer to an {@link MOSDPgPush} request: {@code result} {@link OsdResult#OK} once the
 * pushed objects (and log) are durable on {@code fromOsd}.
 *
 * <p>Wire (struct version 1): u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, u32 result, string message.
 */
public record MOSDPgPushReply(int pool, int pgSeed, long mapEpoch, int fromOsd, int result, String message)
        implements Message {
    public static final int TYPE = OsdMessages.OSD_PG_PUSH_REPLY;
    public static final int VERSION = 1;

    public MOSDPgPushReply {
        Objects.requireNonNull(message, "message");
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd).putInt(result).putString(message);
    }

    public static MOSDPgPushReply decode(Decoder in, int version) {
        return new MOSDPgPushReply(in.getInt(), in.getInt(), in.getLong(), in.getInt(), in.getInt(), in.getString());
    }
}
