package io.loligo.messages;

import io.loligo.msg.DecodeException;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.Objects;

/**
 * One entry of a PG's log (Ceph's pg_log_entry_t): what happened to which object at which version,
 * on behalf of which request. Every write to a PG appends one entry, on the primary and on every
 * replica in the same transaction as the change itself. The log serves three purposes: resends
 * are recognised by {@code reqid} and answered with {@code result} (never applied twice); peering
 * compares logs to find who is missing what; recovery replays it.
 *
 * <p>Fields: {@code op} ({@link Op#MODIFY}: the object now exists with new content; {@link
 * Op#DELETE}: it was removed; {@link Op#ERROR}: a write that failed, kept so its resend gets the
 * same error), the object, {@code version} (this entry's eversion, strictly increasing within the
 * PG), {@code priorVersion} (the object's version before; ZERO if it did not exist), {@code
 * reqid}, {@code mtimeMillis} (the primary's clock when it ordered the op), {@code result}.
 *
 * <p>Wire: u8 op, object ref, eversion version, eversion priorVersion, reqid, u64 mtimeMillis,
 * u32 result.
 */
public record PgLogEntry(Op op, ObjectRef object, Eversion version, Eversion priorVersion, ReqId reqid,
                         long mtimeMillis, int result) {
    public enum Op { MODIFY, DELETE, ERROR }

    public PgLogEntry {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(priorVersion, "priorVersion");
        Objects.requireNonNull(reqid, "reqid");
    }

    public void encode(Encoder out) {
        out.putByte(op.ordinal());
        object.encode(out);
        version.encode(out);
        priorVersion.encode(out);
        reqid.encode(out);
        out.putLong(mtimeMillis).putInt(result);
    }

    public static PgLogEntry decode(Decoder in) {
        int op = in.getByte();
        if (op < 0 || op >= Op.values().length) {
            throw new DecodeException("pg log entry op " + op + " outside 0.." + (Op.values().length - 1));
        }
        return new PgLogEntry(Op.values()[op], ObjectRef.decode(in), Eversion.decode(in), Eversion.decode(in),
                ReqId.decode(in), in.getLong(), in.getInt());
    }

    /** Encoded as a standalone struct (version 1), e.g. for the PG log kept in the object store. */
    public byte[] toBytes() {
        return Encoder.toBytes(out -> out.struct(1, 1, this::encode));
    }

    public static PgLogEntry fromBytes(byte[] bytes) {
        Decoder in = Decoder.of(bytes);
        in.startStruct(1);
        PgLogEntry entry = decode(in);
        in.endStruct();
        return entry;
    }
}
