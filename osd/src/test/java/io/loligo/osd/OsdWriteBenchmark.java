package io.loligo.osd;

import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.maps.monc.MonConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Run by hand (not a unit test: no timing assertions anywhere): 1 monitor + 3 OSD processes on
 * loopback, pools of size 3 and size 1 (the baseline: no replication), {@code CLIENTS} concurrent
 * writers overwriting 64 objects each with 4 KiB for {@code SECONDS} each; prints ops/s and latency percentiles.
 * <pre>mvn -pl osd test -Dtest=OsdWriteBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
public class OsdWriteBenchmark {
    static final int CLIENTS = Integer.getInteger("clients", 16);
    static final int SECONDS = Integer.getInteger("seconds", 10);

    @org.junit.jupiter.api.Test
    void measure() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of())) {
            MonConnection admin = cluster.startWithPool(3);
            OsdCluster.command(admin, Duration.ofSeconds(30), "osd pool create", "pool", "one", "pg_num", 8, "size", 1,
                    "min_size", 1);
            OsdCluster.awaitMap(admin, "pool one", Duration.ofSeconds(30), m -> m.poolByName("one") != null);
            OsdCluster.awaitPgStates(admin, "active+clean", 16, Duration.ofSeconds(60));
            try (TestClient client = new TestClient(cluster, "client.admin")) {
                run(client, "one", 2);   // warm-up
                System.out.println("size 1: " + run(client, "one", SECONDS));
                System.out.println("size 3: " + run(client, "p", SECONDS));
            }
        }
    }

    private static String run(TestClient client, String pool, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        byte[] data = new byte[4096];
        try (ExecutorService pool2 = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                fs.add(pool2.submit(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        long t0 = System.nanoTime();
                        MOSDOpReply r = client.op(pool, "bench-" + id + "-" + (i % 64), new OsdOp.WriteFull(data));
                        if (r.result() != OsdResult.OK) {
                            throw new AssertionError(r.toString());
                        }
                        latencies.add(System.nanoTime() - t0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double ops = sorted.size() / (double) seconds;
        return String.format("%d clients, 4 KiB write_full: %.0f ops/s, latency p50 %.1f ms p99 %.1f ms",
                CLIENTS, ops, sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
    }
}
