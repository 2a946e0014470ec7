package io.loligo.messages;

import io.loligo.msg.DecodeException;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one sub-op returns besides its result code. Which variant goes with which sub-op is said on
 * each {@link OsdOp}; write sub-ops and failed sub-ops return {@link None}.
 *
 * <p>Wire: u8 kind (0 none, 1 data, 2 stat, 3 key-values), then the variant's fields.
 */
public sealed interface OpOutput {
    void encodeFields(Encoder out);

    int kind();

    /** No output. */
    record None() implements OpOutput {
        public static final None INSTANCE = new None();
        public int kind() { return 0; }
        public void encodeFields(Encoder out) {}
    }

    /** Bytes: read data, an xattr value, the omap header, a class method's output. */
    record Data(byte[] bytes) implements OpOutput {
        public Data { Objects.requireNonNull(bytes, "bytes"); }
        public int kind() { return 1; }
        public void encodeFields(Encoder out) { out.putBytes(bytes); }
        @Override public boolean equals(Object o) { return o instanceof Data d && Arrays.equals(d.bytes, bytes); }
        @Override public int hashCode() { return Arrays.hashCode(bytes); }
        @Override public String toString() { return "Data[" + bytes.length + " bytes]"; }
    }

    /** An object's size in bytes, modification time (ms since the epoch, set by the primary) and version. */
    record Stat(long size, long mtimeMillis, Eversion version) implements OpOutput {
        public Stat { Objects.requireNonNull(version, "version"); }
        public int kind() { return 2; }
        public void encodeFields(Encoder out) { out.putLong(size).putLong(mtimeMillis); version.encode(out); }
    }

    /** Entries in key order (xattrs, omap); {@code more}: a listing stopped at its limit. */
    record KeyValues(SortedMap<String, byte[]> entries, boolean more) implements OpOutput {
        public KeyValues { entries = new TreeMap<>(entries); }
        public int kind() { return 3; }
        public void encodeFields(Encoder out) {
            out.putMap(entries, Encoder::putString, Encoder::putBytes).putBoolean(more);
        }
        @Override public boolean equals(Object o) {
            return o instanceof KeyValues k && k.more == more && sameEntries(k.entries, entries);
        }
        @Override public int hashCode() { return entries.keySet().hashCode(); }
    }

    static void encode(Encoder out, OpOutput output) {
        out.putByte(output.kind());
        output.encodeFields(out);
    }

    static OpOutput decode(Decoder in) {
        int kind = in.getByte();
        return switch (kind) {
            case 0 -> None.INSTANCE;
            case 1 -> new Data(in.getBytes());
            case 2 -> new Stat(in.getLong(), in.getLong(), Eversion.decode(in));
            case 3 -> new KeyValues(new TreeMap<>(in.getMap(Decoder::getString, Decoder::getBytes)), in.getBoolean());
            default -> throw new DecodeException("unknown sub-op output kind " + kind);
        };
    }

    /** Map equality comparing byte[] values by content. */
    static boolean sameEntries(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Iterator<Map.Entry<String, byte[]>> it = b.entrySet().iterator();
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            Map.Entry<String, byte[]> f = it.next();
            if (!e.getKey().equals(f.getKey()) || !Arrays.equals(e.getValue(), f.getValue())) {
                return false;
            }
        }
        return true;
    }
}
