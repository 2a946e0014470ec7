package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;

/**
 * The answer to an {@link MOSDPing}: the replying OSD, its map epoch, and the ping's stamp echoed.
 *
 * <p>Wire (struct version 1): u32 fromOsd, u64 mapEpoch, u64 stampNanos (echoed).
 */
public record MOSDPingReply(int fromOsd, long mapEpoch, long stampNanos) implements Message {
    public static final int TYPE = OsdMessages.OSD_PING_REPLY;
    public static final int VERSION = 1;

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(fromOsd).putLong(mapEpoch).putLong(stampNanos);
    }

    public static MOSDPingReply decode(Decoder in, int version) {
        return new MOSDPingReply(in.getInt(), in.getLong(), in.getLong());
    }
}
