package io.loligo.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.client.IoContext;
import io.loligo.client.RadosException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Bench objects and metadata, as Ceph's obj_bencher: data objects are named
 * benchmark_data_<host>_<pid>_object<N>; the metadata object (default name benchmark_last_metadata,
 * or the --run-name) holds, as UTF-8 text lines "key=value": object_size, num_ops, pid, op_size,
 * prefix. seq and rand read the objects the last write run made; cleanup removes them.
 */
/**
 * {@code loligo rados bench SECONDS write|seq|rand}: Ceph's {@code rados bench} with its per-second
 * progress lines and its final summary, in the same shape and units (MB = MiB, latencies in
 * seconds, numbers printed as C++ streams print them: six significant digits).
 */
final class RadosBench {
    static final String DEFAULT_RUN = "benchmark_last_metadata";

    private final IoContext io;
    private final PrintStream out;
    private final boolean json;
    private final ObjectNode report = LocalCluster.JSON.createObjectNode();

    RadosBench(IoContext io, PrintStream out, boolean json) {
        this.io = io;
        this.out = out;
        this.json = json;
    }

    /** Live counters of one run, read by the once-a-second printer. */
    private static final class Stats {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Double> bandwidthHistory = new ArrayList<>();
        final List<Double> iopsHistory = new ArrayList<>();
        volatile double lastLatency;
        final AtomicLong errors = new AtomicLong();
        volatile Throwable failure;
        double maxBw = 0;
        double minBw = Double.MAX_VALUE;
        int maxIops = 0;
        int minIops = Integer.MAX_VALUE;
    }

    static String prefix() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return "benchmark_data_" + host + "_" + ProcessHandle.current().pid();
    }

    static String objectName(String prefix, long n) {
        return prefix + "_object" + n;
    }

    /** Runs the write bench; returns the number of ops made. */
    int write(int seconds, int opSize, int objectSize, int concurrency, String runName, boolean cleanup) throws Exception {
        String prefix = prefix();
        int writesPerObject = Math.max(1, objectSize / opSize);
        if (json) {
            report.put("concurrent_ios", concurrency).put("object_size", objectSize).put("op_size", opSize)
                    .put("seconds_to_run", seconds).put("max_objects", 0).put("object_prefix", prefix);
        } else {
            out.println("hints = 1");
            out.println("Maintaining " + concurrency + " concurrent writes of " + opSize + " bytes to objects of size "
                    + objectSize + " for up to " + seconds + " seconds or 0 objects");
            out.println("Object prefix: " + prefix);
        }
        byte[] template = new byte[opSize];
        Arrays.fill(template, (byte) 'z');
        // Like Ceph's bench, each op slot reuses a buffer once its op completed (the objecter keeps
        // the data until then, for resends); cloning 4 MiB per op was the client's largest
        // allocation and its young collections copied the in-flight ones.
        java.util.concurrent.ConcurrentLinkedQueue<byte[]> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Timed s = run(seconds, concurrency, opSize, Integer.MAX_VALUE, n -> {
            byte[] buf = free.poll();
            byte[] data = buf == null ? template.clone() : buf;
            tag(data, n);
            return io.writeAsync(objectName(prefix, n / writesPerObject), data, (long) opSize * (n % writesPerObject))
                    .whenComplete((r, e) -> free.offer(data));
        });
        double elapsed = s.elapsedSeconds;
        summary(s.stats, elapsed, opSize, objectSize, true);
        String meta = "object_size=" + objectSize + "\nnum_ops=" + s.stats.finished.get() + "\npid="
                + ProcessHandle.current().pid() + "\nop_size=" + opSize + "\nprefix=" + prefix + "\n";
        io.writeFull(runName, meta.getBytes(StandardCharsets.UTF_8));
        if (cleanup) {
            long t0 = System.nanoTime();
            if (!json) {
                out.println("Cleaning up (deleting benchmark objects)");
            }
            int removed = cleanup(runName);
            if (!json) {
                out.println("Removed " + removed + " objects");
                out.println("Clean up completed and total clean up time :" + fmt((System.nanoTime() - t0) / 1e9));
            }
        }
        finish();
        return s.stats.finished.get();
    }

    /** seq (in order, each object once at most) or rand (random objects) over the last write run's objects. */
    int read(int seconds, int concurrency, String runName, boolean random, boolean verify) throws Exception {
        Meta m = meta(runName);
        int writesPerObject = Math.max(1, m.objectSize / m.opSize);
        byte[] template = new byte[m.opSize];
        Arrays.fill(template, (byte) 'z');
        if (!json) {
            out.println("hints = 1");
        }
        int limit = random ? Integer.MAX_VALUE : m.numOps;
        Timed t = run(seconds, concurrency, m.opSize, limit, n -> {
            int index = random ? java.util.concurrent.ThreadLocalRandom.current().nextInt(m.numOps) : n;
            return io.readAsync(objectName(m.prefix, index / writesPerObject), (long) m.opSize * (index % writesPerObject), m.opSize)
                    .thenAccept(got -> {
                        if (verify && !matches(got, template, index)) {
                            throw new IllegalStateException(objectName(m.prefix, index / writesPerObject) + " is not correct!");
                        }
                    });
        });
        summary(t.stats, t.elapsedSeconds, m.opSize, m.objectSize, false);
        finish();
        return t.stats.finished.get();
    }

    /** Removes the objects of a write run and its metadata object; returns how many data objects went. */
    int cleanup(String runName) throws Exception {
        List<String> names = new ArrayList<>();
        try {
            Meta m = meta(runName);
            int writesPerObject = Math.max(1, m.objectSize / m.opSize);
            for (int i = 0; i < (m.numOps + writesPerObject - 1) / writesPerObject; i++) {
                names.add(objectName(m.prefix, i));
            }
        } catch (RadosException.ObjectNotFound e) {
            // No metadata (a run that crashed, or another run's cleanup removed it): as Ceph, list the
            // pool and remove every object with the bench prefix.
            if (!json) {
                out.println("Warning: using slow linear search");
            }
            for (String oid : io.listObjects()) {
                if (oid.startsWith("benchmark_data")) {
                    names.add(oid);
                }
            }
        }
        AtomicInteger removed = new AtomicInteger();
        Semaphore window = new Semaphore(16);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String oid : names) {
            window.acquire();
            all.add(io.removeAsync(oid).handle((v, e) -> {
                window.release();
                if (e == null) {
                    removed.incrementAndGet();
                } else if (!(unwrap(e) instanceof RadosException.ObjectNotFound)) {
                    throw new java.util.concurrent.CompletionException(unwrap(e));
                }
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        try {
            io.remove(runName);
        } catch (RadosException.ObjectNotFound e) {
            // already gone: cleanup is idempotent
        }
        return removed.get();
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private record Meta(int objectSize, int numOps, int opSize, String prefix) {}

    /** The objects a write run left (for {@link PacedBench}'s reads). */
    List<PacedBench.Target> objects(String runName) {
        Meta m = meta(runName);
        int writesPerObject = Math.max(1, m.objectSize / m.opSize);
        List<PacedBench.Target> t = new ArrayList<>();
        for (int o = 0; o < (m.numOps + writesPerObject - 1) / writesPerObject; o++) {
            int ops = Math.min(writesPerObject, m.numOps - o * writesPerObject);
            t.add(new PacedBench.Target(objectName(m.prefix, o), ops * m.opSize));
        }
        return t;
    }

    private Meta meta(String runName) {
        String text;
        try {
            text = new String(io.read(runName), StandardCharsets.UTF_8);
        } catch (RadosException.ObjectNotFound e) {
            throw new RadosException.ObjectNotFound("Must write data before running a read benchmark! (no metadata object '"
                    + runName + "' in pool " + io.poolName() + ")");
        }
        java.util.Map<String, String> kv = new java.util.HashMap<>();
        text.lines().forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0) {
                kv.put(l.substring(0, eq), l.substring(eq + 1));
            }
        });
        try {
            return new Meta(Integer.parseInt(kv.get("object_size")), Integer.parseInt(kv.get("num_ops")),
                    Integer.parseInt(kv.get("op_size")), kv.get("prefix"));
        } catch (RuntimeException e) {
            throw new RadosException.BadRequest("bench metadata object '" + runName + "' is not a loligo bench record");
        }
    }

    /** Op n's tag: "I'm the %16dth op!", written over the template as Ceph writes it, so reads can be verified. */
    private static byte[] tagOf(int n) {
        String digits = Integer.toString(n);   // String.format("%16d") per op showed in the client's profile
        return ("I'm the " + " ".repeat(Math.max(0, 16 - digits.length())) + digits + "th op!").getBytes(StandardCharsets.US_ASCII);
    }

    /** Makes {@code data} (the template, or a buffer of an earlier op) op n's contents. */
    private static void tag(byte[] data, int n) {
        byte[] tag = tagOf(n);
        System.arraycopy(tag, 0, data, 0, Math.min(tag.length, data.length));
    }

    /** Whether {@code got} is op n's contents, without building them. */
    private static boolean matches(byte[] got, byte[] template, int n) {
        if (got.length != template.length) {
            return false;
        }
        byte[] tag = tagOf(n);
        int t = Math.min(tag.length, got.length);
        return Arrays.equals(got, 0, t, tag, 0, t) && Arrays.equals(got, t, got.length, template, t, template.length);
    }

    private record Timed(Stats stats, double elapsedSeconds) {}

    private interface OpStarter {
        CompletableFuture<?> start(int n);
    }

    /** Keeps {@code concurrency} ops in flight until {@code seconds} pass or {@code limit} ops started; prints each second. */
    private Timed run(int seconds, int concurrency, int opSize, int limit, OpStarter starter) throws Exception {
        Stats s = new Stats();
        long t0 = System.nanoTime();
        long stop = t0 + seconds * 1_000_000_000L;
        ArrayNode datas = json ? report.putArray("datas") : null;
        Thread printer = Thread.ofPlatform().daemon().name("bench-status").start(() -> printLoop(s, t0, opSize, datas));
        Window w = new Window(s, starter, limit, stop);
        try {
            for (int i = 0; i < concurrency; i++) {
                w.launch();
            }
            w.noMoreFromMain();
            w.drained.await();   // the last ops complete
        } finally {
            printer.interrupt();
            printer.join();
        }
        if (s.failure != null) {
            throw s.failure instanceof RuntimeException r ? r : new RuntimeException(s.failure);
        }
        return new Timed(s, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Keeps the ops in flight: each completion starts the next op itself, on the thread that
     * completed it (the messenger's I/O thread), as Ceph's bench refills its slots from the
     * completion callback. A main thread that waited for a free slot cost two thread wake-ups
     * per op (its own, and the I/O thread's for a call made from outside it).
     */
    private static final class Window {
        final Stats s;
        final OpStarter starter;
        final int limit;
        final long stop;
        final AtomicInteger next = new AtomicInteger();
        /** In-flight ops plus one held by the main thread until it has started the first ones. */
        final AtomicInteger holds = new AtomicInteger(1);
        final java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);

        Window(Stats s, OpStarter starter, int limit, long stop) {
            this.s = s;
            this.starter = starter;
            this.limit = limit;
            this.stop = stop;
        }

        void launch() {
            if (s.failure != null || System.nanoTime() >= stop) {
                return;
            }
            int n = next.getAndIncrement();
            if (n >= limit) {
                return;
            }
            holds.incrementAndGet();
            s.started.incrementAndGet();
            s.inFlight.incrementAndGet();
            long opStart = System.nanoTime();
            CompletableFuture<?> f;
            try {
                f = starter.start(n);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, e) -> {
                double lat = (System.nanoTime() - opStart) / 1e9;
                if (e != null) {
                    s.failure = unwrap(e);
                } else {
                    s.lastLatency = lat;
                    s.latencies.add(lat);
                    s.finished.incrementAndGet();
                }
                s.inFlight.decrementAndGet();
                launch();   // before letting go of this op's hold, so the count reaches 0 only at the end
                release();
            });
        }

        void noMoreFromMain() {
            release();
        }

        private void release() {
            if (holds.decrementAndGet() == 0) {
                drained.countDown();
            }
        }
    }

    private void printLoop(Stats s, long t0, int opSize, ArrayNode datas) {
        int previous = 0;
        for (int sec = 0; ; sec++) {
            if (sec % 20 == 0 && datas == null) {
                out.println("  sec Cur ops   started  finished  avg MB/s  cur MB/s last lat(s)  avg lat(s)");
            }
            int finished = s.finished.get();
            double elapsed = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            double avgBw = (double) finished * opSize / elapsed / (1 << 20);
            double avgLat = avg(s.latencies);
            if (sec > 0) {
                double bw = (double) (finished - previous) * opSize / (1 << 20);
                int iops = finished - previous;
                s.bandwidthHistory.add(bw);
                s.iopsHistory.add((double) iops);
                s.maxBw = Math.max(s.maxBw, bw);
                s.minBw = Math.min(s.minBw, bw);
                s.maxIops = Math.max(s.maxIops, iops);
                s.minIops = Math.min(s.minIops, iops);
                line(datas, sec, s.inFlight.get(), s.started.get(), finished, avgBw, bw,
                        finished != previous ? s.lastLatency : -1, avgLat);
            } else {
                line(datas, sec, s.inFlight.get(), s.started.get(), finished, 0, 0, -1, avgLat);
            }
            previous = finished;
            try {
                Thread.sleep(Math.max(0, t0 + (sec + 1) * 1_000_000_000L - System.nanoTime()) / 1_000_000);   // the next whole second
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void line(ArrayNode datas, int sec, int cur, int started, int finished, double avgBw, double bw, double last,
                      double avgLat) {
        if (datas != null) {
            datas.addObject().put("sec", sec).put("cur_ops", cur).put("started", started).put("finished", finished)
                    .put("avg_bw", avgBw).put("cur_bw", bw).put("last_lat", Math.max(0, last)).put("avg_lat", avgLat);
            return;
        }
        out.printf("%5d %7d %9d %9d %9s %9s %11s %11s%n", sec, cur, started, finished, fmt(avgBw), fmt(bw),
                last < 0 ? "-" : fmt(last), fmt(avgLat));
        out.flush();
    }

    private void summary(Stats s, double elapsed, int opSize, int objectSize, boolean write) {
        int finished = s.finished.get();
        double bandwidth = finished * (double) opSize / elapsed / (1 << 20);
        List<Double> lats;
        synchronized (s.latencies) {
            lats = new ArrayList<>(s.latencies);
        }
        double maxLat = lats.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double minLat = lats.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        int minIops = s.minIops == Integer.MAX_VALUE ? 0 : s.minIops;
        double minBw = s.minBw == Double.MAX_VALUE ? 0 : s.minBw;
        if (json) {
            report.put("total_time_run", elapsed).put(write ? "total_writes_made" : "total_reads_made", finished)
                    .put(write ? "write_size" : "read_size", opSize).put("object_size", objectSize).put("bandwidth", bandwidth);
            if (write) {
                report.put("stddev_bandwidth", stddev(s.bandwidthHistory)).put("max_bandwidth", s.maxBw).put("min_bandwidth", minBw);
            }
            report.put("average_iops", (int) (finished / elapsed)).put("stddev_iops", stddev(s.iopsHistory))
                    .put("max_iops", s.maxIops).put("min_iops", minIops).put("average_latency", avg(lats));
            if (write) {
                report.put("stddev_latency", stddev(lats));
            }
            report.put("max_latency", maxLat).put("min_latency", minLat);
            return;
        }
        String w = write ? "%-24s%s%n" : "%-22s%s%n";
        out.printf(w, "Total time run:", fmt(elapsed));
        out.printf(w, write ? "Total writes made:" : "Total reads made:", finished);
        out.printf(w, write ? "Write size:" : "Read size:", opSize);
        out.printf(w, "Object size:", objectSize);
        out.printf(w, "Bandwidth (MB/sec):", fmt(bandwidth));
        if (write) {
            out.printf(w, "Stddev Bandwidth:", fmt(stddev(s.bandwidthHistory)));
            out.printf(w, "Max bandwidth (MB/sec):", fmt(s.maxBw));
            out.printf(w, "Min bandwidth (MB/sec):", fmt(minBw));
        }
        out.printf(w, "Average IOPS:", (int) (finished / elapsed));
        out.printf(w, "Stddev IOPS:", fmt(stddev(s.iopsHistory)));
        out.printf(w, "Max IOPS:", s.maxIops);
        out.printf(w, "Min IOPS:", minIops);
        out.printf(w, "Average Latency(s):", fmt(avg(lats)));
        if (write) {
            out.printf(w, "Stddev Latency(s):", fmt(stddev(lats)));
        }
        out.printf(w, "Max latency(s):", fmt(maxLat));
        out.printf(w, "Min latency(s):", fmt(minLat));
        out.flush();
    }

    private void finish() {
        if (json) {
            out.println(report.toString());
            out.flush();
        }
    }

    static double avg(List<Double> v) {
        synchronized (v) {
            return v.isEmpty() ? 0 : v.stream().mapToDouble(Double::doubleValue).sum() / v.size();
        }
    }

    /** Sample standard deviation (n - 1), 0 under two samples, as Ceph's vec_stddev. */
    static double stddev(List<Double> v) {
        synchronized (v) {
            if (v.size() < 2) {
                return 0;
            }
            double mean = avg(v);
            double sum = 0;
            for (double x : v) {
                sum += (x - mean) * (x - mean);
            }
            return Math.sqrt(sum / (v.size() - 1));
        }
    }

    /** A C++ ostream's default rendering of a double: 6 significant digits, no trailing zeros. */
    static String fmt(double v) {
        return sig(v, 6);
    }

    private static String sig(double v, int digits) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return v == 0 ? "0" : Double.toString(v);
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros();
        return Math.abs(v) < 1e-4 ? String.format("%." + (digits - 1) + "e", v) : d.toPlainString();
    }
}
