package io.loligo.cluster;

import io.loligo.cluster.History.Kind;
import io.loligo.cluster.History.Op;
import io.loligo.cluster.History.Outcome;
import io.loligo.cluster.Linearizability.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a workload's history against what the cluster holds after it settled:
 * <ol>
 *   <li>durability: every acknowledged write is there, with its content. A log's final content
 *   holds every acknowledged record; a register's final value comes from a write that no
 *   acknowledged write strictly followed (if one did, that later write was lost);</li>
 *   <li>no phantom or torn reads: every value read (and the final one) was written by some
 *   invoked write, whole, and a log holds each record at most once;</li>
 *   <li>linearizability of each key's history with the final read appended ({@link Linearizability}).</li>
 * </ol>
 */
final class Checker {
    private Checker() {}

    record Report(long issued, long acknowledged, long ackedLost, long phantomReads, String verdict, List<String> problems) {
        boolean ok() {
            return ackedLost == 0 && phantomReads == 0 && problems.isEmpty();
        }

        @Override
        public String toString() {
            return "issued=" + issued + " acknowledged=" + acknowledged + " ackedLost=" + ackedLost + " phantomReads="
                    + phantomReads + " verdict=" + verdict + (problems.isEmpty() ? "" : " problems=" + problems);
        }
    }

    /** {@code finalValues}: each key read after the cluster settled (null = absent). */
    static Report check(History history, Map<String, String> finalValues) {
        List<Op> ops = history.ops();
        long issued = ops.size();
        long acked = ops.stream().filter(o -> o.outcome() == Outcome.OK).count();
        List<String> problems = new ArrayList<>();
        long lost = 0;
        long phantom = 0;
        boolean inconclusive = false;
        Map<String, List<Op>> byKey = history.byKey();
        long end = history.now();
        for (Op op : ops) {   // the final read follows every completed operation
            end = Math.max(end, op.completeNanos() == Long.MAX_VALUE ? op.invokeNanos() : op.completeNanos());
        }
        end++;
        for (String key : finalValues.keySet()) {
            List<Op> keyOps = new ArrayList<>(byKey.getOrDefault(key, List.of()));
            String last = finalValues.get(key);
            boolean log = Workload.isLog(key);
            lost += log ? lostRecords(key, keyOps, last, problems) : lostRegisterWrites(key, keyOps, last, problems);
            phantom += phantoms(key, keyOps, last, log, problems);
            keyOps.add(new Op(Integer.MAX_VALUE, -1, key, Kind.READ, last, end, end + 1, Outcome.OK, "final read"));
            Linearizability.Result r = Linearizability.check(keyOps, log);
            if (r.verdict() == Verdict.NOT_LINEARIZABLE) {
                problems.add(key + ": not linearizable: " + r.detail());
            } else if (r.verdict() == Verdict.INCONCLUSIVE) {
                inconclusive = true;
            }
        }
        String verdict = problems.isEmpty() ? inconclusive ? "inconclusive (search bound)" : "linearizable" : "FAIL";
        return new Report(issued, acked, lost, phantom, verdict, problems);
    }

    private static long lostRecords(String key, List<Op> ops, String last, List<String> problems) {
        List<String> tokens = last == null ? List.of() : Values.decodeAppends(last);
        Set<String> present = new HashSet<>();
        if (tokens != null) {
            tokens.forEach(t -> present.add(t + ";"));
        }
        long lost = 0;
        for (Op op : ops) {
            if (op.kind() == Kind.APPEND && op.outcome() == Outcome.OK && !present.contains(op.value())) {
                lost++;
                problems.add(key + ": acknowledged append lost: " + op);
            }
        }
        return lost;
    }

    private static long lostRegisterWrites(String key, List<Op> ops, String last, List<String> problems) {
        Op writer = null;
        for (Op op : ops) {
            if (op.kind() == Kind.WRITE && op.value().equals(last)) {
                writer = op;
            }
        }
        long lost = 0;
        for (Op op : ops) {
            if (op.kind() != Kind.WRITE || op.outcome() != Outcome.OK) {
                continue;
            }
            boolean overwrittenOrCurrent = writer != null
                    && (op == writer || writer.completeNanos() == Long.MAX_VALUE || op.invokeNanos() <= writer.completeNanos());
            if (!overwrittenOrCurrent) {
                lost++;
                problems.add(key + ": acknowledged write lost (final value " + last + "): " + op);
            }
        }
        return lost;
    }

    private static long phantoms(String key, List<Op> ops, String last, boolean log, List<String> problems) {
        Set<String> written = new HashSet<>();
        Map<String, Op> failed = new HashMap<>();
        for (Op op : ops) {
            if (op.isWrite()) {
                if (op.outcome() == Outcome.FAIL) {
                    failed.put(op.value(), op);
                } else {
                    written.add(op.value());
                }
            }
        }
        long bad = 0;
        List<String> seen = new ArrayList<>();
        ops.stream().filter(o -> o.kind() == Kind.READ && o.outcome() == Outcome.OK).forEach(o -> seen.add(o.value()));
        seen.add(last);
        for (String v : seen) {
            if (v == null || v.isEmpty() && !log) {
                continue;
            }
            String problem = log ? logProblem(v, written, failed) : written.contains(v) ? null
                    : Values.TORN.equals(v) ? "torn or foreign register content" : "value never written: " + v;
            if (problem != null) {
                bad++;
                problems.add(key + ": " + problem);
            }
        }
        return bad;
    }

    private static String logProblem(String content, Set<String> written, Map<String, Op> failed) {
        List<String> tokens = Values.decodeAppends(content);
        if (tokens == null) {
            return "log content is not a sequence of whole records: " + abbreviate(content);
        }
        Set<String> once = new HashSet<>();
        for (String t : tokens) {
            String record = t + ";";
            if (!once.add(record)) {
                return "record " + t + " appears twice (applied twice?)";
            }
            if (failed.containsKey(record)) {
                return "record of a refused append present: " + failed.get(record);
            }
            if (!written.contains(record)) {
                return "record never appended: " + t;
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
