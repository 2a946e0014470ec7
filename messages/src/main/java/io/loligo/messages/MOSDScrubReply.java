package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Objects;

/**
 * The primary's answer to {@link MOSDScrub}: the result ({@link OsdResult}; EMISDIRECTED when it is
 * not the primary, EAGAIN when the PG is not active), the PG's state name, when it was last scrubbed
 * and deep-scrubbed (ms since the epoch, 0: never), how many scrub errors it holds, whether a scrub
 * is queued or running, and the inconsistent objects (for {@code LIST}).
 *
 * <p>Wire (struct version 1): u32 result, string message, u64 mapEpoch, u32 primary, string state,
 * u64 lastScrubMillis, u64 lastDeepScrubMillis, u32 scrubErrors, bool busy, list of {@link ScrubInconsistency}.
 */
public record MOSDScrubReply(int result, String message, long mapEpoch, int primary, String state, long lastScrubMillis,
                             long lastDeepScrubMillis, int scrubErrors, boolean busy,
                             List<ScrubInconsistency> inconsistents) implements Message {
    public static final int TYPE = OsdMessages.OSD_SCRUB_REPLY;
    public static final int VERSION = 1;

    public MOSDScrubReply {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(state, "state");
        inconsistents = List.copyOf(inconsistents);
    }

    public static MOSDScrubReply error(int result, String message, long epoch) {
        return new MOSDScrubReply(result, message, epoch, -1, "", 0, 0, 0, false, List.of());
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(result).putString(message).putLong(mapEpoch).putInt(primary).putString(state).putLong(lastScrubMillis)
                .putLong(lastDeepScrubMillis).putInt(scrubErrors).putBoolean(busy);
        out.putList(inconsistents, (o, i) -> i.encode(o));
    }

    public static MOSDScrubReply decode(Decoder in, int version) {
        return new MOSDScrubReply(in.getInt(), in.getString(), in.getLong(), in.getInt(), in.getString(), in.getLong(),
                in.getLong(), in.getInt(), in.getBoolean(), in.getList(ScrubInconsistency::decode));
    }
}
