package io.loligo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loligo up [--mons 1|3] [--osds N] [--format json]}: starts (or restarts) the local cluster
 * in {@code ./.loligo} ($LOLIGO_HOME, --dir), creates the default pool on first start, waits for
 * HEALTH_OK and prints where everything is. Progress goes to stderr, the summary to stdout.
 */
@Command(name = "up", description = "Start a local cluster (monitors + OSDs as background processes) and wait for HEALTH_OK.")
public final class UpCommand implements Callable<Integer> {
    static final String DEFAULT_POOL = "rbd";

    @Option(names = "--mons", description = "Monitors of a new cluster: 1 or 3 (default 1).")
    Integer mons;

    @Option(names = "--osds", description = "OSDs of a new cluster (default 3).")
    Integer osds;

    @Option(names = "--osd-size", defaultValue = "1024", description = "MiB of data file per OSD of a new cluster (default 1024; written at first start).")
    long osdMib;

    @Option(names = "--dir", description = "Cluster directory (default $LOLIGO_HOME, else ./.loligo).")
    Path dirOption;

    @Option(names = {"-f", "--format"}, defaultValue = "plain", description = "plain or json.")
    String format;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for HEALTH_OK (default 120).")
    int timeoutSeconds;

    @Option(names = "--rgw-port", description = "Port of a new cluster's S3 gateway on 127.0.0.1 (default 7480, or a free one when 7480 is taken).")
    Integer rgwPort;

    @Option(names = "--no-rgw", description = "Create the new cluster without an S3 gateway.")
    boolean noRgw;

    /** The S3 gateway's endpoint and first user, once started; null without a gateway. */
    LocalGateway.Info s3;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (!format.equals("plain") && !format.startsWith("json")) {
            err.println("error: --format " + format + " (expected plain or json)");
            return 2;
        }
        if (mons != null && mons != 1 && mons != 3) {
            err.println("error: --mons " + mons + " (expected 1 or 3)");
            return 2;
        }
        if (osdMib < 64 || osdMib > (1 << 20)) {
            err.println("error: --osd-size " + osdMib + " MiB (expected 64 to 1048576)");
            return 2;
        }
        if (rgwPort != null && (rgwPort < 1 || rgwPort > 65535)) {
            err.println("error: --rgw-port " + rgwPort + " (expected 1 to 65535)");
            return 2;
        }
        if (osds != null && (osds < 0 || osds > 64)) {
            err.println("error: --osds " + osds + " (expected 0 to 64)");
            return 2;
        }
        long t0 = System.nanoTime();
        LocalCluster lc = new LocalCluster(LocalCluster.defaultDir(dirOption));
        try {
            return up(lc, t0, out, err);
        } catch (LocalCluster.LocalClusterException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private int up(LocalCluster lc, long t0, PrintStream out, PrintStream err) throws Exception {
        Optional<LocalCluster.Layout> existing = lc.layout();
        boolean fresh = existing.isEmpty();
        LocalCluster.Layout layout;
        if (fresh) {
            int osdCount = osds == null ? 3 : osds;
            int gatewayPort = noRgw || osdCount == 0 ? 0 : LocalGateway.choosePort(rgwPort, err);
            layout = lc.create(mons == null ? 1 : mons, osdCount, osdMib << 20, gatewayPort);
            LocalCluster.println(err, "loligo: new cluster " + layout.fsid() + " in " + lc.dir);
        } else {
            layout = existing.get();
            checkSameShape(lc, layout);
            LocalCluster.println(err, "loligo: cluster " + layout.fsid() + " in " + lc.dir);
        }
        ClusterConf conf = ClusterConf.load(lc.conf());
        List<LocalCluster.Daemon> daemons = layout.daemons(conf);
        Map<String, Long> pids = new LinkedHashMap<>();
        List<LocalCluster.Daemon> toStart = new ArrayList<>();
        for (LocalCluster.Daemon d : daemons) {
            Optional<ProcessHandle> h = lc.running(d.name());
            if (h.isPresent()) {
                pids.put(d.name(), h.get().pid());
            } else {
                toStart.add(d);
            }
        }
        if (toStart.isEmpty()) {
            throw new LocalCluster.LocalClusterException("the cluster in " + lc.dir + " is already running ("
                    + describe(pids) + "); stop it with: loligo down");
        }
        checkPorts(conf, toStart);
        for (LocalCluster.Daemon d : toStart) {
            long pid = lc.start(d);
            pids.put(d.name(), pid);
            LocalCluster.println(err, String.format("  started %-6s pid %-7d %s", d.name(), pid,
                    d.addr() == null ? "" : d.addr()));
        }
        JsonNode health;
        try (MonConnection mon = awaitMonitors(lc, conf, pids, t0, err)) {
            if (fresh && layout.osds() > 0) {
                awaitOsdsUp(lc, mon, layout.osds(), pids, t0, err);
                createPool(mon, Math.min(3, layout.osds()), err);
            }
            health = awaitHealth(lc, mon, layout, pids, t0, err);
            if (layout.rgw() != null) {
                s3 = LocalGateway.up(lc, layout, pids, t0 + timeoutSeconds * 1_000_000_000L, err);
            }
            JsonNode dump = command(mon, "osd dump").data();
            return summary(lc, conf, layout, daemons, pids, health, dump, t0, out);
        }
    }

    private void checkSameShape(LocalCluster lc, LocalCluster.Layout layout) throws LocalCluster.LocalClusterException {
        boolean monsDiffer = mons != null && mons != layout.mons().size();
        boolean osdsDiffer = osds != null && osds != layout.osds();
        if (rgwPort != null && rgwPort != layout.rgwPort()) {
            throw new LocalCluster.LocalClusterException("the cluster in " + lc.dir + " was created with "
                    + (layout.rgwPort() == 0 ? "no S3 gateway" : "its S3 gateway on port " + layout.rgwPort())
                    + "; --rgw-port applies to new clusters (loligo purge, or another --dir / LOLIGO_HOME)");
        }
        if (monsDiffer || osdsDiffer) {
            throw new LocalCluster.LocalClusterException("the cluster in " + lc.dir + " was created with "
                    + layout.mons().size() + " monitor(s) and " + layout.osds() + " OSD(s); to start a different one, "
                    + "delete it first with: loligo purge (or use another --dir / LOLIGO_HOME)");
        }
    }

    private static void checkPorts(ClusterConf conf, List<LocalCluster.Daemon> toStart) throws LocalCluster.LocalClusterException {
        for (LocalCluster.Daemon d : toStart) {
            if (!d.type().equals("mon")) {
                continue;
            }
            for (String key : List.of("mon_addr", "mon_raft_addr")) {
                String addr = conf.get(d.name(), key);
                if (addr != null && !LocalCluster.portFree(addr)) {
                    throw new LocalCluster.LocalClusterException(d.name() + " cannot start: its " + key + " " + addr
                            + " is in use by another process (another cluster? stop it with 'loligo down' in its "
                            + "directory, or free the port)");
                }
            }
        }
    }

    private MonConnection awaitMonitors(LocalCluster lc, ClusterConf conf, Map<String, Long> pids, long t0,
                                        PrintStream err) throws Exception {
        long deadline = t0 + timeoutSeconds * 1_000_000_000L;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            checkAlive(lc, pids);
            try {
                MonConnection mon = MonConnection.connect(conf, "client.admin");
                MonReply r = mon.command(cmd("health"));
                if (r.ok()) {
                    LocalCluster.println(err, String.format("  monitors in quorum (%.1f s)", secondsSince(t0)));
                    return mon;
                }
                mon.close();
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);   // poll interval of a deadline-bounded wait
        }
        throw new LocalCluster.LocalClusterException("monitors did not form a quorum within " + timeoutSeconds + " s"
                + (last == null ? "" : " (" + last.getMessage() + ")") + "; see " + lc.dir.resolve("log"));
    }

    /** The pool is created once every OSD is up, so each creates its PGs from one map (as vstart does). */
    private void awaitOsdsUp(LocalCluster lc, MonConnection mon, int osdCount, Map<String, Long> pids, long t0,
                             PrintStream err) throws Exception {
        long deadline = t0 + timeoutSeconds * 1_000_000_000L;
        int last = -1;
        while (System.nanoTime() < deadline) {
            checkAlive(lc, pids);
            MonReply r = command(mon, "osd stat");
            int up = r.ok() ? r.data().path("num_up_osds").asInt() : 0;
            if (up != last) {
                LocalCluster.println(err, String.format("  %d/%d OSDs up (%.1f s)", up, osdCount, secondsSince(t0)));
                last = up;
            }
            if (up >= osdCount) {
                return;
            }
            Thread.sleep(100);   // poll interval of a deadline-bounded wait
        }
        throw new LocalCluster.LocalClusterException("only " + last + " of " + osdCount + " OSDs up after "
                + timeoutSeconds + " s; see the logs in " + lc.dir.resolve("log"));
    }

    private static void createPool(MonConnection mon, int size, PrintStream err) throws IOException, LocalCluster.LocalClusterException {
        ObjectNode c = cmd("osd pool create").put("pool", DEFAULT_POOL).put("size", size);
        MonReply r = mon.command(c);
        if (!r.ok()) {
            throw new LocalCluster.LocalClusterException("creating pool '" + DEFAULT_POOL + "' failed: " + r.outs());
        }
        mon.command(cmd("osd pool application enable").put("pool", DEFAULT_POOL).put("app", "rbd"));
        LocalCluster.println(err, "  created pool '" + DEFAULT_POOL + "' (size " + size + ")");
    }

    /** HEALTH_OK; with no OSDs, the only acceptable warning is TOO_FEW_OSDS. */
    private JsonNode awaitHealth(LocalCluster lc, MonConnection mon, LocalCluster.Layout layout, Map<String, Long> pids,
                                 long t0, PrintStream err) throws Exception {
        long deadline = t0 + timeoutSeconds * 1_000_000_000L;
        String lastSummary = "";
        JsonNode h = null;
        while (System.nanoTime() < deadline) {
            checkAlive(lc, pids);
            MonReply r = mon.command(cmd("health"));
            h = r.data();
            if (r.ok() && healthy(h, layout.osds())) {
                LocalCluster.println(err, String.format("  %s (%.1f s)", h.path("status").asText(), secondsSince(t0)));
                return h;
            }
            String summary = r.ok() ? checks(h) : r.outs();
            if (!summary.equals(lastSummary)) {
                LocalCluster.println(err, "  waiting: " + summary);
                lastSummary = summary;
            }
            Thread.sleep(200);   // poll interval of a deadline-bounded wait
        }
        throw new LocalCluster.LocalClusterException("not HEALTH_OK within " + timeoutSeconds + " s: " + lastSummary
                + "; see 'loligo health detail' and the logs in " + lc.dir.resolve("log"));
    }

    static boolean healthy(JsonNode h, int osdCount) {
        String status = h.path("status").asText();
        if (status.equals("HEALTH_OK")) {
            return true;
        }
        if (osdCount > 0) {
            return false;
        }
        List<String> names = new ArrayList<>();
        h.path("checks").fieldNames().forEachRemaining(names::add);
        return names.equals(List.of("TOO_FEW_OSDS"));
    }

    private static String checks(JsonNode h) {
        List<String> parts = new ArrayList<>();
        h.path("checks").fields().forEachRemaining(e -> parts.add(e.getKey() + ": "
                + e.getValue().path("summary").path("message").asText()));
        return h.path("status").asText() + (parts.isEmpty() ? "" : " " + String.join("; ", parts));
    }

    private static void checkAlive(LocalCluster lc, Map<String, Long> pids) throws LocalCluster.LocalClusterException {
        for (var e : pids.entrySet()) {
            if (ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            String log = LocalCluster.read(lc.logFile(e.getKey()));
            String tail = log.lines().skip(Math.max(0, log.lines().count() - 15)).reduce("", (a, b) -> a + "\n    " + b);
            throw new LocalCluster.LocalClusterException(e.getKey() + " (pid " + e.getValue() + ") exited; last lines of "
                    + lc.logFile(e.getKey()) + ":" + tail);
        }
    }

    private int summary(LocalCluster lc, ClusterConf conf, LocalCluster.Layout layout, List<LocalCluster.Daemon> daemons,
                        Map<String, Long> pids, JsonNode health, JsonNode dump, long t0, PrintStream out) {
        Map<String, String> osdAddrs = new LinkedHashMap<>();
        dump.path("osds").forEach(o -> osdAddrs.put("osd." + o.path("osd").asInt(), o.path("public_addr").asText("")));
        if (format.startsWith("json")) {
            ObjectNode j = LocalCluster.JSON.createObjectNode();
            j.put("fsid", layout.fsid()).put("dir", lc.dir.toString()).put("conf", lc.conf().toString())
                    .put("keyring", lc.keyring().toString()).put("health", health.path("status").asText())
                    .put("mon_host", conf.get(null, "mon_host")).put("seconds", Math.round(secondsSince(t0) * 10) / 10.0);
            ArrayNode ds = j.putArray("daemons");
            for (LocalCluster.Daemon d : daemons) {
                String addr = d.addr() != null ? d.addr() : osdAddrs.getOrDefault(d.name(), "");
                ds.addObject().put("name", d.name()).put("type", d.type()).put("id", d.id())
                        .put("pid", pids.get(d.name())).put("addr", addr)
                        .put("log", lc.logFile(d.name()).toString()).put("data", lc.dir.resolve(d.name()).toString());
            }
            if (s3 != null) {
                j.set("s3", s3.json().put("log", lc.logFile("rgw.0").toString()));
            }
            ArrayNode pools = j.putArray("pools");
            if (layout.osds() > 0) {
                pools.add(DEFAULT_POOL);
            }
            out.println(j.toPrettyString());
            out.flush();
            return 0;
        }
        out.printf("cluster is up: %s in %.1f s%n", health.path("status").asText(), secondsSince(t0));
        out.println("  fsid:      " + layout.fsid());
        out.println("  monitors:  " + conf.get(null, "mon_host"));
        for (LocalCluster.Daemon d : daemons) {
            if (d.type().equals("osd")) {
                out.printf("  %-10s pid %d %s%n", d.name() + ":", pids.get(d.name()), osdAddrs.getOrDefault(d.name(), ""));
            }
        }
        if (s3 != null) {
            s3.print(out);
        }
        out.println("  config:    " + lc.conf());
        out.println("  keyring:   " + lc.keyring() + " (client.admin)");
        out.println("  logs:      " + lc.dir.resolve("log"));
        out.println("try:");
        out.println("  ./loligo status");
        if (layout.osds() > 0) {
            out.println("  ./loligo rados -p " + DEFAULT_POOL + " put hello README.md && ./loligo rados -p " + DEFAULT_POOL + " ls");
            out.println("  ./loligo rados bench 10 write -p " + DEFAULT_POOL);
        }
        if (s3 != null) {
            s3.printTry(out);
        }
        out.println("  ./loligo down     (stop; 'loligo up' restarts it with its data; 'loligo purge' deletes it)");
        out.println("  other shells: export LOLIGO_CONF=" + lc.conf());
        out.flush();
        return 0;
    }

    static MonReply command(MonConnection mon, String prefix) throws IOException {
        return mon.command(cmd(prefix));
    }

    static ObjectNode cmd(String prefix) {
        return MonReply.json().createObjectNode().put("prefix", prefix);
    }

    private static String describe(Map<String, Long> pids) {
        List<String> parts = new ArrayList<>();
        pids.forEach((n, p) -> parts.add(n + " pid " + p));
        return String.join(", ", parts);
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
