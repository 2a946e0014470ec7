package io.loligo.osd.pg;

import io.loligo.maps.OsdMap;
import io.loligo.maps.PgId;
import io.loligo.messages.MOSDPgPush;
import io.loligo.msg.Message;
import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A PgHost whose shard queues the test runs by hand: {@code now} and {@code later} tasks, a
 * switchable recovery throttle; it records the pushes and pg_temp requests sent and store-full
 * reports, and answers nothing (peering's map requests never complete).
 */
final class FakePgHost implements PgHost {
    private final ObjectStore store;
    final ArrayDeque<Runnable> now = new ArrayDeque<>();
    final ArrayDeque<Runnable> later = new ArrayDeque<>();
    final List<Integer> pushedTo = new ArrayList<>();
    final List<List<Integer>> pgTempAsked = new ArrayList<>();
    final List<Boolean> storeFullReports = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> fatals = new java.util.concurrent.CopyOnWriteArrayList<>();
    boolean throttleOpen;

    FakePgHost(ObjectStore store) {
        this.store = store;
    }

    @Override public int whoami() { return 0; }
    @Override public ObjectStore store() { return store; }
    @Override public CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout) {
        if (request instanceof MOSDPgPush) {
            pushedTo.add(osd);
        }
        return new CompletableFuture<>();   // never answered: the test looks only at what was sent
    }
    @Override public void onShard(PgId pg, Runnable task) { now.add(task); }
    @Override public void onShardLater(PgId pg, Duration delay, Runnable task) { later.add(task); }
    @Override public long nowMillis() { return System.currentTimeMillis(); }
    @Override public boolean isUp(int osd) { return true; }
    @Override public void fatal(String what, Throwable cause) {
        fatals.add(what + ": " + cause);
        throw new AssertionError(what, cause);
    }
    @Override public CompletableFuture<List<OsdMap>> maps(long from, long to) { return new CompletableFuture<>(); }
    @Override public void requestUpThru(long epoch) {}
    @Override public void storeFull(boolean full) { storeFullReports.add(full); }
    @Override public boolean tryStartRecoveryOp() { return throttleOpen; }
    @Override public void requestPgTemp(PgId pg, List<Integer> osds) { pgTempAsked.add(osds); }

    /** A new small store in {@code dir} (the tests' @TempDir) for a Pg to run on. */
    static BlockObjectStore smallStore(Path dir) throws IOException {
        StoreOptions options = StoreOptions.small(4 << 20);
        BlockObjectStore.mkfs(dir, options);
        return BlockObjectStore.open(dir, options);
    }

    /** Runs queued shard tasks (and, with {@code andLater}, the delayed ones), {@code rounds} times over. */
    void run(boolean andLater, int rounds) {
        for (int i = 0; i < rounds; i++) {
            while (!now.isEmpty()) {
                now.poll().run();
            }
            if (andLater) {
                List<Runnable> due = new ArrayList<>(later);
                later.clear();
                due.forEach(Runnable::run);
            }
        }
    }
}
