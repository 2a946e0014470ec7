package io.loligo.osd;

import io.loligo.maps.monc.ClusterConf;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An OSD's settings, read from the cluster conf ({@code [osd.N]}, then {@code [osd]}, then
 * {@code [global]}). Few knobs; each default says why.
 *
 * @param host            the CRUSH host bucket this OSD boots under ({@code host}; default: the machine's name)
 * @param bindAddress     where the OSD listens ({@code osd_addr}, HOST:PORT; port 0 picks a free one)
 * @param blockFileBytes  size of the object store's data file at mkfs ({@code osd_block_file_bytes};
 *                        default 1 GiB, 0 = the file system's free space)
 * @param shards          op shards ({@code osd_op_num_shards}; default: processors, at least 2)
 * @param shardQueueMax   client ops queued per shard before EAGAIN ({@code osd_op_queue_max}; 4096:
 *                        a few seconds of 4 KiB writes on one disk)
 * @param heartbeatInterval how often peers are pinged ({@code osd_heartbeat_interval}, seconds; 1)
 * @param heartbeatGrace  silence after which a peer is reported down ({@code osd_heartbeat_grace},
 *                        seconds; 20 as in Ceph: several missed pings plus slack for GC and load)
 * @param statsInterval   how often PG states and usage go to the monitors ({@code osd_stats_interval}, seconds; 2)
 * @param opTimeout       how long a client op may wait for peering or min_size before EAGAIN
 *                        ({@code osd_op_wait_timeout}, seconds; 30, the client's own timeout scale)
 * @param failsafeFullRatio used fraction of the store past which a replica logs writes without their
 *                        data ({@code osd_failsafe_full_ratio}; 0.97 as Ceph's). The map's full_ratio
 *                        (0.95, {@code loligo osd set-full-ratio}) is where primaries refuse writes;
 *                        the gap absorbs writes accepted before the map marked an OSD full
 * @param pgLogEntriesMax PG log length ({@code osd_max_pg_log_entries}; 3000, see PgLog.ENTRIES_MAX):
 *                        a member further behind than this is backfilled instead of recovered from the log
 * @param memory          the process's memory budget ({@code osd_memory_target}, bytes or with a K/M/G suffix;
 *                        default 1 GiB), split between heap, direct buffers and RocksDB by {@link OsdMemory}
 */
public record OsdConfig(int id, Path data, ClusterConf conf, String host, String bindAddress, long blockFileBytes,
                        int shards, int shardQueueMax, Duration heartbeatInterval, Duration heartbeatGrace,
                        Duration statsInterval, Duration opTimeout, double failsafeFullRatio, int pgLogEntriesMax,
                        OsdMemory memory) {

    public String entity() {
        return "osd." + id;
    }

    public static OsdConfig from(int id, Path data, ClusterConf conf) throws ClusterConf.ConfException {
        String who = "osd." + id;
        String host = conf.get(who, "host");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        String bind = orDefault(conf.get(who, "osd_addr"), "127.0.0.1:0");
        return new OsdConfig(id, data, conf, host, bind,
                number(conf, who, "osd_block_file_bytes", 1L << 30, 0),
                (int) number(conf, who, "osd_op_num_shards", Math.max(2, Runtime.getRuntime().availableProcessors()), 1),
                (int) number(conf, who, "osd_op_queue_max", 4096, 1),
                seconds(conf, who, "osd_heartbeat_interval", 1.0),
                seconds(conf, who, "osd_heartbeat_grace", 20.0),
                seconds(conf, who, "osd_stats_interval", 2.0),
                seconds(conf, who, "osd_op_wait_timeout", 30.0),
                ratio(conf, who, "osd_failsafe_full_ratio", 0.97),
                (int) number(conf, who, "osd_max_pg_log_entries", io.loligo.osd.pg.PgLog.ENTRIES_MAX, 1),
                memory(conf, who));
    }

    /** The budget {@code osd_memory_target} gives {@code who} (also read by the launcher for the JVM flags). */
    public static OsdMemory memory(ClusterConf conf, String who) throws ClusterConf.ConfException {
        String v = conf.get(who, "osd_memory_target");
        if (v == null || v.isBlank()) {
            return OsdMemory.defaults();
        }
        String t = v.trim().toUpperCase(java.util.Locale.ROOT).replaceAll("I?B$", "");
        int shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : t.endsWith("G") ? 30 : 0;
        try {
            long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1).trim());
            if (n >= OsdMemory.MIN_TARGET >> shift && n <= (1L << 50) >> shift) {
                return new OsdMemory(n << shift);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ClusterConf.ConfException(conf.path() + ": osd_memory_target = '" + v + "' (expected: bytes, or with a"
                + " K/M/G suffix, at least " + (OsdMemory.MIN_TARGET >> 20) + "M)");
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v.trim();
    }

    private static long number(ClusterConf conf, String who, String key, long def, long min) throws ClusterConf.ConfException {
        String v = conf.get(who, key);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min) {
                throw new ClusterConf.ConfException(conf.path() + ": " + key + " = " + n + " (expected: " + min + "+)");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ClusterConf.ConfException(conf.path() + ": " + key + " = '" + v + "' is not an integer");
        }
    }

    private static double ratio(ClusterConf conf, String who, String key, double def) throws ClusterConf.ConfException {
        String v = conf.get(who, key);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            double r = Double.parseDouble(v.trim());
            if (r > 0 && r <= 1) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ClusterConf.ConfException(conf.path() + ": " + key + " = '" + v + "' (expected: a fraction in (0, 1])");
    }

    private static Duration seconds(ClusterConf conf, String who, String key, double def) throws ClusterConf.ConfException {
        String v = conf.get(who, key);
        double s = def;
        if (v != null && !v.isBlank()) {
            try {
                s = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new ClusterConf.ConfException(conf.path() + ": " + key + " = '" + v + "' is not a number of seconds");
            }
            if (!(s > 0) || s > 86_400) {
                throw new ClusterConf.ConfException(conf.path() + ": " + key + " = " + v + " (expected: 0 < seconds <= 86400)");
            }
        }
        return Duration.ofMillis((long) (s * 1000));
    }
}
