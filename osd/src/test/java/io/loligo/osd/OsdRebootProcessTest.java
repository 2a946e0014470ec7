package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.OsdState;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An OSD that finds itself marked down while alive boots again, however soon after its last boot. */
class OsdRebootProcessTest {
    /**
     * Regression, mon-leader-partition (seed 5539159055794412226): after the heal, the healed host's
     * OSD was marked down moments after it had booted again, and never booted: a map showing it down
     * within a second of its last boot was ignored (to skip stale maps), and with the cluster quiet no
     * later map came to try again. Here osd.0 is marked down as soon as each boot shows in the map,
     * three times; it must come back every time.
     */
    @Test
    void monLeaderPartition5539159055794412226_anOsdMarkedDownRightAfterItsBootBootsAgain() throws Exception {
        try (OsdCluster c = new OsdCluster(1, Map.of(), Map.of())) {
            c.startMon();
            MonConnection admin = c.admin();
            OsdCluster.command(admin, Duration.ofSeconds(90), "osd stat");
            c.startOsd(0);
            admin.subscribe(m -> { });
            OsdCluster.awaitMap(admin, "osd.0 up", Duration.ofSeconds(90), m -> m.osd(0) != null && m.osd(0).up());
            for (int round = 0; round < 3; round++) {
                long upFrom = admin.osdMap().osd(0).upFrom();
                MonReply down = OsdCluster.command(admin, Duration.ofSeconds(30), "osd down", "ids", "0");
                assertThat(down.outs()).as(down.toString()).contains("marked down osd.0");
                OsdCluster.awaitMap(admin, "osd.0 up again after round " + round, Duration.ofSeconds(60), m -> {
                    OsdState o = m.osd(0);
                    return o.up() && o.upFrom() > upFrom;
                });
            }
            assertThat(c.log("osd.0")).contains("booting again");
        }
    }
}
