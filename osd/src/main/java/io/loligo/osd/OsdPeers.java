package io.loligo.osd;

import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.messages.OsdMessages;
import io.loligo.msg.Connection;
import io.loligo.msg.ConnectionLost;
import io.loligo.msg.ConnectionOptions;
import io.loligo.msg.Message;
import io.loligo.msg.MessageRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Connections from this OSD to its peers, authenticated as {@code osd.N}, opened on first use
 * (never on a shard thread: connecting blocks) at the address the current map gives, and replaced
 * when the peer comes back at another address or a connect failed.
 */
final class OsdPeers implements AutoCloseable {
    private record Peer(String address, CompletableFuture<Connection> conn) {}

    private final String entity;
    private final byte[] key;
    private final Supplier<OsdMap> map;
    private final MessageRegistry registry = OsdMessages.osdRegistry(io.loligo.osd.pg.TxnCodec::read);
    private final Map<Integer, Peer> peers = new ConcurrentHashMap<>();
    private final ExecutorService connector = Executors.newVirtualThreadPerTaskExecutor();

    OsdPeers(String entity, byte[] key, Supplier<OsdMap> map) {
        this.entity = entity;
        this.key = key.clone();
        this.map = map;
    }

    CompletableFuture<Message> call(int osd, Message request, Duration timeout) {
        OsdMap m = map.get();
        OsdState state = m == null ? null : m.osd(osd);
        if (state == null || !state.up() || state.address().isEmpty()) {
            return CompletableFuture.failedFuture(new ConnectionLost("osd." + osd + " is not up in e"
                    + (m == null ? 0 : m.epoch())));
        }
        Peer peer = peers.compute(osd, (id, old) -> {
            if (old != null && old.address().equals(state.address()) && !old.conn().isCompletedExceptionally()) {
                return old;
            }
            if (old != null) {
                old.conn().thenAccept(Connection::close);
            }
            return new Peer(state.address(), CompletableFuture.supplyAsync(() -> connect(state.address()), connector));
        });
        return peer.conn().thenCompose(c -> c.call(request, timeout));
    }

    private Connection connect(String address) {
        int colon = address.lastIndexOf(':');
        InetSocketAddress addr = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        try {
            return Connection.connect(addr, entity, key, registry,
                    ConnectionOptions.defaults().withConnectTimeout(Duration.ofSeconds(3)));
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** Forgets the connection to {@code osd} (it went down); the next call reconnects. */
    void drop(int osd) {
        Peer old = peers.remove(osd);
        if (old != null) {
            old.conn().thenAccept(Connection::close);
        }
    }

    @Override
    public void close() {
        for (Integer osd : peers.keySet()) {
            drop(osd);
        }
        connector.shutdownNow();
    }
}
