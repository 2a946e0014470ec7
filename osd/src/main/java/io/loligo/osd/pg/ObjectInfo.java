package io.loligo.osd.pg;

import io.loligo.messages.Eversion;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;

/*
 * On disk: the store xattr "oi" of every client object, struct(version 1) { eversion version
 * (u64 epoch, u64 v), u64 mtimeMillis }. Client xattrs are stored with the prefix "u." so they never
 * collide with it.
 */
/** The OSD's metadata about one object (Ceph's object_info_t): the version of its last write and its mtime. */
public record ObjectInfo(Eversion version, long mtimeMillis) {
    public static final String ATTR = "oi";
    public static final String USER_ATTR_PREFIX = "u.";

    public byte[] encode() {
        return Encoder.toBytes(out -> out.struct(1, 1, o -> {
            version.encode(o);
            o.putLong(mtimeMillis);
        }));
    }

    public static ObjectInfo decode(byte[] bytes) {
        Decoder in = Decoder.of(bytes);
        in.startStruct(1);
        ObjectInfo oi = new ObjectInfo(Eversion.decode(in), in.getLong());
        in.endStruct();
        return oi;
    }
}
