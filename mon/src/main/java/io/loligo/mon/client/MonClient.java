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
    private final RaftClient raft;

    private MonClient(RaftClient raft) {
        this.raft = raft;
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
        RaftClient client = RaftClient.newBuilder().setRaftGroup(group(conf)).setProperties(props)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(150,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
        return new MonClient(client);
    }

    /**
     * Reads are safe to repeat: when Ratis drops a shared connection (another call on it timed
     * out), in-flight reads fail with AlreadyClosedException and are sent again.
     */
    private RaftClientReply readWithRetry(Message msg) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return await(raft.async().sendReadOnly(msg));
            } catch (IOException e) {
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
            reply = await(raft.async().send(msg));
        }
        if (!reply.isSuccess()) {
            throw new IOException("monitor command '" + prefix + "' failed: " + reply.getException());
        }
        return MonReply.fromBytes(reply.getMessage().getContent().toByteArray());
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
        raft.close();
    }
}
