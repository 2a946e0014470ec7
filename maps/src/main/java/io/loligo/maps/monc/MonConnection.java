package io.loligo.maps.monc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.OsdMap;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.proto.MonMessages;
import io.loligo.maps.proto.MonMessages.MonCommand;
import io.loligo.maps.proto.MonMessages.MonCommandReply;
import io.loligo.maps.proto.MonMessages.MonSubscribe;
import io.loligo.maps.proto.MonMessages.OsdMapUpdate;
import io.loligo.msg.AuthFailed;
import io.loligo.msg.Connection;
import io.loligo.msg.ConnectionLost;
import io.loligo.msg.ConnectionOptions;
import io.loligo.msg.Message;
import io.loligo.msg.MsgException;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A client's session with the monitors over the messenger, authenticated as an entity from a
 * keyring: commands ({@link #command}) and an OSD map subscription ({@link #subscribe}) kept
 * current by pushes. Connects to the first reachable monitor of {@code mon_host} and hunts for
 * another when that one goes away or stops answering (a call without a reply: a monitor cut off
 * by a partition keeps its TCP connection open for minutes); any monitor forwards changes to the leader.
 *
 * A monitor that answers EAGAIN (it cannot reach the quorum) is left the same way, and so is one
 * that does not answer a subscription within {@link #SUBSCRIBE_TIMEOUT}.
 *
 * <p>The subscription does not rely on one monitor's pushes alone (Ceph's MonClient renews its
 * subscriptions the same way): every command reply carries the cluster's OSD map epoch, and a
 * reply newer than the map held asks the monitor for the missing epochs ({@link #renew}).
 */
public final class MonConnection implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final List<InetSocketAddress> mons;
    private final String entity;
    private final byte[] key;
    private volatile Connection conn;
    private volatile int current;
    private volatile OsdMap map;
    private volatile Consumer<OsdMap> mapListener;
    private volatile boolean closed;
    /** When the subscription was last renewed because a reply showed a newer epoch (rate limit). */
    private volatile long renewedNanos;
    private static final long RENEW_GAP_NANOS = 1_000_000_000L;
    /**
     * A monitor's "try again" (Errno.EAGAIN): it could not reach the quorum (or held the command
     * back). The session moves on, as Ceph's clients hunt when their monitor leaves the quorum:
     * found by mon-leader-partition (seed 480225805509269605), where every OSD stayed on a monitor
     * that answered EAGAIN to each boot for ten minutes.
     */
    private static final int EAGAIN = -11;

    private MonConnection(List<InetSocketAddress> mons, String entity, byte[] key) {
        this.mons = mons;
        this.entity = entity;
        this.key = key;
    }

    /** Connects as {@code entity} with its key from the keyring named in the conf ({@code keyring}). */
    public static MonConnection connect(ClusterConf conf, String entity) throws ClusterConf.ConfException, IOException {
        String keyringPath = conf.require(entity, "keyring");
        Keyring keyring;
        try {
            keyring = Keyring.load(Path.of(keyringPath));
        } catch (IOException | IllegalArgumentException e) {
            throw new ClusterConf.ConfException("cannot read keyring " + keyringPath + ": " + e.getMessage());
        }
        EntityKey k = keyring.lookup(entity).orElseThrow(() -> new ClusterConf.ConfException(
                "no key for " + entity + " in keyring " + keyringPath));
        return connect(monHosts(conf), entity, k.key());
    }

    public static MonConnection connect(List<InetSocketAddress> mons, String entity, byte[] key) throws IOException {
        MonConnection c = new MonConnection(mons, entity, key);
        c.hunt();
        return c;
    }

    public static List<InetSocketAddress> monHosts(ClusterConf conf) throws ClusterConf.ConfException {
        String hosts = conf.require(null, "mon_host");
        List<InetSocketAddress> out = new ArrayList<>();
        for (String h : hosts.split("[,\\s]+")) {
            if (h.isEmpty()) {
                continue;
            }
            int colon = h.lastIndexOf(':');
            try {
                out.add(new InetSocketAddress(h.substring(0, colon), Integer.parseInt(h.substring(colon + 1))));
            } catch (RuntimeException e) {
                throw new ClusterConf.ConfException(conf.path() + ": mon_host entry '" + h + "' is not HOST:PORT");
            }
        }
        return out;
    }

    /**
     * Connects to the next monitor that answers. An auth refusal moves on to the next monitor too (a
     * follower may not have applied a just-created key yet); when every monitor refuses, it is final.
     */
    private synchronized void hunt() throws IOException {
        if (conn != null && conn.isConnected()) {
            return;
        }
        if (conn != null) {
            conn.close();
        }
        MsgException last = null;
        AuthFailed refused = null;
        InetSocketAddress refusedBy = null;
        for (int i = 0; i < mons.size(); i++) {
            int idx = (current + i) % mons.size();
            try {
                ConnectionOptions opts = ConnectionOptions.defaults().withConnectTimeout(Duration.ofSeconds(5))
                        .withOnPush(this::onPush).withOnReconnect(this::resubscribe);
                boolean replacing = conn != null;
                conn = Connection.connect(mons.get(idx), entity, key, MonMessages.registry(), opts);
                current = idx;
                if (replacing) {
                    resubscribe();   // a subscription lives on a connection: renew it on the new monitor
                }
                return;
            } catch (AuthFailed e) {
                refused = e;
                refusedBy = mons.get(idx);
            } catch (MsgException e) {
                last = e;
            }
        }
        if (refused != null) {
            throw new IOException("authentication as " + entity + " refused by " + refusedBy + ": " + refused.getMessage(), refused);
        }
        throw new IOException("no monitor reachable at " + mons + (last == null ? "" : ": " + last.getMessage()));
    }

    /** Runs one command; a lost connection is retried once on another monitor. */
    public MonReply command(ObjectNode cmd) throws IOException {
        return command(cmd, CALL_TIMEOUT);
    }

    /**
     * Runs one command, waiting at most {@code timeout} for the reply; a lost connection is retried
     * once on another monitor. A monitor that does not answer in time is left: the next call hunts
     * for another (the command's outcome is unknown: it may still be applied).
     */
    public MonReply command(ObjectNode cmd, Duration timeout) throws IOException {
        OsdMap held = map;
        if (held != null && mapListener != null && !cmd.has("have_epoch")) {
            cmd = cmd.deepCopy().put("have_epoch", held.epoch());   // a monitor seeing an old epoch pushes the news
        }
        byte[] json = MonReply.json().writeValueAsBytes(cmd);
        for (int attempt = 1; ; attempt++) {
            hunt();
            Connection c = conn;
            try {
                Message reply = c.call(new MonCommand(new String(json, StandardCharsets.UTF_8)), timeout)
                        .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                if (reply instanceof MonCommandReply r) {
                    MonReply out = MonReply.fromBytes(r.json().getBytes(StandardCharsets.UTF_8));
                    if (out.code() == EAGAIN) {
                        abandon(c);   // this monitor cannot reach the quorum now: the next call tries another
                    } else {
                        catchUp(out.epoch());
                    }
                    return out;
                }
                throw new IOException("unexpected reply type 0x" + Integer.toHexString(reply.typeId()));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ConnectionLost && attempt < 2) {
                    current = (current + 1) % mons.size();
                    continue;
                }
                if (e.getCause() instanceof io.loligo.msg.Timeout) {
                    abandon(c);
                    throw new IOException("no reply from the monitor at " + c.address() + " within " + timeout
                            + "; hunting for another", e.getCause());
                }
                throw new IOException(e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for the monitors");
            } catch (TimeoutException e) {
                abandon(c);
                throw new IOException("no reply from the monitor at " + c.address() + " within " + timeout
                        + "; hunting for another");
            }
        }
    }

    /** Follows the OSD map from now on; {@code listener} gets every new map (on the I/O thread: do not block). */
    public void subscribe(Consumer<OsdMap> listener) throws IOException {
        this.mapListener = listener;
        hunt();
        resubscribe();
    }

    public OsdMap osdMap() {
        return map;
    }

    /**
     * Asks the current monitor again for every epoch after the map held (a subscription renewal):
     * for a daemon that suspects it missed pushes. Does nothing without a subscription.
     */
    public void renew() {
        renewedNanos = System.nanoTime();
        resubscribe();
    }

    /** A reply showed the cluster at {@code epoch}: fetch what we miss, at most once a second. */
    private void catchUp(long epoch) {
        OsdMap m = map;
        if (mapListener == null || closed || m == null || epoch <= m.epoch()
                || System.nanoTime() - renewedNanos < RENEW_GAP_NANOS) {
            return;
        }
        renew();
    }

    /** {@code c} did not answer: close it and move on, so the next call hunts from the next monitor. */
    private synchronized void abandon(Connection c) {
        if (conn != c || closed) {
            return;
        }
        int idx = mons.indexOf(c.address());
        current = ((idx < 0 ? current : idx) + 1) % mons.size();
        c.close();   // hunt() sees it closed and connects to the next monitor (resubscribing there)
    }

    /**
     * How long a subscription (or its renewal) waits for the monitor's answer before the session
     * leaves that monitor. A monitor answers a subscription from the maps it holds, without the
     * quorum: one round trip and a lookup, so an answer this late (the connect timeout's budget) means
     * the monitor cannot speak to us. Found by packet-loss (seed 7611029335041956332): a client whose
     * monitor's host went silent one way (it still heard everything, its replies were all dropped)
     * renewed its subscription there again and again, never heard of the map marking that host's OSD
     * down, and kept sending to that OSD for the rest of the run; Ceph's MonClient hunts when its
     * monitor stops answering (mon_client_ping_timeout).
     */
    static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

    private void resubscribe() {
        Connection c = conn;
        if (mapListener == null || c == null || closed) {
            return;
        }
        OsdMap m = map;
        c.call(new MonSubscribe(m == null ? 0 : m.epoch()), SUBSCRIBE_TIMEOUT)
                .whenComplete((reply, err) -> {
                    if (reply instanceof OsdMapUpdate u) {
                        onPush(u);
                    } else if (err != null && isTimeout(err)) {
                        Thread.startVirtualThread(() -> leave(c));   // hunting connects: not on the I/O thread
                    }
                });
    }

    /** {@code c} did not answer a subscription: move to another monitor and subscribe there. */
    private void leave(Connection c) {
        abandon(c);
        if (closed) {
            return;
        }
        try {
            hunt();   // connecting anew resubscribes on the monitor found
        } catch (IOException e) {
            // No monitor reachable now: the next renewal or command hunts again.
        }
    }

    private static boolean isTimeout(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof io.loligo.msg.Timeout) {
                return true;
            }
        }
        return false;
    }

    private synchronized void onPush(Message message) {
        if (!(message instanceof OsdMapUpdate u)) {
            return;
        }
        try {
            OsdMap m = map;
            if (u.full().length > 0) {
                OsdMap full = OsdMap.decode(u.full());
                if (m == null || full.epoch() > m.epoch()) {
                    m = full;
                }
            }
            for (byte[] b : u.incrementals()) {
                OsdMap.Incremental inc = OsdMap.Incremental.decode(b);
                if (m == null || inc.epoch <= m.epoch()) {
                    continue;
                }
                if (inc.epoch != m.epoch() + 1) {
                    break;   // a gap: ask again from what we hold
                }
                m = m.apply(inc);
            }
            if (m != null && (map == null || m.epoch() > map.epoch())) {
                map = m;
                Consumer<OsdMap> l = mapListener;
                if (l != null) {
                    l.accept(m);
                }
            }
            if (map == null || map.epoch() < u.epoch()) {
                resubscribe();
            }
        } catch (MapDecodeException | IllegalStateException e) {
            map = null;
            resubscribe();
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = conn;
        if (c != null) {
            c.close();
        }
    }
}
