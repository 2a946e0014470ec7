package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.Arrays;
import java.util.Objects;

/**
 * Primary → replica: apply one write of a PG (Ceph's MOSDRepOp). Sent as a request; the replica
 * answers with an {@link MOSDRepOpReply} once the change and the log entry are durable.
 *
 * <p>Fields: {@code reqid} (the client request), {@code pool}/{@code pgSeed} (the PG), {@code
 * mapEpoch} (the primary's epoch; a replica with an older map catches up first, one with a newer
 * map in which the sender is no longer primary refuses with {@link OsdResult#EMISDIRECTED}),
 * {@code fromOsd}, {@code entry} (the PG log entry to append), {@code transaction} (the physical
 * change, in the OSD's transaction encoding, io.loligo.osd.pg.TxnCodec; opaque here), {@code
 * lastComplete} (the primary's last version known to be on every replica; replicas may trim their
 * duplicate-detection state below it, never above).
 *
 * <p>Wire (struct version 1): reqid, u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, log entry,
 * bytes transaction, eversion lastComplete.
 */
public record MOSDRepOp(ReqId reqid, int pool, int pgSeed, long mapEpoch, int fromOsd, PgLogEntry entry,
                        byte[] transaction, Eversion lastComplete) implements Message {
    public static final int TYPE = OsdMessages.OSD_REPOP;
    public static final int VERSION = 1;

    public MOSDRepOp {
        Objects.requireNonNull(reqid, "reqid");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(transaction, "transaction");
        Objects.requireNonNull(lastComplete, "lastComplete");
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        reqid.encode(out);
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd);
        entry.encode(out);
        out.putBytes(transaction);
        lastComplete.encode(out);
    }

    public static MOSDRepOp decode(Decoder in, int version) {
        return new MOSDRepOp(ReqId.decode(in), in.getInt(), in.getInt(), in.getLong(), in.getInt(),
                PgLogEntry.decode(in), in.getBytes(), Eversion.decode(in));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MOSDRepOp r && r.reqid.equals(reqid) && r.pool == pool && r.pgSeed == pgSeed
                && r.mapEpoch == mapEpoch && r.fromOsd == fromOsd && r.entry.equals(entry)
                && Arrays.equals(r.transaction, transaction) && r.lastComplete.equals(lastComplete);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reqid, pool, pgSeed, entry.version());
    }

    @Override
    public String toString() {
        return "MOSDRepOp[" + reqid + " pg " + pool + "." + Integer.toHexString(pgSeed) + " e" + mapEpoch
                + " from osd." + fromOsd + " v" + entry.version() + " txn " + transaction.length + "B]";
    }
}
