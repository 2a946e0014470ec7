package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Objects;

/**
 * The OSD's answer to an {@link MOSDOp} (Ceph's MOSDOpReply).
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code reqid}: the request answered.</li>
 *   <li>{@code result}: {@link OsdResult#OK}, or the code of the first failing sub-op, or an
 *       op-level code ({@link OsdResult#EMISDIRECTED}, {@link OsdResult#ENXIO}, {@link OsdResult#EACCES},
 *       {@link OsdResult#EAGAIN}, {@link OsdResult#EINVAL}) in which case {@code results} is empty.</li>
 *   <li>{@code message}: a human-readable detail for errors ("" on success).</li>
 *   <li>{@code results}: one per sub-op, in order, when the op ran (possibly failing part-way:
 *       sub-ops after the failing one report {@link OsdResult#ECANCELED}).</li>
 *   <li>{@code objectVersion}: for a write, the eversion it was given; for a read, the object's
 *       version; {@link Eversion#ZERO} when the object does not exist.</li>
 *   <li>{@code mapEpoch}: the OSD's osdmap epoch; a client with an older map fetches the newer one.</li>
 *   <li>{@code duplicate}: true when this answers a resend recognised from the PG log (the write was
 *       applied once, earlier; outputs of a recognised duplicate are empty).</li>
 * </ul>
 *
 * <p>Wire (struct version 1): reqid, u32 result, string message, list of sub-op results, eversion,
 * u64 mapEpoch, bool duplicate.
 */
public record MOSDOpReply(ReqId reqid, int result, String message, List<SubOpResult> results, Eversion objectVersion,
                          long mapEpoch, boolean duplicate) implements Message {
    public static final int TYPE = OsdMessages.OSD_OP_REPLY;
    public static final int VERSION = 1;

    public MOSDOpReply {
        Objects.requireNonNull(reqid, "reqid");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(objectVersion, "objectVersion");
        results = List.copyOf(results);
    }

    /** An op-level error with no sub-op results. */
    public static MOSDOpReply error(ReqId reqid, int result, String message, long mapEpoch) {
        return new MOSDOpReply(reqid, result, message, List.of(), Eversion.ZERO, mapEpoch, false);
    }

    public boolean isOk() {
        return result == OsdResult.OK;
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        reqid.encode(out);
        out.putInt(result).putString(message);
        out.putList(results, (o, r) -> r.encode(o));
        objectVersion.encode(out);
        out.putLong(mapEpoch).putBoolean(duplicate);
    }

    public static MOSDOpReply decode(Decoder in, int version) {
        return new MOSDOpReply(ReqId.decode(in), in.getInt(), in.getString(), in.getList(SubOpResult::decode),
                Eversion.decode(in), in.getLong(), in.getBoolean());
    }

    @Override
    public String toString() {
        return "MOSDOpReply[" + reqid + " " + OsdResult.name(result) + (message.isEmpty() ? "" : " '" + message + "'")
                + " v" + objectVersion + " e" + mapEpoch + (duplicate ? " dup" : "") + "]";
    }
}
