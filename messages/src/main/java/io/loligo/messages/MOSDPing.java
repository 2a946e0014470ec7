package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;

/**
 * OSD → OSD heartbeat (Ceph's MOSDPing), sent as a request to every OSD this OSD shares a PG with;
 * the peer answers with {@link MOSDPingReply}. A peer silent for longer than the grace is reported
 * to the monitors. Both sides carry their map epoch so a peer that lags learns it.
 *
 * <p>Wire (struct version 1): u32 fromOsd, u64 mapEpoch, u64 stampNanos (sender's monotonic clock).
 */
public record MOSDPing(int fromOsd, long mapEpoch, long stampNanos) implements Message {
    public static final int TYPE = OsdMessages.OSD_PING;
    public static final int VERSION = 1;

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(fromOsd).putLong(mapEpoch).putLong(stampNanos);
    }

    public static MOSDPing decode(Decoder in, int version) {
        return new MOSDPing(in.getInt(), in.getLong(), in.getLong());
    }
}
