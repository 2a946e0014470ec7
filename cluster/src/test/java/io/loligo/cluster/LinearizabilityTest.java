package io.loligo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.cluster.History.Kind;
import io.loligo.cluster.History.Op;
import io.loligo.cluster.History.Outcome;
import io.loligo.cluster.Linearizability.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The checker itself, on known-good and known-bad histories (times in ms), including the unknown
 * outcome that may or may not have happened, and on seeded random histories generated from a real
 * sequential execution (which must always pass) and then corrupted (which must fail).
 */
class LinearizabilityTest {
    private final List<Op> ops = new ArrayList<>();

    private void op(int process, Kind kind, String value, long invoke, long complete, Outcome outcome) {
        ops.add(new Op(ops.size(), process, "k", kind, value, invoke * 1_000_000, outcome == Outcome.UNKNOWN
                ? Long.MAX_VALUE : complete * 1_000_000, outcome, null));
    }

    private Verdict register() {
        return Linearizability.check(ops, false).verdict();
    }

    private Verdict appendLog() {
        return Linearizability.check(ops, true).verdict();
    }

    @Test
    void sequentialRegisterIsLinearizable() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(0, Kind.READ, "a", 2, 3, Outcome.OK);
        op(1, Kind.WRITE, "b", 4, 5, Outcome.OK);
        op(0, Kind.READ, "b", 6, 7, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void staleReadAfterACompletedWriteIsNot() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(1, Kind.WRITE, "b", 2, 3, Outcome.OK);
        op(0, Kind.READ, "a", 4, 5, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void concurrentReadMaySeeEitherValue() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(1, Kind.WRITE, "b", 2, 10, Outcome.OK);
        op(0, Kind.READ, "a", 3, 4, Outcome.OK);
        op(0, Kind.READ, "b", 5, 6, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void readsMustNotFlipBackDuringAWrite() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(1, Kind.WRITE, "b", 2, 10, Outcome.OK);
        op(0, Kind.READ, "b", 3, 4, Outcome.OK);
        op(0, Kind.READ, "a", 5, 6, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void readOfANeverWrittenValueIsNot() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(0, Kind.READ, "z", 2, 3, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void unknownWriteMayHaveHappenedLater() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(1, Kind.WRITE, "b", 2, 0, Outcome.UNKNOWN);
        op(0, Kind.READ, "a", 20, 21, Outcome.OK);
        op(0, Kind.READ, "b", 30, 31, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void unknownWriteMayNeverHaveHappened() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(1, Kind.WRITE, "b", 2, 0, Outcome.UNKNOWN);
        op(0, Kind.READ, "a", 20, 21, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void unknownWriteCannotTakeEffectBeforeItsCall() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(0, Kind.READ, "b", 2, 3, Outcome.OK);
        op(1, Kind.WRITE, "b", 5, 0, Outcome.UNKNOWN);
        assertThat(register()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void failedWriteDidNotHappen() {
        op(0, Kind.WRITE, "a", 0, 1, Outcome.OK);
        op(1, Kind.WRITE, "b", 2, 3, Outcome.FAIL);
        op(0, Kind.READ, "b", 4, 5, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void initialAbsentValue() {
        op(0, Kind.READ, null, 0, 1, Outcome.OK);
        op(0, Kind.WRITE, "a", 2, 3, Outcome.OK);
        op(1, Kind.READ, null, 4, 5, Outcome.OK);
        assertThat(register()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void appendsInAnyConcurrentOrderButReadsAgree() {
        op(0, Kind.APPEND, "x;", 0, 10, Outcome.OK);
        op(1, Kind.APPEND, "y;", 0, 10, Outcome.OK);
        op(2, Kind.READ, "y;x;", 11, 12, Outcome.OK);
        assertThat(appendLog()).isEqualTo(Verdict.LINEARIZABLE);
        op(2, Kind.READ, "x;y;", 13, 14, Outcome.OK);
        assertThat(appendLog()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void lostAcknowledgedAppendIsNot() {
        op(0, Kind.APPEND, "x;", 0, 1, Outcome.OK);
        op(0, Kind.APPEND, "y;", 2, 3, Outcome.OK);
        op(1, Kind.READ, "x;", 4, 5, Outcome.OK);
        assertThat(appendLog()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void unknownAppendAppearsOrNot() {
        op(0, Kind.APPEND, "x;", 0, 1, Outcome.OK);
        op(1, Kind.APPEND, "y;", 2, 0, Outcome.UNKNOWN);
        op(0, Kind.READ, "x;", 4, 5, Outcome.OK);
        op(0, Kind.READ, "x;y;", 6, 7, Outcome.OK);
        assertThat(appendLog()).isEqualTo(Verdict.LINEARIZABLE);
        op(0, Kind.READ, "x;", 8, 9, Outcome.OK);   // once seen, it cannot vanish
        assertThat(appendLog()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    /**
     * Random concurrent histories produced by a real atomic register (each op takes effect at a
     * random instant inside its interval) are linearizable; changing one read to a value no write
     * produced makes them not.
     */
    @Test
    void randomHistoriesFromARealRegister() {
        long seed = Seeds.current();
        System.out.println("LinearizabilityTest seed " + seed + " (replay: LOLIGO_SEED=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            ops.clear();
            boolean append = random.nextBoolean();
            List<long[]> effects = new ArrayList<>();   // {effectTime, opIndex}
            int processes = 2 + random.nextInt(4);
            long[] free = new long[processes];
            for (int i = 0; i < 30; i++) {
                int p = random.nextInt(processes);
                long invoke = free[p] + random.nextInt(5);
                long complete = invoke + 1 + random.nextInt(20);
                free[p] = complete + 1;
                Kind kind = random.nextInt(3) == 0 ? Kind.READ : append ? Kind.APPEND : Kind.WRITE;
                String value = kind == Kind.READ ? null : append ? "v" + i + ";" : "v" + i;
                op(p, kind, value, invoke, complete, Outcome.OK);
                effects.add(new long[] {invoke * 2 + 1 + random.nextLong(Math.max(1, (complete - invoke) * 2 - 1)), i});
            }
            effects.sort((a, b) -> Long.compare(a[0], b[0]));
            String state = append ? "" : null;
            for (long[] e : effects) {
                Op o = ops.get((int) e[1]);
                if (o.kind() == Kind.READ) {
                    ops.set(o.id(), new Op(o.id(), o.process(), o.key(), o.kind(), state, o.invokeNanos(), o.completeNanos(),
                            o.outcome(), null));
                } else {
                    state = append ? state + o.value() : o.value();
                }
            }
            assertThat(Linearizability.check(ops, append).verdict()).as("seed %d round %d: %s", seed, round, ops)
                    .isEqualTo(Verdict.LINEARIZABLE);
            List<Op> reads = ops.stream().filter(o -> o.kind() == Kind.READ).toList();
            if (!reads.isEmpty()) {
                Op r = reads.get(random.nextInt(reads.size()));
                ops.set(r.id(), new Op(r.id(), r.process(), r.key(), r.kind(), append ? "zz;" : "zz", r.invokeNanos(),
                        r.completeNanos(), r.outcome(), null));
                assertThat(Linearizability.check(ops, append).verdict()).as("seed %d round %d corrupted: %s", seed, round, ops)
                        .isEqualTo(Verdict.NOT_LINEARIZABLE);
            }
        }
    }
}
