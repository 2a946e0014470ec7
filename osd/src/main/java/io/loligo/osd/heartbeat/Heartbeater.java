package io.loligo.osd.heartbeat;

import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.messages.MOSDPing;
import io.loligo.messages.MOSDPingReply;
import io.loligo.msg.Message;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats (Ceph's OSD::heartbeat): every interval, ping each OSD this one shares a PG with; a
 * peer that has not answered for longer than the grace is reported failed to the monitors (once
 * per grace period while it stays silent), and a reported peer that answers again is reported
 * alive. The monitors decide: they mark a peer down when enough reporters on distinct hosts agree.
 */
public final class Heartbeater {
    private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

    /** How the heartbeater reaches peers and monitors; the daemon implements it. */
    public interface Env {
        int whoami();

        OsdMap map();

        Set<Integer> peers();

        CompletableFuture<Message> callOsd(int osd, Message request, Duration timeout);

        MonConnection mon();

        Duration interval();

        Duration grace();

        /**
         * Forgets the heartbeat connection to {@code osd}, so the next ping opens a new one. Called
         * when a ping got no reply in time: a connection that lived through a partition may sit in
         * TCP's retransmission backoff for a minute after the heal while a new one would answer
         * at once (found by mon-leader-partition, seed 480225805509269605: after the heal the
         * healed host's OSD was reported failed again and again, marked down every few seconds).
         */
        default void resetConnection(int osd) {}
    }

    private final Env env;
    private final Map<Integer, Long> lastHeardNanos = new ConcurrentHashMap<>();
    private final Map<Integer, Long> reportedNanos = new ConcurrentHashMap<>();
    /** Each peer's up_from as last seen: a new one means it booted again, so its silence starts afresh. */
    private final Map<Integer, Long> upFrom = new ConcurrentHashMap<>();
    private final ExecutorService reporter = Executors.newVirtualThreadPerTaskExecutor();

    public Heartbeater(Env env) {
        this.env = env;
    }

    /** One round: ping every peer, report the silent ones. */
    public void tick() {
        OsdMap map = env.map();
        if (map == null) {
            return;
        }
        long now = System.nanoTime();
        Set<Integer> peers = env.peers();
        lastHeardNanos.keySet().retainAll(peers);
        reportedNanos.keySet().retainAll(peers);
        upFrom.keySet().retainAll(peers);
        for (int peer : peers) {
            OsdState st = map.osd(peer);
            if (st == null || !st.up()) {
                lastHeardNanos.remove(peer);   // the monitors already know; start afresh when it is back
                reportedNanos.remove(peer);
                upFrom.remove(peer);
                continue;
            }
            Long seenUpFrom = upFrom.put(peer, st.upFrom());
            if (seenUpFrom != null && seenUpFrom != st.upFrom()) {
                // Down and up again between two ticks: silence from before its boot must not mark it down.
                lastHeardNanos.remove(peer);
                reportedNanos.remove(peer);
            }
            lastHeardNanos.putIfAbsent(peer, now);
            env.callOsd(peer, new MOSDPing(env.whoami(), map.epoch(), now), pingTimeout(env))
                    .whenComplete((reply, err) -> {
                        if (err != null && isTimeout(err)) {
                            env.resetConnection(peer);
                        }
                        if (reply instanceof MOSDPingReply) {
                            lastHeardNanos.put(peer, System.nanoTime());
                            if (reportedNanos.remove(peer) != null) {
                                report(peer, false, map.epoch());
                            }
                        }
                    });
            long silent = now - lastHeardNanos.get(peer);
            Long reported = reportedNanos.get(peer);
            if (silent > env.grace().toNanos() && (reported == null || now - reported > env.grace().toNanos())) {
                reportedNanos.put(peer, now);
                log.warn("osd.{} e{}: no heartbeat reply from osd.{} for {} ms; reporting it failed", env.whoami(),
                        map.epoch(), peer, silent / 1_000_000);
                report(peer, true, map.epoch());
            }
        }
    }

    /**
     * How long a ping waits for its reply before the peer's connection is reset: two intervals, but
     * never under half the grace. A reply slower than two intervals is still a reply while the grace
     * lasts; with the timeout at two intervals (1 s in the chaos suite's conf, grace 4 s) a link
     * adding 1 s timed out every ping, reset the connection each time, lost the late replies with it,
     * and the slow host's OSD was reported failed and marked down again and again (found by
     * slow-network, seed 6070906697516831098). Half the grace still leaves a connection stuck in TCP
     * backoff time to be replaced before the grace runs out (mon-leader-partition, seed
     * 480225805509269605). With the defaults (1 s interval, 20 s grace) it is 10 s (was 2 s).
     */
    static Duration pingTimeout(Env env) {
        Duration twoIntervals = env.interval().multipliedBy(2);
        Duration halfGrace = env.grace().dividedBy(2);
        return twoIntervals.compareTo(halfGrace) >= 0 ? twoIntervals : halfGrace;
    }

    private static boolean isTimeout(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof io.loligo.msg.Timeout) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends a report stamped with {@code epoch}, our map's when we decided it: the monitors ignore a
     * report older than our own or the target's up_from (it may reach them long after, e.g. queued on
     * a monitor while our host could not send).
     */
    /** Whether {@code peer} is reported failed and not heard since (for tests). */
    boolean reportedFailed(int peer) {
        return reportedNanos.containsKey(peer);
    }

    private void report(int target, boolean failed, long epoch) {
        reporter.execute(() -> {
            try {
                MonReply r = env.mon().command(MonReply.json().createObjectNode().put("prefix", "osd failure")
                        .put("target", target).put("reporter", env.whoami()).put("failed", failed).put("epoch", epoch));
                log.info("osd.{} reported osd.{} {}: {}", env.whoami(), target, failed ? "failed" : "alive", r.outs());
            } catch (Exception e) {
                log.warn("osd.{} could not report osd.{}: {}", env.whoami(), target, e.getMessage());
            }
        });
    }
}
