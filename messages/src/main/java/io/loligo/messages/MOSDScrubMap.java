package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Objects;

/**
 * A member's scrub map of one chunk (reply to {@link MOSDRepScrub} {@code KIND_MAP}), in hash order.
 *
 * <p>Wire (struct version 1): u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, u32 result, string
 * message, list of {@link ScrubMapEntry}.
 */
public record MOSDScrubMap(int pool, int pgSeed, long mapEpoch, int fromOsd, int result, String message,
                           List<ScrubMapEntry> objects) implements Message {
    public static final int TYPE = OsdMessages.OSD_SCRUB_MAP;
    public static final int VERSION = 1;

    public MOSDScrubMap {
        Objects.requireNonNull(message, "message");
        objects = List.copyOf(objects);
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd).putInt(result).putString(message);
        out.putList(objects, (o, e) -> e.encode(o));
    }

    public static MOSDScrubMap decode(Decoder in, int version) {
        return new MOSDScrubMap(in.getInt(), in.getInt(), in.getLong(), in.getInt(), in.getInt(), in.getString(),
                in.getList(ScrubMapEntry::decode));
    }
}
