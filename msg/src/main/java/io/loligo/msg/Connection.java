package io.loligo.msg;

import io.loligo.common.Invariants;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's authenticated connection to one daemon.
 * <pre>{@code
 * Connection mon = Connection.connect(address, "client.admin", key, registry);
 * StatusReply reply = mon.call(new StatusRequest(), StatusReply.class, Duration.ofSeconds(5)).join();
 * }</pre>
 * Calls on one connection are written in the order they are made. When the TCP connection drops,
 * pending calls fail with {@link ConnectionLost} (the caller decides whether to resend) and the
 * connection reconnects by itself with exponential backoff, re-running the handshake; calls made
 * while it is down fail fast with {@link ConnectionLost}. Push handlers and reconnect listeners run
 * in order on this connection's own virtual thread. Futures complete on the shared I/O thread: use
 * the {@code *Async} continuations for blocking work.
 */
public final class Connection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final InetSocketAddress address;
    private final String entity;
    private final byte[] key;
    private final MessageRegistry registry;
    private final ConnectionOptions options;
    private final String name;
    private final AtomicLong nextCorrelationId = new AtomicLong(1);
    private final AtomicBoolean reconnecting = new AtomicBoolean();
    private volatile Channel channel;
    private volatile CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile boolean closed;
    /** Failed attempts since the last success; only the single reconnect loop writes it. */
    private volatile int reconnectAttempts;
    /**
     * Runs push handlers and reconnect listeners, in order, on one virtual thread per connection, so
     * application code that blocks or takes locks never stalls the I/O threads all connections share.
     */
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("loligo-msg-callbacks").factory());

    private Connection(InetSocketAddress address, String entity, byte[] key, MessageRegistry registry,
                       ConnectionOptions options) {
        this.address = address;
        this.entity = entity;
        this.key = key.clone();
        this.registry = registry;
        this.options = options;
        this.name = "msg client " + entity + "->" + address;
    }

    public static Connection connect(InetSocketAddress address, String entity, byte[] key, MessageRegistry registry)
            throws AuthFailed, ConnectionLost {
        return connect(address, entity, key, registry, ConnectionOptions.defaults());
    }

    /**
     * Connects and authenticates, waiting up to {@link ConnectionOptions#connectTimeout()}.
     *
     * @throws AuthFailed     the server refused us, or could not prove it knows our key
     * @throws ConnectionLost the server is unreachable or closed the connection during the handshake
     */
    public static Connection connect(InetSocketAddress address, String entity, byte[] key, MessageRegistry registry,
                                     ConnectionOptions options) throws AuthFailed, ConnectionLost {
        Connection connection = new Connection(address, entity, key, registry, options);
        try {
            connection.established(connection.attempt().get());
        } catch (ExecutionException e) {
            connection.callbacks.shutdown();
            if (e.getCause() instanceof MsgException failure) {
                throw failure;
            }
            throw new ConnectionLost(connection.name + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            connection.callbacks.shutdown();
            Thread.currentThread().interrupt();
            throw new ConnectionLost(connection.name + ": interrupted while connecting", e);
        }
        return connection;
    }

    /** Sends {@code request}; the future completes with the reply or fails with a {@link MsgException}. */
    public CompletableFuture<Message> call(Message request, Duration timeout) {
        Channel current = channel;
        if (current == null || closed) {
            return CompletableFuture.failedFuture(new ConnectionLost(name + (closed ? ": closed" : ": not connected (reconnecting)")));
        }
        long correlationId = nextCorrelationId.getAndIncrement();
        ByteBuf frame = Frames.encode(current.alloc(), Frames.KIND_REQUEST, correlationId, request, options.maxFrameBytes());
        ClientChannelHandler handler = current.pipeline().get(ClientChannelHandler.class);
        if (handler == null) {
            frame.release();
            return CompletableFuture.failedFuture(new ConnectionLost(name + ": connection closed"));
        }
        return handler.call(current, correlationId, frame, timeout.toNanos());
    }

    /** Like {@link #call(Message, Duration)}, failing with {@link ProtocolError} if the reply is not a {@code replyType}. */
    public <R extends Message> CompletableFuture<R> call(Message request, Class<R> replyType, Duration timeout) {
        return call(request, timeout).thenApply(reply -> {
            if (!replyType.isInstance(reply)) {
                throw new ProtocolError(name + ": expected a " + replyType.getSimpleName() + " reply to "
                        + request.getClass().getSimpleName() + ", got " + reply.getClass().getSimpleName());
            }
            return replyType.cast(reply);
        });
    }

    /**
     * Sends a one-way message (no reply). The future completes once it is written to the socket,
     * which says nothing about whether the server processed it.
     */
    public CompletableFuture<Void> send(Message message) {
        Channel current = channel;
        if (current == null || closed) {
            return CompletableFuture.failedFuture(new ConnectionLost(name + ": not connected"));
        }
        ByteBuf frame = Frames.encode(current.alloc(), Frames.KIND_ONE_WAY, 0, message, options.maxFrameBytes());
        CompletableFuture<Void> written = new CompletableFuture<>();
        current.writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                written.complete(null);
            } else {
                written.completeExceptionally(new ConnectionLost(name + ": write failed", f.cause()));
            }
        });
        return written;
    }

    public boolean isConnected() {
        Channel current = channel;
        return current != null && current.isActive();
    }

    /** Waits until the connection is up (after a reconnect); false when the deadline passes first. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        try {
            connected.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    public String entity() {
        return entity;
    }

    /** The current TCP channel, or null between connections. */
    Channel channel() {
        return channel;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Stops reconnecting and closes the TCP connection; pending calls fail with {@link ConnectionLost}. */
    @Override
    public void close() {
        closed = true;
        Channel current = channel;
        if (current != null) {
            current.close().syncUninterruptibly();
        }
        connected.completeExceptionally(new ConnectionLost(name + ": closed"));
        callbacks.shutdown();
    }

    /** Hands a server push to the application, in arrival order, off the I/O thread. */
    void deliverPush(Message push) {
        runCallback(() -> options.onPush().accept(push), "push handler (" + push.getClass().getSimpleName() + ")");
    }

    private void runCallback(Runnable callback, String what) {
        try {
            callbacks.execute(() -> {
                try {
                    callback.run();
                } catch (RuntimeException e) {
                    log.warn("{}: {} failed", name, what, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("{}: {} dropped: connection closed", name, what);
        }
    }

    String name() {
        return name;
    }

    byte[] key() {
        return key;
    }

    MessageRegistry registry() {
        return registry;
    }

    ConnectionOptions options() {
        return options;
    }

    /** One TCP connect plus handshake; completes with the authenticated channel. */
    private CompletableFuture<Channel> attempt() {
        ClientChannelHandler handler = new ClientChannelHandler(this);
        Bootstrap bootstrap = new Bootstrap()
                .group(EventLoops.shared())
                .channel(EventLoops.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, EventLoops.allocator())
                .option(ChannelOption.RCVBUF_ALLOCATOR, EventLoops.recvAllocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(
                                new FlushConsolidationHandler(256, true),
                                new FrameDecoder(Handshake.FRAME_BYTES_MAX),
                                handler);
                        if (SendDelay.armed()) {
                            ch.pipeline().addFirst(SendDelay.newHandler());   // next to the socket: fault injection only
                        }
                    }
                });
        if (EventLoops.rtoMaxSupported()) {
            bootstrap.option(EventLoops.TCP_RTO_MAX_MS, EventLoops.RTO_MAX_MS);
        }
        ChannelFuture connecting = bootstrap.connect(address);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                handler.authenticated.completeExceptionally(new ConnectionLost(name + ": connect failed: "
                        + f.cause().getMessage(), f.cause()));
            }
        });
        Channel ch = connecting.channel();
        io.netty.util.concurrent.ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> {
            if (handler.authenticated.completeExceptionally(new ConnectionLost(name + ": handshake not completed within "
                    + options.connectTimeout()))) {
                ch.close();
            }
        }, options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        handler.authenticated.whenComplete((c, e) -> deadline.cancel(false));
        return handler.authenticated;
    }

    private void established(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        channel = ch;
        ch.closeFuture().addListener(f -> onClosed(ch));
        if (closed) {
            ch.close();   // close() ran between the check above and publishing the channel
            return;
        }
        connected.complete(null);
        log.debug("{}: connected", name);
    }

    private void onClosed(Channel ch) {
        if (channel != ch) {
            return;   // not the current connection: nothing to replace
        }
        channel = null;
        connected = new CompletableFuture<>();
        if (closed) {
            connected.completeExceptionally(new ConnectionLost(name + ": closed"));
        } else {
            log.info("{}: connection lost; reconnecting", name);
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (closed || !reconnecting.compareAndSet(false, true)) {
            return;
        }
        long minNanos = options.reconnectBackoffMin().toNanos();
        long maxNanos = options.reconnectBackoffMax().toNanos();
        int shift = Math.min(reconnectAttempts++, 20);
        long delayNanos = Math.min(maxNanos, minNanos << shift);
        delayNanos += ThreadLocalRandom.current().nextLong(delayNanos / 4 + 1);
        Invariants.check(delayNanos > 0, "reconnect delay %d ns", delayNanos);
        EventLoops.shared().schedule(this::reconnect, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void reconnect() {
        if (closed) {
            reconnecting.set(false);
            return;
        }
        attempt().whenComplete((ch, error) -> {
            reconnecting.set(false);
            if (error != null) {
                log.info("{}: reconnect attempt {} failed: {}", name, reconnectAttempts, error.getMessage());
                scheduleReconnect();
                return;
            }
            reconnectAttempts = 0;
            established(ch);
            log.info("{}: reconnected", name);
            runCallback(options.onReconnect(), "reconnect listener");
        });
    }
}
