package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.msg.Message;
import java.util.Optional;

/**
 * Client → a PG's primary: list the PG's objects in hash order, one page at a time (Ceph's
 * CEPH_OSD_OP_PGNLS). Start with an empty {@code after}; pass the reply's {@code next} until the
 * reply says {@code done}. Needs read caps on the pool. Answered with {@link MOSDPgLsReply}.
 *
 * <p>Fields: {@code pool}, {@code pgSeed}, {@code mapEpoch} (as in {@link MOSDOp}), {@code
 * namespace} (only objects of this namespace; null on the wire as absent = all namespaces), {@code
 * after} (exclusive cursor; empty = from the start), {@code maxEntries} (1..{@link #ENTRIES_MAX}).
 *
 * <p>Wire (struct version 1): u32 pool, u32 pgSeed, u64 mapEpoch, bool hasNamespace, [string
 * namespace], bool hasAfter, [object ref after], u32 maxEntries.
 */
public record MOSDPgLs(int pool, int pgSeed, long mapEpoch, Optional<String> namespace, Optional<ObjectRef> after,
                       int maxEntries) implements Message {
    public static final int TYPE = OsdMessages.OSD_PGLS;
    public static final int VERSION = 1;
    public static final int ENTRIES_MAX = 4096;

    @Override
    public int typeId() {
        return TYPE;
    }

    @Override
    public void encodeFields(Encoder out) {
        out.putInt(pool).putInt(pgSeed).putLong(mapEpoch);
        out.putBoolean(namespace.isPresent());
        namespace.ifPresent(out::putString);
        out.putBoolean(after.isPresent());
        after.ifPresent(a -> a.encode(out));
        out.putInt(maxEntries);
    }

    public static MOSDPgLs decode(Decoder in, int version) {
        int pool = in.getInt();
        int seed = in.getInt();
        long epoch = in.getLong();
        Optional<String> ns = in.getBoolean() ? Optional.of(in.getString()) : Optional.empty();
        Optional<ObjectRef> after = in.getBoolean() ? Optional.of(ObjectRef.decode(in)) : Optional.empty();
        return new MOSDPgLs(pool, seed, epoch, ns, after, in.getInt());
    }
}
