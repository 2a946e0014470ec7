package io.loligo.osd.cls;

import io.loligo.messages.OsdResult;
import io.loligo.msg.DecodeException;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code rgw_index}: the S3 gateway's bucket index shard operations that must read and write in
 * one atomic step on the shard's primary (the shard layout is the gateway's, see
 * {@code io.loligo.rgw.store.BucketIndex}).
 * <ul>
 *   <li>{@code insert} (write): input struct v1 { string guard_name; bytes guard_value; string
 *       absent_key; string lane_name; s64 objects; s64 bytes; map&lt;string, bytes&gt; set }.
 *       Fails with ECANCELED when xattr {@code guard_name} is not {@code guard_value} (the bucket
 *       was deleted or re-created), EEXIST when omap key {@code absent_key} exists (the object
 *       already has a head: the gateway then plans a replacement by reading first). Otherwise adds
 *       {@code objects}/{@code bytes} to the usage lane xattr {@code lane_name} (ASCII
 *       {@code "SEQ OBJECTS BYTES"}, absent = 0 0 0; SEQ grows by one, so a gateway guarding a
 *       read-modify-write on the lane's value sees the change) and sets the {@code set} entries.
 *       A new object's PUT is thereby one write instead of a read and a write.</li>
 * </ul>
 */
public final class RgwIndex {
    private RgwIndex() {}

    static void register(ObjectClasses r) {
        r.register("rgw_index", "insert", true, RgwIndex::insert);
    }

    /** The input of {@code insert}. */
    public static byte[] insertInput(String guardName, byte[] guardValue, String absentKey, String laneName, long objects, long bytes,
                                     Map<String, byte[]> set) {
        TreeMap<String, byte[]> sorted = new TreeMap<>(set);
        return Encoder.toBytes(out -> out.struct(1, 1, o -> o.putString(guardName).putBytes(guardValue).putString(absentKey)
                .putString(laneName).putLong(objects).putLong(bytes).putMap(sorted, Encoder::putString, Encoder::putBytes)));
    }

    private record Insert(String guardName, byte[] guardValue, String absentKey, String laneName, long objects, long bytes,
                          Map<String, byte[]> set) {}

    private static Insert decode(byte[] input) throws ClassException {
        try {
            Decoder in = Decoder.of(input);
            in.startStruct(1);
            Insert i = new Insert(in.getString(), in.getBytes(), in.getString(), in.getString(), in.getLong(), in.getLong(),
                    in.getMap(Decoder::getString, Decoder::getBytes));
            in.endStruct();
            return i;
        } catch (DecodeException e) {
            throw ClassException.invalid("rgw_index.insert: bad input: " + e.getMessage());
        }
    }

    private static byte[] insert(MethodContext ctx, byte[] input) throws ClassException {
        Insert i = decode(input);
        if (i.guardName().isEmpty() || i.absentKey().isEmpty() || i.laneName().isEmpty()) {
            throw ClassException.invalid("rgw_index.insert: empty guard, key or lane name");
        }
        if (!ctx.exists() || !Arrays.equals(ctx.getXattr(i.guardName()).orElse(null), i.guardValue())) {
            throw new ClassException(OsdResult.ECANCELED, "rgw_index.insert: guard " + i.guardName() + " does not hold");
        }
        if (ctx.omapGet(List.of(i.absentKey())).containsKey(i.absentKey())) {
            throw new ClassException(OsdResult.EEXIST, "rgw_index.insert: " + i.absentKey() + " exists");
        }
        long[] lane = decodeLane(ctx.getXattr(i.laneName()).orElse(new byte[0]));
        String next = (lane[0] + 1) + " " + (lane[1] + i.objects()) + " " + (lane[2] + i.bytes());
        ctx.setXattr(i.laneName(), next.getBytes(StandardCharsets.US_ASCII));
        if (!i.set().isEmpty()) {
            ctx.omapSet(new TreeMap<>(i.set()));
        }
        return new byte[0];
    }

    private static long[] decodeLane(byte[] v) throws ClassException {
        if (v.length == 0) {
            return new long[] {0, 0, 0};
        }
        String s = new String(v, StandardCharsets.US_ASCII);
        String[] f = s.split(" ");
        try {
            if (f.length == 3) {
                return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
            }
        } catch (NumberFormatException e) {
            // falls through to the error
        }
        throw new ClassException(OsdResult.EIO, "rgw_index.insert: usage lane is not 'SEQ OBJECTS BYTES': '" + s + "'");
    }
}
