package io.loligo.client;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.Pool;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.MOSDPgLs;
import io.loligo.messages.MOSDPgLsReply;
import io.loligo.messages.OsdMessages;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ReqId;
import io.loligo.msg.AuthFailed;
import io.loligo.msg.Connection;
import io.loligo.msg.ConnectionOptions;
import io.loligo.msg.Message;
import io.loligo.msg.MessageRegistry;
import io.loligo.msg.MsgException;
import io.loligo.msg.RemoteError;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The objecter (Ceph's Objecter): computes each op's PG and primary from its own OSD map, sends it
 * there, and resends it with the same reqid when the map moves the PG, when the connection to the
 * OSD is lost, or when the OSD answers that it is not the primary or is behind; the OSD recognises
 * a resend in its PG log, so a write applies exactly once. Every op has a deadline after which it
 * fails with {@link RadosException.Timeout}.
 *
 * <p>Threading: replies and map updates arrive on messenger I/O threads; nothing here blocks them.
 * Connecting to an OSD (a blocking handshake) runs on a virtual thread; retries run on one
 * scheduler thread.
 */
final class Objecter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Objecter.class);
    private static final long RETRY_MS_MIN = 20;
    private static final long RETRY_MS_MAX = 1000;
    /**
     * An op whose attempt has had no reply for this long is laggy (Ceph's Objecter::tick): its OSD
     * may hang with its connection open, which only a newer map shows, so the objecter renews its
     * map subscription (and a monitor that does not answer the renewal is left for another, see
     * MonConnection.SUBSCRIBE_TIMEOUT). 3 s: a healthy OSD answers in milliseconds, a renewal is one
     * small message a second at most, and IO must resume within 25 s of an OSD hanging (issue 9).
     */
    private static final long LAGGY_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long TICK_MS = 1000;

    private final String entity;
    private final byte[] key;
    private final long incarnation = new SecureRandom().nextLong() & Long.MAX_VALUE;
    private final AtomicLong lastTid = new AtomicLong();
    private final MessageRegistry registry = OsdMessages.clientRegistry();
    private final Map<Integer, OsdSession> sessions = new ConcurrentHashMap<>();
    private final Map<Long, Op<?>> inflight = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService connector = Executors.newVirtualThreadPerTaskExecutor();
    private volatile OsdMap map;
    private volatile boolean closed;
    /** Asks the monitors for maps newer than ours (an OSD told us of one); rate-limited. */
    private volatile Runnable mapRefresher = () -> {};
    private final AtomicLong lastRefreshNanos = new AtomicLong();
    private final java.util.concurrent.ScheduledFuture<?> ticker;

    /** One connection to one OSD at one address; replaced when the OSD's address changes. */
    private record OsdSession(int osd, String addr, CompletableFuture<Connection> conn) {}

    /** An op until its future completes: what to send, where it went last, when it gives up. */
    private final class Op<R extends Message> {
        final Supplier<String> what;
        final long deadlineNanos;
        final CompletableFuture<R> result = new CompletableFuture<>();
        final Function<OsdMap, Sendable<R>> build;
        volatile int attempts;
        volatile long minEpoch;
        /** Where the last attempt went; a new map resends only if this changes (or the op is waiting). */
        volatile long sentTarget = -1;
        /** No attempt outstanding: parked for a map with a primary, or backing off after a failure. */
        volatile boolean waiting = true;
        /** When the last attempt was sent or the op parked; {@link #tick} finds laggy ops by it. */
        volatile long sentNanos = System.nanoTime();

        Op(Supplier<String> what, long deadlineNanos, Function<OsdMap, Sendable<R>> build) {
            this.what = what;
            this.deadlineNanos = deadlineNanos;
            this.build = build;
        }
    }

    /** The message for one attempt, the OSD to send it to, and how to read its reply. */
    record Sendable<R extends Message>(int osd, int pgSeed, Message request, Class<R> replyType, Function<R, Retry> verdict) {
        long target() {
            return ((long) osd << 32) | (pgSeed & 0xffffffffL);
        }
    }

    /**
     * What a reply means for the op: done, or resend after a map at least {@code minEpoch}; either
     * way {@code minEpoch} is the epoch the OSD answered at.
     */
    record Retry(boolean retry, long minEpoch) {}

    Objecter(String entity, byte[] key, ScheduledExecutorService timer) {
        this.entity = entity;
        this.key = key.clone();
        this.timer = timer;
        this.ticker = timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Once a second: if any op has waited {@link #LAGGY_NANOS} for a reply or a map, ask the monitors
     * for news. An OSD that hangs keeps its connection open, so its ops would otherwise wait out
     * their whole deadline: a map marking it down moves them to the new primary ({@link #onMap}).
     */
    private void tick() {
        long now = System.nanoTime();
        for (Op<?> op : inflight.values()) {
            if (now - op.sentNanos > LAGGY_NANOS) {
                refreshMap();
                return;
            }
        }
    }

    void setMapRefresher(Runnable refresher) {
        this.mapRefresher = refresher;
    }

    /** An OSD is at {@code epoch}, newer than our map: ask the monitors again, at most every 200 ms. */
    private void newerMapExists(long epoch) {
        OsdMap m = map;
        long now = System.nanoTime();
        long last = lastRefreshNanos.get();
        if (!closed && m != null && epoch > m.epoch() && now - last > 200_000_000L
                && lastRefreshNanos.compareAndSet(last, now)) {
            try {
                connector.execute(mapRefresher);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing: nothing to refresh for
            }
        }
    }

    /** Asks the monitors for news (rate-limited as {@link #newerMapExists}) when an OSD cannot be reached. */
    private void refreshMap() {
        OsdMap m = map;
        newerMapExists(m == null ? 0 : m.epoch() + 1);
    }

    OsdMap map() {
        return map;
    }

    ReqId nextReqId() {
        return new ReqId(entity, incarnation, lastTid.incrementAndGet());
    }

    /** A new map: every op whose target moved, or that waited for this epoch, is sent again. */
    void onMap(OsdMap m) {
        map = m;
        for (OsdState o : m.osds().values()) {
            OsdSession s = sessions.get(o.id());
            if (s != null && (!o.up() || !o.address().equals(s.addr))) {
                sessions.remove(o.id(), s);
                s.conn.thenAccept(Connection::close);
            }
        }
        for (Op<?> op : inflight.values()) {
            if (op.minEpoch <= m.epoch() && (op.waiting || targetMoved(op, m))) {
                send(op);
            }
        }
    }

    /**
     * True when the op's PG or primary under {@code m} differs from where its outstanding attempt
     * went. An attempt whose target did not move is left alone: resending it would put a second copy
     * of an in-progress write in front of the same primary.
     */
    private static boolean targetMoved(Op<?> op, OsdMap m) {
        try {
            return op.build.apply(m).target() != op.sentTarget;
        } catch (RadosException e) {
            return true;   // send() completes the op with this error
        }
    }

    /** Submits an op on one object; the future completes with the primary's reply (any result code). */
    CompletableFuture<MOSDOpReply> submit(int poolId, String namespace, String name, List<OsdOp> ops, Duration timeout) {
        return submit(poolId, namespace, name, ops, timeout, MOSDOp.SNAP_HEAD);
    }

    /**
     * As above, reading at snap {@code snapId} ({@link MOSDOp#SNAP_HEAD}: the head). Writes carry the
     * pool's snap context from the map each attempt is placed with (Ceph's pool snaps).
     */
    CompletableFuture<MOSDOpReply> submit(int poolId, String namespace, String name, List<OsdOp> ops, Duration timeout,
                                          long snapId) {
        ReqId reqid = nextReqId();
        boolean writes = ops.stream().anyMatch(OsdOp::isWrite);
        // Only errors and timeouts print it: built on demand (it was a stream and four strings per op).
        Supplier<String> what = () -> "op " + OpNames.describe(ops) + " on " + OpNames.object(poolId, namespace, name);
        Function<OsdMap, Sendable<MOSDOpReply>> build = m -> {
            Pool pool = m.pool(poolId);
            if (pool == null) {
                throw new RadosException.PoolNotFound("#" + poolId);
            }
            int hash = m.placement().objectHash(pool, namespace, name);
            PgMapping pg = m.placement().mapObject(pool, namespace, name);
            io.loligo.maps.PoolSnaps snaps = pool.snapshots();
            MOSDOp msg = snaps.seq() == 0 && snapId == MOSDOp.SNAP_HEAD
                    ? new MOSDOp(reqid, poolId, namespace, name, hash, pg.pg().seed(), m.epoch(), 0, ops)
                    : new MOSDOp(reqid, poolId, namespace, name, hash, pg.pg().seed(), m.epoch(), 0, ops,
                            writes ? snaps.seq() : 0, writes ? snaps.liveIdsDescending() : List.of(), snapId);
            return new Sendable<>(pg.actingPrimary(), pg.pg().seed(), msg, MOSDOpReply.class,
                    r -> new Retry(retryable(r.result()), r.mapEpoch()));
        };
        return start(what, timeout, build);
    }

    /** One page of a PG's listing from its primary. */
    CompletableFuture<MOSDPgLsReply> listPg(int poolId, int pgSeed, String namespace,
                                            java.util.Optional<io.loligo.messages.ObjectRef> after, int max, Duration timeout) {
        Supplier<String> what = () -> "listing of pg " + poolId + "." + Integer.toHexString(pgSeed);
        Function<OsdMap, Sendable<MOSDPgLsReply>> build = m -> {
            Pool pool = m.pool(poolId);
            if (pool == null) {
                throw new RadosException.PoolNotFound("#" + poolId);
            }
            PgMapping pg = m.placement().mapPg(pool, pgSeed);
            MOSDPgLs msg = new MOSDPgLs(poolId, pgSeed, m.epoch(), java.util.Optional.ofNullable(namespace), after, max);
            return new Sendable<>(pg.actingPrimary(), pgSeed, msg, MOSDPgLsReply.class,
                    r -> new Retry(retryable(r.result()), r.mapEpoch()));
        };
        return start(what, timeout, build);
    }

    private static boolean retryable(int result) {
        return result == OsdResult.EMISDIRECTED || result == OsdResult.EMAPBEHIND || result == OsdResult.EAGAIN;
    }

    private <R extends Message> CompletableFuture<R> start(Supplier<String> what, Duration timeout, Function<OsdMap, Sendable<R>> build) {
        if (closed) {
            return CompletableFuture.failedFuture(new RadosException.Other(RadosException.EIO, what.get() + ": cluster handle closed"));
        }
        Op<R> op = new Op<>(what, System.nanoTime() + timeout.toNanos(), build);
        long key = OP_KEYS.incrementAndGet();
        inflight.put(key, op);
        var timeoutTask = timer.schedule(() -> op.result.completeExceptionally(new RadosException.Timeout(what.get()
                + ": no reply within " + timeout.toMillis() + " ms (map epoch " + (map == null ? 0 : map.epoch())
                + ", " + op.attempts + " attempts)")), timeout.toNanos(), TimeUnit.NANOSECONDS);
        op.result.whenComplete((r, e) -> {
            inflight.remove(key);
            timeoutTask.cancel(false);
        });
        send(op);
        return op.result;
    }

    private static final AtomicLong OP_KEYS = new AtomicLong();

    /** One attempt: placement with the current map, then the call; failures come back here. */
    private <R extends Message> void send(Op<R> op) {
        OsdMap m = map;
        if (op.result.isDone() || closed || m == null) {
            return;
        }
        Sendable<R> s;
        try {
            s = op.build.apply(m);
        } catch (RadosException e) {
            op.result.completeExceptionally(e);
            return;
        }
        op.sentNanos = System.nanoTime();
        if (s.osd() < 0) {
            op.waiting = true;
            op.minEpoch = m.epoch() + 1;   // no primary in this map: wait for the next one
            return;
        }
        op.waiting = false;
        op.sentTarget = s.target();
        int attempt = ++op.attempts;
        Message request = op.attempts > 1 && s.request() instanceof MOSDOp o ? o.resend(o.mapEpoch(), o.pgSeed()) : s.request();
        session(s.osd(), m).whenComplete((conn, err) -> {
            if (err != null) {
                if (op.attempts == attempt) {
                    retryLater(op, m.epoch());
                }
                return;
            }
            long remaining = op.deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            conn.call(request, s.replyType(), Duration.ofNanos(remaining)).whenComplete((reply, callErr) -> {
                if (callErr != null) {
                    // A later attempt (a new map moved the op) supersedes this one's failure: the
                    // connection to a hung OSD that the map marked down is closed under it.
                    if (op.attempts == attempt) {
                        onCallError(op, callErr, m.epoch());
                    }
                    return;
                }
                Retry verdict = s.verdict().apply(reply);
                // An OSD ahead of us, even in a reply that completes the op, means our map is old (Ceph's
                // OSDs share newer maps with such a client): a map may have marked down the primary of
                // other ops, which wait on it for nothing (packet-loss, seed 7611029335041956332).
                newerMapExists(verdict.minEpoch());
                if (verdict.retry()) {
                    op.minEpoch = Math.max(verdict.minEpoch(), m.epoch());
                    retryLater(op, op.minEpoch);
                } else {
                    op.result.complete(reply);
                }
            });
        });
    }

    private void onCallError(Op<?> op, Throwable err, long epoch) {
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof RemoteError re) {
            op.result.completeExceptionally(RadosException.of(re.code(), op.what.get() + " (" + re.getMessage() + ")"));
        } else if (cause instanceof AuthFailed af) {
            op.result.completeExceptionally(new RadosException.PermissionDenied(RadosException.EACCES,
                    op.what.get() + ": the OSD refused our key: " + af.getMessage()));
        } else if (cause instanceof MsgException) {
            // Connection lost or call timed out: the OSD may be down, which only a newer map says
            // (and our monitor may be gone too: refreshing hunts for a live one). Resend, same reqid.
            refreshMap();
            retryLater(op, epoch);
        } else {
            op.result.completeExceptionally(cause);
        }
    }

    /** Resends after a backoff (20 ms doubling to 1 s), or sooner if a new map arrives. */
    private void retryLater(Op<?> op, long epoch) {
        if (op.result.isDone() || closed) {
            return;
        }
        op.waiting = true;
        int attempts = op.attempts;
        long delay = Math.min(RETRY_MS_MAX, RETRY_MS_MIN << Math.min(attempts, 6));
        timer.schedule(() -> {
            if (op.attempts == attempts) {   // else a new map has sent it meanwhile: no second copy
                send(op);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** The connection to {@code osd} at its address in {@code m}, connecting on a virtual thread if needed. */
    private CompletableFuture<Connection> session(int osd, OsdMap m) {
        OsdState state = m.osd(osd);
        if (state == null || state.address() == null || state.address().isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("osd." + osd + " has no address"));
        }
        OsdSession s = sessions.compute(osd, (id, old) -> {
            if (old != null && old.addr.equals(state.address()) && !old.conn.isCompletedExceptionally()) {
                return old;
            }
            if (old != null) {
                old.conn.thenAccept(Connection::close);
            }
            return new OsdSession(osd, state.address(), CompletableFuture.supplyAsync(() -> connect(osd, state.address()), connector));
        });
        return s.conn;
    }

    private Connection connect(int osd, String addr) {
        int colon = addr.lastIndexOf(':');
        InetSocketAddress sa = new InetSocketAddress(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)));
        ConnectionOptions opts = ConnectionOptions.defaults().withConnectTimeout(Duration.ofSeconds(5))
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500));
        try {
            return Connection.connect(sa, entity, key, registry, opts);
        } catch (MsgException e) {
            log.debug("{}: connect to osd.{} at {} failed: {}", entity, osd, addr, e.getMessage());
            throw e;
        }
    }

    int inflightCount() {
        return inflight.size();
    }

    @Override
    public void close() {
        closed = true;
        ticker.cancel(false);
        for (Op<?> op : inflight.values()) {
            op.result.completeExceptionally(new RadosException.Other(RadosException.EIO, op.what.get() + ": cluster handle closed"));
        }
        for (OsdSession s : sessions.values()) {
            s.conn.thenAccept(Connection::close);
        }
        sessions.clear();
        connector.shutdown();
    }
}
