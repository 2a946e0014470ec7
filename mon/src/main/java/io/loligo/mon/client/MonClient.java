package io.loligo.mon.client;

import io.loligo.maps.monc.ClusterConf;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.mon.MonQueries;
import io.loligo.maps.monc.MonReply;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends commands to the monitors and returns their replies. Read-only commands are answered by
 * the leader's state; mutations are committed through the Raft log, stamped by the leader.
 * Talks to any monitor and follows the
 * leader (Ratis' client redirects and retries).
 *
 * <p>Transport: the Ratis client protocol to each monitor's {@code mon_raft_addr}, until the
 * messenger (module msg, with cephx-like auth) carries client traffic.
 */
public final class MonClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger log = LoggerFactory.getLogger(MonClient.class);

    /** A new Ratis client; its first guess at the leader is the argument, or none when null. */
    private final java.util.function.Function<RaftPeerId, RaftClient> factory;
    private volatile RaftClient raft;
    private volatile boolean closed;
    private volatile long lastFollowNanos;
    /** The leader a monitor's own Raft server follows (null when unknown); clients outside a monitor have none. */
    private volatile java.util.function.Supplier<String> leaderHint = () -> null;

    private MonClient(java.util.function.Function<RaftPeerId, RaftClient> factory) {
        this.factory = factory;
        this.raft = factory.apply(null);
    }

    public static RaftGroup group(ClusterConf conf) throws ClusterConf.ConfException {
        String fsid = conf.require(null, "fsid");
        UUID uuid;
        try {
            uuid = UUID.fromString(fsid);
        } catch (IllegalArgumentException e) {
            throw new ClusterConf.ConfException(conf.path() + ": fsid '" + fsid + "' is not a UUID");
        }
        List<RaftPeer> peers = new ArrayList<>();
        for (String name : conf.monNames()) {
            peers.add(RaftPeer.newBuilder().setId(name).setAddress(conf.require("mon." + name, "mon_raft_addr")).build());
        }
        if (peers.isEmpty()) {
            throw new ClusterConf.ConfException(conf.path() + ": no monitors (set mon_initial_members and [mon.X] sections)");
        }
        return RaftGroup.valueOf(RaftGroupId.valueOf(uuid), peers);
    }

    public static MonClient connect(ClusterConf conf) throws ClusterConf.ConfException {
        RaftProperties props = new RaftProperties();
        RaftConfigKeys.Rpc.setType(props, SupportedRpcType.NETTY);
        RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(10, TimeUnit.SECONDS));
        RaftGroup group = group(conf);
        return new MonClient(leader -> RaftClient.newBuilder().setRaftGroup(group).setProperties(props)
                .setLeaderId(leader)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(150,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build());
    }

    /**
     * Inside a monitor: before each command, aim at the leader that {@code hint} (the monitor's own
     * Raft server) names, as {@link #followLeader} does.
     */
    public void followLeaderOf(java.util.function.Supplier<String> hint) {
        this.leaderHint = hint;
    }

    private void aimAtHint() {
        String leader = leaderHint.get();
        if (leader != null) {
            followLeader(leader);
        }
    }

    /**
     * Points later requests at {@code leader} (a monitor's own Raft server's view of the leader)
     * when this client still sends to another monitor; at most once a second. Requests already in
     * flight stay on the old client. Found by packet-loss (one-way phase, 49 s to IO on every key):
     * host h0 could hear but not speak; mon.c had won the election, but its own client still sent
     * every command, its tick's "osd down" and the OSDs' forwarded failure reports, to mon.a, the
     * old leader on h0, and waited out Ratis's 30 s connect timeout each time, so osd.1's reports
     * and beacons stalled until the monitors marked the healthy osd.1 down.
     */
    private void followLeader(String leader) {
        RaftClient c = raft;
        RaftPeerId id = RaftPeerId.valueOf(leader);
        long now = System.nanoTime();
        if (closed || id.equals(c.getLeaderId()) || now - lastFollowNanos < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        synchronized (this) {
            if (raft != c || closed) {
                return;
            }
            raft = factory.apply(id);
            lastFollowNanos = now;
        }
        log.info("monitor commands now go to mon.{} (the client was sending to mon.{})", id, c.getLeaderId());
        retireLater(c);
    }

    /**
     * A Ratis client whose ordered requests failed for good (its retries ran out: 150 × 200 ms, e.g.
     * a monitor cut off by a partition for longer) closes its sliding window and refuses every later
     * request with AlreadyClosedException, forever. Found by mon-leader-partition (seed
     * 480225805509269605): after the heal the old leader answered every forwarded command with
     * "could not reach the quorum: ... is closed", so its OSDs could never boot again. The failed
     * command's outcome stays unknown (it is not resent: a new client id escapes the leader's retry
     * cache); the next command goes through a new client.
     */
    private void replaceIfClosed(RaftClient failed, IOException e) {
        boolean closedForGood = false;
        for (Throwable t = e; t != null && !closedForGood; t = t.getCause()) {
            closedForGood = t instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException;
        }
        if (!closedForGood || closed) {
            return;
        }
        synchronized (this) {
            if (raft != failed || closed) {
                return;
            }
            raft = factory.apply(null);
        }
        retireLater(failed);
    }

    /**
     * Closes a replaced client later, not now: calls may still be in flight on it (a transient
     * AlreadyClosedException, a reset connection, leaves siblings running), and await() gives each
     * at most 60 s.
     */
    private static void retireLater(RaftClient old) {
        java.util.concurrent.CompletableFuture.delayedExecutor(70, TimeUnit.SECONDS).execute(() -> {
            try {
                old.close();
            } catch (IOException | RuntimeException ignored) {
                // it was unusable anyway, or replaced
            }
        });
    }

    /**
     * Reads are safe to repeat: when Ratis drops a shared connection (another call on it timed
     * out), in-flight reads fail with AlreadyClosedException and are sent again.
     */
    private RaftClientReply readWithRetry(Message msg) throws IOException {
        for (int attempt = 1; ; attempt++) {
            aimAtHint();
            RaftClient c = raft;
            try {
                return await(c.async().sendReadOnly(msg));
            } catch (IOException e) {
                replaceIfClosed(c, e);
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * The async API retries a call with the same call id (so the leader's retry cache never applies
     * a mutation twice) and does not fail sibling calls when one connection is reset.
     */
    private static RaftClientReply await(java.util.concurrent.CompletableFuture<RaftClientReply> f) throws IOException {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for the monitors");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no reply from the monitors within 60 s; are they running? (mon_host in the conf file)");
        }
    }

    /** A new random secret, as {@code auth get-or-create} hands out (16 bytes, base64). */
    public static String newKey() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** Runs one command; IOException when no monitor could be reached in time. */
    public MonReply command(ObjectNode cmd) throws IOException {
        String prefix = cmd.path("prefix").asText();
        Message msg;
        RaftClientReply reply;
        if (MonQueries.isQuery(prefix)) {
            msg = Message.valueOf(ByteString.copyFrom(MonReply.json().writeValueAsBytes(cmd)));
            reply = readWithRetry(msg);
        } else {
            // The leader stamps the command with its clock (and adds new secrets) as it enters the log.
            msg = Message.valueOf(ByteString.copyFrom(MonReply.json().writeValueAsBytes(cmd)));
            aimAtHint();
            RaftClient c = raft;
            try {
                reply = await(c.async().send(msg));
            } catch (IOException e) {
                replaceIfClosed(c, e);
                throw e;
            }
        }
        if (!reply.isSuccess()) {
            throw new IOException("monitor command '" + prefix + "' failed: " + reply.getException());
        }
        return MonReply.fromBytes(reply.getMessage().getContent().toByteArray());
    }

    /**
     * Asks the quorum to hand leadership to monitor {@code monName} (a Ratis leadership transfer:
     * the leader stops serving until {@code monName} has caught up and won the election). For
     * maintenance and for tests that need a particular leader; throws when it did not happen in time.
     */
    public void transferLeadership(String monName, java.time.Duration timeout) throws IOException {
        RaftClientReply r = raft.admin().transferLeadership(RaftPeerId.valueOf(monName), timeout.toMillis());
        if (!r.isSuccess()) {
            throw new IOException("leadership transfer to mon." + monName + " failed: " + r.getException());
        }
    }

    /**
     * Runs a read-only command against one monitor's own state, without asking the leader: for
     * checking that a particular monitor has caught up.
     */
    public MonReply queryLocal(ObjectNode cmd, String monName) throws IOException {
        Message msg = Message.valueOf(ByteString.copyFrom(MonReply.json().writeValueAsBytes(cmd)));
        RaftClientReply reply = raft.io().sendStaleRead(msg, 0, RaftPeerId.valueOf(monName));
        if (!reply.isSuccess()) {
            throw new IOException("mon." + monName + " query '" + cmd.path("prefix").asText() + "' failed: " + reply.getException());
        }
        return MonReply.fromBytes(reply.getMessage().getContent().toByteArray());
    }

    /** Convenience: a command object with prefix and alternating name/value arguments. */
    public static ObjectNode cmd(String prefix, Object... args) {
        ObjectNode n = MonReply.json().createObjectNode();
        n.put("prefix", prefix);
        for (int i = 0; i + 1 < args.length; i += 2) {
            Object v = args[i + 1];
            if (v instanceof List<?> list) {
                var a = n.putArray((String) args[i]);
                list.forEach(x -> a.add(String.valueOf(x)));
            } else if (v instanceof Boolean b) {
                n.put((String) args[i], b);
            } else {
                n.put((String) args[i], String.valueOf(v));
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        raft.close();
    }
}
