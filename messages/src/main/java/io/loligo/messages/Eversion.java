package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;

/**
 * A version in a PG's history (Ceph's eversion_t): the map epoch in which the primary ordered
 * the write, and a counter that increases by one for each write to the PG. Ordered by epoch, then
 * version. An object's version is the eversion of the last write to it; {@link #ZERO} means
 * "never written".
 *
 * <p>Wire: long epoch, long version.
 */
public record Eversion(long epoch, long version) implements Comparable<Eversion> {
    public static final Eversion ZERO = new Eversion(0, 0);

    public void encode(Encoder out) {
        out.putLong(epoch).putLong(version);
    }

    public static Eversion decode(Decoder in) {
        return new Eversion(in.getLong(), in.getLong());
    }

    @Override
    public int compareTo(Eversion o) {
        int c = Long.compare(epoch, o.epoch);
        return c != 0 ? c : Long.compare(version, o.version);
    }

    public boolean isNewerThan(Eversion o) {
        return compareTo(o) > 0;
    }

    @Override
    public String toString() {
        return epoch + "'" + version;
    }
}
