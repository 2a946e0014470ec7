package io.loligo.rgw.http;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-operation counters (requests, errors, bytes sent, total latency) for the manager to collect
 * later: cheap striped adders, no allocation per request once an op has been seen.
 */
public final class OpStats {
    private final ConcurrentHashMap<String, Counters> ops = new ConcurrentHashMap<>();

    /** One operation's counters. */
    public static final class Counters {
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder latencyNanos = new LongAdder();

        public long count() {
            return count.sum();
        }

        public long errors() {
            return errors.sum();
        }

        public long bytesOut() {
            return bytesOut.sum();
        }

        public long latencyNanos() {
            return latencyNanos.sum();
        }
    }

    void record(String op, int status, long bytes, long nanos) {
        Counters c = ops.computeIfAbsent(op, k -> new Counters());
        c.count.increment();
        if (status >= 400) {
            c.errors.increment();
        }
        c.bytesOut.add(bytes);
        c.latencyNanos.add(nanos);
    }

    public Map<String, Counters> snapshot() {
        return new TreeMap<>(ops);
    }
}
