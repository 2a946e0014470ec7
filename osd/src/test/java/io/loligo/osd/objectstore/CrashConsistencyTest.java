package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crash consistency with real processes: a child JVM ({@link CrashChild}) commits random
 * transactions to a store and is killed with SIGKILL at a random moment, or halts itself at an
 * armed fault point on the commit, deferred-apply or replay path. The parent then reopens the store
 * and checks that its whole state equals the model after exactly some prefix of the transactions,
 * a prefix that contains every transaction the child reported as committed (so no acknowledged
 * transaction is lost and no unacknowledged one is partly visible), and that fsck is clean. The
 * next round's child continues from that prefix on the same store, so replay follows replay.
 * Seeded: replay with LOLIGO_SEED; LOLIGO_CRASH_ROUNDS sets the number of random-kill rounds.
 * Two more configurations give the store small commit logs (the default one never fills up within
 * a round): in a 512 KiB log the records fill it (a checkpoint, then the log wraps) one to four
 * times a round; in a 64 KiB log a batch whose record would take more than a quarter of it goes through
 * RocksDB's synced WAL instead, after a checkpoint (the oversized-batch fallback). The test
 * requires each to happen many times.
 * This kills processes, not power: the page cache survives, so it proves ordering and atomicity of
 * the commit protocol, not that each fsync reached the platter.
 */
class CrashConsistencyTest {
    static final StoreOptions OPTIONS = StoreOptions.small(64L << 20);
    static final int WINDOW = 8;
    static final int TXNS_PER_ROUND = 300;
    /** The store's default: two memtables' worth; 300 transactions per round do not wrap it. */
    static final long LOG_BYTES_DEFAULT = CommitLog.sizeFor(OPTIONS);
    /** 64 KiB: a batch whose record is over 16 KiB (a few small writes) falls back to the WAL, often. */
    static final long LOG_BYTES_TINY = 64 << 10;
    /** 512 KiB: fallbacks are rare, and the log fills up (a checkpoint, then it wraps) 1-4 times a round. */
    static final long LOG_BYTES_SMALL = 512 << 10;
    static final List<String> FAULT_POINTS = List.of(
            "objectstore.commit.before_data_write",
            "objectstore.commit.after_data_write",
            "objectstore.commit.after_data_sync",
            "objectstore.commit.before_log_write",
            "objectstore.commit.after_log_write",
            "objectstore.commit.before_kv_commit",
            "objectstore.commit.after_kv_commit",
            "objectstore.deferred.after_data_write",
            "objectstore.deferred.after_data_sync",
            "objectstore.deferred.after_deletes_queued",
            "objectstore.log.after_checkpoint",
            "objectstore.replay.after_log_apply",
            "objectstore.replay.after_data_write");

    @TempDir
    Path dir;

    static List<Long> seeds() {
        return TestStores.seeds(7);
    }

    static List<Long> smallLogSeeds() {
        return TestStores.seeds(11);
    }

    static List<Long> tinyLogSeeds() {
        return TestStores.seeds(13);
    }

    /** What a child did: the next transaction after the last acknowledged one, its lines, exit code, log work. */
    private record Outcome(int reported, List<String> lines, int exitCode, long wraps, long oversized) {}

    @ParameterizedTest
    @MethodSource("seeds")
    void everyAcknowledgedTransactionSurvivesAndNoPartialOneIsVisible(long seed) throws Exception {
        crashRounds(seed, LOG_BYTES_DEFAULT);
    }

    @ParameterizedTest
    @MethodSource("smallLogSeeds")
    void aCommitLogThatWrapsManyTimesLosesNothing(long seed) throws Exception {
        long[] logWork = crashRounds(seed, LOG_BYTES_SMALL);
        assertThat(logWork[0]).as("seed %d: records that found the log full (wraps) over all rounds", seed).isGreaterThan(10);
    }

    @ParameterizedTest
    @MethodSource("tinyLogSeeds")
    void batchesTooLargeForTheLogGoThroughTheWalAndLoseNothing(long seed) throws Exception {
        long[] logWork = crashRounds(seed, LOG_BYTES_TINY);
        assertThat(logWork[1]).as("seed %d: batches too large for the log, written through the WAL", seed).isGreaterThan(20);
    }

    /** Runs the crash rounds on a store whose commit log has {@code logBytes}; returns {log wraps, oversized batches}. */
    private long[] crashRounds(long seed, long logBytes) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int randomKills = Integer.parseInt(System.getenv().getOrDefault("LOLIGO_CRASH_ROUNDS", "4"));
        List<String> rounds = new ArrayList<>(FAULT_POINTS);
        for (int i = 0; i < randomKills; i++) {
            rounds.add(random.nextInt(rounds.size() + 1), null);
        }
        TxnGenerator gen = new TxnGenerator(seed, true);
        ModelStore genModel = new ModelStore();
        ModelStore checkpoint = new ModelStore();
        List<Transaction> txns = new ArrayList<>();
        int applied = 0;
        int halts = 0;
        long wraps = 0;
        long oversized = 0;
        for (String faultPoint : rounds) {
            int end = applied + TXNS_PER_ROUND;
            while (txns.size() < end) {
                Transaction t = txns.isEmpty() ? TxnGenerator.setup() : gen.next(genModel);
                genModel.apply(t);
                txns.add(t);
            }
            String fault = faultPoint == null ? null : faultPoint + ":halt:" + (1 + random.nextInt(12));
            int killAfter = faultPoint == null ? 1 + random.nextInt(TXNS_PER_ROUND) : Integer.MAX_VALUE;
            Outcome out = runChild(seed, applied, end, fault, killAfter, logBytes);
            String what = String.format("seed %d log %d round fault=%s killAfter=%d start=%d exit=%d reported=%d"
                    + " wraps=%d oversized=%d", seed, logBytes, fault, killAfter, applied, out.exitCode(),
                    out.reported(), out.wraps(), out.oversized());
            int recovered = verify(txns, applied, checkpoint.copy(), out, what);
            while (applied < recovered) {
                checkpoint.apply(txns.get(applied++));
            }
            halts += out.exitCode() == Faults.HALT_EXIT_CODE ? 1 : 0;
            wraps += out.wraps();
            oversized += out.oversized();
            System.out.println(what + " -> recovered to " + applied);
        }
        assertThat(halts).as("seed %d: rounds that died at an armed fault point", seed).isGreaterThan(FAULT_POINTS.size() / 2);
        assertThat(applied).as("seed %d: transactions made durable over all rounds", seed).isGreaterThan(TXNS_PER_ROUND);
        return new long[] {wraps, oversized};
    }

    /**
     * Walks the model from {@code start} (where {@code model} is) and returns the prefix length the
     * recovered store equals; checks on the way that each outcome the child printed is the model's.
     */
    private int verify(List<Transaction> txns, int start, ModelStore model, Outcome out, String what) throws Exception {
        int low = Math.max(start, out.reported());
        int high = Math.min(txns.size(), low + WINDOW);
        java.util.Map<Integer, String> printed = new java.util.HashMap<>();
        for (String line : out.lines()) {
            String[] f = line.split(" ");
            printed.put(Integer.parseInt(f[1]), f[2].equals("ok") ? "ok" : f[3]);
        }
        try (BlockObjectStore store = BlockObjectStore.open(dir, OPTIONS)) {
            List<String> actual = StateDump.of(store);
            int lostTo = -1;
            for (int k = start; k <= high; k++) {
                if (k >= low && actual.equals(StateDump.of(model))) {
                    assertThat(Fsck.run(store).errors()).as("%s: fsck after recovery to %d", what, k).isEmpty();
                    return k;
                }
                if (k < low && lostTo < 0 && actual.equals(StateDump.of(model))) {
                    lostTo = k;
                }
                if (k == high) {
                    break;
                }
                StoreException e = model.apply(txns.get(k));
                String expected = e == null ? "ok" : e.getClass().getSimpleName();
                if (printed.containsKey(k)) {
                    assertThat(printed.get(k)).as("%s: outcome of txn %d", what, k).isEqualTo(expected);
                }
            }
            throw new AssertionError(String.format("%s: the recovered state matches no prefix of [%d, %d] transactions"
                    + " (it matches the acknowledged-work-lost prefix %d)", what, low, high, lostTo));
        }
    }

    private Outcome runChild(long seed, int start, int end, String fault, int killAfter, long logBytes) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx512m",
                "-cp", System.getProperty("java.class.path")));
        if (fault != null) {
            cmd.add("-Dloligo.faults=" + fault);
        }
        cmd.addAll(List.of(CrashChild.class.getName(), dir.toString(), Long.toString(seed), Integer.toString(start),
                Integer.toString(end), Integer.toString(WINDOW), Long.toString(logBytes)));
        Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("EOF " + e);
            }
            lines.add("EOF");
        });
        List<String> commits = new ArrayList<>();
        long wraps = 0;
        long oversized = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("child made no progress within 120 s; last lines " + tail(commits));
                }
                if (line.startsWith("EOF")) {
                    break;
                }
                if (line.startsWith("S ")) {
                    String[] f = line.split(" ");
                    wraps = Math.max(wraps, Long.parseLong(f[1]));
                    oversized = Math.max(oversized, Long.parseLong(f[2]));
                }
                if (line.startsWith("C ")) {
                    commits.add(line);
                    if (commits.size() >= killAfter) {
                        child.destroyForcibly();
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        int reported = commits.isEmpty() ? start : Integer.parseInt(commits.getLast().split(" ")[1]) + 1;
        return new Outcome(reported, commits, child.exitValue(), wraps, oversized);
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 3), lines.size());
    }
}
