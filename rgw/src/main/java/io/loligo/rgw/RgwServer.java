package io.loligo.rgw;

import io.loligo.client.Cluster;
import io.loligo.rgw.auth.Authenticator;
import io.loligo.rgw.auth.SecretLookup;
import io.loligo.rgw.auth.SigV4Authenticator;
import io.loligo.rgw.http.AccessLog;
import io.loligo.rgw.http.OpStats;
import io.loligo.rgw.http.S3Handler;
import io.loligo.rgw.ops.Gateway;
import io.loligo.rgw.ops.S3Router;
import io.loligo.rgw.ops.SwiftOps;
import io.loligo.rgw.store.CachingSecretLookup;
import io.loligo.rgw.store.RgwPools;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 gateway: Jetty 12 (core Handler API, no servlets) on a {@link VirtualThreadPool}, so a
 * request blocked on its body or on RADOS parks a virtual thread, not a platform one; TCP_NODELAY
 * on accepted sockets; Expect: 100-continue answered by Jetty when the handler first reads the
 * body. All state lives in RADOS: gateways started on the same cluster serve the same data.
 * A background task runs garbage collection every {@link RgwConfig#gcInterval()}.
 */
public final class RgwServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RgwServer.class);
    /** Concurrent requests (connections being served); beyond it Jetty queues. */
    public static final int REQUESTS_IN_FLIGHT_MAX = 10_000;
    private final RgwConfig config;
    private final Gateway gateway;
    private final Server server;
    private final ServerConnector connector;
    private final OpStats stats = new OpStats();
    private final CachingSecretLookup secrets;
    private final SwiftOps swift;
    private final AccessLog accessLog;
    private final ScheduledExecutorService background;

    /** A gateway that checks SigV4/V2 signatures against the users stored in RADOS. */
    public RgwServer(RgwConfig config, Cluster cluster) throws IOException {
        this(config, cluster, keys -> new SigV4Authenticator(keys, io.loligo.common.WallClock.clock()));
    }

    /** A gateway with the given authenticator over the stored users (tests may pass their own). */
    public RgwServer(RgwConfig config, Cluster cluster, Function<SecretLookup, Authenticator> authenticator) throws IOException {
        this.config = config;
        this.gateway = new Gateway(config, RgwPools.open(cluster));
        this.secrets = new CachingSecretLookup(gateway.users, CachingSecretLookup.TTL_DEFAULT);
        VirtualThreadPool pool = new VirtualThreadPool();
        pool.setName("rgw");
        // Jetty's default (200) would let 200 stalled uploads block everyone; a parked virtual
        // thread costs a few KiB, and buffer memory is bounded separately (DataIo's byte budget).
        pool.setMaxThreads(REQUESTS_IN_FLIGHT_MAX);
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(64 << 10);
        http.setUriCompliance(UriCompliance.UNSAFE);   // S3 keys may hold %2F, "..", "//": the path is ours to read raw
        http.setRelativeRedirectAllowed(true);
        // Jetty's header cache matches values case-insensitively and hands back its own spelling
        // ("charset=UTF-8" became "charset=utf-8"), which breaks signatures over Content-Type.
        http.setHeaderCacheCaseSensitive(true);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.bindAddress());
        connector.setPort(config.port());
        connector.setAcceptedTcpNoDelay(true);
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        String hostId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        this.swift = new SwiftOps(gateway);
        this.accessLog = new AccessLog(config.logDir() == null ? null : config.logDir().resolve("rgw." + config.id() + ".access.log"));
        S3Handler handler = new S3Handler(authenticator.apply(secrets), new S3Router(gateway, this::invalidateCredentials), swift,
                config.domain(), hostId, stats, accessLog);
        handler.extraMetrics(this::storeMetrics);
        server.setHandler(handler);
        background = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("rgw-gc").factory());
    }

    public RgwServer start() throws Exception {
        server.start();
        long periodMs = Math.max(100, config.gcInterval().toMillis());
        background.scheduleWithFixedDelay(this::collect, periodMs, periodMs, TimeUnit.MILLISECONDS);
        long pollMs = CachingSecretLookup.EPOCH_POLL.toMillis();
        background.scheduleWithFixedDelay(this::pollKeys, 0, pollMs, TimeUnit.MILLISECONDS);
        log.info("rgw listening on {}:{} (domain {}, zonegroup {}, {} index shards per new bucket)", config.bindAddress(), port(),
                config.domain(), config.zonegroup(), config.indexShards());
        return this;
    }

    private String storeMetrics() {
        return "# HELP loligo_rgw_index_guarded_writes_total Bucket index changes applied under their usage lane's guard.\n"
                + "# TYPE loligo_rgw_index_guarded_writes_total counter\n"
                + "loligo_rgw_index_guarded_writes_total " + gateway.index.guardedWrites() + "\n"
                + "# HELP loligo_rgw_index_lost_races_total Guarded bucket index changes re-planned after another writer changed the lane.\n"
                + "# TYPE loligo_rgw_index_lost_races_total counter\n"
                + "loligo_rgw_index_lost_races_total " + gateway.index.lostRaces() + "\n"
                + "# HELP loligo_rgw_index_inserts_total New keys written with one index write (rgw_index.insert), no read first.\n"
                + "# TYPE loligo_rgw_index_inserts_total counter\n"
                + "loligo_rgw_index_inserts_total " + gateway.index.inserts() + "\n"
                + "# HELP loligo_rgw_access_log_dropped_total Access log lines dropped because the writer fell behind.\n"
                + "# TYPE loligo_rgw_access_log_dropped_total counter\n"
                + "loligo_rgw_access_log_dropped_total " + accessLog.dropped() + "\n";
    }

    private void pollKeys() {
        try {
            secrets.pollKeysEpoch();
        } catch (RuntimeException e) {
            log.debug("rgw keys epoch poll failed (retried): {}", e.toString());
        }
    }

    private void collect() {
        try {
            int n = gateway.gc.processDue();
            if (n > 0) {
                log.debug("rgw gc: processed {} entries", n);
            }
        } catch (RuntimeException e) {
            log.warn("rgw gc pass failed (retried next interval): {}", e.toString());
        }
    }

    /** The port actually bound (the configured one, or the ephemeral one for port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public Gateway gateway() {
        return gateway;
    }

    public OpStats stats() {
        return stats;
    }

    /** Forgets cached credentials, Swift tokens and quota limits (after a user change that must show at once). */
    public void invalidateCredentials() {
        secrets.invalidate();
        swift.tempAuth().invalidate();
        gateway.quotas.invalidate();
    }

    public AccessLog accessLog() {
        return accessLog;
    }

    @Override
    public void close() throws Exception {
        background.shutdownNow();
        background.awaitTermination(10, TimeUnit.SECONDS);   // a GC pass in flight finishes before the caller closes the cluster
        server.stop();
        accessLog.close();
    }
}
