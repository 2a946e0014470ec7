package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;

/**
 * Primary → member of the acting set during peering (Ceph's MOSDPGQuery): send me your PG info and
 * log. Answered with {@link MOSDPgInfo}. The receiver first catches up to {@code mapEpoch}.
 *
 * <p>Wire (struct version 1): u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd.
 */
public record MOSDPgQuery(int pool, int pgSeed, long mapEpoch, int fromOsd) implements Message {
    public static final int TYPE = OsdMessages.OSD_PG_QUERY;
    public static final int VERSION = 1;

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd);
    }

    public static MOSDPgQuery decode(Decoder in, int version) {
        return new MOSDPgQuery(in.getInt(), in.getInt(), in.getLong(), in.getInt());
    }
}
