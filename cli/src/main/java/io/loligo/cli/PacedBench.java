package io.loligo.cli;

import io.loligo.client.IoContext;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code loligo rados -p POOL bench SECONDS mixed --rate OPS [--run-name RUN1,RUN2] [--latency-log FILE]}:
 * an open-loop client at a fixed rate (issue 6's "steady client workload"), not a closed loop that
 * slows down with the cluster. Op {@code n} is due at {@code n / rate} seconds; of every 20 ops, 8
 * are 4 KiB writes (1024 small objects of its own), 8 are 4 KiB reads at a random offset of an
 * object of the named write runs, 2 are 4 MiB writes (32 objects of its own, overwritten) and 2 are
 * whole 4 MiB reads of the runs' objects. At most {@link #MAX_IN_FLIGHT} ops are outstanding; an op
 * that has to wait for a slot counts its latency from when it was due (no coordinated omission).
 * Each completion is a line of the latency log: due time (ms since the epoch), latency (µs), kind
 * ({@code w4k r4k w4m r4m}) and 1 (ok) or 0 (error). Stops after SECONDS, or earlier when the file
 * {@code LOG.stop} appears. Prints ops/s and p50/p99 per kind at the end.
 */
final class PacedBench {
    static final int MAX_IN_FLIGHT = 64;
    private static final int SMALL = 4096;
    private static final int BIG = 4 << 20;
    private static final String[] KINDS = {"w4k", "r4k", "w4m", "r4m"};

    private PacedBench() {
    }

    /** Readable objects: name and size. */
    record Target(String name, int size) {}

    static int run(IoContext io, PrintStream out, int seconds, double rate, List<Target> readable, Path log)
            throws Exception {
        if (readable.isEmpty()) {
            throw new RadosCommand.UsageException("bench mixed: the write runs named by --run-name hold no objects");
        }
        byte[] small = new byte[SMALL];
        byte[] big = new byte[BIG];
        SplittableRandom rnd = new SplittableRandom(42);
        rnd.nextBytes(small);
        rnd.nextBytes(big);
        String prefix = RadosBench.prefix().replace("benchmark_data_", "benchmark_paced_");   // not removed by cleanup of a write run
        Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
        List<long[]> done = Collections.synchronizedList(new ArrayList<>());   // kind, latency ns, ok
        AtomicLong errors = new AtomicLong();
        Path stop = log == null ? null : Path.of(log + ".stop");
        long periodNs = (long) (1e9 / rate);
        long start = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        long end = start + seconds * 1_000_000_000L;
        long nextStopCheck = start;
        try (BufferedWriter w = log == null ? null : Files.newBufferedWriter(log)) {
            for (long n = 0; ; n++) {
                long due = start + n * periodNs;
                if (due >= end) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);   // the fixed rate's schedule
                }
                if (stop != null && System.nanoTime() >= nextStopCheck) {
                    nextStopCheck = System.nanoTime() + 500_000_000L;
                    if (Files.exists(stop)) {
                        break;
                    }
                }
                slots.acquire();
                int slot = (int) (n % 20);
                int kind = slot < 8 ? 0 : slot < 16 ? 1 : slot < 18 ? 2 : 3;
                Target t = readable.get(rnd.nextInt(readable.size()));
                CompletableFuture<?> f = switch (kind) {
                    case 0 -> io.writeFullAsync(prefix + "_small_" + rnd.nextInt(1024), small);
                    case 1 -> io.readAsync(t.name(), (long) rnd.nextInt(Math.max(1, t.size() / SMALL)) * SMALL, SMALL);
                    case 2 -> io.writeFullAsync(prefix + "_big_" + rnd.nextInt(32), big);
                    default -> io.readAsync(t.name(), 0, t.size());
                };
                long dueMillis = startMillis + (due - start) / 1_000_000;
                f.whenComplete((r, e) -> {
                    long lat = System.nanoTime() - due;
                    if (e != null && errors.incrementAndGet() <= 3) {
                        System.err.println("bench mixed: " + KINDS[kind] + " failed: " + RadosBench.unwrap(e));
                    }
                    done.add(new long[] {kind, lat, e == null ? 1 : 0});
                    if (w != null) {
                        synchronized (w) {
                            try {
                                w.write(dueMillis + " " + lat / 1000 + " " + KINDS[kind] + " " + (e == null ? 1 : 0) + "\n");
                                w.flush();
                            } catch (IOException x) {
                                errors.incrementAndGet();
                                System.err.println("bench mixed: writing " + log + ": " + x);
                            }
                        }
                    }
                    slots.release();   // after the log line: the last release lets the writer close
                });
            }
            slots.acquire(MAX_IN_FLIGHT);   // the last ops
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<long[]> all;
        synchronized (done) {
            all = new ArrayList<>(done);
        }
        out.printf("mixed at %.1f ops/s for %.1f s: %d ops, %.1f ops/s, %d errors%n", rate, elapsed, all.size(),
                all.size() / elapsed, errors.get());
        for (int k = 0; k < KINDS.length; k++) {
            int kk = k;
            long[] lat = all.stream().filter(a -> a[0] == kk).mapToLong(a -> a[1]).sorted().toArray();
            if (lat.length > 0) {
                out.printf("  %s: %d ops, p50 %.1f ms, p99 %.1f ms%n", KINDS[k], lat.length, lat[lat.length / 2] / 1e6,
                        lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))] / 1e6);
            }
        }
        return errors.get() == 0 ? 0 : 1;
    }
}
