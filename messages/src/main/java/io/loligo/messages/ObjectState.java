package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.Arrays;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The whole state of one object as recovery moves it between OSDs: whether it exists and, if so,
 * its data, its store xattrs (the OSD's names, including the object info), its omap and omap
 * header. A push of a non-existent object deletes it on the receiver.
 *
 * <p>Wire: object ref, bool exists, bytes data, map xattrs, map omap, bytes omapHeader.
 */
public record ObjectState(ObjectRef ref, boolean exists, byte[] data, SortedMap<String, byte[]> xattrs,
                          SortedMap<String, byte[]> omap, byte[] omapHeader) {
    public ObjectState {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(omapHeader, "omapHeader");
        xattrs = new TreeMap<>(xattrs);
        omap = new TreeMap<>(omap);
    }

    public static ObjectState absent(ObjectRef ref) {
        return new ObjectState(ref, false, new byte[0], new TreeMap<>(), new TreeMap<>(), new byte[0]);
    }

    /** Approximate encoded size, for batching pushes. */
    public long bytes() {
        long n = data.length + omapHeader.length + 64;
        for (var e : xattrs.entrySet()) {
            n += e.getKey().length() + e.getValue().length + 8;
        }
        for (var e : omap.entrySet()) {
            n += e.getKey().length() + e.getValue().length + 8;
        }
        return n;
    }

    public void encode(Encoder out) {
        ref.encode(out);
        out.putBoolean(exists).putBytes(data);
        out.putMap(xattrs, Encoder::putString, Encoder::putBytes);
        out.putMap(omap, Encoder::putString, Encoder::putBytes);
        out.putBytes(omapHeader);
    }

    public static ObjectState decode(Decoder in) {
        return new ObjectState(ObjectRef.decode(in), in.getBoolean(), in.getBytes(),
                new TreeMap<>(in.getMap(Decoder::getString, Decoder::getBytes)),
                new TreeMap<>(in.getMap(Decoder::getString, Decoder::getBytes)), in.getBytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectState s && s.ref.equals(ref) && s.exists == exists && Arrays.equals(s.data, data)
                && OpOutput.sameEntries(s.xattrs, xattrs) && OpOutput.sameEntries(s.omap, omap)
                && Arrays.equals(s.omapHeader, omapHeader);
    }

    @Override
    public int hashCode() {
        return ref.hashCode() * 31 + Arrays.hashCode(data);
    }
}
