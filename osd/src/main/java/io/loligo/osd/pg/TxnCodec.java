package io.loligo.osd.pg;

import io.loligo.messages.MOSDRepOp;
import io.loligo.msg.DecodeException;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.StoreException;
import io.loligo.osd.objectstore.Transaction;
import java.util.TreeMap;

/*
 * Wire format of an ObjectStore transaction inside MOSDRepOp (and recovery pushes), written with
 * msg's Encoder: struct(version 1) { u32 opCount; opCount x { u8 opcode; fields } }.
 *   coll = u64 pool, u32 seed           oid = u64 pool, string namespace, string name, u32 hash
 *   1 touch(coll, oid)                  2 write(coll, oid, u64 offset, bytes)
 *   3 write_full(coll, oid, bytes)      4 append(coll, oid, bytes)
 *   5 zero(coll, oid, u64 off, u64 len) 6 truncate(coll, oid, u64 size)
 *   7 remove(coll, oid)                 8 clone(coll, src oid, dst oid)
 *   9 clone_range(coll, src, u64 srcOff, u64 len, dst, u64 dstOff)
 *  10 setattr(coll, oid, string, bytes) 11 rmattr(coll, oid, string)
 *  12 omap_set(coll, oid, map string->bytes)  13 omap_rmkeys(coll, oid, list string)
 *  14 omap_rmrange(coll, oid, string first, string last)  15 omap_clear(coll, oid)
 *  16 omap_setheader(coll, oid, bytes)  17 create_collection(coll, u32 bits)
 *  18 remove_collection(coll)           19 split(coll, u32 bits, dest coll)  20 merge(coll, dest, u32 bits)
 */
/** Encodes {@link Transaction}s for replication; decoding a malformed one throws {@link DecodeException}. */
public final class TxnCodec {
    private TxnCodec() {}

    public static byte[] encode(Transaction txn) {
        return Encoder.toBytes(out -> encodeTo(out, txn));
    }

    /** Writes {@code txn}'s encoding into {@code out} (what {@link #encode} returns). */
    public static void encodeTo(Encoder out, Transaction txn) {
        out.startStruct(1, 1);
        out.putInt(txn.ops().size());
        for (Transaction.Op op : txn.ops()) {
            encodeOp(out, op);
        }
        out.endStruct();
    }

    /**
     * A transaction as MOSDRepOp carries it: encoded straight into each replica's frame by the
     * messenger, and on the replica decoded straight out of the frame ({@link #read}), so the data
     * is not copied through an encoded array on either side. The store only reads a committed
     * transaction, so encoding it while the local commit runs is safe.
     */
    public record Payload(Transaction txn) implements MOSDRepOp.Txn {
        @Override
        public void encodeTo(Encoder out) {
            TxnCodec.encodeTo(out, txn);
        }

        @Override
        public int sizeHint() {
            return (int) Math.min(Integer.MAX_VALUE - 4096, txn.dataBytes() + 128L * txn.ops().size() + 16);
        }
    }

    /** The MOSDRepOp transaction reader an OSD's registry uses: decodes in place into a {@link Payload}. */
    public static Payload read(Decoder in) {
        return new Payload(decode(in));
    }

    /** The transaction an MOSDRepOp carries, whichever way its registry decoded it. */
    public static Transaction transaction(MOSDRepOp.Txn carried) {
        return switch (carried) {
            case Payload p -> p.txn();
            case MOSDRepOp.RawTxn raw -> decode(raw.bytes());
            default -> throw new DecodeException("unknown transaction carrier " + carried.getClass().getSimpleName());
        };
    }

    private static void encodeOp(Encoder out, Transaction.Op op) {
        switch (op) {
            case Transaction.Touch o -> head(out, 1, o.coll(), o.oid());
            case Transaction.Write o -> head(out, 2, o.coll(), o.oid()).putLong(o.offset()).putBytes(o.data());
            case Transaction.WriteFull o -> head(out, 3, o.coll(), o.oid()).putBytes(o.data());
            case Transaction.Append o -> head(out, 4, o.coll(), o.oid()).putBytes(o.data());
            case Transaction.Zero o -> head(out, 5, o.coll(), o.oid()).putLong(o.offset()).putLong(o.length());
            case Transaction.Truncate o -> head(out, 6, o.coll(), o.oid()).putLong(o.size());
            case Transaction.Remove o -> head(out, 7, o.coll(), o.oid());
            case Transaction.Clone o -> oid(head(out, 8, o.coll(), o.src()), o.dst());
            case Transaction.CloneRange o -> oid(head(out, 9, o.coll(), o.src()).putLong(o.srcOffset()).putLong(o.length()),
                    o.dst()).putLong(o.dstOffset());
            case Transaction.SetAttr o -> head(out, 10, o.coll(), o.oid()).putString(o.name()).putBytes(o.value());
            case Transaction.RmAttr o -> head(out, 11, o.coll(), o.oid()).putString(o.name());
            case Transaction.OmapSet o -> head(out, 12, o.coll(), o.oid()).putMap(o.entries(), Encoder::putString, Encoder::putBytes);
            case Transaction.OmapRmKeys o -> head(out, 13, o.coll(), o.oid()).putList(o.keys(), Encoder::putString);
            case Transaction.OmapRmRange o -> head(out, 14, o.coll(), o.oid()).putString(o.first()).putString(o.last());
            case Transaction.OmapClear o -> head(out, 15, o.coll(), o.oid());
            case Transaction.OmapSetHeader o -> head(out, 16, o.coll(), o.oid()).putBytes(o.header());
            case Transaction.CreateCollection o -> coll(out.putByte(17), o.coll()).putInt(o.bits());
            case Transaction.RemoveCollection o -> coll(out.putByte(18), o.coll());
            case Transaction.SplitCollection o -> coll(coll(out.putByte(19), o.coll()).putInt(o.newBits()), o.dest());
            case Transaction.MergeCollection o -> coll(coll(out.putByte(20), o.coll()), o.dest()).putInt(o.newBits());
        }
    }

    private static Encoder head(Encoder out, int opcode, CollectionId c, ObjectId oid) {
        return oid(coll(out.putByte(opcode), c), oid);
    }

    private static Encoder coll(Encoder out, CollectionId c) {
        return out.putLong(c.pool()).putInt(c.seed());
    }

    private static Encoder oid(Encoder out, ObjectId oid) {
        return out.putLong(oid.pool()).putString(oid.namespace()).putString(oid.name()).putInt(oid.hash());
    }

    public static Transaction decode(byte[] bytes) {
        Decoder in = Decoder.of(bytes);
        Transaction txn = decode(in);
        if (in.hasMore()) {
            throw new DecodeException(in.remaining() + " bytes after the transaction");
        }
        return txn;
    }

    /** Decodes one transaction from {@code in}'s read position. */
    public static Transaction decode(Decoder in) {
        Transaction txn = new Transaction();
        try {
            in.startStruct(1);
            int count = in.getInt();
            if (count < 0 || count > in.remaining()) {
                throw new DecodeException("transaction claims " + count + " ops in " + in.remaining() + " bytes");
            }
            for (int i = 0; i < count; i++) {
                decodeOp(in, txn);
            }
            in.endStruct();
        } catch (StoreException e) {
            throw new DecodeException("transaction op refused: " + e.getMessage());
        }
        return txn;
    }

    private static void decodeOp(Decoder in, Transaction t) {
        int opcode = in.getByte();
        CollectionId c = coll(in);
        switch (opcode) {
            case 1 -> t.touch(c, oid(in));
            case 2 -> t.writeOwned(c, oid(in), in.getLong(), in.getBytes());   // fresh arrays: no second copy
            case 3 -> t.writeFullOwned(c, oid(in), in.getBytes());
            case 4 -> t.append(c, oid(in), in.getBytes());
            case 5 -> t.zero(c, oid(in), in.getLong(), in.getLong());
            case 6 -> t.truncate(c, oid(in), in.getLong());
            case 7 -> t.remove(c, oid(in));
            case 8 -> t.clone(c, oid(in), oid(in));
            case 9 -> t.cloneRange(c, oid(in), in.getLong(), in.getLong(), oid(in), in.getLong());
            case 10 -> t.setAttr(c, oid(in), in.getString(), in.getBytes());
            case 11 -> t.rmAttr(c, oid(in), in.getString());
            case 12 -> t.omapSet(c, oid(in), new TreeMap<>(in.getMap(Decoder::getString, Decoder::getBytes)));
            case 13 -> t.omapRmKeys(c, oid(in), in.getList(Decoder::getString));
            case 14 -> t.omapRmRange(c, oid(in), in.getString(), in.getString());
            case 15 -> t.omapClear(c, oid(in));
            case 16 -> t.omapSetHeader(c, oid(in), in.getBytes());
            case 17 -> t.createCollection(c, in.getInt());
            case 18 -> t.removeCollection(c);
            case 19 -> t.splitCollection(c, in.getInt(), coll(in));
            case 20 -> t.mergeCollection(c, coll(in), in.getInt());
            default -> throw new DecodeException("unknown transaction opcode " + opcode);
        }
    }

    private static CollectionId coll(Decoder in) {
        return new CollectionId(in.getLong(), in.getInt());
    }

    private static ObjectId oid(Decoder in) {
        return new ObjectId(in.getLong(), in.getString(), in.getString(), in.getInt());
    }
}
