package io.loligo.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A connection to a cluster (librados' Rados): authenticated to the monitors, following the OSD
 * map, and the entry to pools ({@link #ioContext}) and stats. Thread-safe; one per process is
 * usually enough. Close it to drop every connection.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.connect(Path.of(".loligo/loligo.conf"))) {
 *     IoContext io = cluster.ioContext("rbd");
 *     io.writeFull("greeting", "hello".getBytes());
 * }
 * }</pre>
 */
public final class Cluster implements AutoCloseable {
    /** Default per-op deadline; {@code client_op_timeout} (seconds) in the conf's [client] or [global] overrides it. */
    public static final Duration OP_TIMEOUT_DEFAULT = Duration.ofSeconds(30);
    private static final Duration MAP_WAIT = Duration.ofSeconds(30);

    private final MonConnection mon;
    private final Objecter objecter;
    private final ScheduledThreadPoolExecutor timer;
    private volatile Duration opTimeout;

    private Cluster(MonConnection mon, String entity, byte[] key, Duration opTimeout) {
        this.mon = mon;
        this.opTimeout = opTimeout;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "loligo-client-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.objecter = new Objecter(entity, key, timer);
    }

    /** Connects as client.admin with the monitors and keyring named in the conf file. */
    public static Cluster connect(Path confPath) throws IOException {
        return connect(confPath, "client.admin");
    }

    public static Cluster connect(Path confPath, String entity) throws IOException {
        ClusterConf conf;
        try {
            conf = ClusterConf.load(confPath);
            String keyringPath = conf.require(entity, "keyring");
            var keyring = io.loligo.msg.auth.Keyring.load(Path.of(keyringPath));
            var key = keyring.lookup(entity).orElseThrow(() -> new IOException("no key for " + entity + " in keyring " + keyringPath));
            String t = conf.get("client", "client_op_timeout");
            Duration timeout = t == null ? OP_TIMEOUT_DEFAULT : Duration.ofMillis((long) (Double.parseDouble(t) * 1000));
            return connect(MonConnection.monHosts(conf), entity, key.key(), timeout);
        } catch (ClusterConf.ConfException e) {
            throw new IOException(e.getMessage(), e);
        } catch (NumberFormatException e) {
            throw new IOException(confPath + ": client_op_timeout is not a number of seconds: " + e.getMessage());
        }
    }

    /** Connects with explicit monitor addresses and key. Waits for the first OSD map. */
    public static Cluster connect(List<InetSocketAddress> mons, String entity, byte[] key, Duration opTimeout) throws IOException {
        MonConnection mon = MonConnection.connect(mons, entity, key);
        Cluster c = new Cluster(mon, entity, key, opTimeout);
        try {
            mon.subscribe(c.objecter::onMap);
            c.objecter.setMapRefresher(() -> {
                try {
                    mon.subscribe(c.objecter::onMap);   // re-sends MonSubscribe{since: our epoch}
                } catch (IOException e) {
                    // the monitors are unreachable now; MonConnection resubscribes when it reconnects
                }
            });
            c.awaitMap(1);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    Objecter objecter() {
        return objecter;
    }

    public Duration opTimeout() {
        return opTimeout;
    }

    /** Changes the deadline of ops started from now on. */
    public void setOpTimeout(Duration timeout) {
        this.opTimeout = timeout;
    }

    /** The OSD map this client holds now. */
    public OsdMap osdMap() {
        return objecter.map();
    }

    /** Waits until the client holds a map of at least {@code epoch}. */
    public void awaitMap(long epoch) throws IOException {
        long deadline = System.nanoTime() + MAP_WAIT.toNanos();
        while (objecter.map() == null || objecter.map().epoch() < epoch) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no OSD map of epoch " + epoch + " from the monitors within " + MAP_WAIT
                        + " (have " + (objecter.map() == null ? "none" : "epoch " + objecter.map().epoch()) + ")");
            }
            try {
                Thread.sleep(5);   // polling interval of a deadline-bounded wait for a pushed map
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for the OSD map");
            }
        }
    }

    /** Catches up with the monitors' current map epoch (Ceph's wait_for_latest_osdmap). */
    public void awaitLatestMap() throws IOException {
        MonReply r = mon.command(cmd("osd stat"));
        awaitMap(r.epoch());
    }

    public IoContext ioContext(String pool) throws IOException {
        return ioContext(pool, "");
    }

    /** Operations on {@code pool} in {@code namespace}; {@link RadosException.PoolNotFound} if the pool does not exist. */
    public IoContext ioContext(String pool, String namespace) throws IOException {
        Pool p = objecter.map().poolByName(pool);
        if (p == null) {
            awaitLatestMap();
            p = objecter.map().poolByName(pool);
        }
        if (p == null) {
            throw new RadosException.PoolNotFound(pool);
        }
        return new IoContext(this, p.id(), p.name(), namespace == null ? "" : namespace);
    }

    Pool pool(int id, String name) {
        Pool p = objecter.map().pool(id);
        if (p == null) {
            throw new RadosException.PoolNotFound(name);
        }
        return p;
    }

    public List<String> listPools() {
        List<String> out = new ArrayList<>();
        objecter.map().pools().values().forEach(p -> out.add(p.name()));
        return out;
    }

    /** Creates a replicated pool ({@code size} 0: the cluster's default); an existing pool is left as it is. */
    public void createPool(String name, int size) throws IOException {
        ObjectNode c = cmd("osd pool create").put("pool", name);
        if (size > 0) {
            c.put("size", size);
        }
        MonReply r = check(mon.command(c), "create pool '" + name + "'");
        awaitMap(r.epoch());
    }

    public void deletePool(String name) throws IOException {
        MonReply r = mon.command(cmd("osd pool rm").put("pool", name).put("pool2", name)
                .put("yes_i_really_really_mean_it", true));
        if (r.code() == -RadosException.ENOENT) {
            throw new RadosException.PoolNotFound(name);
        }
        awaitMap(check(r, "delete pool '" + name + "'").epoch());
    }

    /** Runs any monitor command (Ceph's JSON form: {"prefix": ..., args}). */
    public MonReply monCommand(ObjectNode command) throws IOException {
        return mon.command(command);
    }

    public ClusterStats clusterStats() throws IOException {
        JsonNode d = check(mon.command(cmd("df")), "df").data();
        long objects = 0;
        for (JsonNode p : d.path("pools")) {
            objects += p.path("stats").path("objects").asLong();
        }
        JsonNode s = d.path("stats");
        return new ClusterStats(s.path("total_bytes").asLong(), s.path("total_used_bytes").asLong(),
                s.path("total_avail_bytes").asLong(), objects);
    }

    public List<PoolStats> poolStats() throws IOException {
        JsonNode d = check(mon.command(cmd("df")), "df").data();
        List<PoolStats> out = new ArrayList<>();
        for (JsonNode p : d.path("pools")) {
            JsonNode s = p.path("stats");
            out.add(new PoolStats(p.path("name").asText(), p.path("id").asInt(), s.path("stored").asLong(),
                    s.path("objects").asLong(), s.path("bytes_used").asLong(), s.path("max_avail").asLong()));
        }
        return out;
    }

    public PoolStats poolStats(String pool) throws IOException {
        return poolStats().stream().filter(p -> p.name().equals(pool)).findFirst()
                .orElseThrow(() -> new RadosException.PoolNotFound(pool));
    }

    private static MonReply check(MonReply r, String what) {
        if (!r.ok()) {
            throw RadosException.of(-r.code(), what + ": " + r.outs());
        }
        return r;
    }

    static ObjectNode cmd(String prefix) {
        return MonReply.json().createObjectNode().put("prefix", prefix);
    }

    @Override
    public void close() {
        objecter.close();
        mon.close();
        timer.shutdownNow();
    }
}
