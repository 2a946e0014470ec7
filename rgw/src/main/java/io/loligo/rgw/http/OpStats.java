package io.loligo.rgw.http;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-operation counters (requests, errors, bytes received and sent, latency: total and a
 * histogram) for the manager to collect: cheap striped adders, no allocation per request once an
 * op has been seen. {@link #prometheus()} renders them in Prometheus' text format (served by the
 * gateway at {@code GET /metrics}).
 */
public final class OpStats {
    /** Histogram bucket bounds, seconds (Prometheus "le"); the last bucket is +Inf. */
    static final double[] LATENCY_BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private final ConcurrentHashMap<String, Counters> ops = new ConcurrentHashMap<>();

    /** One operation's counters. */
    public static final class Counters {
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder bytesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder latencyNanos = new LongAdder();
        final LongAdder[] buckets = new LongAdder[LATENCY_BOUNDS.length];

        Counters() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        public long count() {
            return count.sum();
        }

        public long errors() {
            return errors.sum();
        }

        public long bytesIn() {
            return bytesIn.sum();
        }

        public long bytesOut() {
            return bytesOut.sum();
        }

        public long latencyNanos() {
            return latencyNanos.sum();
        }
    }

    void record(String op, int status, long in, long out, long nanos) {
        Counters c = ops.computeIfAbsent(op, k -> new Counters());
        c.count.increment();
        if (status >= 400) {
            c.errors.increment();
        }
        c.bytesIn.add(in);
        c.bytesOut.add(out);
        c.latencyNanos.add(nanos);
        double s = nanos / 1e9;
        for (int i = 0; i < LATENCY_BOUNDS.length; i++) {
            if (s <= LATENCY_BOUNDS[i]) {
                c.buckets[i].increment();   // non-cumulative here; summed when rendered
                break;
            }
        }
    }

    public Map<String, Counters> snapshot() {
        return new TreeMap<>(ops);
    }

    /** The counters in Prometheus' text exposition format (version 0.0.4). */
    public String prometheus() {
        StringBuilder b = new StringBuilder();
        Map<String, Counters> snap = snapshot();
        family(b, "loligo_rgw_requests_total", "counter", "Requests answered, by operation.", snap, Counters::count);
        family(b, "loligo_rgw_errors_total", "counter", "Requests answered with a status >= 400, by operation.", snap, Counters::errors);
        family(b, "loligo_rgw_received_bytes_total", "counter", "Request body bytes received, by operation.", snap, Counters::bytesIn);
        family(b, "loligo_rgw_sent_bytes_total", "counter", "Response body bytes sent, by operation.", snap, Counters::bytesOut);
        b.append("# HELP loligo_rgw_request_seconds Request latency, by operation.\n# TYPE loligo_rgw_request_seconds histogram\n");
        for (Map.Entry<String, Counters> e : snap.entrySet()) {
            Counters c = e.getValue();
            long cumulative = 0;
            for (int i = 0; i < LATENCY_BOUNDS.length; i++) {
                cumulative += c.buckets[i].sum();
                b.append("loligo_rgw_request_seconds_bucket{op=\"").append(e.getKey()).append("\",le=\"")
                        .append(String.format(Locale.ROOT, "%s", LATENCY_BOUNDS[i])).append("\"} ").append(cumulative).append('\n');
            }
            long count = c.count();
            b.append("loligo_rgw_request_seconds_bucket{op=\"").append(e.getKey()).append("\",le=\"+Inf\"} ").append(count).append('\n');
            b.append("loligo_rgw_request_seconds_sum{op=\"").append(e.getKey()).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.6f", c.latencyNanos() / 1e9)).append('\n');
            b.append("loligo_rgw_request_seconds_count{op=\"").append(e.getKey()).append("\"} ").append(count).append('\n');
        }
        return b.toString();
    }

    private static void family(StringBuilder b, String name, String type, String help, Map<String, Counters> snap,
                               java.util.function.ToLongFunction<Counters> value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (Map.Entry<String, Counters> e : snap.entrySet()) {
            b.append(name).append("{op=\"").append(e.getKey()).append("\"} ").append(value.applyAsLong(e.getValue())).append('\n');
        }
    }
}
