package io.loligo.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the clients did: every operation with its invocation and completion times (nanoseconds
 * from the workload's start) and its outcome. Keys are per-object registers ({@code WRITE},
 * {@code READ}), append logs ({@code APPEND}, {@code READ}) or single omap keys ({@code
 * oid#key}, a register). A write's {@code value} is the unique token it wrote; a read's is what it
 * returned (null: the object or key was absent; see {@link Values} for how tokens are encoded).
 */
final class History {
    enum Kind { WRITE, APPEND, READ }

    /**
     * OK: acknowledged. FAIL: definitely did not happen (refused before applying, e.g. ENOSPC) or
     * a read that returned nothing. UNKNOWN: a write whose outcome the client never learned (timeout,
     * lost connection): it may or may not have happened, and a checker must allow both.
     */
    enum Outcome { OK, FAIL, UNKNOWN }

    /** One operation; {@code completeNanos} is Long.MAX_VALUE while (or if never) completed. */
    record Op(int id, int process, String key, Kind kind, String value, long invokeNanos, long completeNanos,
              Outcome outcome, String error) {
        boolean isWrite() {
            return kind != Kind.READ;
        }

        @Override
        public String toString() {
            String v = value == null ? "nil" : value.length() > 40 ? value.substring(0, 40) + "..." : value;
            return "#" + id + " p" + process + " " + kind + " " + key + " " + v + " [" + invokeNanos / 1_000_000 + "ms, "
                    + (completeNanos == Long.MAX_VALUE ? "inf" : completeNanos / 1_000_000 + "ms") + "] " + outcome
                    + (error == null ? "" : " (" + error + ")");
        }
    }

    private final List<Op> ops = new ArrayList<>();
    final long startNanos = System.nanoTime();

    long now() {
        return System.nanoTime() - startNanos;
    }

    synchronized Op add(int process, String key, Kind kind, String value, long invokeNanos, long completeNanos,
                        Outcome outcome, String error) {
        Op op = new Op(ops.size(), process, key, kind, value, invokeNanos, outcome == Outcome.UNKNOWN ? Long.MAX_VALUE
                : completeNanos, outcome, error);
        ops.add(op);
        return op;
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    /** The operations on each key, in invocation order. */
    synchronized Map<String, List<Op>> byKey() {
        Map<String, List<Op>> out = new LinkedHashMap<>();
        ops.stream().sorted(java.util.Comparator.comparingLong(Op::invokeNanos))
                .forEach(op -> out.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op));
        return out;
    }

    synchronized long count(Kind kind, Outcome outcome) {
        return ops.stream().filter(o -> o.kind() == kind && o.outcome() == outcome).count();
    }
}
