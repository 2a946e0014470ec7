package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Objects;

/**
 * A member's answer to {@link MOSDPgQuery} (Ceph's pg_info_t + pg_log_t in MOSDPGNotify/MOSDPGLog):
 * its last update, log tail (entries at or below it were trimmed), the last epoch in which it went
 * active, and its whole log (at most a few thousand entries). {@code result} is an {@link
 * OsdResult}: {@link OsdResult#ENOENT} when the member has no copy of the PG at all.
 *
 * {@code flags}: {@link #FLAG_INCOMPLETE} when the member's copy is being backfilled (its objects
 * are partial whatever its log says: it can never be the authoritative copy, Ceph's
 * last_backfill != MAX); {@code missing}: objects its log describes but its store lacks (recovery
 * was under way), which any recovery must bring it.
 *
 * <p>Wire (struct version 2, compat 1): u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, u32 result,
 * eversion lastUpdate, eversion logTail, u64 lastEpochStarted, list of log entries; v2: u32 flags, list of object refs missing.
 */
public record MOSDPgInfo(int pool, int pgSeed, long mapEpoch, int fromOsd, int result, Eversion lastUpdate,
                         Eversion logTail, long lastEpochStarted, List<PgLogEntry> log, int flags,
                         List<ObjectRef> missing) implements Message {
    public static final int TYPE = OsdMessages.OSD_PG_INFO;
    public static final int VERSION = 2;
    public static final int FLAG_INCOMPLETE = 1;

    public MOSDPgInfo(int pool, int pgSeed, long mapEpoch, int fromOsd, int result, Eversion lastUpdate,
                      Eversion logTail, long lastEpochStarted, List<PgLogEntry> log) {
        this(pool, pgSeed, mapEpoch, fromOsd, result, lastUpdate, logTail, lastEpochStarted, log, 0, List.of());
    }

    public boolean incomplete() {
        return (flags & FLAG_INCOMPLETE) != 0;
    }

    public MOSDPgInfo {
        Objects.requireNonNull(lastUpdate, "lastUpdate");
        Objects.requireNonNull(logTail, "logTail");
        log = List.copyOf(log);
        missing = List.copyOf(missing);
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
        lastUpdate.encode(out);
        logTail.encode(out);
        out.putLong(lastEpochStarted);
        out.putList(log, (o, e) -> e.encode(o));
        out.putInt(flags);
        out.putList(missing, (o, r) -> r.encode(o));
    }

    public static MOSDPgInfo decode(Decoder in, int version) {
        return new MOSDPgInfo(in.getInt(), in.getInt(), in.getLong(), in.getInt(), in.getInt(), Eversion.decode(in),
                Eversion.decode(in), in.getLong(), in.getList(PgLogEntry::decode), version >= 2 ? in.getInt() : 0,
                version >= 2 ? in.getList(ObjectRef::decode) : List.of());
    }
}
