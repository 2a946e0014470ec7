package io.loligo.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.MOSDScrub;
import io.loligo.messages.MOSDScrubReply;
import io.loligo.messages.OsdMessages;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ScrubInconsistency;
import io.loligo.messages.ScrubMapEntry;
import io.loligo.msg.Connection;
import io.loligo.msg.MsgException;
import io.loligo.msg.auth.Keyring;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The scrub commands, sent straight to the PG primaries as Ceph's monitors forward them ({@code
 * MOSDScrub}): {@code pg scrub|deep-scrub|repair PGID}, {@code osd scrub|deep-scrub|repair ID|all},
 * {@code rados list-inconsistent-obj PGID} (Ceph's JSON, simplified) and {@code rados
 * list-inconsistent-pg POOL}. Exit codes: 0 done, 1 refused or failed, 2 bad usage.
 */
public final class ScrubCli implements AutoCloseable {
    public static final Set<String> VERBS = Set.of("scrub", "deep-scrub", "repair");
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final MonConnection mon;
    private final String entity;
    private final byte[] key;
    private final Map<String, Connection> conns = new HashMap<>();

    private ScrubCli(MonConnection mon, String entity, byte[] key) {
        this.mon = mon;
        this.entity = entity;
        this.key = key;
    }

    static ScrubCli connect(Path confPath, String entity) throws IOException, ClusterConf.ConfException {
        ClusterConf conf = ClusterConf.load(confPath);
        String keyringPath = conf.require(entity, "keyring");
        byte[] key = Keyring.load(Path.of(keyringPath)).lookup(entity)
                .orElseThrow(() -> new IOException("no key for " + entity + " in keyring " + keyringPath)).key();
        MonConnection mon = MonConnection.connect(MonConnection.monHosts(conf), entity, key);
        ScrubCli cli = new ScrubCli(mon, entity, key);
        mon.subscribe(m -> { });
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (mon.osdMap() == null) {
            if (System.nanoTime() > deadline) {
                cli.close();
                throw new IOException("no OSD map from the monitors within " + TIMEOUT.toSeconds() + " s");
            }
            sleep(20);
        }
        return cli;
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);   // polling interval of a deadline-bounded wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** Sends {@code command} to the PG's primary, following map changes, until it answers or the deadline passes. */
    MOSDScrubReply send(PgId pg, int command) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String last = "no attempt";
        while (System.nanoTime() < deadline) {
            OsdMap map = mon.osdMap();
            Pool pool = map.pool(pg.pool());
            if (pool == null || pg.seed() < 0 || pg.seed() >= pool.pgNum()) {
                return MOSDScrubReply.error(OsdResult.ENOENT, "pg " + pg + " does not exist", map.epoch());
            }
            int primary = map.placement().mapPg(pool, pg.seed()).actingPrimary();
            OsdState st = primary < 0 ? null : map.osd(primary);
            if (st != null && st.up()) {
                try {
                    MOSDScrubReply r = connection(st.address()).call(new MOSDScrub(pg.pool(), pg.seed(), map.epoch(), command),
                            MOSDScrubReply.class, Duration.ofSeconds(10)).get(11, TimeUnit.SECONDS);
                    if (r.result() != OsdResult.EMISDIRECTED && r.result() != OsdResult.EAGAIN
                            && r.result() != OsdResult.EMAPBEHIND) {
                        return r;
                    }
                    last = r.message();
                } catch (Exception e) {
                    conns.remove(st.address());
                    last = e.toString();
                }
            } else {
                last = "pg " + pg + " has no primary up at e" + map.epoch();
            }
            sleep(200);
        }
        throw new IOException("pg " + pg + ": no answer from its primary within " + TIMEOUT.toSeconds() + " s (" + last + ")");
    }

    private Connection connection(String address) {
        return conns.computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            try {
                return Connection.connect(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))),
                        entity, key, OsdMessages.clientRegistry());
            } catch (MsgException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    static int command(String verb) {
        return switch (verb) {
            case "scrub" -> MOSDScrub.SCRUB;
            case "deep-scrub" -> MOSDScrub.DEEP_SCRUB;
            case "repair" -> MOSDScrub.REPAIR;
            default -> throw new IllegalArgumentException(verb);
        };
    }

    // ---- the commands ----

    /** {@code pg scrub|deep-scrub|repair PGID}. */
    static int pg(Path conf, String name, List<String> words, PrintWriter out, PrintWriter err) {
        if (words.size() != 2 || PgId.parse(words.get(1)) == null) {
            err.println("error: usage: loligo pg " + words.getFirst() + " PGID (e.g. 1.0; list them with: loligo pg dump)");
            return 2;
        }
        return run(conf, name, out, err, cli -> {
            PgId pg = PgId.parse(words.get(1));
            MOSDScrubReply r = cli.send(pg, command(words.getFirst()));
            if (r.result() != OsdResult.OK) {
                err.println("Error " + OsdResult.name(r.result()) + ": " + r.message());
                return 1;
            }
            out.println(r.message());
            return 0;
        });
    }

    /** {@code osd scrub|deep-scrub|repair ID|all}: every PG the OSD is primary of. */
    static int osd(Path conf, String name, List<String> words, PrintWriter out, PrintWriter err) {
        if (words.size() != 2 || !(words.get(1).equals("all") || words.get(1).matches("(osd\\.)?[0-9]+"))) {
            err.println("error: usage: loligo osd " + words.getFirst() + " ID|all");
            return 2;
        }
        return run(conf, name, out, err, cli -> {
            String who = words.get(1);
            int id = who.equals("all") ? -1 : Integer.parseInt(who.replace("osd.", ""));
            OsdMap map = cli.mon.osdMap();
            if (id >= 0 && map.osd(id) == null) {
                err.println("Error ENOENT: osd." + id + " does not exist");
                return 1;
            }
            int n = 0;
            for (Pool p : map.pools().values()) {
                for (int seed = 0; seed < p.pgNum(); seed++) {
                    if (id < 0 || map.placement().mapPg(p, seed).actingPrimary() == id) {
                        MOSDScrubReply r = cli.send(new PgId(p.id(), seed), command(words.getFirst()));
                        n += r.result() == OsdResult.OK ? 1 : 0;
                    }
                }
            }
            out.println("instructed osd(s) " + (id < 0 ? "all" : id) + " to " + words.getFirst() + " (" + n + " pgs)");
            return 0;
        });
    }

    /** {@code rados list-inconsistent-obj PGID} (JSON always, as Ceph). */
    static int listInconsistentObj(Path conf, String name, List<String> args, boolean pretty, PrintWriter out,
                                   PrintWriter err) {
        if (args.size() != 1 || PgId.parse(args.getFirst()) == null) {
            err.println("error: usage: loligo rados list-inconsistent-obj PGID [--format json]");
            return 2;
        }
        return run(conf, name, out, err, cli -> {
            PgId pg = PgId.parse(args.getFirst());
            MOSDScrubReply r = cli.send(pg, MOSDScrub.LIST);
            if (r.result() != OsdResult.OK) {
                err.println("error: " + OsdResult.name(r.result()) + ": " + r.message());
                return 1;
            }
            if (r.lastScrubMillis() == 0 && r.lastDeepScrubMillis() == 0 && r.inconsistents().isEmpty()) {
                err.println("No scrub information available for pg " + pg);
                return 1;
            }
            ObjectNode n = MonReply.json().createObjectNode().put("epoch", r.mapEpoch());
            ArrayNode list = n.putArray("inconsistents");
            r.inconsistents().forEach(i -> inconsistent(list.addObject(), i, r.primary()));
            out.println(pretty ? MonReply.json().writerWithDefaultPrettyPrinter().writeValueAsString(n)
                    : MonReply.json().writeValueAsString(n));
            return 0;
        });
    }

    /** {@code rados list-inconsistent-pg POOL}: the pool's PGs whose last scrubs found something. */
    static int listInconsistentPg(Path conf, String name, List<String> args, PrintWriter out, PrintWriter err) {
        if (args.size() != 1) {
            err.println("error: usage: loligo rados list-inconsistent-pg POOL");
            return 2;
        }
        return run(conf, name, out, err, cli -> {
            Pool p = cli.mon.osdMap().poolByName(args.getFirst());
            if (p == null) {
                err.println("error: pool '" + args.getFirst() + "' not found; list pools with: loligo osd pool ls");
                return 1;
            }
            ArrayNode a = MonReply.json().createArrayNode();
            for (int seed = 0; seed < p.pgNum(); seed++) {
                MOSDScrubReply r = cli.send(new PgId(p.id(), seed), MOSDScrub.LIST);
                if (r.result() == OsdResult.OK && !r.inconsistents().isEmpty()) {
                    a.add(new PgId(p.id(), seed).toString());
                }
            }
            out.println(MonReply.json().writeValueAsString(a));
            return 0;
        });
    }

    private static void inconsistent(ObjectNode o, ScrubInconsistency i, int primary) {
        long version = i.version().version();
        o.putObject("object").put("name", i.ref().name()).put("nspace", i.ref().namespace()).put("locator", "")
                .put("snap", "head").put("version", version);
        ArrayNode errors = o.putArray("errors");
        i.errors().forEach(errors::add);
        TreeSet<String> union = new TreeSet<>();
        i.shards().forEach(s -> union.addAll(s.errors()));
        ArrayNode u = o.putArray("union_shard_errors");
        union.forEach(u::add);
        ObjectNode soi = o.putObject("selected_object_info");
        soi.putObject("oid").put("oid", i.ref().name()).put("key", "").put("snapid", -2).put("hash", i.ref().hash() & 0xffffffffL)
                .put("max", 0).put("pool", -1).put("namespace", i.ref().namespace());
        soi.put("version", i.version().epoch() + "'" + version);
        i.shards().stream().filter(s -> s.osd() == i.authOsd()).findFirst().flatMap(ScrubInconsistency.Shard::entry)
                .ifPresent(e -> soi.put("size", e.size()));
        ArrayNode shards = o.putArray("shards");
        for (ScrubInconsistency.Shard s : i.shards()) {
            ObjectNode sh = shards.addObject().put("osd", s.osd()).put("primary", s.osd() == primary);
            ArrayNode se = sh.putArray("errors");
            s.errors().forEach(se::add);
            s.entry().ifPresent(e -> shard(sh, e));
        }
    }

    private static void shard(ObjectNode sh, ScrubMapEntry e) {
        sh.put("size", e.size()).put("omap_digest", String.format("0x%08x", e.omapDigest()));
        if (e.deep() && (e.errors() & ScrubMapEntry.READ_ERROR) == 0) {
            sh.put("data_digest", String.format("0x%08x", e.dataDigest()));
        }
    }

    private interface Body {
        int run(ScrubCli cli) throws Exception;
    }

    private static int run(Path conf, String name, PrintWriter out, PrintWriter err, Body body) {
        try (ScrubCli cli = connect(conf, name)) {
            return body.run(cli);
        } catch (ClusterConf.ConfException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("error: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public void close() {
        new ArrayList<>(conns.values()).forEach(Connection::close);
        mon.close();
    }
}
