package io.loligo.osd.scrub;

import io.loligo.maps.monc.ClusterConf;
import java.time.Duration;

/**
 * Scrub settings, with Ceph's names, read from the cluster conf ({@code [osd.N]}, {@code [osd]},
 * {@code [global]}).
 *
 * @param minInterval     a PG is scrubbed (metadata only) when its last scrub is older than this
 *                        ({@code osd_scrub_min_interval}, seconds; 1 day as Ceph)
 * @param deepInterval    a PG is deep-scrubbed (all data read and checksummed) when its last deep scrub
 *                        is older ({@code osd_deep_scrub_interval}, seconds; 1 week as Ceph: reading every
 *                        byte weekly finds rot long before a second copy is lost, at ~1/600 of a disk's time)
 * @param maxScrubs       scrubs running at once on this OSD as primary ({@code osd_max_scrubs}; 1 as Ceph,
 *                        so client IO keeps most of the disk)
 * @param sleep           pause between two chunks of one scrub ({@code osd_scrub_sleep}, seconds; 0.05:
 *                        a chunk takes a few ms on a warm store, so scrub uses well under half the PG's time)
 * @param chunkObjects    objects per chunk ({@code osd_scrub_chunk_max}; 25 as Ceph: writes to the chunk
 *                        wait while its maps are built, so chunks stay small)
 * @param autoRepair      repair what a scheduled deep scrub finds ({@code osd_scrub_auto_repair}; false as Ceph)
 */
public record ScrubConfig(Duration minInterval, Duration deepInterval, int maxScrubs, Duration sleep, int chunkObjects,
                          boolean autoRepair) {
    public static final ScrubConfig DEFAULTS = new ScrubConfig(Duration.ofDays(1), Duration.ofDays(7), 1,
            Duration.ofMillis(50), 25, false);

    public static ScrubConfig from(String who, ClusterConf conf) throws ClusterConf.ConfException {
        return new ScrubConfig(
                seconds(conf, who, "osd_scrub_min_interval", DEFAULTS.minInterval),
                seconds(conf, who, "osd_deep_scrub_interval", DEFAULTS.deepInterval),
                (int) integer(conf, who, "osd_max_scrubs", DEFAULTS.maxScrubs, 1, 64),
                seconds(conf, who, "osd_scrub_sleep", DEFAULTS.sleep),
                (int) integer(conf, who, "osd_scrub_chunk_max", DEFAULTS.chunkObjects, 1, 1000),
                Boolean.parseBoolean(orDefault(conf.get(who, "osd_scrub_auto_repair"), "false")));
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v.trim();
    }

    private static long integer(ClusterConf conf, String who, String key, long def, long min, long max)
            throws ClusterConf.ConfException {
        String v = conf.get(who, key);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ClusterConf.ConfException(conf.path() + ": " + key + " = '" + v + "' (expected: an integer in "
                + min + ".." + max + ")");
    }

    private static Duration seconds(ClusterConf conf, String who, String key, Duration def) throws ClusterConf.ConfException {
        String v = conf.get(who, key);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            double s = Double.parseDouble(v.trim());
            if (s >= 0 && s <= 365 * 86_400.0) {
                return Duration.ofMillis((long) (s * 1000));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ClusterConf.ConfException(conf.path() + ": " + key + " = '" + v + "' (expected: seconds, 0..31536000)");
    }
}
