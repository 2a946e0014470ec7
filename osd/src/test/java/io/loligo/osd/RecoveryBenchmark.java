package io.loligo.osd;

import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Run by hand (no timing assertions): issue 6's "recovery that clients barely notice", scaled to
 * this machine. 1 monitor + 4 OSD processes, a size-3 pool of 32 PGs filled with {@code -Dmib=}
 * MiB of 1 MiB objects; a steady paced client workload ({@code -Dclients=} workers, each one op
 * every {@code -DintervalMs=} ms: 9 in 10 are 4 KiB writes or reads, 1 in 10 a 1 MiB write);
 * baseline for {@code -Dseconds=}; then osd.3 is killed and marked out and the same workload runs
 * until every PG is active+clean again. Prints ops/s and p99 latency before and during recovery
 * (ratios from the same run) and the recovery time. Extra OSD options: {@code -Dosd.KEY=VALUE}.
 * <pre>mvn -pl osd -am test -Dtest=RecoveryBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dmib=512</pre>
 * At the scale (GiBs of 4 MiB objects, an open-loop mixed 4 KiB / 4 MiB client, the fill and
 * the measured phases run separately): {@code bench/recovery.sh}.
 */
public class RecoveryBenchmark {
    static final int MIB = Integer.getInteger("mib", 256);
    static final int CLIENTS = Integer.getInteger("clients", 8);
    static final int INTERVAL_MS = Integer.getInteger("intervalMs", 20);
    static final int SECONDS = Integer.getInteger("seconds", 20);

    record Window(int ops, List<Long> latencies, double seconds) {
        double opsPerSec() {
            return ops / seconds;
        }

        double p99Ms() {
            List<Long> s = new ArrayList<>(latencies);
            Collections.sort(s);
            return s.isEmpty() ? 0 : s.get(Math.min(s.size() - 1, (int) (s.size() * 0.99))) / 1e6;
        }

        double p50Ms() {
            List<Long> s = new ArrayList<>(latencies);
            Collections.sort(s);
            return s.isEmpty() ? 0 : s.get(s.size() / 2) / 1e6;
        }
    }

    @org.junit.jupiter.api.Test
    void measure() throws Exception {
        Map<String, String> opts = new java.util.HashMap<>(Map.of("osd_block_file_bytes", String.valueOf(2L * MIB << 20)));
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("osd.")) {
                opts.put(k.toString().substring(4), v.toString());
            }
        });
        try (OsdCluster cluster = new OsdCluster(4, Map.of(), opts)) {
            MonConnection admin = cluster.startWithPool(4);
            OsdCluster.command(admin, Duration.ofSeconds(30), "osd pool create", "pool", "bench", "pg_num", 32, "size", 3,
                    "min_size", 2);
            OsdCluster.awaitMap(admin, "pool bench", Duration.ofSeconds(30), m -> m.poolByName("bench") != null);
            OsdCluster.awaitPgStates(admin, "active+clean", 40, Duration.ofSeconds(120));
            try (TestClient client = new TestClient(cluster, "client.admin")) {
                long t0 = System.nanoTime();
                fill(client);
                System.out.printf("filled %d MiB in %.1f s%n", MIB, (System.nanoTime() - t0) / 1e9);
                Window base = workload(client, () -> false, SECONDS);
                cluster.kill("osd.3");
                long killed = System.nanoTime();
                OsdCluster.command(admin, Duration.ofSeconds(30), "osd down", "ids", 3);
                OsdCluster.command(admin, Duration.ofSeconds(30), "osd out", "ids", 3);
                AtomicBoolean clean = new AtomicBoolean();
                List<String> seenStates = Collections.synchronizedList(new ArrayList<>());
                Thread watcher = Thread.ofVirtual().start(() -> {
                    try {
                        OsdCluster.awaitMap(admin, "osd.3 out", Duration.ofSeconds(60), m -> !m.osd(3).in());
                        long notClean = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                        while (System.nanoTime() < notClean   // stale reports from before the kill say clean
                                && OsdCluster.pgStates(admin).equals(Map.of("active+clean", 40))) {
                            Thread.sleep(100);   // polling interval of a deadline-bounded wait
                        }
                        seenStates.add(OsdCluster.pgStates(admin).toString());
                        OsdCluster.awaitPgStates(admin, "active+clean", 40, Duration.ofMinutes(30));
                        clean.set(true);
                    } catch (Exception e) {
                        System.out.println("recovery did not finish: " + e);
                        clean.set(true);
                    }
                });
                Window during = workload(client, clean::get, 0);
                double recoverySeconds = (System.nanoTime() - killed) / 1e9;
                watcher.join();
                System.out.printf("RECOVERY %d MiB, 4 OSDs, %d clients x 1 op / %d ms (9/10 4 KiB, 1/10 1 MiB):%n", MIB,
                        CLIENTS, INTERVAL_MS);
                System.out.printf("  baseline: %.1f ops/s p50 %.1f ms p99 %.1f ms (%d s)%n", base.opsPerSec(), base.p50Ms(),
                        base.p99Ms(), SECONDS);
                System.out.printf("  recovery: %.1f ops/s p50 %.1f ms p99 %.1f ms, %.1f s from kill to active+clean%n",
                        during.opsPerSec(), during.p50Ms(), during.p99Ms(), recoverySeconds);
                System.out.println("  pg states during recovery: " + seenStates);
                System.out.printf("  ratio: throughput %.2fx, p99 %.2fx%n", during.opsPerSec() / base.opsPerSec(),
                        during.p99Ms() / base.p99Ms());
            }
        }
    }

    private static void fill(TestClient client) throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(1).nextBytes(data);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                fs.add(ex.submit(() -> {
                    for (int i = worker; i < MIB; i += 8) {
                        check(client.op("bench", "fill-" + i, new OsdOp.WriteFull(data)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }

    private static void check(MOSDOpReply r) {
        if (r.result() != OsdResult.OK) {
            throw new AssertionError(r.toString());
        }
    }

    /** Runs the paced workload until {@code stop} (or for {@code seconds} when positive). */
    private static Window workload(TestClient client, java.util.function.BooleanSupplier stop, int seconds)
            throws Exception {
        long start = System.nanoTime();
        long end = seconds > 0 ? start + seconds * 1_000_000_000L : Long.MAX_VALUE;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        byte[] small = new byte[4096];
        byte[] big = new byte[1 << 20];
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                fs.add(ex.submit(() -> {
                    long next = System.nanoTime();
                    for (int i = 0; System.nanoTime() < end && !stop.getAsBoolean(); i++) {
                        long t0 = System.nanoTime();
                        String name = "w-" + id + "-" + (i % 50);
                        MOSDOpReply r = i % 10 == 9 ? client.op("bench", "big-" + id + "-" + (i % 5), new OsdOp.WriteFull(big))
                                : i % 2 == 0 ? client.op("bench", name, new OsdOp.WriteFull(small))
                                : client.op("bench", "fill-" + ((id * 7919 + i) % MIB), new OsdOp.Read(0, 4096));
                        check(r);
                        latencies.add(System.nanoTime() - t0);
                        next += INTERVAL_MS * 1_000_000L;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));   // pacing of the fixed-rate workload
                        } else {
                            next = System.nanoTime();   // behind: no catch-up burst
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return new Window(latencies.size(), latencies, secs);
    }
}
