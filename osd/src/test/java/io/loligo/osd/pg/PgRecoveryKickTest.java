package io.loligo.osd.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.OsdMap;
import io.loligo.maps.PgId;
import io.loligo.messages.MOSDPgPush;
import io.loligo.messages.ObjectRef;
import io.loligo.msg.Message;
import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery's retry kick across an interval change, on a real store with the shard's queues run by
 * hand. CI of 698d1ef: after {@code osd out 0} one PG stayed active+recovering+degraded for good
 * (RebalanceTest); reproduced by out/in cycles, where each OSD activates several PGs at once and
 * the recovery throttle's pace turns away all but one. The first kick of an interval the throttle
 * refused was never retried: a kick the previous interval had scheduled was still pending, so the
 * new one scheduled none ({@code kickScheduled} survived the reset), and the old one, finding its
 * interval gone, did nothing.
 */
class PgRecoveryKickTest {
    static final PgId PGID = PastIntervalsTest.PG;
    @TempDir
    Path dir;
    BlockObjectStore store;

    /** A store with the PG's collection. */
    private void openStore() throws Exception {
        store = FakePgHost.smallStore(dir);
        store.commit(new Transaction().createCollection(new CollectionId(PGID.pool(), PGID.seed()), 0)).join();
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void rebalanceOutIn_698d1ef_aKickTheThrottleRefusedIsRetriedInTheNextInterval() throws Exception {
        openStore();
        PastIntervalsTest.History h = new PastIntervalsTest.History(2);
        FakePgHost host = new FakePgHost(store);
        Pg pg = new Pg(PGID, host, new PgLog(PgLog.ENTRIES_MAX), 0, 0);
        ObjectRef ref = new ObjectRef("", "obj", 0);

        // Interval A: acting [0, 1]; osd.1 lacks the object; the throttle refuses: a retry is scheduled.
        OsdMap a = h.last();
        pg.advanceMap(a, a.pool(1), List.of(0, 1), 0);
        host.run(false, 3);   // peering starts and waits for maps that never come: the test activates by hand
        pg.activate(pg.intervalSeq, Map.of(1, List.of(ref)), Set.of());
        host.run(false, 3);
        assertThat(host.later).as("interval A's retry kick").isNotEmpty();
        assertThat(host.pushedTo).isEmpty();

        // Interval B before that retry ran: acting [0, 2]; osd.2 lacks it; the throttle still refuses.
        OsdMap b = h.down(1).last();
        pg.advanceMap(b, b.pool(1), List.of(0, 2), 0);
        host.run(false, 3);
        pg.activate(pg.intervalSeq, Map.of(2, List.of(ref)), Set.of());
        host.run(false, 3);

        // The throttle opens: recovery must go on without any other event (no map change, no op).
        host.throttleOpen = true;
        host.run(true, 5);
        assertThat(host.pushedTo).as("recovery of osd.2 after the throttle opened").containsExactly(2);
    }

    /**
     * A PG whose acting set a pg_temp pins is remapped (Ceph's state word); once clean its primary
     * asks the monitors to clear the pg_temp, once per retry window however often the OSD ticks
     * (a clear whose request or map was lost is asked again after PgRecovery.PG_TEMP_CLEAR_RETRY).
     */
    @Test
    void aCleanPgUnderPgTempIsRemappedAndAsksOnceForTheClear() throws Exception {
        openStore();
        PastIntervalsTest.History h = new PastIntervalsTest.History(2);
        FakePgHost host = new FakePgHost(store);
        host.throttleOpen = true;
        Pg pg = new Pg(PGID, host, new PgLog(PgLog.ENTRIES_MAX), 0, 0);

        OsdMap plain = h.last();
        List<Integer> up = java.util.Arrays.stream(plain.placement().mapPg(plain.pool(1), PGID.seed()).up()).boxed().toList();
        pg.advanceMap(plain, plain.pool(1), up, up.get(0));
        host.run(false, 3);
        pg.activate(pg.intervalSeq, Map.of(), Set.of());
        host.run(false, 3);
        assertThat(pg.stateName()).isEqualTo("active+clean");
        assertThat(host.pgTempAsked).isEmpty();

        // The monitors pin the acting set in another order (as for a primary being backfilled).
        List<Integer> pinned = List.of(up.get(1), up.get(2), up.get(0));
        OsdMap temp = h.change((m, inc) -> inc.newPgTemp.put(PGID, pinned)).last();
        pg.advanceMap(temp, temp.pool(1), pinned, pinned.get(0));
        host.run(false, 3);
        assertThat(pg.role()).isNotEqualTo(Pg.Role.PRIMARY);   // osd.0 is the last member now, not primary
        assertThat(pg.remapped()).isTrue();

        // Then osd.0 first, the others in reverse order: never CRUSH's own order.
        List<Integer> others = new ArrayList<>(up);
        others.remove(Integer.valueOf(0));
        java.util.Collections.reverse(others);
        List<Integer> zeroFirst = new ArrayList<>(List.of(0));
        zeroFirst.addAll(others);
        assertThat(zeroFirst).isNotEqualTo(up);
        OsdMap tempFirst = h.change((m, inc) -> inc.newPgTemp.put(PGID, zeroFirst)).last();
        List<Integer> acting = tempFirst.pgTemp().get(PGID);
        pg.advanceMap(tempFirst, tempFirst.pool(1), acting, 0);
        host.run(false, 3);
        pg.activate(pg.intervalSeq, Map.of(), Set.of());
        host.run(false, 3);
        assertThat(pg.stateName()).isEqualTo("active+clean+remapped");
        assertThat(host.pgTempAsked).as("the clean primary asks for the clear").containsExactly(List.of());
        for (int i = 0; i < 5; i++) {
            pg.tick();   // OSD ticks within the retry window
        }
        host.run(false, 3);
        assertThat(host.pgTempAsked).as("not again within the retry window").hasSize(1);
    }
}
