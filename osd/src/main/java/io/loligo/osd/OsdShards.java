package io.loligo.osd;

import io.loligo.maps.PgId;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OSD's op shards (Ceph's sharded op queue): a fixed set of threads, each owning the PGs that
 * hash to it and draining its queue in order, so a PG's state is touched by one thread only and
 * one slow PG stalls only its shard. Client ops enter through a bounded admission count (a full
 * shard answers EAGAIN rather than queueing without limit); internal events (store commits,
 * replies from peers, map changes) are never refused — their number is bounded by the ops in flight.
 */
final class OsdShards implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OsdShards.class);

    private record Shard(LinkedBlockingQueue<Runnable> queue, AtomicInteger clientQueued, Thread thread,
                         java.util.concurrent.ConcurrentLinkedQueue<Runnable> background,
                         java.util.concurrent.atomic.AtomicBoolean markerQueued, int[] deferred) {}

    /** Under load a background task (recovery) still runs at least once per this many marker turns. */
    static final int BACKGROUND_EVERY = 8;

    private final Shard[] shards;
    private final int clientQueueMax;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    /** {@code onCrash} is told about an exception escaping a task: a broken invariant, so the daemon stops. */
    OsdShards(String who, int count, int clientQueueMax, BiConsumer<String, Throwable> onCrash) {
        this.clientQueueMax = clientQueueMax;
        this.shards = new Shard[count];
        for (int i = 0; i < count; i++) {
            LinkedBlockingQueue<Runnable> q = new LinkedBlockingQueue<>();
            int index = i;
            Thread t = Thread.ofPlatform().daemon().name(who + "-shard-" + i).unstarted(() -> run(index, q, onCrash));
            shards[i] = new Shard(q, new AtomicInteger(), t, new java.util.concurrent.ConcurrentLinkedQueue<>(),
                    new java.util.concurrent.atomic.AtomicBoolean(), new int[1]);
        }
        for (Shard s : shards) {
            s.thread().start();
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(who + "-timer").factory());
    }

    private void run(int index, LinkedBlockingQueue<Runnable> q, BiConsumer<String, Throwable> onCrash) {
        while (!closed) {
            Runnable task;
            try {
                task = q.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                task.run();
            } catch (Throwable t) {
                onCrash.accept("shard " + index + " task failed", t);
            }
        }
    }

    private Shard shardOf(PgId pg) {
        return shards[Math.floorMod(pg.hashCode() * 0x9E3779B9, shards.length)];
    }

    /** Queues a client op for {@code pg}'s shard; false when that shard already holds its maximum. */
    boolean submitClient(PgId pg, Runnable task) {
        Shard s = shardOf(pg);
        if (s.clientQueued().incrementAndGet() > clientQueueMax) {
            s.clientQueued().decrementAndGet();
            return false;
        }
        s.queue().add(() -> {
            s.clientQueued().decrementAndGet();
            task.run();
        });
        return true;
    }

    /** Queues an internal event for {@code pg}'s shard. */
    void submit(PgId pg, Runnable task) {
        shardOf(pg).queue().add(task);
    }

    /**
     * Queues a background task (recovery, backfill) for {@code pg}'s shard: it runs when the shard
     * has nothing else queued, or after {@link #BACKGROUND_EVERY} deferrals, so client ops come
     * first without starving recovery (Ceph gives recovery ops a lower priority in the op queue).
     */
    void submitBackground(PgId pg, Runnable task) {
        Shard s = shardOf(pg);
        s.background().add(task);
        queueMarker(s);
    }

    private void queueMarker(Shard s) {
        if (s.markerQueued().compareAndSet(false, true)) {
            s.queue().add(() -> runBackground(s));
        }
    }

    /** On the shard thread: one background task if the shard is idle (or deferred long enough), else later. */
    private void runBackground(Shard s) {
        if (!s.queue().isEmpty() && s.deferred()[0] < BACKGROUND_EVERY) {
            s.deferred()[0]++;
            s.queue().add(() -> runBackground(s));   // client work first: look again after it
            return;
        }
        s.deferred()[0] = 0;
        s.markerQueued().set(false);
        Runnable task = s.background().poll();
        if (!s.background().isEmpty()) {
            queueMarker(s);
        }
        if (task != null) {
            task.run();
        }
    }

    void submitLater(PgId pg, Duration delay, Runnable task) {
        if (!closed) {
            timer.schedule(() -> submit(pg, task), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        for (Shard s : shards) {
            s.thread().interrupt();
        }
        log.debug("shards stopped");
    }
}
