package io.loligo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.maps.OsdMap;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The objecter against fake OSDs (real messenger servers, one shared store, the PG log's reqid
 * dedup) while the OSD map changes under it: OSDs are marked out and in, pg_num doubles (16 to
 * 128), the client learns each
 * new map late (so it sends to stale primaries and gets EMISDIRECTED), and OSDs drop the
 * connection after applying a write instead of replying (so the client resends). Every op must
 * complete, every acknowledged append must be in its object exactly once, no write may be applied
 * twice, and reads see every append their thread had acknowledged. Seeded; LOLIGO_SEED replays.
 */
class ObjecterMapChangeTest {
    static LongStream seeds() {
        String env = System.getenv("LOLIGO_SEED");
        return env != null && !env.isEmpty() ? LongStream.of(Long.parseLong(env)) : LongStream.of(1, 2, 3);
    }

    static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1);
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyOpCompletesExactlyOnceWhileTheMapChanges(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        ScheduledThreadPoolExecutor timer = timer();
        try (FakeOsds osds = new FakeOsds(5, seed);
             Objecter objecter = new Objecter(FakeOsds.CLIENT, Base64.getDecoder().decode(osds.clientKey), timer)) {
            objecter.onMap(osds.truth.get());
            osds.dropAfterApply = 0.05;
            int clients = 6;
            int opsEach = 120;
            Map<String, List<String>> acked = new ConcurrentHashMap<>();
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            var pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                int client = c;
                long workerSeed = rnd.nextLong();
                workers.add(CompletableFuture.runAsync(() -> workload(objecter, client, opsEach, workerSeed, acked, seed), pool));
            }
            // The nemesis: out/in changes, each delivered to the client 0-150 ms late.
            for (int change = 0; change < 25 && !CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).isDone(); change++) {
                int osd = rnd.nextInt(5);
                OsdMap m = osds.truth.get();
                boolean in = m.osd(osd).weight() == 0 || m.osds().values().stream().filter(o -> o.weight() > 0).count() <= 3;
                OsdMap next = change % 8 == 4 ? osds.doublePgs() : osds.setIn(osd, in);
                timer.schedule(() -> objecter.onMap(next), rnd.nextInt(150), TimeUnit.MILLISECONDS);
                Thread.sleep(40);   // pacing of the nemesis, not synchronisation: outcomes are checked below
            }
            OsdMap last = osds.truth.get();
            timer.schedule(() -> objecter.onMap(last), 200, TimeUnit.MILLISECONDS);
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            pool.shutdown();
            for (var e : acked.entrySet()) {
                String content = new String(osds.object(e.getKey()), StandardCharsets.UTF_8);
                Map<String, Integer> counts = new HashMap<>();
                for (String token : content.split(";")) {
                    if (!token.isEmpty()) {
                        counts.merge(token, 1, Integer::sum);
                    }
                }
                for (String token : e.getValue()) {
                    assertThat(counts.getOrDefault(token, 0)).as("seed %d: acked append %s in %s", seed, token, e.getKey()).isEqualTo(1);
                }
                assertThat(counts.values()).as("seed %d: no append applied twice in %s", seed, e.getKey()).allMatch(n -> n == 1);
            }
            assertThat(osds.applied.values()).as("seed %d: each write reqid applied once", seed).allMatch(n -> n.get() == 1);
            System.out.printf("seed %d: %d map changes (pg_num now %d), %d EMISDIRECTED replies, %d connections dropped after a write%n",
                    seed, osds.truth.get().epoch() - 2, osds.truth.get().pool(1).pgNum(), osds.misdirected.get(), osds.dropped.get());
            assertThat(osds.misdirected.get() + osds.dropped.get()).as("seed %d: the faults happened", seed).isPositive();
            assertThat(objecter.inflightCount()).isZero();
        } finally {
            timer.shutdownNow();
        }
    }

    private static void workload(Objecter objecter, int client, int ops, long seed, Map<String, List<String>> acked, long testSeed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, List<String>> mine = new HashMap<>();
        for (int i = 0; i < ops; i++) {
            String obj = "obj-" + r.nextInt(12);
            if (r.nextInt(3) > 0) {
                String token = "c" + client + "-" + i;
                MOSDOpReply reply = objecter.submit(1, "", obj, List.of(new OsdOp.Append((token + ";").getBytes(StandardCharsets.UTF_8))),
                        Duration.ofSeconds(60)).join();
                assertThat(reply.result()).as("seed %d: append %s", testSeed, token).isEqualTo(OsdResult.OK);
                mine.computeIfAbsent(obj, k -> new ArrayList<>()).add(token);
                acked.computeIfAbsent(obj, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(token);
            } else {
                MOSDOpReply reply = objecter.submit(1, "", obj, List.of(new OsdOp.Read(0, 0)), Duration.ofSeconds(60)).join();
                List<String> expected = mine.getOrDefault(obj, List.of());
                if (expected.isEmpty()) {
                    continue;
                }
                assertThat(reply.result()).as("seed %d: read of %s", testSeed, obj).isEqualTo(OsdResult.OK);
                String content = new String(((OpOutput.Data) reply.results().get(0).output()).bytes(), StandardCharsets.UTF_8);
                for (String token : expected) {
                    assertThat(content).as("seed %d: read of %s sees acked %s", testSeed, obj, token).contains(token + ";");
                }
            }
        }
    }

    /**
     * A client whose map is 40 epochs behind (no pushes reached it) sends to stale primaries, hears
     * of the newer epoch in EMISDIRECTED replies, asks the monitors (here: the refresher hands it
     * the true map) and completes every op.
     */
    @Test
    void aClientWithALongStaleMapCatchesUp() throws Exception {
        ScheduledThreadPoolExecutor timer = timer();
        try (FakeOsds osds = new FakeOsds(5, 11);
             Objecter objecter = new Objecter(FakeOsds.CLIENT, Base64.getDecoder().decode(osds.clientKey), timer)) {
            objecter.onMap(osds.truth.get());
            long stale = osds.truth.get().epoch();
            SplittableRandom rnd = new SplittableRandom(11);
            for (int i = 0; i < 40; i++) {
                int osd = rnd.nextInt(5);
                osds.setIn(osd, osds.truth.get().osd(osd).weight() == 0);
            }
            if (osds.truth.get().osds().values().stream().filter(o -> o.weight() > 0).count() < 2) {
                osds.setIn(0, true);
                osds.setIn(1, true);
            }
            java.util.concurrent.atomic.AtomicInteger refreshes = new java.util.concurrent.atomic.AtomicInteger();
            objecter.setMapRefresher(() -> {
                refreshes.incrementAndGet();
                objecter.onMap(osds.truth.get());
            });
            List<CompletableFuture<MOSDOpReply>> ops = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ops.add(objecter.submit(1, "", "stale-" + i, List.of(new OsdOp.Append(("x" + i + ";").getBytes(StandardCharsets.UTF_8))),
                        Duration.ofSeconds(30)));
            }
            for (CompletableFuture<MOSDOpReply> f : ops) {
                assertThat(f.get(60, TimeUnit.SECONDS).result()).isEqualTo(OsdResult.OK);
            }
            assertThat(objecter.map().epoch()).as("caught up from epoch %d", stale).isEqualTo(osds.truth.get().epoch());
            assertThat(refreshes.get()).as("asked the monitors for the newer map").isPositive();
            for (int i = 0; i < 50; i++) {
                assertThat(new String(osds.object("stale-" + i), StandardCharsets.UTF_8)).isEqualTo("x" + i + ";");
            }
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * Regression, packet-loss (seed 7611029335041956332): the primary of some ops goes silent (it
     * hears, nobody hears it) and a new map moves its PGs, but no monitor push reaches the client.
     * Other ops still complete on OSDs that did not move, and their replies carry the newer epoch:
     * that alone must make the client ask for the map (as Ceph's OSDs share newer maps with a client
     * behind them), so the op waiting on the silent OSD moves to its new primary long before its
     * deadline. The old code asked only on EMISDIRECTED or a failed call, i.e. at the op's deadline.
     */
    @Test
    void packetLoss7611029335041956332_aReplyFromAnOsdAheadOfUsAsksForTheNewMap() throws Exception {
        ScheduledThreadPoolExecutor timer = timer();
        try (FakeOsds osds = new FakeOsds(5, 7611029335041956332L);
             Objecter objecter = new Objecter(FakeOsds.CLIENT, Base64.getDecoder().decode(osds.clientKey), timer)) {
            OsdMap before = osds.truth.get();
            objecter.onMap(before);
            int silent = before.placement().mapObject(before.pool(1), "", "stuck").actingPrimary();
            osds.blackHole = silent;
            OsdMap after = osds.setIn(silent, false);   // the new map: its PGs have other primaries
            String unmoved = null;
            for (int i = 0; unmoved == null; i++) {
                var b = before.placement().mapObject(before.pool(1), "", "other-" + i);
                var a = after.placement().mapObject(after.pool(1), "", "other-" + i);
                if (b.actingPrimary() == a.actingPrimary() && b.pg().seed() == a.pg().seed() && b.actingPrimary() != silent) {
                    unmoved = "other-" + i;
                }
            }
            java.util.concurrent.atomic.AtomicInteger refreshes = new java.util.concurrent.atomic.AtomicInteger();
            objecter.setMapRefresher(() -> {
                refreshes.incrementAndGet();
                objecter.onMap(osds.truth.get());   // the monitors answer with the newest map
            });
            var stuck = objecter.submit(1, "", "stuck", List.of(new OsdOp.Append("s;".getBytes(StandardCharsets.UTF_8))),
                    Duration.ofSeconds(60));
            var other = objecter.submit(1, "", unmoved, List.of(new OsdOp.Read(0, 0)), Duration.ofSeconds(60));
            assertThat(other.get(10, TimeUnit.SECONDS).mapEpoch()).isEqualTo(after.epoch());
            assertThat(stuck.get(10, TimeUnit.SECONDS).result()).as("the op on the silent osd.%d, its deadline 60 s away",
                    silent).isEqualTo(OsdResult.OK);
            assertThat(refreshes.get()).isPositive();
            assertThat(objecter.map().epoch()).isEqualTo(after.epoch());
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void anOpWhosePrimaryNeverAnswersTimesOutWithAClearError() throws Exception {
        ScheduledThreadPoolExecutor timer = timer();
        try (FakeOsds osds = new FakeOsds(3, 7);
             Objecter objecter = new Objecter(FakeOsds.CLIENT, Base64.getDecoder().decode(osds.clientKey), timer)) {
            objecter.onMap(osds.truth.get());
            OsdMap m = osds.truth.get();
            osds.blackHole = m.placement().mapObject(m.pool(1), "", "stuck").actingPrimary();
            var f = objecter.submit(1, "", "stuck", List.of(new OsdOp.Read(0, 0)), Duration.ofMillis(300));
            assertThatThrownBy(f::join).hasCauseInstanceOf(RadosException.Timeout.class)
                    .hasMessageContaining("no reply within 300 ms").hasMessageContaining("'stuck'");
            var missingPool = objecter.submit(9, "", "x", List.of(new OsdOp.Read(0, 0)), Duration.ofSeconds(5));
            assertThatThrownBy(missingPool::join).hasCauseInstanceOf(RadosException.PoolNotFound.class);
        } finally {
            timer.shutdownNow();
        }
    }
}
