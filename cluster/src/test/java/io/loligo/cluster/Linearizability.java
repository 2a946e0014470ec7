package io.loligo.cluster;

import io.loligo.cluster.History.Kind;
import io.loligo.cluster.History.Op;
import io.loligo.cluster.History.Outcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Per-object linearizability, by the Wing-Gong-Lowe search (Lowe, "Testing for linearizability",
 * 2017; as in Knossos and Porcupine): walk the history's call and return events in time order;
 * at a call, try to linearize that operation now (the model must accept it) and remember the
 * (linearized set, state) pair so no configuration is explored twice; at a return whose operation
 * is not yet linearized, backtrack. An operation whose outcome is unknown returns at infinity, so
 * it may take effect at any point after its call or (being last) never visibly. Failed operations
 * did not happen and are left out, as are reads that returned nothing.
 *
 * <p>Models: a register (WRITE sets the value, READ must see it; initial value absent = null) and an
 * append log (APPEND concatenates a record, READ must see the whole content; initial "").
 */
final class Linearizability {
    private Linearizability() {}

    enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, INCONCLUSIVE }

    record Result(Verdict verdict, String detail) { }

    /** The search gives up (INCONCLUSIVE) after visiting this many configurations. */
    static final int CONFIGURATIONS_MAX = 2_000_000;

    private static final String ABSENT = "\u0000absent";
    private static final String SEALED = "\u0000sealed";

    /** Checks the operations on one key; {@code append} chooses the append-log model. */
    static Result check(List<Op> history, boolean append) {
        List<Op> ops = new ArrayList<>();
        for (Op op : history) {
            if (op.outcome() == Outcome.FAIL || op.kind() == Kind.READ && op.outcome() != Outcome.OK) {
                continue;
            }
            ops.add(op);
        }
        Observed observed = null;
        if (append) {
            observed = Observed.of(ops);
            if (observed.conflict != null) {
                return new Result(Verdict.NOT_LINEARIZABLE, observed.conflict);
            }
        }
        Entry head = buildEntries(ops);
        String state = append ? "" : ABSENT;
        BitSet linearized = new BitSet(ops.size());
        Set<Config> cache = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        Entry entry = head.next;
        long visited = 0;
        int deepest = 0;
        while (head.next != null) {
            if (++visited > CONFIGURATIONS_MAX) {
                return new Result(Verdict.INCONCLUSIVE, "gave up after " + CONFIGURATIONS_MAX + " configurations");
            }
            if (entry.call) {
                String next = step(state, entry.op, observed);
                if (next != null) {
                    BitSet after = (BitSet) linearized.clone();
                    after.set(entry.index);
                    if (cache.add(new Config(after, next))) {
                        stack.push(new Frame(entry, state));
                        state = next;
                        linearized = after;
                        deepest = Math.max(deepest, stack.size());
                        entry.lift();
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (stack.isEmpty()) {
                    return new Result(Verdict.NOT_LINEARIZABLE, "no order explains the history; at most " + deepest + " of "
                            + ops.size() + " operations could be ordered; stuck at " + entry.op);
                }
                Frame f = stack.pop();
                state = f.state;
                linearized = (BitSet) linearized.clone();
                linearized.clear(f.entry.index);
                f.entry.unlift();
                entry = f.entry.next;
            }
        }
        return new Result(Verdict.LINEARIZABLE, ops.size() + " operations");
    }

    /**
     * The model's transition, or null when the operation cannot happen in {@code state}. The
     * append model is pruned by what the reads observed ({@link Observed}): an observed record may
     * only extend the state along the longest read; a record no read saw can only take effect once
     * that whole read's content is in place, after which no read may follow: it seals the state
     * (one mark however many such records, which collapses their orders into one configuration).
     */
    private static String step(String state, Op op, Observed observed) {
        return switch (op.kind()) {
            case WRITE -> op.value();
            case APPEND -> {
                if (!observed.records.contains(op.value())) {
                    String sealed = observed.longest + SEALED;
                    yield state.equals(observed.longest) || state.equals(sealed) ? sealed : null;
                }
                String next = state + op.value();
                yield observed.longest.startsWith(next) ? next : null;
            }
            case READ -> {
                String seen = op.value() == null ? (observed != null ? "" : ABSENT) : op.value();
                yield seen.equals(state) ? state : null;
            }
        };
    }

    /**
     * For the append model: the longest content any read returned and the records in it. Every read
     * of an append log must be a prefix of the longest one, or no order explains them.
     */
    private record Observed(String longest, Set<String> records, String conflict) {
        static Observed of(List<Op> ops) {
            String longest = "";
            for (Op op : ops) {
                if (op.kind() == Kind.READ && op.value() != null && op.value().length() > longest.length()) {
                    longest = op.value();
                }
            }
            for (Op op : ops) {
                if (op.kind() == Kind.READ && op.value() != null && !longest.startsWith(op.value())) {
                    return new Observed(longest, Set.of(), "read " + op + " is not a prefix of the longest read's content");
                }
            }
            Set<String> records = new HashSet<>();
            if (!longest.isEmpty() && !longest.endsWith(";")) {
                return new Observed(longest, Set.of(), "the longest read is not a sequence of records: " + longest);
            }
            for (String t : longest.isEmpty() ? new String[0] : longest.substring(0, longest.length() - 1).split(";", -1)) {
                if (!records.add(t + ";")) {
                    return new Observed(longest, Set.of(), "record " + t + " appears twice in " + longest);
                }
            }
            return new Observed(longest, records, null);
        }
    }

    private record Config(BitSet linearized, String state) { }

    private record Frame(Entry entry, String state) { }

    /** A call or return event in a doubly linked list; a call's {@code match} is its return. */
    private static final class Entry {
        final boolean call;
        final Op op;
        final int index;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(boolean call, Op op, int index, long time) {
            this.call = call;
            this.op = op;
            this.index = index;
            this.time = time;
        }

        /** Removes this call and its return from the list. */
        void lift() {
            prev.next = next;
            if (next != null) {
                next.prev = prev;
            }
            match.prev.next = match.next;
            if (match.next != null) {
                match.next.prev = match.prev;
            }
        }

        /** Puts them back (in reverse order of lift). */
        void unlift() {
            match.prev.next = match;
            if (match.next != null) {
                match.next.prev = match;
            }
            prev.next = this;
            if (next != null) {
                next.prev = this;
            }
        }
    }

    private static Entry buildEntries(List<Op> ops) {
        List<Entry> events = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            Entry call = new Entry(true, op, i, op.invokeNanos());
            Entry ret = new Entry(false, op, i, op.completeNanos());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        // Time order; at equal times calls first (the operations overlap: the permissive reading).
        events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
        Entry head = new Entry(true, null, -1, Long.MIN_VALUE);
        Entry prev = head;
        for (Entry e : events) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }
        Objects.requireNonNull(head);
        return head;
    }
}
