package io.loligo.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault-injection scenarios of issue 9, each under a concurrent read/write/append/omap
 * workload whose history is checked afterwards (nothing acknowledged lost, no phantom or torn
 * read, every key linearizable). One cluster serves every scenario, to keep CI short: three hosts
 * (network namespaces), each with a monitor and an OSD under its own CRUSH host (osd.0 on a small
 * disk), pool {@code chaos}
 * size 3, min_size 2; every scenario ends with the cluster back to HEALTH_OK before the next starts,
 * and works in its own namespace of the pool.
 *
 * <p>Seeds: each scenario's seed derives from the run's seed, printed at the start;
 * {@code LOLIGO_SEED=S} replays it. Load phases last {@code -Dloligo.chaos.phase} seconds (CI: 4).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosScenariosTest {
    private TestCluster cluster;
    private Scenarios scenarios;
    private long seed;

    @BeforeAll
    void startCluster() throws Exception {
        seed = Seeds.current();
        System.out.println("[chaos] ChaosScenariosTest seed " + seed + " (replay: LOLIGO_SEED=" + seed + ")");
        cluster = new TestCluster(3, 3, 1, 0);   // osd.0 has a small disk for the full-OSD scenario
        try {
            cluster.start();
            scenarios = new Scenarios(cluster, Duration.ofSeconds(Long.getLong("loligo.chaos.phase", 4)),
                    "LOLIGO_SEED=" + seed + " on the whole ChaosScenariosTest class");
        } catch (Throwable t) {
            String logs = cluster.logs(60);
            cluster.close();
            throw new AssertionError("cluster start failed: " + t + "\n" + logs, t);
        }
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private long seed(int scenario) {
        return seed + scenario;
    }

    /**
     * Found (seed 4593697621633603768): a client whose monitor died kept reconnecting to it and never
     * saw the map marking the lost host's OSD down, so its ops on those PGs timed out forever. Fixed
     * in Objecter (an unreachable OSD makes it ask the monitors again) and MonConnection (hunting
     * to another monitor renews the subscription).
     */
    @Test
    @Order(1)
    void loseOneHostOfThreeUnderLoad() throws Exception {
        scenarios.run("lose-one-host", seed(1), Faults.loseOneHost());
    }

    /**
     * Found (seed 8130234202103877585): IO took 28 s to resume because peering probed the hung OSD,
     * already down in the new map, for the 20 s query timeout: OsdDaemon published the map to
     * isUp() only after the PGs had started advancing to it. Fixed in OsdDaemon (upMap).
     */
    @Test
    @Order(2)
    void hungOsdUnderLoadResumesWithin25sAndRejoins() throws Exception {
        scenarios.run("hung-osd", seed(2), Faults.hungOsd());
    }

    /**
     * Found (seeds 5539159055794412226, 480225805509269605): after the leader's host was healed the
     * cluster sometimes never returned to HEALTH_OK: OSDs marked down never booted again. Causes,
     * all fixed: an OSD ignored a map showing it down within a second of its last boot, and a boot
     * that failed was never retried (OsdDaemon now re-checks on every tick); a session on the cut-off
     * monitor neither failed nor moved, its commands timing out one after another (MonConnection
     * now hunts for another monitor after a call without reply, and a reply newer than its map
     * fetches the missing epochs); the new leader counted OSDs' silence from before its election and
     * marked them all down by report timeout (MonDaemon counts from its election at the earliest); a
     * monitor that caught up by installing a snapshot pushed nothing to its subscribers
     * (MonStateMachine.reinitialize notifies them). Regression tests:
     * OsdRebootProcessTest, MonMessengerProcessTest#monLeaderPartition5539159055794412226_*.
     */
    @Test
    @Order(3)
    void partitionTheMonitorLeaderAway() throws Exception {
        assumeTrue(cluster.netns(), "skipped: needs network namespaces (" + Net.unavailableReason() + ")");
        scenarios.run("mon-leader-partition", seed(3), Faults.monLeaderPartition());
    }

    @Test
    @Order(4)
    void loseTwoHostsIoPausesNothingLost() throws Exception {
        scenarios.run("lose-two-hosts", seed(4), Faults.loseTwoHosts());
    }

    @Test
    @Order(5)
    void flappingOsd() throws Exception {
        scenarios.run("flapping-osd", seed(5), Faults.flappingOsd(3));
    }

    @Test
    @Order(6)
    void wholeClusterPowerLoss() throws Exception {
        scenarios.run("power-loss", seed(6), Faults.powerLoss());
    }

    @Test
    @Order(7)
    void rollingRestartWithZeroClientErrors() throws Exception {
        scenarios.run("rolling-restart", seed(7), Faults.rollingRestart());
    }

    @Test
    @Order(8)
    void bitRotFoundByDeepScrubAndRepaired() throws Exception {
        scenarios.run("bit-rot", seed(9), BitRot.deepScrubRepairs());
    }

    /**
     * Found (seed 1564534407197455156): once osd.0 was full (97 % used) the filler could not be
     * deleted: the full replica refused (ENOSPC) a write its primary had already logged, the primary
     * retried it forever, and every later entry of that PG (the deletes) waited behind it, so the
     * cluster stayed HEALTH_ERR OSD_FULL for good. Fixed as Ceph does it: the monitors mark full OSDs
     * in the map and primaries refuse writes that add data before logging them; a replica past
     * osd_failsafe_full_ratio logs the entry without its data (object missing, recovered later).
     * Whole-suite runs found two more, both fixed (seeds not recorded; docs/reliability.md): a
     * replica past its failsafe ratio never reported itself full, and a failsafe-full replica took
     * deletes for writes (PgUnitTest#fullOsdSeedUnknown_*).
     */
    @Test
    @Order(9)
    void fullOsdRefusesWritesLosesNothingAndRecovers() throws Exception {
        assumeTrue(cluster.netns(), "skipped: the small disk needs root (" + Net.unavailableReason() + ")");
        scenarios.run("full-osd", seed(8), Faults.fullOsd());
    }
    /** A store whose data file was cut short refuses to start; the cluster carries on; the disk is replaced. */
    @Test
    @Order(10)
    void truncatedStoreRefusedAndReplaced() throws Exception {
        scenarios.run("truncated-store", seed(10), Truncation.truncatedStoreRefusedAndReplaced());
    }

    /** The monitor leader's clock 90 s ahead, then leadership moved on: no OSD marked down, nothing lost. */
    @Test
    @Order(11)
    void skewedMonitorLeaderMarksNoOsdDown() throws Exception {
        scenarios.run("clock-skew", seed(11), ClockSkew.skewedMonitorLeader(Duration.ofSeconds(90)));
    }

    /**
     * 30 % random loss both ways on one host, then one-way loss (it hears but cannot speak), under load.
     * Found (seed 7611029335041956332, run seed 7611029335041956320): after host h2 went silent one
     * way, IO had not resumed on every key after 90 s, though osd.2 was marked down: the client's
     * monitor session was on mon.c, on the silent host, and renewing its subscription there never
     * brought the new map. Fixed in MonConnection (a subscription unanswered in 5 s leaves the
     * monitor) and Objecter (a reply from an OSD ahead of the client's map asks for the map); after
     * the heal, osd.2's queued failure reports marked osd.0 and osd.1 down: fixed in the monitors
     * (OsdCommands.failure). Regression tests named packetLoss7611029335041956332_*.
     */
    @Test
    @Order(12)
    void packetLossThenOneWayLoss() throws Exception {
        assumeTrue(cluster.netns(), "skipped: needs network namespaces (" + Net.unavailableReason() + ")");
        String nft = Net.nftUnavailableReason();
        assumeTrue(nft == null, "skipped: " + nft);
        scenarios.run("packet-loss", seed(12), PacketLoss.randomThenOneWay(30));
    }

    /**
     * One host's daemons send every frame 200 ms late, then 1 s late (their messenger's send delay:
     * this kernel has no sch_netem), under load: IO continues, no OSD is marked down, nothing lost.
     * Found (seed 6070906697516831098): every heartbeat ping timed out at two intervals (1 s), just
     * before its delayed reply, and the reset lost the reply: the slow host's OSD was marked down
     * again and again. Fixed in Heartbeater.pingTimeout (at least half the grace); regression test
     * HeartbeaterTest#slowNetwork6070906697516831098_*.
     */
    @Test
    @Order(13)
    void slowNetworkOnOneHost() throws Exception {
        scenarios.run("slow-network", seed(13), SlowNetwork.latencyOnOneHost(Duration.ofMillis(200), Duration.ofSeconds(1)));
    }
}
