package io.loligo.rgw.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.loligo.client.IoContext;
import io.loligo.client.ObjectReadOperation;
import io.loligo.client.RadosException;
import io.loligo.client.ReadResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection of replaced and deleted data. Queue: omap of {@code .rgw.meta} ns {@code gc}
 * objects {@code gc.0} .. {@code gc.7}; key = 16 hex digits of the due time (ms since the epoch) +
 * "_" + 16 random hex digits (so keys sort by due time), value = JSON list of {@link ObjectEntry.Segment}.
 * An entry is due {@code minWait} after it was queued, so a GET that read the old head just
 * before an overwrite can still finish. Any gateway may process any entry: removing data twice is harmless.
 */
public final class Gc {
    public static final int SHARDS = 8;
    private static final int BATCH = 100;
    private static final Logger log = LoggerFactory.getLogger(Gc.class);
    private static final TypeReference<List<ObjectEntry.Segment>> SEGMENTS = new TypeReference<>() {};
    private final IoContext queue;
    private final DataIo data;
    private final Duration minWait;

    public Gc(IoContext queue, DataIo data, Duration minWait) {
        this.queue = queue;
        this.data = data;
        this.minWait = minWait;
    }

    /** Queues {@code segments} for removal after {@code minWait}. */
    public void enqueue(List<ObjectEntry.Segment> all) {
        List<ObjectEntry.Segment> segments = all.stream().filter(s -> !s.prefix().equals(ObjectStore.INLINE)).toList();
        if (segments.isEmpty()) {
            return;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String key = String.format("%016x_%016x", System.currentTimeMillis() + minWait.toMillis(), r.nextLong());
        queue.omapSet("gc." + r.nextInt(SHARDS), Map.of(key, RgwPools.toJson(segments)));
    }

    /** Removes the data of every due entry; returns how many entries were processed. */
    public int processDue() {
        int done = 0;
        String now = String.format("%016x", System.currentTimeMillis());
        for (int shard = 0; shard < SHARDS; shard++) {
            String oid = "gc." + shard;
            SortedMap<String, byte[]> entries;
            try {
                ObjectReadOperation op = new ObjectReadOperation();
                int i = op.omapList("", "", BATCH, false);
                ReadResult r = queue.operate(oid, op);
                entries = r.entries(i);
            } catch (RadosException.ObjectNotFound e) {
                continue;
            }
            List<String> processed = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                if (e.getKey().substring(0, 16).compareTo(now) > 0) {
                    break;
                }
                try {
                    for (ObjectEntry.Segment s : RgwPools.JSON.readValue(e.getValue(), SEGMENTS)) {
                        data.remove(s);
                    }
                } catch (IOException bad) {
                    log.warn("rgw gc: dropping unreadable queue entry {}/{}: {}", oid, e.getKey(), bad.getMessage());
                }
                processed.add(e.getKey());
            }
            if (!processed.isEmpty()) {
                queue.omapRmKeys(oid, processed);
                done += processed.size();
            }
        }
        return done;
    }

    /** Entries waiting (due or not), for tests and status. */
    public int pending() {
        int n = 0;
        for (int shard = 0; shard < SHARDS; shard++) {
            try {
                n += queue.omapList("gc." + shard, true).size();
            } catch (RadosException.ObjectNotFound e) {
                // an empty shard
            }
        }
        return n;
    }
}
