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
 *   <li>{@code snapSeq}, {@code snaps}: the writer's snap context (Ceph's SnapContext), from the
 *       pool in the client's map: the pool's snap_seq and its live snap ids, newest first. The
 *       primary clones the object before the first write after a newer snap. 0 and empty: none.</li>
 *   <li>{@code snapId}: the snapshot reads are served from ({@link #SNAP_HEAD}: the current object).
 *       Writes with a snapId are refused (EROFS).</li>
 * </ul>
 *
 * <p>Wire (struct version 2): reqid, u32 pool, string namespace, string objectName, u32
 * objectHash, u32 pgSeed, u64 mapEpoch, u32 flags, list of sub-ops (u16 opcode + struct);
 * v2: u64 snapSeq, list of u64 snaps, u64 snapId (a v1 op has no snap context and reads the head).
 */
public record MOSDOp(ReqId reqid, int pool, String namespace, String objectName, int objectHash, int pgSeed,
                     long mapEpoch, int flags, List<OsdOp> ops, long snapSeq, List<Long> snaps, long snapId)
        implements Message {
    public static final int TYPE = OsdMessages.OSD_OP;
    public static final int VERSION = 2;
    /** {@link #snapId} of an op on the current object (not a snapshot). */
    public static final long SNAP_HEAD = 0;
    /** Most sub-ops in one op; more is bad input. */
    public static final int OPS_MAX = 64;
    /** The client resends this request (after a reconnect or map change); the OSD checks its PG log. */
    public static final int FLAG_RESEND = 1;

    public MOSDOp {
        Objects.requireNonNull(reqid, "reqid");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(objectName, "objectName");
        ops = List.copyOf(ops);
        snaps = List.copyOf(snaps);
    }

    /** An op without a snap context, on the current object. */
    public MOSDOp(ReqId reqid, int pool, String namespace, String objectName, int objectHash, int pgSeed,
                  long mapEpoch, int flags, List<OsdOp> ops) {
        this(reqid, pool, namespace, objectName, objectHash, pgSeed, mapEpoch, flags, ops, 0, List.of(), SNAP_HEAD);
    }

    @Override
    public int version() {
        return VERSION;
    }

    /** True when any sub-op writes. */
    public boolean isWrite() {
        return ops.stream().anyMatch(OsdOp::isWrite);
    }

    /** The same request marked as a resend with a (possibly) newer epoch and PG. */
    public MOSDOp resend(long newEpoch, int newPgSeed) {
        return new MOSDOp(reqid, pool, namespace, objectName, objectHash, newPgSeed, newEpoch, flags | FLAG_RESEND, ops,
                snapSeq, snaps, snapId);
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
        out.putLong(snapSeq).putList(snaps, Encoder::putLong).putLong(snapId);
    }

    public static MOSDOp decode(Decoder in, int version) {
        ReqId reqid = ReqId.decode(in);
        int pool = in.getInt();
        String ns = in.getString();
        String name = in.getString();
        int hash = in.getInt();
        int seed = in.getInt();
        long epoch = in.getLong();
        int flags = in.getInt();
        List<OsdOp> ops = in.getList(OsdOp::decode);
        if (version < 2) {
            return new MOSDOp(reqid, pool, ns, name, hash, seed, epoch, flags, ops);
        }
        return new MOSDOp(reqid, pool, ns, name, hash, seed, epoch, flags, ops, in.getLong(),
                in.getList(Decoder::getLong), in.getLong());
    }

    @Override
    public String toString() {
        return "MOSDOp[" + reqid + " " + pool + "/" + namespace + "/" + objectName + " ps=" + Integer.toHexString(pgSeed)
                + " e" + mapEpoch + " flags=" + flags + " " + ops
                + (snapSeq != 0 ? " snapc=" + snapSeq + snaps : "") + (snapId != SNAP_HEAD ? " @snap " + snapId : "") + "]";
    }
}
