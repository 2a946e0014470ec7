package io.loligo.osd.scrub;

import io.loligo.maps.ClusterFlag;
import io.loligo.maps.OsdMap;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.messages.MOSDScrub;
import io.loligo.messages.MOSDScrubReply;
import io.loligo.messages.OsdResult;
import io.loligo.msg.Session;
import io.loligo.osd.pg.Pg;
import io.loligo.osd.pg.PgHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When this OSD's PGs are scrubbed (Ceph's OsdScrub, reduced): every tick it looks at the PGs it is
 * primary of, and starts those due — operator requests first, then the PGs scrubbed longest ago —
 * while fewer than {@code osd_max_scrubs} run. Scheduled scrubs respect the noscrub and nodeep-scrub
 * flags; requested ones do not (as in Ceph). Also answers the operator's {@link MOSDScrub}.
 */
public final class OsdScrubScheduler {
    private static final Logger log = LoggerFactory.getLogger(OsdScrubScheduler.class);

    private final ScrubConfig cfg;
    private final PgHost host;
    private final Map<PgId, Pg> pgs;
    private final Supplier<OsdMap> map;
    private final AtomicInteger running = new AtomicInteger();

    public OsdScrubScheduler(ScrubConfig cfg, PgHost host, Map<PgId, Pg> pgs, Supplier<OsdMap> map) {
        this.cfg = cfg;
        this.host = host;
        this.pgs = pgs;
        this.map = map;
        if (!cfg.equals(ScrubConfig.DEFAULTS)) {
            log.info("osd.{} scrub settings: {}", host.whoami(), cfg);
        }
    }

    public ScrubConfig config() {
        return cfg;
    }

    /** Scrubs running now (as primary). */
    public int running() {
        return running.get();
    }

    private record Candidate(Pg pg, boolean deep, boolean repair, boolean requested, long lastMillis) {}

    /** Starts the scrubs that are due, up to osd_max_scrubs at once. Any thread. */
    public synchronized void tick() {
        OsdMap m = map.get();
        if (m == null) {
            return;
        }
        boolean noScrub = m.isSet(ClusterFlag.NOSCRUB);
        boolean noDeep = m.isSet(ClusterFlag.NODEEP_SCRUB);
        long now = host.nowMillis();
        List<Candidate> due = new ArrayList<>();
        for (Pg pg : pgs.values()) {
            if (pg.role() != Pg.Role.PRIMARY) {
                continue;
            }
            boolean[] what = pg.scrubber().due(now, cfg, noScrub, noDeep);
            if (what != null) {
                due.add(new Candidate(pg, what[0], what[1], pg.scrubber().isRequested(), pg.scrubber().lastScrubMillis()));
            }
        }
        due.sort(Comparator.comparing((Candidate c) -> !c.requested()).thenComparingLong(Candidate::lastMillis));
        for (Candidate c : due) {
            if (running.get() >= cfg.maxScrubs()) {
                return;
            }
            running.incrementAndGet();
            AtomicBoolean released = new AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    running.decrementAndGet();
                }
            };
            host.onShard(c.pg().pgid(), () -> {
                if (!c.pg().scrubber().start(c.deep(), c.repair(), cfg, release)) {
                    release.run();
                }
            });
        }
    }

    /**
     * An operator's {@link MOSDScrub}, on the messenger thread: needs osd caps {@code rwx} on the
     * pool; the PG's shard queues the scrub (started by the next tick) or lists what was found.
     */
    public void command(Session session, MOSDScrub m, CompletableFuture<MOSDScrubReply> reply) {
        OsdMap osdmap = map.get();
        long epoch = osdmap == null ? 0 : osdmap.epoch();
        Pool pool = osdmap == null ? null : osdmap.pool(m.pool());
        if (pool == null) {
            reply.complete(MOSDScrubReply.error(OsdResult.ENXIO, "pool " + m.pool() + " does not exist at e" + epoch, epoch));
            return;
        }
        if (m.pgSeed() < 0 || m.pgSeed() >= pool.pgNum()) {
            reply.complete(MOSDScrubReply.error(OsdResult.ENOENT, "pg " + new PgId(pool.id(), m.pgSeed()) + " does not exist"
                    + " (pool '" + pool.name() + "' has pg_num " + pool.pgNum() + ")", epoch));
            return;
        }
        boolean list = m.command() == MOSDScrub.LIST;
        if (!session.caps().check("osd", pool.name(), "", true, !list, !list)) {
            reply.complete(MOSDScrubReply.error(OsdResult.EACCES, session.entity() + " lacks osd '" + (list ? "r" : "rwx")
                    + "' capability on pool " + pool.name(), epoch));
            return;
        }
        PgId pgid = new PgId(pool.id(), m.pgSeed());
        Pg pg = pgs.get(pgid);
        if (pg == null || osdmap.placement().mapPg(pool, m.pgSeed()).actingPrimary() != host.whoami()) {
            reply.complete(MOSDScrubReply.error(OsdResult.EMISDIRECTED, "osd." + host.whoami() + " is not primary of pg "
                    + pgid + " at e" + epoch, epoch));
            return;
        }
        host.onShard(pgid, () -> {
            reply.complete(pg.scrubber().command(m));
            if (!list) {
                tick();
            }
        });
    }
}
