package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Primary → replica: apply one write of a PG (Ceph's MOSDRepOp). Sent as a request; the replica
 * answers with an {@link MOSDRepOpReply} once the change and the log entry are durable.
 *
 * <p>Fields: {@code reqid} (the client request), {@code pool}/{@code pgSeed} (the PG), {@code
 * mapEpoch} (the primary's epoch; a replica with an older map catches up first, one with a newer
 * map in which the sender is no longer primary refuses with {@link OsdResult#EMISDIRECTED}),
 * {@code fromOsd}, {@code entry} (the PG log entry to append), {@code transaction} (the physical
 * change, in the OSD's transaction encoding, io.loligo.osd.pg.TxnCodec; opaque here: a {@link Txn}
 * that the OSD encodes straight into the frame and decodes straight out of it, see {@link
 * #decode(Decoder, int, Function)}, so a 4 MiB write is not copied through arrays of its own), {@code
 * lastComplete} (the primary's last version known to be on every replica; replicas may trim their
 * duplicate-detection state below it, never above).
 *
 * <p>Wire (struct version 1): reqid, u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, log entry,
 * bytes transaction, eversion lastComplete.
 */
public record MOSDRepOp(ReqId reqid, int pool, int pgSeed, long mapEpoch, int fromOsd, PgLogEntry entry,
                        Txn transaction, Eversion lastComplete) implements Message {
    /** The transaction carried: encoded as a byte string (u32 length + the OSD's transaction encoding). */
    public interface Txn {
        /** Writes the transaction's encoding (the byte string's content, without its length). */
        void encodeTo(Encoder out);

        /** About how many bytes {@link #encodeTo} writes: sizes the frame once. */
        int sizeHint();
    }

    /** A transaction kept as its encoded bytes (what a registry without the OSD's decoder yields). */
    public record RawTxn(byte[] bytes) implements Txn {
        public RawTxn {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public void encodeTo(Encoder out) {
            out.buffer().writeBytes(bytes);
        }

        @Override
        public int sizeHint() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RawTxn r && Arrays.equals(r.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

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
        out.putBytes(transaction.sizeHint(), transaction::encodeTo);
        lastComplete.encode(out);
    }

    /** Decodes with the transaction kept as raw bytes ({@link RawTxn}). */
    public static MOSDRepOp decode(Decoder in, int version) {
        return decode(in, version, d -> new RawTxn(d.getRaw(d.remaining())));
    }

    /**
     * Decodes with {@code txnReader} reading the transaction in place from the frame ({@code
     * txnReader} gets a decoder bounded to the transaction's bytes and must read all of them).
     */
    public static MOSDRepOp decode(Decoder in, int version, Function<Decoder, ? extends Txn> txnReader) {
        return new MOSDRepOp(ReqId.decode(in), in.getInt(), in.getInt(), in.getLong(), in.getInt(),
                PgLogEntry.decode(in), in.getBytes(txnReader::apply), Eversion.decode(in));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MOSDRepOp r && r.reqid.equals(reqid) && r.pool == pool && r.pgSeed == pgSeed
                && r.mapEpoch == mapEpoch && r.fromOsd == fromOsd && r.entry.equals(entry)
                && r.transaction.equals(transaction) && r.lastComplete.equals(lastComplete);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reqid, pool, pgSeed, entry.version());
    }

    @Override
    public String toString() {
        return "MOSDRepOp[" + reqid + " pg " + pool + "." + Integer.toHexString(pgSeed) + " e" + mapEpoch
                + " from osd." + fromOsd + " v" + entry.version() + " txn ~" + transaction.sizeHint() + "B]";
    }
}
