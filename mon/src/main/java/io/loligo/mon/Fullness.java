package io.loligo.mon;

import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.monc.MonReply;
import java.util.Locale;

/**
 * Full handling as Ceph's OSDMonitor does it: the OSD map holds the nearfull, backfillfull and full
 * ratios ({@code osd set-nearfull-ratio} etc.; a new cluster takes mon_osd_*_ratio), and every
 * {@code osd pgstats} report sets the reporting OSD's fullness bits in the map from its usage (or
 * FULL when the OSD says its store refuses writes, e.g. its file system is below the metadata
 * reserve). A change commits one incremental, so primaries learn it with the next map; health
 * reads the bits (OSD_FULL, OSD_BACKFILLFULL, OSD_NEARFULL).
 */
final class Fullness {
    private Fullness() {}

    /** The fullness bits {@code osd} should have by its last report and the map's ratios. */
    static int of(MonState s, OsdMap m, int osd, boolean storeFull) {
        PgStats.OsdStat st = s.pgStats.osd(osd);
        if (storeFull) {
            return OsdState.FULL;
        }
        return st == null ? 0 : m.fullnessOf(st.kbUsed(), st.kb());
    }

    /** After a report from {@code osd}: commits its new fullness bits when they changed. */
    static void reported(MonState s, int osd, boolean storeFull, long stamp) {
        OsdState o = s.osdmap.osd(osd);
        int bits = of(s, s.osdmap, osd, storeFull);
        if (o != null && o.fullness() != bits) {
            OsdMap.Incremental inc = s.osdmap.newIncremental(stamp);
            inc.newOsds.put(osd, o.withFullness(bits));
            s.commit(inc);
        }
    }

    /** {@code osd set-nearfull-ratio|set-backfillfull-ratio|set-full-ratio {ratio}}: also re-marks every OSD. */
    static MonReply setRatio(MonState s, Cmd c) throws CommandException {
        double r = c.dbl("ratio");
        if (!(r > 0 && r <= 1)) {
            throw new CommandException(Errno.EINVAL, "ratio " + r + " out of range (0, 1]");
        }
        int ppm = (int) Math.round(r * OsdMap.PPM);
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        String which = c.prefix().substring("osd set-".length(), c.prefix().length() - "-ratio".length());
        switch (which) {
            case "nearfull" -> inc.newNearfullPpm = ppm;
            case "backfillfull" -> inc.newBackfillfullPpm = ppm;
            case "full" -> inc.newFullPpm = ppm;
            default -> throw new CommandException(Errno.EINVAL, "unknown command '" + c.prefix() + "'");
        }
        OsdMap next = s.osdmap.apply(inc);
        for (OsdState o : s.osdmap.osds().values()) {
            boolean storeFull = storeFullOnly(s, s.osdmap, o);
            int bits = of(s, next, o.id(), storeFull);
            if (bits != o.fullness()) {
                inc.newOsds.put(o.id(), o.withFullness(bits));
            }
        }
        s.commit(inc);
        return MonReply.ok(String.format(Locale.ROOT, "%s_ratio set to %.6g", which, r), null, s.epoch());
    }

    /** Whether {@code o} is FULL only because it said its store refuses writes (its usage is below the ratio). */
    static boolean storeFullOnly(MonState s, OsdMap m, OsdState o) {
        return o.isFull() && of(s, m, o.id(), false) != OsdState.FULL;
    }
}
