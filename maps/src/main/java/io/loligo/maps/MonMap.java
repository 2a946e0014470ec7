package io.loligo.maps;

import io.loligo.common.Invariants;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import io.loligo.maps.codec.MapWriter;
import java.util.ArrayList;
import java.util.List;

/*
 * MonMap encoding (see MapWriter for primitives):
 *   struct v1 compat 1 { string fsid; i64 epoch; i32 n; n x struct v1 { string name; string addr; string raftAddr } }
 * Monitors are kept sorted by name; a monitor's rank is its index.
 */
/** The monitors of a cluster: fsid, epoch, and each monitor's name, client address and Raft address. */
public record MonMap(String fsid, long epoch, List<Mon> mons) {
    /** One monitor: name ({@code a}), client-facing address and Raft peer address ({@code host:port}). */
    public record Mon(String name, String addr, String raftAddr) {}

    public MonMap {
        Invariants.check(epoch >= 1, "monmap epoch %d < 1", epoch);
        mons = mons.stream().sorted((x, y) -> x.name().compareTo(y.name())).toList();
    }

    public int rank(String name) {
        for (int i = 0; i < mons.size(); i++) {
            if (mons.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    public Mon mon(String name) {
        int r = rank(name);
        return r < 0 ? null : mons.get(r);
    }

    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Mon m : mons) {
            out.add(m.name());
        }
        return out;
    }

    public void encode(MapWriter w) {
        w.startStruct(1, 1).string(fsid).i64(epoch).i32(mons.size());
        for (Mon m : mons) {
            w.startStruct(1, 1).string(m.name()).string(m.addr()).string(m.raftAddr()).endStruct();
        }
        w.endStruct();
    }

    public static MonMap decode(MapReader r) throws MapDecodeException {
        r.startStruct("monmap", 1);
        String fsid = r.string();
        long epoch = r.i64();
        if (epoch < 1) {
            throw new MapDecodeException("monmap epoch " + epoch + " < 1");
        }
        int n = r.count("monmap mons");
        List<Mon> mons = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            r.startStruct("monmap mon", 1);
            mons.add(new Mon(r.string(), r.string(), r.string()));
            r.endStruct();
        }
        r.endStruct();
        return new MonMap(fsid, epoch, mons);
    }
}
