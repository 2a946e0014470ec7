package io.loligo.osd.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.CrushMap;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDPingReply;
import io.loligo.msg.Message;
import io.loligo.msg.Timeout;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HeartbeaterTest {
    private static OsdMap threeUp() {
        OsdMap genesis = OsdMap.genesis("f", 1, new CrushMap());
        OsdMap.Incremental inc = genesis.newIncremental(2);
        inc.newMaxOsd = 3;
        for (int i = 0; i < 3; i++) {
            inc.newOsds.put(i, OsdState.created(i, "u" + i).withUp("127.0.0.1:" + (6800 + i), "h" + i, 2));
        }
        return genesis.apply(inc);
    }

    /**
     * Regression, slow-network (seed 6070906697516831098): with the chaos suite's heartbeat conf
     * (0.5 s interval, 4 s grace) and 1 s added to every frame osd.2 sent, each ping's reply came
     * just after the ping's 1 s timeout (two intervals): the connection was reset, the late reply
     * lost with it, and osd.2 was reported failed and marked down twice within 10 s. A reply that
     * takes 1.2 s (well within the grace) must now arrive: no reset, the peer heard. The fake
     * answers within the ping's own timeout or times it out, as the messenger would.
     */
    @Test
    void slowNetwork6070906697516831098_aReplySlowerThanTwoIntervalsButWithinTheGraceIsHeard() {
        OsdMap map = threeUp();
        Duration replyAfter = Duration.ofMillis(1200);
        List<Integer> reset = new CopyOnWriteArrayList<>();
        List<Integer> heard = new CopyOnWriteArrayList<>();
        Heartbeater hb = new Heartbeater(new Heartbeater.Env() {
            @Override public int whoami() { return 0; }
            @Override public OsdMap map() { return map; }
            @Override public Set<Integer> peers() { return Set.of(2); }
            @Override public CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout) {
                if (timeout.compareTo(replyAfter) < 0) {
                    return CompletableFuture.failedFuture(new Timeout("osd." + osd + ": no reply within " + timeout));
                }
                heard.add(osd);
                return CompletableFuture.completedFuture(new MOSDPingReply(osd, 2, 0));
            }
            @Override public void resetConnection(int osd) { reset.add(osd); }
            @Override public MonConnection mon() { return null; }
            @Override public Duration interval() { return Duration.ofMillis(500); }
            @Override public Duration grace() { return Duration.ofSeconds(4); }
        });
        hb.tick();
        hb.tick();
        assertThat(reset).as("connections reset").isEmpty();
        assertThat(heard).containsExactly(2, 2);
    }

    /** The ping timeout: two intervals, at least half the grace. */
    @Test
    void pingTimeoutIsTwoIntervalsButAtLeastHalfTheGrace() {
        assertThat(Heartbeater.pingTimeout(env(Duration.ofMillis(500), Duration.ofSeconds(4)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(Heartbeater.pingTimeout(env(Duration.ofSeconds(1), Duration.ofSeconds(20)))).isEqualTo(Duration.ofSeconds(10));
        assertThat(Heartbeater.pingTimeout(env(Duration.ofSeconds(6), Duration.ofSeconds(20)))).isEqualTo(Duration.ofSeconds(12));
    }

    private static Heartbeater.Env env(Duration interval, Duration grace) {
        return new Heartbeater.Env() {
            @Override public int whoami() { return 0; }
            @Override public OsdMap map() { return null; }
            @Override public Set<Integer> peers() { return Set.of(); }
            @Override public CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout) { return null; }
            @Override public MonConnection mon() { return null; }
            @Override public Duration interval() { return interval; }
            @Override public Duration grace() { return grace; }
        };
    }

    /**
     * Regression, mon-leader-partition (seed 480225805509269605): after the heal, pings to the healed
     * host's OSD went over connections stuck in TCP's retransmission backoff, so it was reported
     * failed and marked down every few seconds for a quarter of a minute. A ping without a reply in
     * time now resets that peer's heartbeat connection; a ping answered, or refused otherwise, does not.
     */
    @Test
    void monLeaderPartition480225805509269605_aPingWithoutReplyResetsThePeersConnection() {
        OsdMap genesis = OsdMap.genesis("f", 1, new CrushMap());
        OsdMap.Incremental inc = genesis.newIncremental(2);
        inc.newMaxOsd = 3;
        for (int i = 0; i < 3; i++) {
            inc.newOsds.put(i, OsdState.created(i, "u" + i).withUp("127.0.0.1:" + (6800 + i), "h" + i, 2));
        }
        OsdMap map = genesis.apply(inc);
        List<Integer> reset = new CopyOnWriteArrayList<>();
        Heartbeater hb = new Heartbeater(new Heartbeater.Env() {
            @Override public int whoami() { return 0; }
            @Override public OsdMap map() { return map; }
            @Override public Set<Integer> peers() { return Set.of(1, 2); }
            @Override public CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout) {
                return osd == 1 ? CompletableFuture.failedFuture(new Timeout("osd.1: no reply within " + timeout))
                        : CompletableFuture.completedFuture(new MOSDPingReply(2, 2, 0));
            }
            @Override public void resetConnection(int osd) { reset.add(osd); }
            @Override public MonConnection mon() { return null; }
            @Override public Duration interval() { return Duration.ofMillis(500); }
            @Override public Duration grace() { return Duration.ofSeconds(20); }
        });
        hb.tick();
        hb.tick();
        assertThat(reset).containsExactly(1, 1);
    }

    /**
     * Regression, mon-leader-partition (seed 5539159055794412226): after the partitioned leader's
     * host was healed its OSD flapped: down, booted, then marked down again by a reporter whose
     * silence timer predated the boot. A peer seen with a new up_from between two ticks booted
     * again: its silence starts afresh. The control: the same silence with no reboot is reported.
     */
    @Test
    void monLeaderPartition5539159055794412226_aPeersNewUpFromRestartsItsSilenceTimer() throws Exception {
        OsdMap before = threeUp();
        OsdMap.Incremental inc = before.newIncremental(3);
        inc.newOsds.put(2, before.osd(2).withUp("127.0.0.1:6812", "h2", 3));   // osd.2 booted again at e3
        OsdMap rebooted = before.apply(inc);
        assertThat(rebooted.osd(2).upFrom()).isNotEqualTo(before.osd(2).upFrom());
        Duration grace = Duration.ofMillis(50);

        java.util.concurrent.atomic.AtomicReference<OsdMap> map = new java.util.concurrent.atomic.AtomicReference<>(before);
        Heartbeater control = silentPeer2(map, grace);
        control.tick();
        awaitLonger(grace);
        control.tick();
        assertThat(control.reportedFailed(2)).as("silence past the grace, no reboot: reported").isTrue();

        map.set(before);
        Heartbeater hb = silentPeer2(map, grace);
        hb.tick();
        awaitLonger(grace);
        map.set(rebooted);
        hb.tick();
        assertThat(hb.reportedFailed(2)).as("silence from before its boot does not count").isFalse();
    }

    /** A heartbeater of osd.0 watching osd.2, which never answers (no mon: reports are only recorded). */
    private static Heartbeater silentPeer2(java.util.concurrent.atomic.AtomicReference<OsdMap> map, Duration grace) {
        return new Heartbeater(new Heartbeater.Env() {
            @Override public int whoami() { return 0; }
            @Override public OsdMap map() { return map.get(); }
            @Override public Set<Integer> peers() { return Set.of(2); }
            @Override public CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout) {
                return new CompletableFuture<>();
            }
            @Override public MonConnection mon() { return null; }
            @Override public Duration interval() { return Duration.ofMillis(10); }
            @Override public Duration grace() { return grace; }
        });
    }

    /** Waits until more than {@code d} has passed on the clock the heartbeater reads. */
    private static void awaitLonger(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos() + 1_000_000;
        while (System.nanoTime() - until < 0) {
            Thread.sleep(1);
        }
    }
}
