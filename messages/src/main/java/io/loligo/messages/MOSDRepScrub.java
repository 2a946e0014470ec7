package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Optional;

/**
 * Primary → acting member, for scrub and repair (Ceph's MOSDRepScrub). {@link #KIND_MAP}: build the
 * scrub map of the chunk of the PG's objects after {@code start} (exclusive; empty: from the
 * beginning) up to {@code end} (inclusive; empty: to the end), at most {@code maxObjects}, reading
 * the data when {@code deep}; answered with {@link MOSDScrubMap}. {@link #KIND_PULL}: send the whole
 * state of {@code objects} (repair takes the authoritative copy from here); answered with an
 * {@link MOSDPgPush} whose result is EIO when a copy failed its checksum (a replica may send this
 * to the primary too, to take its copy under a write). {@link #KIND_RECORD}: keep {@code record},
 * the primary's scrub record (the OSD's ScrubRecord encoding), so a later primary still knows what
 * the scrubs found; answered with an empty {@link MOSDScrubMap}.
 *
 * <p>Wire (struct version 2, compat 1): u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, u8 kind,
 * bool deep, bool hasStart, [object ref start], bool hasEnd, [object ref end], u32 maxObjects, list
 * of object refs; version 2 appends bytes record.
 */
public record MOSDRepScrub(int pool, int pgSeed, long mapEpoch, int fromOsd, int kind, boolean deep,
                           Optional<ObjectRef> start, Optional<ObjectRef> end, int maxObjects, List<ObjectRef> objects,
                           byte[] record) implements Message {
    public static final int TYPE = OsdMessages.OSD_REP_SCRUB;
    public static final int VERSION = 2;
    public static final int KIND_MAP = 1;
    public static final int KIND_PULL = 2;
    public static final int KIND_RECORD = 3;

    public MOSDRepScrub {
        objects = List.copyOf(objects);
        record = record.clone();
    }

    @Override
    public int version() {
        return VERSION;
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd).putByte(kind).putBoolean(deep);
        out.putBoolean(start.isPresent());
        start.ifPresent(r -> r.encode(out));
        out.putBoolean(end.isPresent());
        end.ifPresent(r -> r.encode(out));
        out.putInt(maxObjects).putList(objects, (o, r) -> r.encode(o)).putBytes(record);
    }

    public static MOSDRepScrub decode(Decoder in, int version) {
        int pool = in.getInt();
        int seed = in.getInt();
        long epoch = in.getLong();
        int from = in.getInt();
        int kind = in.getByte();
        boolean deep = in.getBoolean();
        Optional<ObjectRef> start = in.getBoolean() ? Optional.of(ObjectRef.decode(in)) : Optional.empty();
        Optional<ObjectRef> end = in.getBoolean() ? Optional.of(ObjectRef.decode(in)) : Optional.empty();
        int max = in.getInt();
        List<ObjectRef> objects = in.getList(ObjectRef::decode);
        return new MOSDRepScrub(pool, seed, epoch, from, kind, deep, start, end, max, objects,
                version >= 2 ? in.getBytes() : new byte[0]);
    }
}
