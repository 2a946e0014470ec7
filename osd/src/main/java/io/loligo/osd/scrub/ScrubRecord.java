package io.loligo.osd.scrub;

import io.loligo.messages.ScrubInconsistency;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.List;

/*
 * On disk: the omap key "scrub" of the PG's meta object (PgLog.metaOid), written by the primary
 * after every scrub and every read error it repaired: struct(version 1, compat 1) { u64
 * lastScrubMillis, u64 lastDeepScrubMillis, list of ScrubInconsistency (messages/, its wire form) }.
 * A missing key means "never scrubbed, nothing found".
 */
/** What a PG's scrubs found, as its primary keeps it across restarts (Ceph keeps it in pg_info_t's stats). */
public record ScrubRecord(long lastScrubMillis, long lastDeepScrubMillis, List<ScrubInconsistency> inconsistents) {
    public static final ScrubRecord EMPTY = new ScrubRecord(0, 0, List.of());
    /** Most inconsistent objects recorded per PG (the error count covers the recorded ones). */
    public static final int INCONSISTENTS_MAX = 1000;

    public ScrubRecord {
        inconsistents = List.copyOf(inconsistents.subList(0, Math.min(inconsistents.size(), INCONSISTENTS_MAX)));
    }

    /** Ceph's num_scrub_errors: one per damaged copy. */
    public int errors() {
        return inconsistents.stream().mapToInt(i -> i.badOsds().size()).sum();
    }

    public byte[] encode() {
        return Encoder.toBytes(out -> out.struct(1, 1, o -> {
            o.putLong(lastScrubMillis).putLong(lastDeepScrubMillis);
            o.putList(inconsistents, (e, i) -> i.encode(e));
        }));
    }

    public static ScrubRecord decode(byte[] bytes) {
        Decoder in = Decoder.of(bytes);
        in.startStruct(1);
        ScrubRecord r = new ScrubRecord(in.getLong(), in.getLong(), in.getList(ScrubInconsistency::decode));
        in.endStruct();
        return r;
    }
}
