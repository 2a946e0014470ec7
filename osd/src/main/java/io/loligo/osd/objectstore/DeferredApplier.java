package io.loligo.osd.objectstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The background half of deferred writes: writes committed 'D' records into place in the data file,
 * fsyncs it, deletes the records, and only then lets the allocator hand out blocks freed by batches up
 * to that point. That ordering is what makes replay after a crash safe: a block is never reused while
 * a 'D' record that targets it may still exist, so replaying old records cannot clobber new data.
 * The deletes travel in the next commit batch (through the commit log, in batch order), and the
 * blocks are released only once that batch is applied, so no later durable batch can reuse a block
 * while a durable 'D' record still targets it.
 */
final class DeferredApplier {
    record Record(long seq, byte[] key, long pblock, byte[] data) {}

    private final FileChannel data;
    /** Takes a round's applied records: their 'D' deletes go into the next commit batch. */
    private final Consumer<List<Record>> deletes;
    private final Map<Long, byte[]> overlay;
    private final Allocator allocator;
    private final Consumer<Throwable> onFailure;
    private final List<Record> queue = new ArrayList<>();
    private final TreeMap<Long, Integer> unapplied = new TreeMap<>();
    private final TreeMap<Long, long[]> pendingFrees = new TreeMap<>();
    private long lastCommittedSeq;
    private long appliedRecords;
    private boolean stopping;
    private boolean draining;
    /** The thread stopped on an error: nothing more will be applied (the store has failed). */
    private boolean dead;
    /** The thread waits for a first record (not gathering a round): only then does a commit wake it. */
    private boolean idle;
    /** Longest a deferred write waits for others to share its round's fsync. */
    private static final long ROUND_GATHER_NANOS = 20_000_000L;
    private static final int ROUND_RECORDS_MAX = 4096;
    private final Thread thread;

    DeferredApplier(FileChannel data, Consumer<List<Record>> deletes, ConcurrentHashMap<Long, byte[]> overlay, Allocator allocator,
            long lastCommittedSeq, Consumer<Throwable> onFailure) {
        this.data = data;
        this.deletes = deletes;
        this.overlay = overlay;
        this.allocator = allocator;
        this.lastCommittedSeq = lastCommittedSeq;
        this.onFailure = onFailure;
        this.thread = Thread.ofPlatform().name("objectstore-deferred").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Called by the commit thread once batch {@code seq} is durable. */
    synchronized void committed(long seq, List<Record> records, long[] freed) {
        queue.addAll(records);
        if (!records.isEmpty()) {
            unapplied.merge(seq, records.size(), Integer::sum);
        }
        if (freed.length > 0) {
            pendingFrees.put(seq, freed);
        }
        lastCommittedSeq = seq;
        releaseReady();
        // Wake the thread only when it needs it: while it gathers a round it wakes at the round's
        // deadline anyway, and a wake-up per batch was a context switch per batch, for nothing.
        if ((idle && !queue.isEmpty()) || queue.size() >= ROUND_RECORDS_MAX || draining) {
            notifyAll();
        }
    }

    private void releaseReady() {
        long safe = unapplied.isEmpty() ? lastCommittedSeq : unapplied.firstKey() - 1;
        while (!pendingFrees.isEmpty() && pendingFrees.firstKey() <= safe) {
            long[] blocks = pendingFrees.pollFirstEntry().getValue();
            allocator.release(blocks, blocks.length);
        }
    }

    /** Waits until every deferred write committed so far is applied and every freed block released. */
    synchronized void drain() throws InterruptedException {
        draining = true;
        notifyAll();
        try {
            while ((!unapplied.isEmpty() || !pendingFrees.isEmpty()) && !stopping && !dead) {
                wait(100);
                releaseReady();
            }
        } finally {
            draining = false;
        }
    }

    synchronized long appliedRecords() {
        return appliedRecords;
    }

    void stop() throws InterruptedException {
        drain();
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        thread.join();
    }

    private void run() {
        try {
            while (true) {
                List<Record> round;
                synchronized (this) {
                    idle = true;
                    while (queue.isEmpty() && !stopping) {
                        wait();
                    }
                    idle = false;
                    if (queue.isEmpty()) {
                        return;
                    }
                    // Let a round gather: each round costs a data fsync that competes with the
                    // commits' WAL fsyncs, so fewer, larger rounds leave the disk to the commits.
                    long until = System.nanoTime() + ROUND_GATHER_NANOS;
                    while (queue.size() < ROUND_RECORDS_MAX && !stopping && !draining) {
                        long left = until - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        wait(Math.max(1, left / 1_000_000));
                    }
                    round = new ArrayList<>(queue);
                    queue.clear();
                }
                applyRound(round);
            }
        } catch (Throwable t) {
            synchronized (this) {
                dead = true;
                notifyAll();
            }
            onFailure.accept(t);
        }
    }

    private void applyRound(List<Record> round) throws IOException {
        // The latest record per block wins; writing in block order keeps the disk's work sequential-ish.
        Map<Long, Record> latest = new LinkedHashMap<>();
        for (Record r : round) {
            latest.put(r.pblock(), r);
        }
        List<Record> ordered = new ArrayList<>(latest.values());
        ordered.sort(Comparator.comparingLong(Record::pblock));
        for (Record r : ordered) {
            writeFully(data, ByteBuffer.wrap(r.data()), r.pblock() << Keys.BLOCK_SHIFT);
        }
        Faults.point("objectstore.deferred.after_data_write");
        data.force(false);
        Faults.point("objectstore.deferred.after_data_sync");
        // The data is in place: readers may use the file. The blocks stay unreleased until the
        // deletes are durable and applied (deletesApplied), in a later commit batch.
        for (Record r : ordered) {
            overlay.remove(r.pblock(), r.data());
        }
        deletes.accept(round);
        Faults.point("objectstore.deferred.after_deletes_queued");
    }

    /** Called in batch order once the batch carrying these records' deletes is durable and applied. */
    synchronized void deletesApplied(List<Record> records) {
        for (Record r : records) {
            unapplied.merge(r.seq(), -1, (a, b) -> a + b == 0 ? null : a + b);
        }
        appliedRecords += records.size();
        releaseReady();
        notifyAll();
    }

    /** The store failed: nothing more will be applied; waiters return. */
    synchronized void abort() {
        dead = true;
        notifyAll();
    }

    static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }
}
