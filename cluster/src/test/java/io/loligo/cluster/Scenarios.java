package io.loligo.cluster;

import io.loligo.client.Cluster;
import io.loligo.client.IoContext;
import io.loligo.client.RadosException;
import io.loligo.cluster.History.Op;
import io.loligo.cluster.History.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs one fault scenario against a {@link TestCluster}: a {@link Workload} on its own namespace
 * of pool {@value #POOL} (so scenarios sharing a cluster never see each other's keys), a warm-up
 * phase, the fault (which injects and then heals), the time until HEALTH_OK with every PG
 * active+clean, a phase of load on the healed cluster, then the final reads and the {@link
 * Checker}. Each run appends a row to {@code target/chaos-results.md} and fails with the seed, the
 * checker's findings and the daemons' logs when anything acknowledged was lost or wrong.
 */
final class Scenarios {
    static final String POOL = "chaos";
    static final int CLIENT_THREADS = 4;
    static final int OPS_PER_SECOND_PER_THREAD = 15;
    static final Duration OP_TIMEOUT = Duration.ofSeconds(15);
    static final Path RESULTS = Path.of("target", "chaos-results.md");

    record Row(String scenario, long seed, long issued, long acknowledged, long ackedLost, String verdict,
               double secondsToHealthOk, String notes) {
        String markdown() {
            return String.format("| %s | %d | %d | %d | %d | %s | %.1f | %s |", scenario, seed, issued, acknowledged, ackedLost,
                    verdict, secondsToHealthOk, notes);
        }
    }

    /** Injects a fault into a running scenario and heals it before returning. */
    interface Fault {
        void inject(Run run) throws Exception;
    }

    final TestCluster cluster;
    final Cluster client;
    final Duration phase;
    private final String replay;

    /**
     * {@code replay} says how to run the same sequence again (a scenario's seed alone does not: it is
     * derived from its suite's, and the scenarios before it shaped the cluster).
     */
    Scenarios(TestCluster cluster, Duration phase, String replay) throws Exception {
        this.cluster = cluster;
        this.phase = phase;
        this.replay = replay;
        this.client = cluster.client(OP_TIMEOUT);
        if (!client.listPools().contains(POOL)) {
            cluster.createPool(POOL, 8, 3, 2);
        }
    }

    /** One scenario's live state, handed to its fault. */
    final class Run {
        final String name;
        final long seed;
        final SplittableRandom random;
        final Workload workload;
        final IoContext io;
        final List<String> notes = new ArrayList<>();
        long healedAtNanos;

        Run(String name, long seed, IoContext io) {
            this.name = name;
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            this.io = io;
            this.workload = new Workload(io, CLIENT_THREADS, seed, OPS_PER_SECOND_PER_THREAD);
        }

        TestCluster cluster() {
            return cluster;
        }

        /** Keeps the load running for {@code d}: a chosen load duration, not a synchronisation point. */
        void hold(Duration d) throws InterruptedException {
            Thread.sleep(d.toMillis());
        }

        void hold() throws InterruptedException {
            hold(phase);
        }

        /** Marks the moment the fault was healed (time to HEALTH_OK counts from here). */
        void healed() {
            healedAtNanos = System.nanoTime();
        }

        void note(String format, Object... args) {
            notes.add(String.format(format, args));
        }

        /** History time now. */
        long now() {
            return workload.history.now();
        }

        /**
         * Waits until every key has an acknowledged operation invoked after {@code sinceNanos}
         * (history time): IO flows again on every PG the workload uses. Returns the seconds it took
         * from {@code sinceNanos}, or -1 on timeout.
         */
        double awaitAllKeysProgress(long sinceNanos, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Map<String, Long> firstOk = new LinkedHashMap<>();
                for (Op op : workload.history.ops()) {
                    if (op.invokeNanos() > sinceNanos && op.outcome() == Outcome.OK) {
                        firstOk.merge(op.key(), op.completeNanos(), Math::min);
                    }
                }
                if (firstOk.keySet().containsAll(Workload.keys())) {
                    long latest = firstOk.values().stream().mapToLong(Long::longValue).max().orElse(sinceNanos);
                    StringBuilder perKey = new StringBuilder();
                    firstOk.forEach((k, v) -> perKey.append(k).append('=').append(String.format("%.1f", (v - sinceNanos) / 1e9))
                            .append("s "));
                    System.out.println("[chaos] " + name + ": first acknowledged op per key after the fault: " + perKey);
                    return (latest - sinceNanos) / 1e9;
                }
                Thread.sleep(100);   // polling interval of a deadline-bounded wait
            }
            return -1;
        }

        /** Acknowledged writes among operations invoked after {@code sinceNanos}. */
        long writesAckedSince(long sinceNanos) {
            return workload.history.ops().stream()
                    .filter(o -> o.isWrite() && o.invokeNanos() > sinceNanos && o.outcome() == Outcome.OK).count();
        }
    }

    Row run(String name, long seed, Fault fault) throws Exception {
        System.out.println("[chaos] scenario " + name + " seed " + seed + " (replay: " + replay + ")");
        IoContext io = client.ioContext(POOL, name + "-" + Long.toHexString(seed));
        Run run = new Run(name, seed, io);
        double healthOk;
        try {
            run.workload.start();
            if (!run.workload.awaitProgress(-1, Duration.ofSeconds(60).toNanos())) {
                throw new AssertionError("no operation succeeded within 60 s before the fault");
            }
            run.hold(phase.dividedBy(2));
            fault.inject(run);
            if (run.healedAtNanos == 0) {
                run.healed();
            }
            cluster.awaitHealthOk(Duration.ofSeconds(240));
            healthOk = (System.nanoTime() - run.healedAtNanos) / 1e9;
            run.hold(phase.dividedBy(2));
        } catch (Throwable t) {
            run.workload.stop();
            String logs = cluster.logs(40);
            try {
                cluster.restore();   // leave a whole cluster to the next scenario
            } catch (Exception | AssertionError e) {
                t.addSuppressed(e);
            }
            throw new AssertionError("scenario " + name + " seed " + seed + ": " + t + "\n" + logs, t);
        }
        History history = run.workload.stop();
        Map<String, String> finals = finalReads(io);
        Checker.Report report = Checker.check(history, finals);
        Row row = new Row(name, seed, report.issued(), report.acknowledged(), report.ackedLost(), report.verdict(), healthOk,
                String.join("; ", run.notes));
        record(row);
        System.out.println("[chaos] " + row.markdown());
        if (!report.ok()) {
            throw new AssertionError("scenario " + name + " seed " + seed + " (replay: " + replay + "): " + report
                    + "\n" + cluster.logs(40));
        }
        return row;
    }

    /** Reads every key once the cluster is healthy, retrying transient errors within a deadline. */
    private static Map<String, String> finalReads(IoContext io) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (String key : Workload.keys()) {
            while (true) {
                try {
                    out.put(key, Workload.readValue(io, key));
                    break;
                } catch (RadosException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("final read of " + key + " kept failing: " + e, e);
                    }
                    Thread.sleep(200);   // retry interval within a deadline
                }
            }
        }
        return out;
    }

    private static synchronized void record(Row row) throws IOException {
        Files.createDirectories(RESULTS.getParent());
        if (!Files.exists(RESULTS)) {
            Files.writeString(RESULTS, "| scenario | seed | ops issued | acknowledged | acknowledged lost | checker verdict"
                    + " | s to HEALTH_OK | notes |\n|---|---|---|---|---|---|---|---|\n");
        }
        Files.writeString(RESULTS, row.markdown() + "\n", StandardOpenOption.APPEND);
    }
}
