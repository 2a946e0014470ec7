package io.loligo.osd.objectstore;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The store's benchmark (run by {@code loligo objectstore-tool bench}): durable 4 KiB random
 * overwrites and durable 4 MiB object writes at a chosen queue depth, reporting ops/s, MiB/s, bytes
 * the process wrote per client byte (/proc/self/io wchar: every write syscall of the store and of
 * RocksDB, taken after the deferred writes are applied), the device's own count from /proc/diskstats
 * (which adds the filesystem journal, and every other process on the machine), and CPU time per op
 * (all threads, RocksDB's included). /proc/self/io write_bytes is not used: on this kernel fdatasync
 * charges the caller far more than it writes (3.5 GB for 40 MB written in one run).
 * Also the million-object mode: creates many small objects, reopens, and reports open time and memory.
 */
public final class StoreBench {
    static final CollectionId COLL = new CollectionId(9, 0);

    public record Result(String name, int queueDepth, long ops, double seconds, long clientBytes, long processWriteBytes,
            long deviceWriteBytes, long cpuNanos) {
        public double opsPerSecond() {
            return ops / seconds;
        }

        public double mibPerSecond() {
            return clientBytes / seconds / (1 << 20);
        }

        /** Bytes this process made the kernel write per byte of client data. */
        public double writeAmplification() {
            return clientBytes == 0 ? 0 : (double) processWriteBytes / clientBytes;
        }

        public double deviceWriteAmplification() {
            return clientBytes == 0 || deviceWriteBytes < 0 ? -1 : (double) deviceWriteBytes / clientBytes;
        }

        public double cpuMicrosPerOp() {
            return ops == 0 ? 0 : cpuNanos / 1000.0 / ops;
        }
    }

    private StoreBench() {}

    static ObjectId object(String prefix, int i) {
        String name = prefix + i;
        return new ObjectId(COLL.pool(), "", name, name.hashCode());
    }

    /** Creates the bench collection and {@code count} objects of {@code bytes} each (written, not sparse). */
    public static void prefill(BlockObjectStore store, String prefix, int count, int bytes) {
        if (store.collectionBits(COLL).isEmpty()) {
            join(store.commit(new Transaction().createCollection(COLL, 0)));
        }
        byte[] data = new byte[bytes];
        new SplittableRandom(1).nextBytes(data);
        for (int i = 0; i < count; i++) {
            join(store.commit(new Transaction().writeFull(COLL, object(prefix, i), data)));
        }
    }

    private static void join(java.util.concurrent.CompletableFuture<Void> f) {
        f.join();
    }

    /**
     * Durable 4 KiB overwrites at random 4 KiB-aligned offsets of {@code objects} objects of
     * {@code objectBytes}, measured for {@code time} after {@code warmup} of the same writes that are
     * not counted (JIT compilation, the deferred-write queue and RocksDB's memtables reach their
     * steady state first, as fio's --ramp_time does for fio).
     */
    public static Result randomWrites4k(BlockObjectStore store, int objects, int objectBytes, int queueDepth,
            Duration warmup, Duration time) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        byte[][] payloads = new byte[64][4096];
        for (byte[] p : payloads) {
            random.nextBytes(p);
        }
        int blocksPerObject = objectBytes / 4096;
        return run(store, "4k-randwrite", queueDepth, warmup, time, 4096, i -> new Transaction().write(COLL,
                object("rw", random.nextInt(objects)), 4096L * random.nextInt(blocksPerObject), payloads[(int) (i & 63)]));
    }

    /**
     * Durable whole-object 4 MiB writes over {@code objects} objects in turn (each write replaces an
     * object), from one aligned direct buffer handed over without a copy, as an OSD hands over the
     * buffer a message arrived in (fio too writes from its own buffer); {@code warmup} as above.
     */
    public static Result writes4m(BlockObjectStore store, int objects, int queueDepth, Duration warmup, Duration time)
            throws Exception {
        if (store.collectionBits(COLL).isEmpty()) { // --mode 4m: no 4 KiB prefill made it
            join(store.commit(new Transaction().createCollection(COLL, 0)));
        }
        byte[] bytes = new byte[4 << 20];
        new SplittableRandom(7).nextBytes(bytes);
        java.nio.ByteBuffer data = BlockObjectStore.allocateAligned(bytes.length).put(bytes).flip();
        return run(store, "4m-write", queueDepth, warmup, time, bytes.length,
                i -> new Transaction().writeFull(COLL, object("big", (int) (i % objects)), data));
    }

    private interface TxnSource {
        Transaction make(long index);
    }

    private static Result run(BlockObjectStore store, String name, int queueDepth, Duration warmup, Duration time,
            int bytesPerOp, TxnSource source) throws Exception {
        long[] next = {0};
        if (!warmup.isZero()) {
            drive(store, name + " warm-up", queueDepth, warmup, source, next);
        }
        store.drainDeferred();
        long io0 = processWriteBytes();
        long dev0 = deviceWriteBytes(store.dir());
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long ops = drive(store, name, queueDepth, time, source, next);
        double seconds = (System.nanoTime() - start) / 1e9;
        store.drainDeferred();
        long cpu = processCpuNanos() - cpu0;
        return new Result(name, queueDepth, ops, seconds, ops * bytesPerOp, processWriteBytes() - io0,
                deviceWriteBytes(store.dir()) < 0 ? -1 : deviceWriteBytes(store.dir()) - dev0, cpu);
    }

    /**
     * Keeps {@code queueDepth} commits in flight for {@code time}, taking transactions from
     * {@code source} from index {@code next[0]} on (advanced); returns the commits completed.
     */
    private static long drive(BlockObjectStore store, String name, int queueDepth, Duration time, TxnSource source,
            long[] next) throws Exception {
        Semaphore slots = new Semaphore(queueDepth);
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline && error.get() == null) {
            slots.acquire();
            store.commit(source.make(next[0]++)).whenComplete((ok, e) -> {
                if (e != null) {
                    error.compareAndSet(null, e);
                }
                done.incrementAndGet();
                slots.release();
            });
        }
        if (!slots.tryAcquire(queueDepth, 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": writes did not complete within 120 s");
        }
        if (error.get() != null) {
            throw new IllegalStateException(name + ": a write failed", error.get());
        }
        return done.get();
    }

    /** Result of the million-object mode. */
    public record MillionResult(int objects, double createSeconds, double openSeconds, long rssBytesAfterOpen,
            long heapUsedBytes, long blockCacheBytes, long memtableBytes, double statMicros) {}

    public static MillionResult millionObjects(Path dir, StoreOptions options, int count) throws Exception {
        long t0 = System.nanoTime();
        try (BlockObjectStore store = BlockObjectStore.open(dir, options)) {
            join(store.commit(new Transaction().createCollection(COLL, 0)));
            byte[] data = new byte[100];
            List<java.util.concurrent.CompletableFuture<Void>> pending = new ArrayList<>();
            for (int i = 0; i < count; i += 500) {
                Transaction t = new Transaction();
                for (int j = i; j < Math.min(count, i + 500); j++) {
                    t.write(COLL, object("m", j), 0, data).setAttr(COLL, object("m", j), "_", data);
                }
                pending.add(store.commit(t));
                if (pending.size() >= 8) {
                    pending.removeFirst().join();
                }
            }
            pending.forEach(java.util.concurrent.CompletableFuture::join);
        }
        double create = (System.nanoTime() - t0) / 1e9;
        System.gc();
        MillionResult opened = reopen(dir, options, count);
        return new MillionResult(count, create, opened.openSeconds(), opened.rssBytesAfterOpen(), opened.heapUsedBytes(),
                opened.blockCacheBytes(), opened.memtableBytes(), opened.statMicros());
    }

    /** Opens an existing million-object store and measures open time, memory and random stats. */
    public static MillionResult reopen(Path dir, StoreOptions options, int count) throws Exception {
        long t1 = System.nanoTime();
        try (BlockObjectStore store = BlockObjectStore.open(dir, options)) {
            double open = (System.nanoTime() - t1) / 1e9;
            SplittableRandom random = new SplittableRandom(3);
            long t2 = System.nanoTime();
            int stats = 20_000;
            for (int i = 0; i < stats; i++) {
                store.stat(COLL, object("m", random.nextInt(count)));
            }
            double statMicros = (System.nanoTime() - t2) / 1e3 / stats;
            Runtime rt = Runtime.getRuntime();
            return new MillionResult(count, 0, open, rssBytes(), rt.totalMemory() - rt.freeMemory(),
                    store.metadataProperty("rocksdb.block-cache-usage"),
                    store.metadataProperty("rocksdb.cur-size-all-mem-tables"), statMicros);
        }
    }

    static long processWriteBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        return -1;
    }

    static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Sectors written to the block device holding {@code dir}, from /proc/diskstats; -1 when not found. */
    static long deviceWriteBytes(Path dir) {
        try {
            String dev = deviceOf(dir);
            if (dev == null) {
                return -1;
            }
            for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[2].equals(dev)) {
                    return Long.parseLong(f[9]) * 512;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String deviceOf(Path dir) throws IOException {
        String best = null;
        int bestLen = -1;
        String abs = dir.toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[0].startsWith("/dev/") && abs.startsWith(f[1]) && f[1].length() > bestLen) {
                best = f[0].substring(5);
                bestLen = f[1].length();
            }
        }
        return best;
    }
}
