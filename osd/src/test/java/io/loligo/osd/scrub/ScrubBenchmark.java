package io.loligo.osd.scrub;

import io.loligo.maps.OsdMap;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.MOSDScrub;
import io.loligo.messages.MOSDScrubReply;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.osd.OsdCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run by hand (no timing assertions): what deep scrubbing costs client IO. 1 monitor + 3 OSD
 * processes, pool p (size 3, 8 PGs) holding {@code OBJECTS} objects of 1 MiB; {@code CLIENTS}
 * writers overwrite small objects with 4 KiB for {@code SECONDS} without scrubs (the baseline),
 * then for as long again while every PG is deep-scrubbed over and over with the default throttles
 * (osd_max_scrubs 1, osd_scrub_sleep 0.05 s, chunks of 25 objects or 8 MiB). Prints both, their
 * ratio, and the bytes deep-scrubbed per second meanwhile.
 * <pre>mvn -pl osd -am test -Dtest=ScrubBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
public class ScrubBenchmark {
    static final int CLIENTS = Integer.getInteger("clients", 8);
    static final int SECONDS = Integer.getInteger("seconds", 10);
    static final int OBJECTS = Integer.getInteger("objects", 96);

    record Figures(double opsPerSecond, double p50Ms, double p99Ms) {
        @Override
        public String toString() {
            return String.format("%.0f ops/s, p50 %.1f ms, p99 %.1f ms", opsPerSecond, p50Ms, p99Ms);
        }
    }

    @org.junit.jupiter.api.Test
    void measure() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of("osd_block_file_bytes", String.valueOf(512 << 20)))) {
            MonConnection admin = cluster.startWithPool(3);
            try (ScrubTestClient client = new ScrubTestClient(cluster, "client.admin")) {
                byte[] big = new byte[1 << 20];
                new java.util.SplittableRandom(1).nextBytes(big);
                for (int i = 0; i < OBJECTS; i++) {
                    ok(client.op("p", "big-" + i, new OsdOp.WriteFull(big)));
                }
                OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(60));
                run(client, 2);   // warm-up
                Figures baseline = run(client, SECONDS);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong scrubs = new AtomicLong();
                Thread scrubber = Thread.ofPlatform().start(() -> scrubForever(client, admin.osdMap(), stop, scrubs));
                long t0 = System.nanoTime();
                Figures during;
                try {
                    during = run(client, SECONDS);
                } finally {
                    stop.set(true);
                    scrubber.join();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.println("baseline (no scrub):        " + baseline);
                System.out.println("during deep scrubs:         " + during);
                System.out.printf("ratio ops/s %.2f, p99 %.2f; %d PG deep scrubs finished, ~%.0f MiB/s scrubbed per replica%n",
                        during.opsPerSecond() / baseline.opsPerSecond(), during.p99Ms() / baseline.p99Ms(), scrubs.get(),
                        scrubs.get() * (OBJECTS / 8.0) / seconds);
            }
        }
    }

    /** Deep-scrubs every PG of pool p in turn until stopped; counts the finished ones. */
    private static void scrubForever(ScrubTestClient client, OsdMap map, AtomicBoolean stop, AtomicLong done) {
        Pool pool = map.poolByName("p");
        try {
            for (int seed = 0; !stop.get(); seed = (seed + 1) % pool.pgNum()) {
                PgId pg = new PgId(pool.id(), seed);
                long before = client.scrub(pg, MOSDScrub.LIST).lastDeepScrubMillis();
                client.scrub(pg, MOSDScrub.DEEP_SCRUB);
                while (!stop.get()) {
                    MOSDScrubReply r = client.scrub(pg, MOSDScrub.LIST);
                    if (!r.busy() && r.lastDeepScrubMillis() > before) {
                        done.incrementAndGet();
                        break;
                    }
                    Thread.sleep(20);   // polling the PG's scrub stamp
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void ok(MOSDOpReply r) {
        if (r.result() != OsdResult.OK) {
            throw new AssertionError(r.toString());
        }
    }

    private static Figures run(ScrubTestClient client, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        byte[] data = new byte[4096];
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                fs.add(workers.submit(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        long t0 = System.nanoTime();
                        ok(client.op("p", "small-" + id + "-" + (i % 32), new OsdOp.WriteFull(data)));
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
        return new Figures(sorted.size() / (double) seconds, sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) (sorted.size() * 0.99)) / 1e6);
    }
}
