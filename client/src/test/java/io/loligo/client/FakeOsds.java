package io.loligo.client;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;
import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.Pool;
import io.loligo.messages.Eversion;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdMessages;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ReqId;
import io.loligo.messages.SubOpResult;
import io.loligo.msg.ErrorReply;
import io.loligo.msg.Handler;
import io.loligo.msg.Message;
import io.loligo.msg.MessengerServer;
import io.loligo.msg.ServerOptions;
import io.loligo.msg.Session;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test double for a set of OSDs: real messenger servers on loopback speaking the client protocol,
 * with one shared in-memory object store (perfect replication) and a shared reqid table (the PG
 * log's dedup). Each OSD answers only for PGs whose acting primary it is in the "true" map, else
 * EMISDIRECTED, as a real OSD does. Faults: after applying a write, an OSD may drop the client's
 * connection instead of replying (the client must resend; the resend must not apply twice); a
 * black-holed OSD never answers.
 */
final class FakeOsds implements AutoCloseable {
    static final String CLIENT = "client.test";
    final String clientKey = Keyring.generateKey();
    final AtomicReference<OsdMap> truth = new AtomicReference<>();
    final Map<String, ByteArrayOutputStream> objects = new HashMap<>();
    final Map<ReqId, MOSDOpReply> done = new HashMap<>();
    final Map<ReqId, AtomicInteger> applied = new ConcurrentHashMap<>();
    final List<MessengerServer> servers = new ArrayList<>();
    final AtomicInteger dropped = new AtomicInteger();
    final AtomicInteger misdirected = new AtomicInteger();
    volatile double dropAfterApply;
    volatile int blackHole = -1;
    private final SplittableRandom random;

    FakeOsds(int n, long seed) throws Exception {
        random = new SplittableRandom(seed);
        Keyring keys = new Keyring().put(CLIENT, EntityKey.of(clientKey, Map.of("osd", "allow *")));
        OsdMap m = OsdMap.genesis("fsid-test", 1, crush(n));
        OsdMap.Incremental inc = m.newIncremental(2);
        inc.newMaxOsd = n;
        for (int i = 0; i < n; i++) {
            int id = i;
            MessengerServer s = MessengerServer.start(new InetSocketAddress("127.0.0.1", 0), keys,
                    (Handler) (session, request) -> handle(id, session, request), OsdMessages.clientRegistry(),
                    ServerOptions.defaults("osd." + i));
            servers.add(s);
            inc.newOsds.put(i, OsdState.created(i, "uuid-" + i).withUp("127.0.0.1:" + s.port(), "h" + i, inc.epoch)
                    .withWeight(OsdState.WEIGHT_IN));
        }
        inc.newPools.put(1, new Pool(1, "p", Pool.TYPE_REPLICATED, 2, 1, 0, 16, 16, Pool.FLAG_HASHPSPOOL,
                Pool.HASH_RJENKINS, List.of(), 0, 0, inc.epoch));
        inc.newPoolMax = 1;
        truth.set(m.apply(inc));
    }

    /** One root of n OSDs; the rule picks OSDs directly (failure domain osd). */
    static CrushMap crush(int n) {
        CrushMap m = new CrushMap();
        m.tunables = Tunables.jewel();
        m.types.put(0, "osd");
        m.types.put(11, "root");
        Bucket root = new Bucket(-1, "default", 11, CrushConstants.BUCKET_STRAW2);
        for (int i = 0; i < n; i++) {
            m.devices.put(i, new CrushMap.Device(i, "osd." + i, null));
            root.items.add(new Bucket.Item(i, 0x10000));
        }
        m.buckets.put(-1, root);
        Rule r = new Rule(0, "replicated_rule");
        r.steps.add(new Rule.Step(CrushConstants.RULE_TAKE, -1, 0));
        r.steps.add(new Rule.Step(CrushConstants.RULE_CHOOSELEAF_FIRSTN, 0, 0));
        r.steps.add(new Rule.Step(CrushConstants.RULE_EMIT, 0, 0));
        m.rules.put(0, r);
        return m;
    }

    /** The next epoch with {@code osd} marked in or out (CRUSH moves PGs, so primaries change). */
    OsdMap setIn(int osd, boolean in) {
        OsdMap m = truth.get();
        OsdMap.Incremental inc = m.newIncremental(m.modifiedMillis() + 1);
        inc.newOsds.put(osd, m.osd(osd).withWeight(in ? OsdState.WEIGHT_IN : OsdState.WEIGHT_OUT));
        OsdMap next = m.apply(inc);
        truth.set(next);
        return next;
    }

    /** The next epoch with the pool's pg_num and pgp_num doubled (PG splits move objects to new PGs). */
    OsdMap doublePgs() {
        OsdMap m = truth.get();
        OsdMap.Incremental inc = m.newIncremental(m.modifiedMillis() + 1);
        Pool p = m.pool(1);
        inc.newPools.put(1, p.withPgs(p.pgNum() * 2, p.pgpNum() * 2, inc.epoch));
        OsdMap next = m.apply(inc);
        truth.set(next);
        return next;
    }

    private CompletableFuture<? extends Message> handle(int osd, Session session, Message request) {
        if (!(request instanceof MOSDOp op)) {
            return CompletableFuture.completedFuture(new ErrorReply(ErrorReply.EINVAL, "unexpected " + request));
        }
        if (osd == blackHole) {
            return new CompletableFuture<>();   // never answers
        }
        OsdMap m = truth.get();
        PgMapping pg = m.placement().mapObject(m.pool(op.pool()), op.namespace(), op.objectName());
        if (pg.actingPrimary() != osd || pg.pg().seed() != op.pgSeed()) {
            misdirected.incrementAndGet();
            return CompletableFuture.completedFuture(MOSDOpReply.error(op.reqid(), OsdResult.EMISDIRECTED,
                    "osd." + osd + " is not primary of " + pg.pg() + " at e" + m.epoch(), m.epoch()));
        }
        MOSDOpReply reply;
        boolean drop;
        synchronized (this) {
            MOSDOpReply prior = done.get(op.reqid());
            if (prior != null) {
                reply = new MOSDOpReply(prior.reqid(), prior.result(), "", List.of(), prior.objectVersion(), m.epoch(), true);
            } else {
                reply = apply(op, m.epoch());
                if (op.isWrite()) {
                    done.put(op.reqid(), reply);
                    applied.computeIfAbsent(op.reqid(), k -> new AtomicInteger()).incrementAndGet();
                }
            }
            drop = op.isWrite() && random.nextDouble() < dropAfterApply;
        }
        if (drop) {
            dropped.incrementAndGet();
            session.close();
            return new CompletableFuture<>();
        }
        return CompletableFuture.completedFuture(reply);
    }

    private MOSDOpReply apply(MOSDOp op, long epoch) {
        String key = op.namespace() + "/" + op.objectName();
        List<SubOpResult> results = new ArrayList<>();
        for (OsdOp sub : op.ops()) {
            ByteArrayOutputStream obj = objects.get(key);
            switch (sub) {
                case OsdOp.Append a -> {
                    objects.computeIfAbsent(key, k -> new ByteArrayOutputStream()).writeBytes(a.data());
                    results.add(SubOpResult.ok());
                }
                case OsdOp.WriteFull w -> {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.writeBytes(w.data());
                    objects.put(key, b);
                    results.add(SubOpResult.ok());
                }
                case OsdOp.Read r -> {
                    if (obj == null) {
                        return new MOSDOpReply(op.reqid(), OsdResult.ENOENT, "", List.of(SubOpResult.error(OsdResult.ENOENT)),
                                Eversion.ZERO, epoch, false);
                    }
                    results.add(SubOpResult.ok(new OpOutput.Data(obj.toByteArray())));
                }
                default -> {
                    return new MOSDOpReply(op.reqid(), OsdResult.EOPNOTSUPP, "fake OSD", List.of(), Eversion.ZERO, epoch, false);
                }
            }
        }
        return new MOSDOpReply(op.reqid(), OsdResult.OK, "", results, new Eversion(epoch, done.size() + 1), epoch, false);
    }

    synchronized byte[] object(String name) {
        ByteArrayOutputStream b = objects.get("/" + name);
        return b == null ? new byte[0] : b.toByteArray();
    }

    @Override
    public void close() {
        servers.forEach(MessengerServer::close);
    }
}
