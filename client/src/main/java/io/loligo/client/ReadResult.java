package io.loligo.client;

import io.loligo.messages.Eversion;
import io.loligo.messages.OpOutput;
import io.loligo.messages.SubOpResult;
import java.util.List;
import java.util.SortedMap;

/** The outputs of an {@link ObjectReadOperation}, by the index each method returned; and the object's version. */
public record ReadResult(List<SubOpResult> results, Eversion version) {
    private OpOutput output(int i) {
        if (i < 0 || i >= results.size()) {
            throw new IndexOutOfBoundsException("read result " + i + " of " + results.size());
        }
        return results.get(i).output();
    }

    public byte[] data(int i) {
        return output(i) instanceof OpOutput.Data d ? d.bytes() : new byte[0];
    }

    public ObjectStat stat(int i) {
        if (output(i) instanceof OpOutput.Stat s) {
            return new ObjectStat(s.size(), s.mtimeMillis(), s.version());
        }
        throw new IllegalArgumentException("read result " + i + " is not a stat");
    }

    public SortedMap<String, byte[]> entries(int i) {
        if (output(i) instanceof OpOutput.KeyValues kv) {
            return kv.entries();
        }
        throw new IllegalArgumentException("read result " + i + " is not a key-value listing");
    }

    /** True when the listing at {@code i} stopped at its limit. */
    public boolean more(int i) {
        return output(i) instanceof OpOutput.KeyValues kv && kv.more();
    }
}
