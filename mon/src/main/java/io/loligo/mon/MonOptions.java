package io.loligo.mon;

import java.util.Map;
import java.util.TreeMap;

/**
 * The options the monitors act on, declared once with their defaults. Values come from the
 * replicated config store (section "mon", then "global"), so every monitor applies the same value
 * at the same log index.
 */
public final class MonOptions {
    private MonOptions() {}

    /** Seconds an OSD stays down before it is marked out (Ceph's default: 10 minutes). */
    public static final String DOWN_OUT_INTERVAL = "mon_osd_down_out_interval";
    /** Distinct reporters (from distinct hosts) needed to mark an OSD down. */
    public static final String MIN_DOWN_REPORTERS = "mon_osd_min_down_reporters";
    /** Failure domain reporters must differ in: "host" or "osd". */
    public static final String REPORTER_SUBTREE_LEVEL = "mon_osd_reporter_subtree_level";
    public static final String POOL_DEFAULT_SIZE = "osd_pool_default_size";
    public static final String POOL_DEFAULT_MIN_SIZE = "osd_pool_default_min_size";
    /** Target PGs per OSD across pools, for the automatic pg_num of new pools. */
    public static final String TARGET_PG_PER_OSD = "mon_target_pg_per_osd";

    /** Used fraction of an OSD's capacity above which health warns (OSD_NEARFULL). */
    public static final String NEARFULL_RATIO = "mon_osd_nearfull_ratio";
    /** Used fraction above which backfill and recovery push no data to the OSD (OSD_BACKFILLFULL). */
    public static final String BACKFILLFULL_RATIO = "mon_osd_backfillfull_ratio";
    /** Used fraction above which the OSD is full (OSD_FULL, HEALTH_ERR): writes that add data are refused. */
    public static final String FULL_RATIO = "mon_osd_full_ratio";

    /** Seconds without a beacon or report after which an up OSD is marked down (Ceph's default: 15 minutes). */
    public static final String REPORT_TIMEOUT = "mon_osd_report_timeout";

    static final Map<String, String> DEFAULTS = new TreeMap<>(Map.of(
            REPORT_TIMEOUT, "900",
            NEARFULL_RATIO, "0.85",
            BACKFILLFULL_RATIO, "0.90",
            FULL_RATIO, "0.95",
            DOWN_OUT_INTERVAL, "600",
            MIN_DOWN_REPORTERS, "2",
            REPORTER_SUBTREE_LEVEL, "host",
            POOL_DEFAULT_SIZE, "3",
            POOL_DEFAULT_MIN_SIZE, "2",
            TARGET_PG_PER_OSD, "100"));

    /** True for options the monitors know and validate as integers. */
    static boolean isInteger(String name) {
        return DEFAULTS.containsKey(name) && !name.equals(REPORTER_SUBTREE_LEVEL) && !name.endsWith("_ratio");
    }
}
