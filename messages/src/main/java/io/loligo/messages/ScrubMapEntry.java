package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;

/**
 * One object as one PG member holds it, for scrub (Ceph's ScrubMap::object): size, version, digests
 * of its xattrs and omap (header included) and, for a deep scrub, the CRC32C of its data, read from
 * the store (which verifies every block's checksum on the way).
 *
 * <p>Wire: object ref, u64 size, eversion version, u32 attrsDigest, u32 omapDigest, bool deep,
 * u32 dataDigest (0 unless deep), u32 errors (bits: {@link #READ_ERROR} the store refused to return the
 * data (a block checksum failed), {@link #INFO_MISSING} no object info, {@link #STAT_ERROR} metadata unreadable).
 */
public record ScrubMapEntry(ObjectRef ref, long size, Eversion version, int attrsDigest, int omapDigest, boolean deep,
                            int dataDigest, int errors) {
    public static final int READ_ERROR = 1;
    public static final int INFO_MISSING = 2;
    public static final int STAT_ERROR = 4;

    public void encode(Encoder out) {
        ref.encode(out);
        out.putLong(size);
        version.encode(out);
        out.putInt(attrsDigest).putInt(omapDigest).putBoolean(deep).putInt(dataDigest).putInt(errors);
    }

    public static ScrubMapEntry decode(Decoder in) {
        return new ScrubMapEntry(ObjectRef.decode(in), in.getLong(), Eversion.decode(in), in.getInt(), in.getInt(),
                in.getBoolean(), in.getInt(), in.getInt());
    }
}
