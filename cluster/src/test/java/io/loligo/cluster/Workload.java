package io.loligo.cluster;

import io.loligo.client.IoContext;
import io.loligo.client.RadosException;
import io.loligo.cluster.History.Kind;
import io.loligo.cluster.History.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Concurrent clients on a small set of keys, so operations collide: each of {@code threads}
 * processes (one synchronous operation at a time) picks, from its own seeded random stream, a
 * full-object write or overwrite of a register object, an append to a log object, an omap set
 * of one key, or a read of any of them, and records the invocation and completion in a {@link
 * History}. A timeout or an unexpected error on a write is UNKNOWN (it may have happened); a
 * refusal that leaves nothing (ENOSPC) is FAIL; a failed read is FAIL (it observed nothing).
 */
final class Workload implements AutoCloseable {
    static final int REGISTERS = 4;
    static final int LOGS = 2;
    static final int OMAP_KEYS = 4;
    static final String OMAP_OBJECT = "omap-0";

    final History history = new History();
    private final IoContext io;
    private final int threads;
    private final long seed;
    private final long pauseNanos;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong lastOkNanos = new AtomicLong();

    /** {@code opsPerSecondPerThread} paces each client so histories stay small enough to check. */
    Workload(IoContext io, int threads, long seed, int opsPerSecondPerThread) {
        this.io = io;
        this.threads = threads;
        this.seed = seed;
        this.pauseNanos = TimeUnit.SECONDS.toNanos(1) / opsPerSecondPerThread;
    }

    static boolean isLog(String key) {
        return key.startsWith("log-");
    }

    void start() {
        running.set(true);
        for (int p = 0; p < threads; p++) {
            int process = p;
            Thread t = Thread.ofPlatform().name("workload-" + p).daemon().start(() -> run(process));
            workers.add(t);
        }
    }

    /** Nanoseconds (history time) of the latest acknowledged operation. */
    long lastOkNanos() {
        return lastOkNanos.get();
    }

    /** Waits until an operation invoked after {@code sinceNanos} (history time) succeeds. */
    boolean awaitProgress(long sinceNanos, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            if (history.ops().stream().anyMatch(o -> o.invokeNanos() > sinceNanos && o.outcome() == Outcome.OK)) {
                return true;
            }
            Thread.sleep(100);   // polling interval of a deadline-bounded wait
        }
        return false;
    }

    /** Stops the clients and waits for their last operations to finish (bounded by the op timeout). */
    History stop() throws InterruptedException {
        running.set(false);
        for (Thread t : workers) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }
        return history;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void run(int process) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (process + 1)));
        long n = 0;
        long next = System.nanoTime();
        while (running.get()) {
            String token = "p" + process + "-" + n++;
            int dice = random.nextInt(100);
            if (dice < 25) {
                String oid = "reg-" + random.nextInt(REGISTERS);
                byte[] data = Values.register(token, 16 + random.nextInt(2048));
                write(process, oid, Kind.WRITE, token, () -> io.writeFull(oid, data));
            } else if (dice < 45) {
                String oid = "log-" + random.nextInt(LOGS);
                write(process, oid, Kind.APPEND, token + ";", () -> io.append(oid, Values.appendRecord(token)));
            } else if (dice < 57) {
                String key = "k" + random.nextInt(OMAP_KEYS);
                byte[] value = token.getBytes(StandardCharsets.UTF_8);
                write(process, OMAP_OBJECT + "#" + key, Kind.WRITE, token, () -> io.omapSet(OMAP_OBJECT, Map.of(key, value)));
            } else {
                read(process, random);
            }
            next += pauseNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);   // pacing (a rate limit), not synchronisation
            } else {
                next = System.nanoTime();
            }
        }
    }

    private void write(int process, String key, Kind kind, String value, Runnable call) {
        long t0 = history.now();
        try {
            call.run();
            long t1 = history.now();
            history.add(process, key, kind, value, t0, t1, Outcome.OK, null);
            lastOkNanos.accumulateAndGet(t1, Math::max);
        } catch (RadosException.ClusterFull e) {
            history.add(process, key, kind, value, t0, history.now(), Outcome.FAIL, e.getClass().getSimpleName());
        } catch (RuntimeException e) {
            history.add(process, key, kind, value, t0, history.now(), Outcome.UNKNOWN, e.getClass().getSimpleName());
        }
    }

    private void read(int process, SplittableRandom random) {
        int which = random.nextInt(3);
        String key = which == 0 ? "reg-" + random.nextInt(REGISTERS) : which == 1 ? "log-" + random.nextInt(LOGS)
                : OMAP_OBJECT + "#k" + random.nextInt(OMAP_KEYS);
        long t0 = history.now();
        try {
            String value = readValue(io, key);
            long t1 = history.now();
            history.add(process, key, Kind.READ, value, t0, t1, Outcome.OK, null);
            lastOkNanos.accumulateAndGet(t1, Math::max);
        } catch (RuntimeException e) {
            history.add(process, key, Kind.READ, null, t0, history.now(), Outcome.FAIL, e.getClass().getSimpleName());
        }
    }

    /**
     * Reads one key as the history records it: a register's token (or {@link Values#TORN}), a log's
     * whole content, an omap key's value; null when absent.
     */
    static String readValue(IoContext io, String key) {
        int hash = key.indexOf('#');
        if (hash >= 0) {
            String oid = key.substring(0, hash);
            String omapKey = key.substring(hash + 1);
            try {
                SortedMap<String, byte[]> got = io.omapGet(oid, Set.of(omapKey));
                byte[] v = got.get(omapKey);
                return v == null ? null : new String(v, StandardCharsets.UTF_8);
            } catch (RadosException.ObjectNotFound e) {
                return null;
            }
        }
        try {
            byte[] bytes = io.read(key);
            return isLog(key) ? new String(bytes, StandardCharsets.UTF_8) : Values.decodeRegister(bytes);
        } catch (RadosException.ObjectNotFound e) {
            return null;
        }
    }

    /** Every key the workload touches. */
    static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < REGISTERS; i++) {
            out.add("reg-" + i);
        }
        for (int i = 0; i < LOGS; i++) {
            out.add("log-" + i);
        }
        for (int i = 0; i < OMAP_KEYS; i++) {
            out.add(OMAP_OBJECT + "#k" + i);
        }
        return out;
    }
}
