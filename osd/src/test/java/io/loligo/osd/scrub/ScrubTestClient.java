package io.loligo.osd.scrub;

import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.PgId;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.MOSDScrub;
import io.loligo.messages.MOSDScrubReply;
import io.loligo.messages.OsdMessages;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ReqId;
import io.loligo.msg.Connection;
import io.loligo.msg.Message;
import io.loligo.msg.MsgException;
import io.loligo.msg.auth.Keyring;
import io.loligo.osd.OsdCluster;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** Sends object ops and scrub commands to PG primaries, following the map and retrying EAGAIN/EMISDIRECTED. */
final class ScrubTestClient implements AutoCloseable {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    final MonConnection mon;
    private final String entity;
    private final byte[] key;
    private final long incarnation = ThreadLocalRandom.current().nextLong();
    private final AtomicLong tid = new AtomicLong();
    private final Map<String, Connection> conns = new ConcurrentHashMap<>();

    ScrubTestClient(OsdCluster cluster, String entity) throws Exception {
        this.entity = entity;
        this.key = Keyring.load(cluster.keyringPath).lookup(entity).orElseThrow().key();
        this.mon = MonConnection.connect(ClusterConf.load(cluster.confPath), entity);
        mon.subscribe(m -> { });
    }

    MOSDOpReply op(String poolName, String name, OsdOp... ops) throws Exception {
        ReqId reqid = new ReqId(entity, incarnation, tid.incrementAndGet());
        int[] attempt = {0};
        return retry("op on " + name, () -> {
            OsdMap map = mon.osdMap();
            Pool pool = map == null ? null : map.poolByName(poolName);
            if (pool == null) {
                return null;   // the map with the pool has not arrived yet
            }
            var mapping = map.placement().mapObject(pool, "", name);
            int hash = map.placement().objectHash(pool, "", name);
            MOSDOp op = new MOSDOp(reqid, pool.id(), "", name, hash, mapping.pg().seed(), map.epoch(),
                    attempt[0]++ > 0 ? MOSDOp.FLAG_RESEND : 0, List.of(ops));
            MOSDOpReply r = call(mapping.actingPrimary(), op, MOSDOpReply.class);
            return r == null || r.result() == OsdResult.EMISDIRECTED || r.result() == OsdResult.EAGAIN ? null : r;
        });
    }

    MOSDScrubReply scrub(PgId pg, int command) throws Exception {
        return retry("scrub command on pg " + pg, () -> {
            OsdMap map = mon.osdMap();
            Pool pool = map == null ? null : map.pool(pg.pool());
            if (pool == null) {
                return null;
            }
            int primary = map.placement().mapPg(pool, pg.seed()).actingPrimary();
            MOSDScrubReply r = call(primary, new MOSDScrub(pg.pool(), pg.seed(), map.epoch(), command), MOSDScrubReply.class);
            return r == null || r.result() == OsdResult.EMISDIRECTED || r.result() == OsdResult.EAGAIN ? null : r;
        });
    }

    private interface Attempt<T> {
        T run() throws Exception;
    }

    private <T> T retry(String what, Attempt<T> attempt) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            T r = attempt.run();
            if (r != null) {
                return r;
            }
            Thread.sleep(100);   // back off before the resend
        }
        throw new AssertionError(what + " got no answer within 60 s");
    }

    private <R extends Message> R call(int osd, Message request, Class<R> type) throws Exception {
        OsdState st = osd < 0 ? null : mon.osdMap().osd(osd);
        if (st == null || !st.up()) {
            return null;
        }
        String a = st.address();
        try {
            Connection c = conns.computeIfAbsent(a, x -> {
                int colon = x.lastIndexOf(':');
                try {
                    return Connection.connect(new InetSocketAddress(x.substring(0, colon), Integer.parseInt(x.substring(colon + 1))),
                            entity, key, OsdMessages.clientRegistry());
                } catch (MsgException e) {
                    throw new IllegalStateException(e);
                }
            });
            return c.call(request, type, CALL_TIMEOUT).get(CALL_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | MsgException | IllegalStateException e) {
            conns.remove(a);
            return null;
        }
    }

    @Override
    public void close() {
        conns.values().forEach(Connection::close);
        mon.close();
    }
}
