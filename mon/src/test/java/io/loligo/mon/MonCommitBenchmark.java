package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.mon.client.MonClient;
import io.loligo.maps.monc.MonConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Map-change commits per second with 3 monitor processes on loopback. Each change is an
 * {@code osd blocklist add} of a fresh address: one command, one Raft entry fsynced on a majority,
 * one new OSD map epoch. Measured through the real client path (messenger, auth, forwarding to the
 * leader) at several concurrencies. Not a test: run it by hand.
 * <pre>java -cp TEST_CLASSPATH io.loligo.mon.MonCommitBenchmark [seconds-per-step]</pre>
 */
public final class MonCommitBenchmark {
    private MonCommitBenchmark() {}

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 8;
        try (MonCluster cluster = new MonCluster(3, Map.of())) {
            cluster.startAll();
            MonCluster.retry(cluster.client(), MonClient.cmd("osd stat"), Duration.ofSeconds(60));
            ClusterConf conf = ClusterConf.load(cluster.confPath);
            List<MonConnection> conns = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                conns.add(MonConnection.connect(conf, "client.admin"));
            }
            run(conns, 4, 2, "warm-up", false);
            for (int clients : new int[] {1, 4, 16, 64}) {
                run(conns, clients, seconds, "noop, " + clients + " clients", true);
                run(conns, clients, seconds, "map change, " + clients + " clients", false);
            }
            for (MonConnection c : conns) {
                c.close();
            }
        }
    }

    /**
     * One step: {@code clients} threads issuing changes for {@code seconds}. With {@code noop} the
     * command is "noop" (a Raft entry that changes no map): the baseline, measured in the same run,
     * that separates the cost of consensus and transport from the cost of a map change.
     */
    static void run(List<MonConnection> conns, int clients, long seconds, String label, boolean noop) throws Exception {
        AtomicLong commits = new AtomicLong();
        AtomicLong latencyNanos = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long epochStart = conns.get(0).command(MonClient.cmd("osd stat")).epoch();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            MonConnection c = conns.get(t % conns.size());
            int thread = t;
            done.add(pool.submit(() -> {
                for (long i = 0; System.nanoTime() < deadline; i++) {
                    long start = System.nanoTime();
                    MonReply r = c.command(noop ? MonClient.cmd("noop") : MonClient.cmd("osd blocklist add", "addr",
                            "10." + thread + "." + (i >> 8 & 255) + "." + (i & 255) + ":0/" + label.hashCode(), "expire", 3600));
                    if (!r.ok()) {
                        throw new IllegalStateException(r.outs());
                    }
                    latencyNanos.addAndGet(System.nanoTime() - start);
                    commits.incrementAndGet();
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        for (Future<?> f : done) {
            f.get();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long epochs = conns.get(0).command(MonClient.cmd("osd stat")).epoch() - epochStart;
        System.out.printf("%-26s %7d commits in %5.1f s = %7.0f commits/s, mean latency %6.2f ms, epochs advanced %d%n",
                label, commits.get(), elapsed, commits.get() / elapsed, latencyNanos.get() / 1e6 / Math.max(1, commits.get()),
                epochs);
    }
}
