package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Object states moving between members of a PG (Ceph's MOSDPGPush): sent as a request by the
 * primary to a member that misses them (answered with {@link MOSDPgPushReply} once durable), or as
 * the reply to an {@link MOSDPgPull}.
 *
 * <p>Fields: the PG and epoch, {@code fromOsd}, {@code result} ({@link OsdResult}; a pull of a PG
 * the sender does not have answers ENOENT), {@code objects} (each replaces the receiver's copy, or
 * deletes it when absent), {@code flags} ({@link #FLAG_RESET}: first remove every object of the
 * PG on the receiver — backfill starts so; {@link #FLAG_LOG}: after the objects, replace the
 * receiver's log with {@code log}, {@code lastUpdate} and {@code logTail}; {@link #FLAG_ACTIVATE}:
 * the PG goes active in {@code mapEpoch}, record it as the receiver's last_epoch_started;
 * {@link #FLAG_BACKFILL_DONE}: the last backfill chunk, the receiver's copy is complete), for a scan
 * reply {@code next} (cursor) and {@code done}, and {@code missing}: objects the receiver's new log
 * describes that it lacks (recorded durably; each later push of an object removes it).
 *
 * <p>Wire (struct version 1): u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, u32 result, list of
 * object states, u32 flags, list of log entries, eversion lastUpdate, eversion logTail, bool
 * hasNext, [object ref next], bool done; v2: list of object refs missing.
 */
public record MOSDPgPush(int pool, int pgSeed, long mapEpoch, int fromOsd, int result, List<ObjectState> objects,
                         int flags, List<PgLogEntry> log, Eversion lastUpdate, Eversion logTail,
                         Optional<ObjectRef> next, boolean done, List<ObjectRef> missing) implements Message {
    public static final int TYPE = OsdMessages.OSD_PG_PUSH;
    public static final int VERSION = 2;
    public static final int FLAG_RESET = 1;
    public static final int FLAG_LOG = 2;
    public static final int FLAG_ACTIVATE = 4;
    public static final int FLAG_BACKFILL_DONE = 8;

    public MOSDPgPush(int pool, int pgSeed, long mapEpoch, int fromOsd, int result, List<ObjectState> objects,
                      int flags, List<PgLogEntry> log, Eversion lastUpdate, Eversion logTail,
                      Optional<ObjectRef> next, boolean done) {
        this(pool, pgSeed, mapEpoch, fromOsd, result, objects, flags, log, lastUpdate, logTail, next, done, List.of());
    }

    public MOSDPgPush {
        objects = List.copyOf(objects);
        log = List.copyOf(log);
        missing = List.copyOf(missing);
        Objects.requireNonNull(lastUpdate, "lastUpdate");
        Objects.requireNonNull(logTail, "logTail");
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public int version() {
        return VERSION;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd).putInt(result);
        out.putList(objects, (o, s) -> s.encode(o));
        out.putInt(flags);
        out.putList(log, (o, e) -> e.encode(o));
        lastUpdate.encode(out);
        logTail.encode(out);
        out.putBoolean(next.isPresent());
        next.ifPresent(n -> n.encode(out));
        out.putBoolean(done);
        out.putList(missing, (o, r) -> r.encode(o));
    }

    public static MOSDPgPush decode(Decoder in, int version) {
        int pool = in.getInt();
        int seed = in.getInt();
        long epoch = in.getLong();
        int from = in.getInt();
        int result = in.getInt();
        List<ObjectState> objects = in.getList(ObjectState::decode);
        int flags = in.getInt();
        List<PgLogEntry> log = in.getList(PgLogEntry::decode);
        Eversion lastUpdate = Eversion.decode(in);
        Eversion tail = Eversion.decode(in);
        Optional<ObjectRef> next = in.getBoolean() ? Optional.of(ObjectRef.decode(in)) : Optional.empty();
        boolean done = in.getBoolean();
        List<ObjectRef> missing = version >= 2 ? in.getList(ObjectRef::decode) : List.of();
        return new MOSDPgPush(pool, seed, epoch, from, result, objects, flags, log, lastUpdate, tail, next, done, missing);
    }
}
