package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.Objects;

/**
 * Replica → primary: the outcome of an {@link MOSDRepOp} (Ceph's MOSDRepOpReply). {@code result}
 * {@link OsdResult#OK} means the change and its log entry are durable on {@code fromOsd}; anything
 * else means they were not applied (the primary does not ack the client and re-peers).
 *
 * <p>Wire (struct version 1): reqid, u32 pool, u32 pgSeed, u64 mapEpoch (the replica's), u32
 * fromOsd, eversion objectVersion, u32 result, string message.
 */
public record MOSDRepOpReply(ReqId reqid, int pool, int pgSeed, long mapEpoch, int fromOsd, Eversion objectVersion,
                             int result, String message) implements Message {
    public static final int TYPE = OsdMessages.OSD_REPOP_REPLY;
    public static final int VERSION = 1;

    public MOSDRepOpReply {
        Objects.requireNonNull(reqid, "reqid");
        Objects.requireNonNull(objectVersion, "objectVersion");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        reqid.encode(out);
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd);
        objectVersion.encode(out);
        out.putInt(result).putString(message);
    }

    public static MOSDRepOpReply decode(Decoder in, int version) {
        return new MOSDRepOpReply(ReqId.decode(in), in.getInt(), in.getInt(), in.getLong(), in.getInt(),
                Eversion.decode(in), in.getInt(), in.getString());
    }
}
