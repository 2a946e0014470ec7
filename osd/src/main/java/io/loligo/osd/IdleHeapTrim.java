package io.loligo.osd;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * Hands an idle OSD's spare heap back to the system (part of the {@link OsdMemory} budget): the
 * serial collector shrinks the heap to {@code MaxHeapFreeRatio} only in a full collection, and an
 * idle OSD runs none, so after a burst (a benchmark, a backfill) the heap it grew stayed committed
 * and resident. Ticked once per {@link RecoveryThrottle#WINDOW}: after {@link #IDLE_TICKS} ticks
 * without client ops or recovery, and when at least {@link #SPARE_BYTES} of committed heap are
 * unused, it runs one full collection; then not again until the OSD was busy in between.
 */
final class IdleHeapTrim {
    static final int IDLE_TICKS = 30;
    static final long SPARE_BYTES = 32L << 20;

    private final java.util.function.LongSupplier spareHeap;
    private final Runnable collect;
    private long lastActivity = -1;
    private int idleTicks;
    private boolean trimmed;

    /** The JVM's heap: unused committed bytes, and a full collection. */
    IdleHeapTrim() {
        this(() -> {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return heap.getCommitted() - heap.getUsed();
        }, System::gc);
    }

    IdleHeapTrim(java.util.function.LongSupplier spareHeap, Runnable collect) {
        this.spareHeap = spareHeap;
        this.collect = collect;
    }

    /** {@code activity}: a counter that grows with every client op and recovery push. Returns whether it collected. */
    boolean tick(long activity) {
        if (activity != lastActivity) {
            lastActivity = activity;
            idleTicks = 0;
            trimmed = false;
            return false;
        }
        if (trimmed || ++idleTicks < IDLE_TICKS) {
            return false;
        }
        trimmed = true;
        if (spareHeap.getAsLong() < SPARE_BYTES) {
            return false;
        }
        collect.run();   // idle: the one full collection that lets the heap shrink
        return true;
    }
}
