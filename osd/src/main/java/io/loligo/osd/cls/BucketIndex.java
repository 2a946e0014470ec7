package io.loligo.osd.cls;

import io.loligo.messages.OsdResult;
import io.loligo.msg.DecodeException;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code bucket_index} (the shape of Ceph's cls_rgw bucket index ops, for the gateway to adopt): a
 * bucket index shard keeps one omap entry per object and, in its omap header, the shard's totals,
 * updated in the same atomic step as the entry, so totals never drift from the entries.
 * <ul>
 *   <li>{@code link} (write): input struct v1 { string key; u64 size; bytes entry }; adds or
 *       replaces the entry, adjusting the totals by the size difference.</li>
 *   <li>{@code unlink} (write): input struct v1 { string key }; removes it (ENOENT when absent).</li>
 *   <li>{@code stats} (read): output struct v1 { u64 entries; u64 bytes }.</li>
 * </ul>
 * Stored entry: struct v1 { u64 size; bytes entry }; header: struct v1 { u64 entries; u64 bytes }.
 */
public final class BucketIndex {
    private BucketIndex() {}

    static void register(ObjectClasses r) {
        r.register("bucket_index", "link", true, BucketIndex::link);
        r.register("bucket_index", "unlink", true, BucketIndex::unlink);
        r.register("bucket_index", "stats", false, (ctx, in) -> encodeStats(stats(ctx)));
    }

    /** The input of {@code link}. */
    public static byte[] linkInput(String key, long size, byte[] entry) {
        return Encoder.toBytes(out -> out.struct(1, 1, o -> o.putString(key).putLong(size).putBytes(entry)));
    }

    /** The input of {@code unlink}. */
    public static byte[] unlinkInput(String key) {
        return Encoder.toBytes(out -> out.struct(1, 1, o -> o.putString(key)));
    }

    /** Decodes the output of {@code stats}: {entries, bytes}. */
    public static long[] decodeStats(byte[] bytes) {
        Decoder in = Decoder.of(bytes);
        in.startStruct(1);
        long[] s = {in.getLong(), in.getLong()};
        in.endStruct();
        return s;
    }

    private static byte[] encodeStats(long[] s) {
        return Encoder.toBytes(out -> out.struct(1, 1, o -> o.putLong(s[0]).putLong(s[1])));
    }

    private static long[] stats(MethodContext ctx) throws ClassException {
        byte[] h = ctx.exists() ? ctx.omapHeader() : new byte[0];
        if (h.length == 0) {
            return new long[] {0, 0};
        }
        try {
            return decodeStats(h);
        } catch (DecodeException e) {
            throw new ClassException(OsdResult.EIO, "bucket index header is not a bucket_index header: " + e.getMessage());
        }
    }

    private static long storedSize(byte[] stored) throws ClassException {
        try {
            Decoder in = Decoder.of(stored);
            in.startStruct(1);
            long size = in.getLong();
            in.endStruct();
            return size;
        } catch (DecodeException e) {
            throw new ClassException(OsdResult.EIO, "bucket index entry is not a bucket_index entry: " + e.getMessage());
        }
    }

    private static byte[] link(MethodContext ctx, byte[] input) throws ClassException {
        String key;
        long size;
        byte[] entry;
        try {
            Decoder in = Decoder.of(input);
            in.startStruct(1);
            key = in.getString();
            size = in.getLong();
            entry = in.getBytes();
            in.endStruct();
        } catch (DecodeException e) {
            throw ClassException.invalid("bucket_index.link: bad input: " + e.getMessage());
        }
        if (key.isEmpty() || size < 0) {
            throw ClassException.invalid("bucket_index.link: empty key or negative size");
        }
        long[] s = stats(ctx);
        byte[] old = ctx.exists() ? ctx.omapGet(List.of(key)).get(key) : null;
        if (old != null) {
            s[0]--;
            s[1] -= storedSize(old);
        }
        s[0]++;
        s[1] += size;
        TreeMap<String, byte[]> set = new TreeMap<>();
        set.put(key, Encoder.toBytes(out -> out.struct(1, 1, o -> o.putLong(size).putBytes(entry))));
        ctx.omapSet(set);
        ctx.omapSetHeader(encodeStats(s));
        return new byte[0];
    }

    private static byte[] unlink(MethodContext ctx, byte[] input) throws ClassException {
        String key;
        try {
            Decoder in = Decoder.of(input);
            in.startStruct(1);
            key = in.getString();
            in.endStruct();
        } catch (DecodeException e) {
            throw ClassException.invalid("bucket_index.unlink: bad input: " + e.getMessage());
        }
        byte[] old = ctx.exists() ? ctx.omapGet(List.of(key)).get(key) : null;
        if (old == null) {
            throw new ClassException(OsdResult.ENOENT, "bucket_index.unlink: no entry " + key);
        }
        long[] s = stats(ctx);
        s[0]--;
        s[1] -= storedSize(old);
        ctx.omapRmKeys(List.of(key));
        ctx.omapSetHeader(encodeStats(s));
        return new byte[0];
    }
}
