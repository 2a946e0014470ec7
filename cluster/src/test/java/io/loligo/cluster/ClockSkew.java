package io.loligo.cluster;

import io.loligo.cluster.Scenarios.Fault;
import io.loligo.common.WallClock;
import io.loligo.maps.OsdMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One monitor's clock skewed (its {@link WallClock} offset, {@value WallClock#OFFSET_ENV}) and made
 * the leader, under load. The leader's clock is where wall time matters most: it stamps every
 * command it commits, and it compares those stamps with its own clock to mark silent OSDs down
 * (mon_osd_report_timeout, 20 s here) and down OSDs out. A leader running {@code skew} ahead first
 * sees every beacon its predecessor stamped as {@code skew} old; a leader after it sees the skewed
 * stamps in its future. Neither may mark a live OSD down (no OSD's up_from may change), and
 * nothing acknowledged may be lost. Then the monitor's clock is set right and leadership moves on.
 */
final class ClockSkew {
    private ClockSkew() {}

    static Fault skewedMonitorLeader(Duration skew) {
        return run -> {
            TestCluster c = run.cluster();
            List<String> mons = new ArrayList<>();
            for (String n : c.daemons.keySet()) {
                if (n.startsWith("mon.")) {
                    mons.add(n.substring(4));
                }
            }
            String skewed = mons.get(run.random.nextInt(mons.size()));
            Map<Integer, Long> upFrom = upFrom(c.admin().osdMap());
            c.daemon("mon." + skewed).env.put(WallClock.OFFSET_ENV, String.valueOf(skew.toMillis()));
            c.terminate("mon." + skewed);
            c.start("mon." + skewed);
            c.transferLeadership(skewed, Duration.ofSeconds(120));
            long t0 = System.nanoTime();
            run.hold(Duration.ofSeconds(25));   // past mon_osd_report_timeout (20 s) under the skewed leader
            checkNoOsdMarkedDown(c, upFrom, "with mon." + skewed + " leading " + skew.toSeconds() + " s ahead");
            double skewedFor = (System.nanoTime() - t0) / 1e9;
            String next = mons.get((mons.indexOf(skewed) + 1) % mons.size());
            c.transferLeadership(next, Duration.ofSeconds(120));
            run.hold();   // the next leader sees the skewed stamps in its future: silence looks negative, nothing times out
            checkNoOsdMarkedDown(c, upFrom, "after leadership moved from the skewed mon." + skewed + " to mon." + next);
            c.daemon("mon." + skewed).env.remove(WallClock.OFFSET_ENV);
            c.terminate("mon." + skewed);
            c.start("mon." + skewed);
            run.healed();
            run.note("mon.%s's clock %+d s and leader for %.0f s, then mon.%s leader: no OSD marked down", skewed,
                    skew.toSeconds(), skewedFor, next);
        };
    }

    private static Map<Integer, Long> upFrom(OsdMap m) {
        Map<Integer, Long> out = new TreeMap<>();
        m.osds().values().forEach(o -> out.put(o.id(), o.up() ? o.upFrom() : -1));
        return out;
    }

    private static void checkNoOsdMarkedDown(TestCluster c, Map<Integer, Long> before, String when) throws Exception {
        long epoch = c.command(Duration.ofSeconds(30), "osd stat").epoch();
        c.awaitMap("osdmap e" + epoch, Duration.ofSeconds(30), m -> m.epoch() >= epoch);
        Map<Integer, Long> now = upFrom(c.admin().osdMap());
        if (!now.equals(before)) {
            throw new AssertionError("OSDs were marked down " + when + ": up_from before " + before + ", now " + now);
        }
    }
}
