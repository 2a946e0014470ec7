package io.loligo.osd;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The OSD maps of recent epochs, for past intervals (Ceph's OSDs keep old maps on disk; ours
 * keep the maps they saw in memory and fetch missing epochs from the monitors, which rebuild any
 * of their last few hundred epochs: {@code osd getmap epoch=N}). Bounded: at most {@link
 * #MAPS_MAX} maps. Thread-safe; {@link #range} blocks on the monitors and must not run on a shard.
 */
final class OsdMapHistory {
    static final int MAPS_MAX = 1000;

    private final TreeMap<Long, OsdMap> maps = new TreeMap<>();
    private final Supplier<MonConnection> mon;

    OsdMapHistory(Supplier<MonConnection> mon) {
        this.mon = mon;
    }

    synchronized void add(OsdMap m) {
        maps.put(m.epoch(), m);
        while (maps.size() > MAPS_MAX) {
            maps.pollFirstEntry();
        }
    }

    /**
     * The maps of epochs {@code from..to}, oldest first, without gaps. Starts later than {@code
     * from} when the monitors no longer keep that epoch (the caller sees it in the first map).
     */
    List<OsdMap> range(long from, long to) throws IOException {
        List<OsdMap> have = cached(from, to);
        if (have != null) {
            return have;
        }
        var cmd = MonReply.json().createObjectNode().put("prefix", "osd getmap").put("epoch", from);
        MonReply r = mon.get().command(cmd);
        if (!r.ok()) {
            throw new IOException("osd getmap epoch=" + from + ": " + r.outs());
        }
        JsonNode d = r.data();
        try {
            OsdMap m = OsdMap.decode(Base64.getDecoder().decode(d.path("full").asText()));
            List<OsdMap> fetched = new ArrayList<>(List.of(m));
            for (JsonNode inc : d.path("incrementals")) {
                OsdMap.Incremental i = OsdMap.Incremental.decode(Base64.getDecoder().decode(inc.asText()));
                if (i.epoch > to) {
                    break;
                }
                m = m.apply(i);
                fetched.add(m);
            }
            synchronized (this) {
                for (OsdMap f : fetched) {
                    maps.putIfAbsent(f.epoch(), f);   // keep the instance we have: its placement is built
                }
            }
        } catch (MapDecodeException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException("osd getmap epoch=" + from + " returned a bad map: " + e.getMessage(), e);
        }
        long start = Math.max(from, d.path("epoch").asLong(from));
        List<OsdMap> out = cached(start, to);
        if (out == null) {
            throw new IOException("osd getmap epoch=" + from + " did not cover e" + start + "..e" + to);
        }
        return out;
    }

    private synchronized List<OsdMap> cached(long from, long to) {
        Map<Long, OsdMap> sub = maps.subMap(from, true, to, true);
        if (sub.size() != to - from + 1) {
            return null;
        }
        return new ArrayList<>(sub.values());
    }
}
