package io.loligo.osd;

import io.loligo.osd.objectstore.StoreOptions;
import java.util.List;

/**
 * How an OSD splits its memory budget ({@code osd_memory_target}, Ceph's name; default 1 GiB) between the
 * JVM's pools and RocksDB, so the process stays within it idle, under load and while recovering. Every pool
 * with a hard cap gets one here; the rest (thread stacks, GC structures, malloc arenas, RocksDB's table
 * readers) is the slack. At 1 GiB: heap 448 MiB, direct buffers 160 MiB, RocksDB 96 MiB (block cache with
 * index and filter blocks, plus memtables charged to it), code cache 48 MiB, metaspace 64 MiB, slack
 * ~208 MiB. See docs/osd.md, "Memory", for the measured figures.
 *
 * @param targetBytes the whole process's budget, at least {@link #MIN_TARGET}
 */
public record OsdMemory(long targetBytes) {
    /** 1 GiB, as in Ceph (osd_memory_target defaults to 4 GiB there; our OSD caches far less). */
    public static final long DEFAULT_TARGET = 1L << 30;
    /** Below this the fixed pools (metaspace, code cache, stacks) leave the heap too little to hold a 64 MiB frame. */
    public static final long MIN_TARGET = 640L << 20;
    private static final long MIB = 1 << 20;

    public OsdMemory {
        if (targetBytes < MIN_TARGET) {
            throw new IllegalArgumentException("osd_memory_target " + targetBytes + " (expected at least " + MIN_TARGET + ")");
        }
    }

    public static OsdMemory defaults() {
        return new OsdMemory(DEFAULT_TARGET);
    }

    /** Java heap (-Xmx): 7/16 of the target; object data in flight and PG state live here. */
    public long heapBytes() {
        return roundMib(targetBytes * 7 / 16);
    }

    /**
     * The young generation's ceiling (-XX:MaxNewSize): 3/7 of the heap (192 MiB at 1 GiB), survivors
     * a sixth of it each (SurvivorRatio=4); it starts at the initial heap less a MiB. With the heap's default share, a heap shrunk to 64 MiB had
     * ~17 MiB of eden: a young collection every few 4 MiB writes, each copying the in-flight
     * arrays, which overflowed into the old generation and were then collected by full GCs.
     */
    public long youngBytes() {
        return roundMib(heapBytes() * 3 / 7);
    }

    /** Direct buffers (-XX:MaxDirectMemorySize; Netty's pools follow it): 5/32 of the target. */
    public long directBytes() {
        return roundMib(targetBytes * 5 / 32);
    }

    /** RocksDB's block cache plus memtables (one LRU cache, the memtables charged to it): 3/32 of the target. */
    public long rocksDbBytes() {
        return roundMib(targetBytes * 3 / 32);
    }

    /** The memtables' share of {@link #rocksDbBytes()}: a third. */
    public long memtableBytes() {
        return roundMib(rocksDbBytes() / 3);
    }

    public long blockCacheBytes() {
        return rocksDbBytes() - memtableBytes();
    }

    /** JIT code (-XX:ReservedCodeCacheSize): 48 MiB is ample for the OSD's C2-compiled data path. */
    public long codeCacheBytes() {
        return 48 * MIB;
    }

    /** Class metadata (-XX:MaxMetaspaceSize); the OSD uses ~18 MiB. */
    public long metaspaceBytes() {
        return 64 * MIB;
    }

    /** The store's options with this budget's RocksDB sizes. */
    public StoreOptions storeOptions(StoreOptions base) {
        return new StoreOptions(base.blockFileBytes(), base.largeWriteBytes(), blockCacheBytes(), memtableBytes(),
                base.metadataReserveBytes(), base.batchTxnsMax());
    }

    /**
     * The OSD process's JVM flags for this budget. Serial GC shrinks the heap back after a burst
     * (MaxHeapFreeRatio), and two compiler threads. Thread stacks keep the default 1 MiB reservation:
     * only touched pages are resident, and the OSD has ~30 platform threads.
     */
    public List<String> jvmFlags() {
        long initialMib = Math.min(64, heapBytes() / MIB);
        return List.of("-Xmx" + heapBytes() / MIB + "m", "-Xms" + initialMib + "m",
                "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
                // the young generation starts at all of the initial heap but a MiB (more draws a JVM warning)
                "-XX:NewSize=" + Math.min(youngBytes() / MIB, initialMib - 1) + "m",
                "-XX:MaxNewSize=" + youngBytes() / MIB + "m", "-XX:SurvivorRatio=4",
                "-XX:MaxDirectMemorySize=" + directBytes() / MIB + "m",
                "-XX:ReservedCodeCacheSize=" + codeCacheBytes() / MIB + "m",
                "-XX:MaxMetaspaceSize=" + metaspaceBytes() / MIB + "m",
                "-XX:CICompilerCount=2");
    }

    private static long roundMib(long bytes) {
        return Math.max(MIB, bytes / MIB * MIB);
    }
}
