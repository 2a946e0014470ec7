package io.loligo.msg;

import io.loligo.msg.auth.KeyLookup;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts authenticated connections and hands their messages to a {@link Handler}.
 * <pre>{@code
 * MessengerServer server = MessengerServer.start(new InetSocketAddress("0.0.0.0", 6789),
 *         keyring, handler, registry, ServerOptions.defaults("mon.a"));
 * int port = server.port();
 * }</pre>
 * Bad input (garbage, bad CRC, unknown types, oversized frames, a handshake that never ends)
 * costs only the offending connection: one WARN line naming the peer and the problem, a count in
 * {@link #drops}, and the connection closed.
 */
public final class MessengerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MessengerServer.class);

    private final KeyLookup keys;
    private final Handler handler;
    private final MessageRegistry registry;
    private final ServerOptions options;
    private final ChannelGroup channels = new DefaultChannelGroup("msg-server", GlobalEventExecutor.INSTANCE);
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private volatile Channel serverChannel;
    private volatile String name;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private MessengerServer(KeyLookup keys, Handler handler, MessageRegistry registry, ServerOptions options) {
        this.keys = keys;
        this.handler = handler;
        this.registry = registry;
        this.options = options;
        for (DropReason reason : DropReason.values()) {
            drops.put(reason, new LongAdder());
        }
    }

    /**
     * Binds {@code bind} (port 0 picks a free port; see {@link #port()}) and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local); the message names it
     */
    public static MessengerServer start(InetSocketAddress bind, KeyLookup keys, Handler handler,
                                        MessageRegistry registry, ServerOptions options)
            throws IOException, InterruptedException {
        MessengerServer server = new MessengerServer(keys, handler, registry, options);
        server.bind(bind);
        return server;
    }

    private void bind(InetSocketAddress bind) throws IOException, InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(EventLoops.shared())
                .channel(EventLoops.serverChannelType())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, EventLoops.allocator())
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, EventLoops.recvAllocator())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(
                                new FlushConsolidationHandler(256, true),
                                new FrameDecoder(Handshake.FRAME_BYTES_MAX),
                                new ServerChannelHandler(MessengerServer.this));
                        if (SendDelay.armed()) {
                            ch.pipeline().addFirst(SendDelay.newHandler());   // next to the socket: fault injection only
                        }
                    }
                });
        if (EventLoops.rtoMaxSupported()) {
            bootstrap.childOption(EventLoops.TCP_RTO_MAX_MS, EventLoops.RTO_MAX_MS);
        }
        ChannelFuture bound = bootstrap.bind(bind).await();
        if (!bound.isSuccess()) {
            throw new IOException("msg server " + options.serverEntity() + ": cannot listen on " + bind + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        Channel channel = bound.channel();
        serverChannel = channel;
        name = "msg server " + options.serverEntity() + "@" + channel.localAddress();
        log.info("{}: listening transport={} max_frame_bytes={} max_in_flight={} max_connections={} tcp_rto_max_ms={}",
                name, EventLoops.transportName(), options.maxFrameBytes(), options.maxInFlightPerConnection(),
                options.maxConnections(), EventLoops.rtoMaxSupported() ? EventLoops.RTO_MAX_MS : "kernel default");
    }

    /** The bound port (the real one when started with port 0). */
    public int port() {
        return address().getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The sessions currently authenticated. */
    public List<Session> sessions() {
        return new ArrayList<>(sessions.values());
    }

    /** How many connections were dropped for {@code reason} since start. */
    public long drops(DropReason reason) {
        return drops.get(reason).sum();
    }

    public ServerOptions options() {
        return options;
    }

    String name() {
        return name;
    }

    KeyLookup keys() {
        return keys;
    }

    Handler handler() {
        return handler;
    }

    MessageRegistry registry() {
        return registry;
    }

    void countDrop(DropReason reason) {
        drops.get(reason).increment();
    }

    /** Counts a new connection; false when over {@link ServerOptions#maxConnections} (the count is not kept). */
    boolean admit() {
        if (connections.incrementAndGet() > options.maxConnections()) {
            connections.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        connections.decrementAndGet();
    }

    void opened(Session session) {
        sessions.put(session.id(), session);
    }

    void closed(Session session) {
        sessions.remove(session.id());
    }

    /** Stops listening and closes every connection; clients see {@link ConnectionLost}. */
    @Override
    public void close() {
        Channel channel = serverChannel;
        if (channel == null || !closed.compareAndSet(false, true)) {
            return;
        }
        channel.close().syncUninterruptibly();
        channels.close().syncUninterruptibly();
        log.info("{}: closed", name);
    }
}
