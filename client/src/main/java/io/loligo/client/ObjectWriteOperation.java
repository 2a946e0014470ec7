package io.loligo.client;

import io.loligo.messages.Eversion;
import io.loligo.messages.OsdOp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A compound write on one object (librados' ObjectWriteOperation): guards first, then changes, all
 * sent as one MOSDOp and applied atomically by the primary: if a guard fails (ECANCELED for
 * {@link #cmpXattr}, ERANGE/EOVERFLOW for {@link #assertVersion}, EEXIST for an exclusive create)
 * nothing is applied. Reusable: {@link IoContext#operate} does not consume it.
 */
public final class ObjectWriteOperation {
    final List<OsdOp> ops = new ArrayList<>();

    public ObjectWriteOperation create(boolean exclusive) {
        ops.add(new OsdOp.Create(exclusive));
        return this;
    }

    public ObjectWriteOperation write(long offset, byte[] data) {
        ops.add(new OsdOp.Write(offset, data));
        return this;
    }

    public ObjectWriteOperation writeFull(byte[] data) {
        ops.add(new OsdOp.WriteFull(data));
        return this;
    }

    public ObjectWriteOperation append(byte[] data) {
        ops.add(new OsdOp.Append(data));
        return this;
    }

    public ObjectWriteOperation truncate(long size) {
        ops.add(new OsdOp.Truncate(size));
        return this;
    }

    public ObjectWriteOperation zero(long offset, long length) {
        ops.add(new OsdOp.Zero(offset, length));
        return this;
    }

    public ObjectWriteOperation remove() {
        ops.add(new OsdOp.Remove());
        return this;
    }

    public ObjectWriteOperation setXattr(String name, byte[] value) {
        ops.add(new OsdOp.SetXattr(name, value));
        return this;
    }

    public ObjectWriteOperation rmXattr(String name) {
        ops.add(new OsdOp.RmXattr(name));
        return this;
    }

    /** Guard: xattr {@code name} compared with {@code value} must hold (a missing xattr is empty bytes). */
    public ObjectWriteOperation cmpXattr(String name, OsdOp.CmpOp op, byte[] value) {
        ops.add(new OsdOp.CmpXattr(name, op, value));
        return this;
    }

    /** Guard: the object's version must be exactly {@code version} (as {@link ObjectStat#version()} reported it). */
    public ObjectWriteOperation assertVersion(Eversion version) {
        ops.add(new OsdOp.AssertVersion(version));
        return this;
    }

    public ObjectWriteOperation omapSet(Map<String, byte[]> entries) {
        ops.add(new OsdOp.OmapSetVals(new TreeMap<>(entries)));
        return this;
    }

    public ObjectWriteOperation omapRmKeys(Collection<String> keys) {
        ops.add(new OsdOp.OmapRmKeys(List.copyOf(keys)));
        return this;
    }

    public ObjectWriteOperation omapSetHeader(byte[] header) {
        ops.add(new OsdOp.OmapSetHeader(header));
        return this;
    }

    public ObjectWriteOperation omapClear() {
        ops.add(new OsdOp.OmapClear());
        return this;
    }

    public ObjectWriteOperation exec(String className, String method, byte[] input) {
        ops.add(new OsdOp.Call(className, method, input, true));
        return this;
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }
}
