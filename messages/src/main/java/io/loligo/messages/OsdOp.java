package io.loligo.messages;

import io.loligo.msg.DecodeException;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One sub-operation of an {@link MOSDOp} (Ceph's OSDOp / CEPH_OSD_OP_*). The sub-ops of one
 * MOSDOp run in order against one object and are applied atomically: all writes become one PG
 * log entry and one store transaction, or, when any sub-op fails, nothing is applied and the reply
 * carries that sub-op's code. Guards ({@link CmpXattr}, {@link AssertVersion}) fail the whole op.
 * Reads see the object as it was before the op's writes (Loligo does not mix reads after writes in
 * one op; the OSD rejects an op whose read follows a write with EINVAL).
 *
 * <p>Wire: u16 opcode, then a struct (version 1) holding the sub-op's fields; unknown opcodes are
 * a decode error. Opcodes are stable: never renumber, only append.
 */
public sealed interface OsdOp {
    /** Stable opcode of this sub-op on the wire. */
    int opcode();

    /** True when the sub-op changes the object (needs write caps, goes through replication). */
    boolean isWrite();

    /** Writes the fields (inside the struct). */
    void encodeFields(Encoder out);

    // ---- data ----

    /** Creates the object; {@code exclusive}: fail with EEXIST when it already exists. */
    record Create(boolean exclusive) implements OsdOp {
        public static final int OPCODE = 1;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putBoolean(exclusive); }
    }

    /** Writes {@code data} at {@code offset}, extending the object (creating it) as needed. */
    record Write(long offset, byte[] data) implements OsdOp {
        public static final int OPCODE = 2;
        public Write { Objects.requireNonNull(data, "data"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putLong(offset).putBytes(data); }
        @Override public boolean equals(Object o) { return o instanceof Write w && w.offset == offset && Arrays.equals(w.data, data); }
        @Override public int hashCode() { return Long.hashCode(offset) * 31 + Arrays.hashCode(data); }
        @Override public String toString() { return "Write[" + offset + "+" + data.length + "]"; }
    }

    /** Replaces the whole content with {@code data} (size becomes data.length); creates the object. */
    record WriteFull(byte[] data) implements OsdOp {
        public static final int OPCODE = 3;
        public WriteFull { Objects.requireNonNull(data, "data"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putBytes(data); }
        @Override public boolean equals(Object o) { return o instanceof WriteFull w && Arrays.equals(w.data, data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "WriteFull[" + data.length + "]"; }
    }

    /** Appends {@code data} at the current end of the object; creates the object. */
    record Append(byte[] data) implements OsdOp {
        public static final int OPCODE = 4;
        public Append { Objects.requireNonNull(data, "data"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putBytes(data); }
        @Override public boolean equals(Object o) { return o instanceof Append w && Arrays.equals(w.data, data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "Append[" + data.length + "]"; }
    }

    /** Sets the size to {@code size} (shrinking drops data, growing reads as zeros); creates the object. */
    record Truncate(long size) implements OsdOp {
        public static final int OPCODE = 5;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putLong(size); }
    }

    /** Zeroes {@code length} bytes at {@code offset} without changing the size past its end; ENOENT when absent. */
    record Zero(long offset, long length) implements OsdOp {
        public static final int OPCODE = 6;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putLong(offset).putLong(length); }
    }

    /** Deletes the object with its xattrs and omap; ENOENT when it does not exist. */
    record Remove() implements OsdOp {
        public static final int OPCODE = 7;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) {}
    }

    /** Reads {@code length} bytes at {@code offset} ({@code length} 0: to the end); output {@link OpOutput.Data}. */
    record Read(long offset, long length) implements OsdOp {
        public static final int OPCODE = 8;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) { out.putLong(offset).putLong(length); }
    }

    /** Size, mtime and version; output {@link OpOutput.Stat}; ENOENT when absent. */
    record Stat() implements OsdOp {
        public static final int OPCODE = 9;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) {}
    }

    // ---- xattrs ----

    /** One xattr's value; output {@link OpOutput.Data}; ENODATA when the object has no such xattr. */
    record GetXattr(String name) implements OsdOp {
        public static final int OPCODE = 20;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) { out.putString(name); }
    }

    /** Sets one xattr; creates the object. */
    record SetXattr(String name, byte[] value) implements OsdOp {
        public static final int OPCODE = 21;
        public SetXattr { Objects.requireNonNull(value, "value"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putString(name).putBytes(value); }
        @Override public boolean equals(Object o) { return o instanceof SetXattr s && s.name.equals(name) && Arrays.equals(s.value, value); }
        @Override public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(value); }
    }

    /** Removes one xattr; ENODATA when absent. */
    record RmXattr(String name) implements OsdOp {
        public static final int OPCODE = 22;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putString(name); }
    }

    /** All xattrs; output {@link OpOutput.KeyValues} (more = false). */
    record GetXattrs() implements OsdOp {
        public static final int OPCODE = 23;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) {}
    }

    /** Comparison of {@link CmpXattr}; bytes compare lexicographically unsigned (Ceph's CEPH_OSD_CMPXATTR_MODE_STRING). */
    enum CmpOp { EQ, NE, GT, GTE, LT, LTE }

    /**
     * Guard: the xattr {@code name} compared with {@code value} by {@code op} must hold, else the
     * op fails with ECANCELED and nothing is applied. A missing xattr compares as empty bytes.
     */
    record CmpXattr(String name, CmpOp op, byte[] value) implements OsdOp {
        public static final int OPCODE = 24;
        public CmpXattr { Objects.requireNonNull(op, "op"); Objects.requireNonNull(value, "value"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) { out.putString(name).putByte(op.ordinal()).putBytes(value); }
        @Override public boolean equals(Object o) {
            return o instanceof CmpXattr c && c.name.equals(name) && c.op == op && Arrays.equals(c.value, value);
        }
        @Override public int hashCode() { return name.hashCode() * 31 + op.hashCode() + Arrays.hashCode(value); }
    }

    /**
     * Guard: the object's version must equal {@code version}: ERANGE when the object is older
     * (lower), EOVERFLOW when newer, ENOENT when absent (unless version is {@link Eversion#ZERO}).
     */
    record AssertVersion(Eversion version) implements OsdOp {
        public static final int OPCODE = 25;
        public AssertVersion { Objects.requireNonNull(version, "version"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) { version.encode(out); }
    }

    // ---- omap ----

    /** Values of the given keys (missing keys are left out); output {@link OpOutput.KeyValues}. */
    record OmapGetValsByKeys(List<String> keys) implements OsdOp {
        public static final int OPCODE = 40;
        public OmapGetValsByKeys { keys = List.copyOf(keys); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) { out.putList(keys, Encoder::putString); }
    }

    /** Sets omap entries; creates the object. */
    record OmapSetVals(SortedMap<String, byte[]> entries) implements OsdOp {
        public static final int OPCODE = 41;
        public OmapSetVals { entries = new TreeMap<>(entries); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putMap(entries, Encoder::putString, Encoder::putBytes); }
        @Override public boolean equals(Object o) { return o instanceof OmapSetVals s && OpOutput.sameEntries(s.entries, entries); }
        @Override public int hashCode() { return entries.keySet().hashCode(); }
    }

    /** Removes omap keys (absent keys are ignored); ENOENT when the object does not exist. */
    record OmapRmKeys(List<String> keys) implements OsdOp {
        public static final int OPCODE = 42;
        public OmapRmKeys { keys = List.copyOf(keys); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putList(keys, Encoder::putString); }
    }

    /**
     * Lists omap entries in key order: keys strictly after {@code startAfter} ("" = from the
     * start) that begin with {@code prefix} ("" = all), at most {@code maxEntries}; output {@link
     * OpOutput.KeyValues} whose {@code more} says whether entries remain. {@code keysOnly}: values
     * come back empty.
     */
    record OmapList(String startAfter, String prefix, int maxEntries, boolean keysOnly) implements OsdOp {
        public static final int OPCODE = 43;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) {
            out.putString(startAfter).putString(prefix).putInt(maxEntries).putBoolean(keysOnly);
        }
    }

    /** The omap header; output {@link OpOutput.Data} (empty when none). */
    record OmapGetHeader() implements OsdOp {
        public static final int OPCODE = 44;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return false; }
        public void encodeFields(Encoder out) {}
    }

    /** Sets the omap header; creates the object. */
    record OmapSetHeader(byte[] header) implements OsdOp {
        public static final int OPCODE = 45;
        public OmapSetHeader { Objects.requireNonNull(header, "header"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) { out.putBytes(header); }
        @Override public boolean equals(Object o) { return o instanceof OmapSetHeader h && Arrays.equals(h.header, header); }
        @Override public int hashCode() { return Arrays.hashCode(header); }
    }

    /** Removes all omap entries and the header; ENOENT when the object does not exist. */
    record OmapClear() implements OsdOp {
        public static final int OPCODE = 46;
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return true; }
        public void encodeFields(Encoder out) {}
    }

    // ---- object classes ----

    /**
     * Calls method {@code method} of object class {@code className} on the object with {@code
     * input}; output {@link OpOutput.Data}. {@code write}: the method may modify the object (needs
     * write caps and goes through replication); the client declares it, the OSD checks the class
     * agrees. EOPNOTSUPP when the class or method is unknown.
     */
    record Call(String className, String method, byte[] input, boolean write) implements OsdOp {
        public static final int OPCODE = 60;
        public Call { Objects.requireNonNull(input, "input"); }
        public int opcode() { return OPCODE; }
        public boolean isWrite() { return write; }
        public void encodeFields(Encoder out) { out.putString(className).putString(method).putBytes(input).putBoolean(write); }
        @Override public boolean equals(Object o) {
            return o instanceof Call c && c.className.equals(className) && c.method.equals(method)
                    && Arrays.equals(c.input, input) && c.write == write;
        }
        @Override public int hashCode() { return className.hashCode() * 31 + method.hashCode(); }
    }

    // ---- codec ----

    static void encode(Encoder out, OsdOp op) {
        out.putShort(op.opcode());
        out.startStruct(1, 1);
        op.encodeFields(out);
        out.endStruct();
    }

    static OsdOp decode(Decoder in) {
        int opcode = in.getUnsignedShort();
        in.startStruct(1);
        OsdOp op = decodeFields(opcode, in);
        in.endStruct();
        return op;
    }

    private static OsdOp decodeFields(int opcode, Decoder in) {
        return switch (opcode) {
            case Create.OPCODE -> new Create(in.getBoolean());
            case Write.OPCODE -> new Write(in.getLong(), in.getBytes());
            case WriteFull.OPCODE -> new WriteFull(in.getBytes());
            case Append.OPCODE -> new Append(in.getBytes());
            case Truncate.OPCODE -> new Truncate(in.getLong());
            case Zero.OPCODE -> new Zero(in.getLong(), in.getLong());
            case Remove.OPCODE -> new Remove();
            case Read.OPCODE -> new Read(in.getLong(), in.getLong());
            case Stat.OPCODE -> new Stat();
            case GetXattr.OPCODE -> new GetXattr(in.getString());
            case SetXattr.OPCODE -> new SetXattr(in.getString(), in.getBytes());
            case RmXattr.OPCODE -> new RmXattr(in.getString());
            case GetXattrs.OPCODE -> new GetXattrs();
            case CmpXattr.OPCODE -> new CmpXattr(in.getString(), cmpOp(in.getByte()), in.getBytes());
            case AssertVersion.OPCODE -> new AssertVersion(Eversion.decode(in));
            case OmapGetValsByKeys.OPCODE -> new OmapGetValsByKeys(in.getList(Decoder::getString));
            case OmapSetVals.OPCODE -> new OmapSetVals(new TreeMap<>(in.getMap(Decoder::getString, Decoder::getBytes)));
            case OmapRmKeys.OPCODE -> new OmapRmKeys(in.getList(Decoder::getString));
            case OmapList.OPCODE -> new OmapList(in.getString(), in.getString(), in.getInt(), in.getBoolean());
            case OmapGetHeader.OPCODE -> new OmapGetHeader();
            case OmapSetHeader.OPCODE -> new OmapSetHeader(in.getBytes());
            case OmapClear.OPCODE -> new OmapClear();
            case Call.OPCODE -> new Call(in.getString(), in.getString(), in.getBytes(), in.getBoolean());
            default -> throw new DecodeException("unknown OSD sub-op opcode " + opcode);
        };
    }

    private static CmpOp cmpOp(int ordinal) {
        if (ordinal < 0 || ordinal >= CmpOp.values().length) {
            throw new DecodeException("cmpxattr comparison " + ordinal + " outside 0.." + (CmpOp.values().length - 1));
        }
        return CmpOp.values()[ordinal];
    }
}
