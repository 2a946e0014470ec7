package io.loligo.client;

import io.loligo.messages.Eversion;
import io.loligo.messages.OsdOp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A compound read on one object (librados' ObjectReadOperation): guards and reads in one MOSDOp,
 * all seeing the same state of the object. Each method returns the index of its result in the
 * {@link ReadResult}.
 */
public final class ObjectReadOperation {
    final List<OsdOp> ops = new ArrayList<>();

    private int add(OsdOp op) {
        ops.add(op);
        return ops.size() - 1;
    }

    /** {@code length} 0 reads to the end. */
    public int read(long offset, long length) {
        return add(new OsdOp.Read(offset, length));
    }

    public int stat() {
        return add(new OsdOp.Stat());
    }

    public int getXattr(String name) {
        return add(new OsdOp.GetXattr(name));
    }

    public int getXattrs() {
        return add(new OsdOp.GetXattrs());
    }

    public int cmpXattr(String name, OsdOp.CmpOp op, byte[] value) {
        return add(new OsdOp.CmpXattr(name, op, value));
    }

    public int assertVersion(Eversion version) {
        return add(new OsdOp.AssertVersion(version));
    }

    public int omapGetValsByKeys(Collection<String> keys) {
        return add(new OsdOp.OmapGetValsByKeys(List.copyOf(keys)));
    }

    /** Entries after {@code startAfter} ("" = first) with {@code prefix}, at most {@code max}. */
    public int omapList(String startAfter, String prefix, int max, boolean keysOnly) {
        return add(new OsdOp.OmapList(startAfter, prefix, max, keysOnly));
    }

    public int omapGetHeader() {
        return add(new OsdOp.OmapGetHeader());
    }

    public int exec(String className, String method, byte[] input) {
        return add(new OsdOp.Call(className, method, input, false));
    }
}
