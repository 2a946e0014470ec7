package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.List;
import java.util.Optional;

/**
 * Primary → a member holding newer data (recovery) or the whole PG (backfill): send me these
 * objects (Ceph's MOSDPGPull), or, when {@code scan} is set, the next {@code maxObjects} objects
 * of the PG in hash order after {@code after} (Ceph's backfill scan). Answered with an {@link
 * MOSDPgPush} carrying the objects' states; a scan's reply sets {@code next}/{@code done}.
 *
 * <p>Wire (struct version 1): u32 pool, u32 pgSeed, u64 mapEpoch, u32 fromOsd, list of object refs,
 * bool scan, bool hasAfter, [object ref after], u32 maxObjects.
 */
public record MOSDPgPull(int pool, int pgSeed, long mapEpoch, int fromOsd, List<ObjectRef> objects, boolean scan,
                         Optional<ObjectRef> after, int maxObjects) implements Message {
    public static final int TYPE = OsdMessages.OSD_PG_PULL;
    public static final int VERSION = 1;

    public MOSDPgPull {
        objects = List.copyOf(objects);
    }

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch).putInt(fromOsd);
        out.putList(objects, (o, r) -> r.encode(o));
        out.putBoolean(scan).putBoolean(after.isPresent());
        after.ifPresent(a -> a.encode(out));
        out.putInt(maxObjects);
    }

    public static MOSDPgPull decode(Decoder in, int version) {
        int pool = in.getInt();
        int seed = in.getInt();
        long epoch = in.getLong();
        int from = in.getInt();
        List<ObjectRef> objects = in.getList(ObjectRef::decode);
        boolean scan = in.getBoolean();
        Optional<ObjectRef> after = in.getBoolean() ? Optional.of(ObjectRef.decode(in)) : Optional.empty();
        return new MOSDPgPull(pool, seed, epoch, from, objects, scan, after, in.getInt());
    }
}
