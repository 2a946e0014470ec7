package io.loligo.msg;

import io.loligo.msg.auth.Caps;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authenticated connection as the server's {@link Handler} sees it: who the peer is, what it
 * may do, and a way to push messages to it (map subscriptions).
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final long id = NEXT_ID.getAndIncrement();
    private final String entity;
    private final Caps caps;
    private final Channel channel;
    private final MessengerServer server;

    Session(String entity, Caps caps, Channel channel, MessengerServer server) {
        this.entity = entity;
        this.caps = caps;
        this.channel = channel;
        this.server = server;
    }

    Channel channel() {
        return channel;
    }

    /** Unique within the process; stable for the life of the connection. */
    public long id() {
        return id;
    }

    /** The authenticated entity name ("client.admin", "osd.3"). */
    public String entity() {
        return entity;
    }

    /** The entity's capabilities, from the {@link io.loligo.msg.auth.KeyLookup} at handshake time. */
    public Caps caps() {
        return caps;
    }

    public SocketAddress peer() {
        return channel.remoteAddress();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /**
     * Sends {@code message} to the client, unsolicited; pushes arrive in the order they were made.
     * Returns false when the session is closed. A peer that does not read its pushes is dropped
     * once {@link ServerOptions#maxPushBacklogBytes} are waiting.
     */
    public boolean push(Message message) {
        if (!channel.isActive()) {
            return false;
        }
        if (!channel.isWritable() && channel.bytesBeforeWritable() > server.options().maxPushBacklogBytes()) {
            log.warn("{}: peer {} entity={}: more than {} bytes of pushes unsent; connection closed",
                    server.name(), peer(), entity, server.options().maxPushBacklogBytes());
            server.countDrop(DropReason.SLOW_CONSUMER);
            channel.close();
            return false;
        }
        ByteBuf frame = Frames.encode(channel.alloc(), Frames.KIND_PUSH, 0, message, server.options().maxFrameBytes());
        channel.writeAndFlush(frame, channel.voidPromise());
        return true;
    }

    /** Closes the connection; the client sees {@link ConnectionLost} and reconnects. */
    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return "Session[" + id + " " + entity + "@" + peer() + "]";
    }
}
