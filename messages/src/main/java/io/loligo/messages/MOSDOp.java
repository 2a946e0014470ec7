package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Objects;

/**
 * A client's operation on one object, sent as a request to the PG's primary OSD (Ceph's MOSDOp).
 * The reply is an {@link MOSDOpReply} (or a messenger {@code ErrorReply} for frames the OSD cannot
 * even parse).
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code reqid}: identifies the request across resends; keep it when resending.</li>
 *   <li>{@code pool}: the pool id.</li>
 *   <li>{@code namespace}: the object's namespace within the pool ("" = default).</li>
 *   <li>{@code objectName}: the object's name (non-empty, at most 2048 UTF-8 bytes).</li>
 *   <li>{@code objectHash}: the object's raw placement hash (rjenkins of the name, as
 *       io.loligo.crush.placement computes it) and {@code pgSeed}: the PG seed (ps) the client
 *       mapped it to with its map. Informational (logs, the client's own bookkeeping): the OSD
 *       recomputes both from the name with its own map and never trusts them.</li>
 *   <li>{@code mapEpoch}: the osdmap epoch the client computed placement with. An OSD with an
 *       older map catches up first; an OSD that is not primary at its epoch replies
 *       {@link OsdResult#EMISDIRECTED} with its epoch.</li>
 *   <li>{@code flags}: {@link #FLAG_RESEND} and friends.</li>
 *   <li>{@code ops}: the sub-ops, applied atomically in order (see {@link OsdOp}); 1..{@link #OPS_MAX}.</li>
 * </ul>
 *
 * <p>Wire (struct version 1): reqid, u32 pool, string namespace, string objectName, u32
 * objectHash, u32 pgSeed, u64 mapEpoch, u32 flags, list of sub-ops (u16 opcode + struct).
 */
public record MOSDOp(ReqId reqid, int pool, String namespace, String objectName, int objectHash, int pgSeed,
                     long mapEpoch, int flags, List<OsdOp> ops) implements Message {
    public static final int TYPE = OsdMessages.OSD_OP;
    public static final int VERSION = 1;
    /** Most sub-ops in one op; more is bad input. */
    public static final int OPS_MAX = 64;
    /** The client resends this request (after a reconnect or map change); the OSD checks its PG log. */
    public static final int FLAG_RESEND = 1;

    public MOSDOp {
        Objects.requireNonNull(reqid, "reqid");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(objectName, "objectName");
        ops = List.copyOf(ops);
    }

    /** True when any sub-op writes. */
    public boolean isWrite() {
        return ops.stream().anyMatch(OsdOp::isWrite);
    }

    /** The same request marked as a resend with a (possibly) newer epoch and PG. */
    public MOSDOp resend(long newEpoch, int newPgSeed) {
        return new MOSDOp(reqid, pool, namespace, objectName, objectHash, newPgSeed, newEpoch, flags | FLAG_RESEND, ops);
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        reqid.encode(out);
        out.putInt(pool).putString(namespace).putString(objectName).putInt(objectHash).putInt(pgSeed)
                .putLong(mapEpoch).putInt(flags);
        out.putList(ops, OsdOp::encode);
    }

    public static MOSDOp decode(Decoder in, int version) {
        return new MOSDOp(ReqId.decode(in), in.getInt(), in.getString(), in.getString(), in.getInt(), in.getInt(),
                in.getLong(), in.getInt(), in.getList(OsdOp::decode));
    }

    @Override
    public String toString() {
        return "MOSDOp[" + reqid + " " + pool + "/" + namespace + "/" + objectName + " ps=" + Integer.toHexString(pgSeed)
                + " e" + mapEpoch + " flags=" + flags + " " + ops + "]";
    }
}
