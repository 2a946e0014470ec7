package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.codec.MapDecodeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Snapshot files: Ratis' SimpleStateMachineStorage layout, snapshot.TERM_INDEX in the state machine
 * directory, holding MonState.encode() (format described in MonState), with an .md5 beside it.
 * Written to a temporary file, fsynced, then renamed into place.
 */
/**
 * The monitors' Ratis state machine. Log entries are commands (UTF-8 JSON, see {@link Cmd});
 * applying one is deterministic ({@link MonState#apply}). Queries (read-only commands) are
 * answered from the local state. Listeners hear of every new OSD map epoch, to push maps to
 * subscribers.
 */
public final class MonStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(MonStateMachine.class);

    private final String name;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final List<LongConsumer> epochListeners = new CopyOnWriteArrayList<>();
    private volatile Supplier<QuorumInfo> quorum = QuorumInfo::unknown;
    private MonState state = new MonState();

    public MonStateMachine(String name) {
        this.name = name;
    }

    public void setQuorumSupplier(Supplier<QuorumInfo> supplier) {
        this.quorum = supplier;
    }

    /** {@code listener} is called with the new epoch after each committed OSD map change (on the apply thread). */
    public void addEpochListener(LongConsumer listener) {
        epochListeners.add(listener);
    }

    /** Runs {@code reader} against the current state under the state machine's lock. */
    public synchronized <T> T read(java.util.function.Function<MonState, T> reader) {
        return reader.apply(state);
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        reinitialize();
    }

    @Override
    public void reinitialize() throws IOException {
        SingleFileSnapshotInfo snap = storage.getLatestSnapshot();
        if (snap == null) {
            return;
        }
        Path path = snap.getFile().getPath();
        MD5Hash md5 = snap.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(path.toFile(), md5);
        }
        try {
            MonState loaded = MonState.decode(Files.readAllBytes(path));
            TermIndex ti = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(path.toFile());
            long before;
            synchronized (this) {
                before = state.epoch();
                state = loaded;
                updateLastAppliedTermIndex(ti);
            }
            log.info("mon.{} loaded snapshot {} at osdmap e{}", name, ti, loaded.epoch());
            // A follower that fell behind the leader's purged log catches up by installing a snapshot:
            // its subscribers must hear of the epochs it jumped over, as if it had applied them one by
            // one (found by mon-leader-partition: the healed old leader never pushed them).
            if (loaded.epoch() != before) {
                for (LongConsumer l : epochListeners) {
                    l.accept(loaded.epoch());
                }
            }
        } catch (MapDecodeException e) {
            throw new IOException("mon." + name + ": snapshot " + path + " is corrupt: " + e.getMessage(), e);
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        byte[] bytes;
        TermIndex applied;
        synchronized (this) {
            bytes = state.encode();
            applied = getLastAppliedTermIndex();
        }
        if (applied == null || applied.getIndex() < 0) {
            return -1;
        }
        Path file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex()).toPath();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
            out.write(bytes);
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (var dir = java.nio.channels.FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);   // the rename itself must survive a crash before Ratis purges the log below it
        }
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, md5), applied));
        log.info("mon.{} took snapshot at {} ({} bytes)", name, applied, bytes.length);
        return applied.getIndex();
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * On the leader, before a command enters the log: stamp it with the leader's clock and give
     * new auth entities a fresh secret, so applying it later never reads a clock or randomness.
     */
    @Override
    public TransactionContext startTransaction(org.apache.ratis.protocol.RaftClientRequest request) throws IOException {
        byte[] data = request.getMessage().getContent().toByteArray();
        Cmd cmd = parse(data);
        ByteString logData = request.getMessage().getContent();
        if (cmd != null) {
            ObjectNode json = cmd.json();
            json.put("stamp", io.loligo.common.WallClock.millis());
            String prefix = cmd.prefix();
            if ((prefix.equals("auth get-or-create") || prefix.equals("auth add")) && !cmd.has("key")) {
                json.put("key", io.loligo.mon.client.MonClient.newKey());
            }
            logData = ByteString.copyFrom(MonReply.json().writeValueAsBytes(json));
        }
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).setLogData(logData).build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        TermIndex ti = TermIndex.valueOf(entry);
        MonReply reply;
        long before;
        long after;
        synchronized (this) {
            before = state.epoch();
            Cmd cmd = parse(data);
            try {
                reply = cmd == null ? MonReply.error(Errno.EINVAL, "log entry " + ti + " is not a command object", before)
                        : state.apply(cmd);
            } catch (RuntimeException bug) {
                failStop(ti, data, bug);
                throw bug;
            }
            after = state.epoch();
            updateLastAppliedTermIndex(ti);
        }
        if (after != before && trx.getServerRole() == org.apache.ratis.proto.RaftProtos.RaftPeerRole.LEADER) {
            log.info("mon.{}(leader) e{} {}: {}", name, after, MonStateMachine.prefixOf(data), reply.outs());
        }
        if (after != before) {
            for (LongConsumer l : epochListeners) {
                l.accept(after);
            }
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.toBytes())));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        Cmd cmd = parse(request.getContent().toByteArray());
        MonReply reply;
        if (cmd == null || !MonQueries.isQuery(cmd.prefix())) {
            reply = MonReply.error(Errno.EINVAL, "not a read-only command", 0);
        } else {
            QuorumInfo q = quorum.get();
            synchronized (this) {
                reply = MonQueries.answer(state, q, cmd);
            }
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.toBytes())));
    }

    /**
     * Applying a committed entry threw: a bug (apply only throws for broken invariants), and this
     * monitor's state is now unknown. Log what and where, then stop the process; the other monitors
     * carry on, and a restart replays from the last snapshot.
     */
    private void failStop(TermIndex ti, byte[] data, RuntimeException bug) {
        log.error("mon.{} e{} BUG applying log entry {} ({}): {}; stopping", name, state.epoch(), ti,
                new String(data, 0, Math.min(data.length, 512), java.nio.charset.StandardCharsets.UTF_8), bug.toString(), bug);
        System.err.flush();
        if (!Boolean.getBoolean("loligo.mon.noHaltOnBug")) {
            Runtime.getRuntime().halt(70);
        }
    }

    static String prefixOf(byte[] data) {
        Cmd c = parse(data);
        return c == null ? "?" : c.prefix();
    }

    static Cmd parse(byte[] data) {
        try {
            JsonNode n = MonReply.JSON.readTree(data);
            return n instanceof ObjectNode o ? new Cmd(o) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
