package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a PG listing ({@link MOSDPgLs}). {@code result} uses {@link OsdResult} codes with
 * the same meaning as in {@link MOSDOpReply} (EMISDIRECTED: recompute placement and resend from
 * the same cursor). {@code next}: the cursor to pass as {@code after}; {@code done}: no objects
 * remain.
 *
 * <p>Wire (struct version 1): u32 result, string message, u64 mapEpoch, list of object refs, bool
 * hasNext, [object ref next], bool done.
 */
public record MOSDPgLsReply(int result, String message, long mapEpoch, List<ObjectRef> objects,
                            Optional<ObjectRef> next, boolean done) implements Message {
    public static final int TYPE = OsdMessages.OSD_PGLS_REPLY;
    public static final int VERSION = 1;

    public MOSDPgLsReply {
        Objects.requireNonNull(message, "message");
        objects = List.copyOf(objects);
    }

    public static MOSDPgLsReply error(int result, String message, long mapEpoch) {
        return new MOSDPgLsReply(result, message, mapEpoch, List.of(), Optional.empty(), true);
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(result).putString(message).putLong(mapEpoch);
        out.putList(objects, (o, r) -> r.encode(o));
        out.putBoolean(next.isPresent());
        next.ifPresent(n -> n.encode(out));
        out.putBoolean(done);
    }

    public static MOSDPgLsReply decode(Decoder in, int version) {
        int result = in.getInt();
        String message = in.getString();
        long epoch = in.getLong();
        List<ObjectRef> objects = in.getList(ObjectRef::decode);
        Optional<ObjectRef> next = in.getBoolean() ? Optional.of(ObjectRef.decode(in)) : Optional.empty();
        return new MOSDPgLsReply(result, message, epoch, objects, next, in.getBoolean());
    }
}
