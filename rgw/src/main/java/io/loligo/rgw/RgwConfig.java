package io.loligo.rgw;

import java.time.Duration;

/**
 * The gateway's settings. Everything else (users, buckets, objects) lives in RADOS, so several
 * gateways with the same settings can serve one cluster at once.
 *
 * @param bindAddress address to listen on ("127.0.0.1", "0.0.0.0")
 * @param port TCP port; 0 picks an ephemeral one ({@link RgwServer#port()} tells which)
 * @param domain virtual-hosted-style suffix: Host {@code bucket.<domain>} addresses that bucket
 * @param zonegroup the region name the gateway reports and accepts as LocationConstraint
 *     (radosgw's default zonegroup is "default"; "us-east-1" and an empty constraint are accepted too)
 * @param indexShards bucket index shards for new buckets (radosgw's default: 11)
 * @param gcMinWait how long replaced or deleted data stays readable before garbage collection
 *     removes it (a GET that started before the overwrite must still finish)
 * @param gcInterval how often the background collector looks for due entries
 * @param quotaCacheTtl how long a gateway trusts the usage and quota limits it read from RADOS
 *     (its own writes count at once; other gateways' writes and `rgw quota` changes show within it)
 * @param logDir where the access log ({@code rgw.ID.access.log}) goes; null: no access log
 * @param id the gateway's id (names its log files)
 */
public record RgwConfig(String bindAddress, int port, String domain, String zonegroup, int indexShards,
                        Duration gcMinWait, Duration gcInterval, Duration quotaCacheTtl, java.nio.file.Path logDir, String id) {
    public static final int INDEX_SHARDS_MAX = 1024;

    public RgwConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("rgw port " + port + " out of range (expected: 0..65535)");
        }
        if (indexShards < 1 || indexShards > INDEX_SHARDS_MAX) {
            throw new IllegalArgumentException("rgw index shards " + indexShards + " out of range (expected: 1.." + INDEX_SHARDS_MAX + ")");
        }
        if (domain == null || domain.isEmpty()) {
            throw new IllegalArgumentException("rgw domain must not be empty (default: localhost)");
        }
        if (quotaCacheTtl == null || quotaCacheTtl.isNegative()) {
            throw new IllegalArgumentException("rgw quota cache TTL must be >= 0 (default: 1 s)");
        }
    }

    /** Defaults: 127.0.0.1:7480, domain localhost, zonegroup default, 11 shards, GC after 2 minutes, checked every 30 s, quota cache 1 s, no access log, id 0. */
    public static RgwConfig defaults() {
        return new RgwConfig("127.0.0.1", 7480, "localhost", "default", 11, Duration.ofMinutes(2), Duration.ofSeconds(30),
                Duration.ofSeconds(1), null, "0");
    }

    public RgwConfig withPort(int p) {
        return new RgwConfig(bindAddress, p, domain, zonegroup, indexShards, gcMinWait, gcInterval, quotaCacheTtl, logDir, id);
    }

    public RgwConfig withBind(String address) {
        return new RgwConfig(address, port, domain, zonegroup, indexShards, gcMinWait, gcInterval, quotaCacheTtl, logDir, id);
    }

    public RgwConfig withDomain(String d) {
        return new RgwConfig(bindAddress, port, d, zonegroup, indexShards, gcMinWait, gcInterval, quotaCacheTtl, logDir, id);
    }

    public RgwConfig withIndexShards(int shards) {
        return new RgwConfig(bindAddress, port, domain, zonegroup, shards, gcMinWait, gcInterval, quotaCacheTtl, logDir, id);
    }

    public RgwConfig withGc(Duration minWait, Duration interval) {
        return new RgwConfig(bindAddress, port, domain, zonegroup, indexShards, minWait, interval, quotaCacheTtl, logDir, id);
    }

    public RgwConfig withQuotaCacheTtl(Duration ttl) {
        return new RgwConfig(bindAddress, port, domain, zonegroup, indexShards, gcMinWait, gcInterval, ttl, logDir, id);
    }

    /** Writes the access log to {@code dir}/rgw.{@code gatewayId}.access.log. */
    public RgwConfig withLog(java.nio.file.Path dir, String gatewayId) {
        return new RgwConfig(bindAddress, port, domain, zonegroup, indexShards, gcMinWait, gcInterval, quotaCacheTtl, dir, gatewayId);
    }
}
