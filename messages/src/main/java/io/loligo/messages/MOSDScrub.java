package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;

/**
 * Operator → a PG's primary (Ceph's MOSDScrub2 and the scrub-listing PG op in one): start a scrub,
 * a deep scrub or a repair of the PG, or list what its last scrub found inconsistent. Needs osd
 * caps {@code rwx} on the pool. Answered with {@link MOSDScrubReply}; a started scrub is answered
 * at once (poll with {@link #LIST} and watch the stamps).
 *
 * <p>Wire (struct version 1): u32 pool, u32 pgSeed, u64 mapEpoch, u8 command.
 */
public record MOSDScrub(int pool, int pgSeed, long mapEpoch, int command) implements Message {
    public static final int TYPE = OsdMessages.OSD_SCRUB;
    public static final int VERSION = 1;
    public static final int SCRUB = 1;
    public static final int DEEP_SCRUB = 2;
    public static final int REPAIR = 3;
    public static final int LIST = 4;

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putByte(command);
    }

    public static MOSDScrub decode(Decoder in, int version) {
        return new MOSDScrub(in.getInt(), in.getInt(), in.getLong(), in.getByte());
    }
}
