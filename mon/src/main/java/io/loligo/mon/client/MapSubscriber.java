package io.loligo.mon.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.monc.MonReply;
import java.io.IOException;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * Follows the OSD map: asks the monitors for everything after the epoch it holds ("osd getmap"
 * since E, waiting up to 1.5 s for a change), applies the incrementals it receives in order (or takes
 * the full map when it fell too far behind) and hands each new map to a listener. One call of
 * {@link #pollOnce()} is one round trip; {@link #run()} loops until interrupted or closed.
 */
public final class MapSubscriber implements Runnable {
    private final MonClient client;
    private final Consumer<OsdMap> listener;
    private volatile OsdMap map;
    private volatile boolean stopped;
    private long incrementalsReceived;
    private long fullMapsReceived;

    public MapSubscriber(MonClient client, Consumer<OsdMap> listener) {
        this.client = client;
        this.listener = listener;
    }

    public OsdMap map() {
        return map;
    }

    public long epoch() {
        OsdMap m = map;
        return m == null ? 0 : m.epoch();
    }

    public synchronized long incrementalsReceived() {
        return incrementalsReceived;
    }

    public synchronized long fullMapsReceived() {
        return fullMapsReceived;
    }

    public void stop() {
        stopped = true;
    }

    /** One subscription round trip; returns the epoch held afterwards. */
    public long pollOnce() throws IOException {
        MonReply r = client.command(MonClient.cmd("osd getmap", "since", epoch(), "wait_ms", 1500));
        if (!r.ok()) {
            return epoch();
        }
        try {
            apply(r.data());
        } catch (MapDecodeException | IllegalStateException e) {
            map = null;   // start over from a full map rather than hold an inconsistent one
            throw new IOException("bad map from monitors: " + e.getMessage(), e);
        }
        return epoch();
    }

    private synchronized void apply(JsonNode data) throws MapDecodeException {
        OsdMap m = map;
        if (data.has("full")) {
            m = OsdMap.decode(Base64.getDecoder().decode(data.path("full").asText()));
            fullMapsReceived++;
        } else {
            for (JsonNode inc : data.path("incrementals")) {
                OsdMap.Incremental i = OsdMap.Incremental.decode(Base64.getDecoder().decode(inc.asText()));
                if (m == null || i.epoch <= m.epoch()) {
                    continue;
                }
                m = m.apply(i);
                incrementalsReceived++;
            }
        }
        if (m != null && (map == null || m.epoch() > map.epoch())) {
            map = m;
            listener.accept(m);
        }
    }

    @Override
    public void run() {
        while (!stopped && !Thread.currentThread().isInterrupted()) {
            try {
                pollOnce();
            } catch (IOException e) {
                if (stopped) {
                    return;
                }
            }
        }
    }
}
