package io.loligo.osd;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OsdMessages;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ReqId;
import io.loligo.msg.Connection;
import io.loligo.msg.MsgException;
import io.loligo.msg.auth.Keyring;
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

/**
 * A minimal objecter for tests (the real one is the client module's): follows the OSD map, sends
 * each op to the PG's primary, and resends with the same reqid after a lost connection, a timeout,
 * EAGAIN or EMISDIRECTED (once the map is at least the OSD's epoch), until a deadline.
 */
final class TestClient implements AutoCloseable {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    final String entity;
    final MonConnection mon;
    private final byte[] key;
    private final long incarnation = ThreadLocalRandom.current().nextLong();
    private final AtomicLong tid = new AtomicLong();
    private final Map<String, Connection> conns = new ConcurrentHashMap<>();

    TestClient(OsdCluster cluster, String entity) throws Exception {
        this.entity = entity;
        this.key = Keyring.load(cluster.keyringPath).lookup(entity).orElseThrow().key();
        this.mon = MonConnection.connect(ClusterConf.load(cluster.confPath), entity);
        mon.subscribe(m -> { });
    }

    ReqId newReqid() {
        return new ReqId(entity, incarnation, tid.incrementAndGet());
    }

    MOSDOpReply op(String pool, String name, OsdOp... ops) throws Exception {
        return send(newReqid(), pool, name, List.of(ops), Duration.ofSeconds(60));
    }

    /** Reads at pool snapshot {@code snapId} (the OSD takes writes' snap context from its own map). */
    MOSDOpReply opAtSnap(String pool, String name, long snapId, OsdOp... ops) throws Exception {
        return send(newReqid(), pool, name, List.of(ops), Duration.ofSeconds(60), snapId);
    }

    MOSDOpReply send(ReqId reqid, String poolName, String name, List<OsdOp> ops, Duration timeout) throws Exception {
        return send(reqid, poolName, name, ops, timeout, MOSDOp.SNAP_HEAD);
    }

    /** Sends until an answer other than "try elsewhere/later" arrives; throws when the deadline passes. */
    MOSDOpReply send(ReqId reqid, String poolName, String name, List<OsdOp> ops, Duration timeout, long snapId)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int attempt = 0;
        String last = "no attempt";
        while (System.nanoTime() < deadline) {
            OsdMap map = mon.osdMap();
            Pool pool = map == null ? null : map.poolByName(poolName);
            if (pool == null) {
                Thread.sleep(50);   // waiting for the map that has the pool
                continue;
            }
            PgMapping mapping = map.placement().mapObject(pool, "", name);
            int primary = mapping.actingPrimary();
            OsdState st = primary < 0 ? null : map.osd(primary);
            if (st == null || !st.up()) {
                Thread.sleep(50);   // no primary in this map: wait for the next
                continue;
            }
            int hash = map.placement().objectHash(pool, "", name);
            MOSDOp op = new MOSDOp(reqid, pool.id(), "", name, hash, mapping.pg().seed(), map.epoch(),
                    attempt++ > 0 ? MOSDOp.FLAG_RESEND : 0, ops, 0, List.of(), snapId);
            try {
                MOSDOpReply reply = call(st.address(), op);
                if (reply.result() == OsdResult.EMISDIRECTED || reply.result() == OsdResult.EAGAIN) {
                    last = reply.toString();
                    long want = reply.mapEpoch();
                    OsdCluster.await("map e" + want, Duration.ofSeconds(30), () -> mon.osdMap().epoch() >= want);
                    Thread.sleep(50);   // back off before the resend
                    continue;
                }
                return reply;
            } catch (ExecutionException | TimeoutException | MsgException | IllegalStateException e) {
                last = e.toString();
                conns.remove(st.address());
                Thread.sleep(100);   // back off before the resend
            }
        }
        throw new AssertionError("op " + reqid + " on " + name + " got no answer within " + timeout + "; last: " + last);
    }

    /** Sends one op to one OSD address, no retries. */
    MOSDOpReply call(String address, MOSDOp op) throws Exception {
        Connection c = conns.computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            try {
                return Connection.connect(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))),
                        entity, key, OsdMessages.clientRegistry());
            } catch (MsgException e) {
                throw new IllegalStateException(e);
            }
        });
        return c.call(op, MOSDOpReply.class, CALL_TIMEOUT).get(CALL_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        conns.values().forEach(Connection::close);
        mon.close();
    }
}
