package io.loligo.osd.pg;

import io.loligo.maps.OsdMap;
import io.loligo.maps.PgId;
import io.loligo.msg.Message;
import io.loligo.osd.objectstore.ObjectStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What a PG needs from its OSD: identity, the store, peers, its shard thread and time. */
public interface PgHost {
    int whoami();

    ObjectStore store();

    /** Sends a request to another OSD; fails with a messenger exception when it cannot be delivered or answered. */
    CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout);

    /** Runs {@code task} on the shard thread that owns {@code pg}; never dropped. */
    void onShard(PgId pg, Runnable task);

    /** Runs {@code task} on {@code pg}'s shard after {@code delay}. */
    void onShardLater(PgId pg, Duration delay, Runnable task);

    long nowMillis();

    /**
     * Whether the local store is at the map's full ratio, or would pass the failsafe ratio with
     * {@code addBytes} more (or the store refuses writes): a primary refuses writes that add data;
     * deletes still work.
     */
    default boolean isFull(long addBytes) {
        return false;
    }

    /**
     * Whether the local store, with {@code addBytes} more, would pass {@code osd_failsafe_full_ratio}
     * (or the store refuses writes): a replica then keeps only the log entry and records the object
     * missing, so the PG's later entries (deletes) still apply.
     */
    default boolean failsafeFull(long addBytes) {
        return false;
    }

    /** The store refused a write for lack of space ({@code full}) or took one again: shown in health as OSD_FULL. */
    default void storeFull(boolean full) {}

    /** Whether {@code osd} is up in this OSD's current map. */
    boolean isUp(int osd);

    /**
     * A durability-path failure (a store commit failed): the store's state is unknown, so the
     * daemon stops; replication and peering exist for exactly this.
     */
    void fatal(String what, Throwable cause);

    /**
     * The OSD maps of epochs {@code from..to}, oldest first and consecutive (starting later when
     * the monitors no longer keep {@code from}); completes off the shard, fails when the monitors
     * cannot be reached.
     */
    CompletableFuture<List<OsdMap>> maps(long from, long to);

    /**
     * Asks the monitors to record this OSD alive through {@code epoch} (its up_thru, Ceph's
     * MOSDAlive); the answer arrives as a new map. Repeated while wanted.
     */
    void requestUpThru(long epoch);

    /** Runs {@code task} on {@code pg}'s shard at background priority (after queued client ops). */
    default void onShardBackground(PgId pg, Runnable task) {
        onShard(pg, task);
    }

    /** Takes one of the OSD's osd_recovery_max_active recovery slots; false when none is free. */
    default boolean tryStartRecoveryOp() {
        return true;
    }

    default void endRecoveryOp() {}

    /** Takes one of the OSD's osd_max_backfills backfill reservations; false when none is free. */
    default boolean tryReserveBackfill() {
        return true;
    }

    default void releaseBackfill() {}

    /** osd_recovery_sleep: pause between a PG's recovery pushes. */
    default Duration recoverySleep() {
        return Duration.ZERO;
    }

    /** Asks the monitors to set (or, with an empty list, clear) {@code pg}'s pg_temp; the answer is a new map. */
    default void requestPgTemp(PgId pg, List<Integer> osds) {}

    /** Called after a PG's state changed (for reports to the monitors). */
    default void pgStateChanged(PgId pg) {}
}
