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
}
