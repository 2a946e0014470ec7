package io.loligo.msg;

import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * Netty (native epoll) versus plain blocking NIO on virtual threads, same frame format (length,
 * header, payload, CRC32C checked on every receive), same run, loopback. Not a unit test: run with
 * {@code java -cp <test classpath> io.loligo.msg.TransportBench [seconds] [netty,nio-vthreads,messenger] [rounds]}; docs/msg.md has the figures.
 *
 * <p>Workloads: small request/response round trips (64-byte payload echoed) with 1 and 64 calls
 * in flight on one connection; 4 MiB requests answered by an empty ack with 4 in flight (MiB/s).
 * A third row runs the same workloads through the real messenger (auth, registry, codec).
 */
public final class TransportBench {
    private static final int SMALL_BYTES = 64;
    private static final int LARGE_BYTES = 4 << 20;
    private static final int MAX_FRAME = 64 << 20;

    /** One connection's call: a frame with {@code payload}; completes when the reply frame arrives. */
    interface Client extends AutoCloseable {
        CompletableFuture<?> call(byte[] payload);

        @Override
        void close();
    }

    interface Transport extends AutoCloseable {
        Client connect() throws Exception;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String[] variants = args.length > 1 ? args[1].split(",") : new String[] {"netty", "nio-vthreads", "messenger"};
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Map<String, List<double[]>> results = new java.util.LinkedHashMap<>();
        System.out.printf("cores=%d java=%s netty-transport=%s allocator=%s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.version(), EventLoops.transportName(), io.netty.buffer.ByteBufAllocator.DEFAULT.getClass().getSimpleName());
        for (int round = 1; round <= rounds; round++) {
            for (String name : variants) {
                try (Transport transport = switch (name) {
                    case "netty" -> new NettyTransport();
                    case "nio-vthreads" -> new NioTransport();
                    default -> new MessengerTransport();
                }) {
                    results.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(run(round, name, transport, seconds));
                }
            }
        }
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            System.out.printf("median  %-13s rr_qd1=%8.0f/s  rr_qd64=%8.0f/s  4MiB_qd4=%7.1f MiB/s"
                    + "  cpu: %5.2f us/rr_qd64  %5.2f ms/MiB%n", e.getKey(), median(e.getValue(), 0),
                    median(e.getValue(), 1), median(e.getValue(), 2), median(e.getValue(), 3), median(e.getValue(), 4));
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(List<double[]> rows, int column) {
        double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static double[] run(int round, String name, Transport transport, int seconds) throws Exception {
        try (Client client = transport.connect()) {
            byte[] small = new byte[SMALL_BYTES];
            byte[] large = new byte[LARGE_BYTES];
            window(client, small, 64, Duration.ofSeconds(1));   // warm-up
            window(client, large, 4, Duration.ofSeconds(1));
            long rr1 = window(client, small, 1, Duration.ofSeconds(seconds));
            long cpu0 = processCpuNanos();
            long rr64 = window(client, small, 64, Duration.ofSeconds(seconds));
            long cpu1 = processCpuNanos();
            long big = window(client, large, 4, Duration.ofSeconds(seconds));
            long cpu2 = processCpuNanos();
            // CPU time per unit of work (client + server, whole process) does not depend on how much
            // CPU other tenants of the host leave us; rates do.
            double[] row = {rr1 / (double) seconds, rr64 / (double) seconds, big * 4.0 / seconds,
                    (cpu1 - cpu0) / 1e3 / rr64, (cpu2 - cpu1) / 1e6 / (big * 4.0)};
            System.out.printf("round %d %-13s rr_qd1=%8.0f/s  rr_qd64=%8.0f/s  4MiB_qd4=%7.1f MiB/s"
                    + "  cpu: %5.2f us/rr_qd64  %5.2f ms/MiB%n", round, name, row[0], row[1], row[2], row[3], row[4]);
            return row;
        }
    }

    /** Keeps {@code depth} calls in flight for {@code duration}; returns completed calls. */
    private static long window(Client client, byte[] payload, int depth, Duration duration) throws Exception {
        Semaphore slots = new Semaphore(depth);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            slots.acquire();
            client.call(payload).whenComplete((r, e) -> {
                if (e != null) {
                    e.printStackTrace();
                }
                done.incrementAndGet();
                slots.release();
            });
        }
        slots.acquire(depth);
        return done.get();
    }

    // ---- Netty, native epoll: the messenger's FrameDecoder and Frames layout, no auth ----

    static final class NettyTransport implements Transport {
        /** Client and server get their own I/O threads, as they would in two processes. */
        final EventLoopGroup group = EventLoops.newGroup("bench-netty-server", 2);
        final EventLoopGroup clientGroup = EventLoops.newGroup("bench-netty-client", 2);
        final Channel server;

        NettyTransport() throws Exception {
            server = new ServerBootstrap().group(group).channel(EventLoops.serverChannelType())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new FlushConsolidationHandler(256, true), new FrameDecoder(MAX_FRAME),
                                    new ChannelInboundHandlerAdapter() {
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            Frame f = (Frame) msg;
                                            int replyBytes = f.payload().readableBytes() > 1024 ? 0 : f.payload().readableBytes();
                                            ByteBuf reply = nettyFrame(ctx.channel(), f.correlationId(), f.payload(), replyBytes);
                                            f.payload().release();
                                            ctx.writeAndFlush(reply, ctx.voidPromise());
                                        }
                                    });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        }

        public Client connect() throws Exception {
            Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
            AtomicLong ids = new AtomicLong();
            Channel ch = new Bootstrap().group(clientGroup).channel(EventLoops.channelType())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new FlushConsolidationHandler(256, true), new FrameDecoder(MAX_FRAME),
                                    new ChannelInboundHandlerAdapter() {
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            Frame f = (Frame) msg;
                                            f.payload().release();
                                            pending.remove(f.correlationId()).complete(null);
                                        }
                                    });
                        }
                    }).connect(server.localAddress()).sync().channel();
            return new Client() {
                public CompletableFuture<?> call(byte[] payload) {
                    long id = ids.incrementAndGet();
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    pending.put(id, f);
                    ByteBuf frame = ch.alloc().buffer(payload.length + 24);
                    frame.writeInt(0).writeShort(1).writeByte(Frames.KIND_REQUEST).writeByte(0).writeLong(id).writeBytes(payload);
                    seal(frame);
                    ch.writeAndFlush(frame, ch.voidPromise());
                    return f;
                }

                public void close() {
                    ch.close().syncUninterruptibly();
                }
            };
        }

        static ByteBuf nettyFrame(Channel ch, long id, ByteBuf payload, int bytes) {
            ByteBuf frame = ch.alloc().buffer(bytes + 24);
            frame.writeInt(0).writeShort(1).writeByte(Frames.KIND_REPLY).writeByte(0).writeLong(id);
            frame.writeBytes(payload, payload.readerIndex(), bytes);
            seal(frame);
            return frame;
        }

        static void seal(ByteBuf frame) {
            frame.setInt(0, frame.readableBytes());
            frame.writeInt(Frames.crc(frame, 4, frame.readableBytes() - 4));
        }

        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            clientGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // ---- Blocking NIO on virtual threads: one reader thread per connection, writes under a lock ----

    static final class NioTransport implements Transport {
        final ServerSocketChannel server;
        final Thread acceptor;

        NioTransport() throws IOException {
            server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        SocketChannel ch = server.accept();
                        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        Thread.ofVirtual().start(() -> serve(ch));
                    }
                } catch (IOException closed) {
                    // server closed
                }
            });
        }

        private static void serve(SocketChannel ch) {
            FrameIo io = new FrameIo(ch);
            try (ch) {
                while (true) {
                    ByteBuffer body = io.read();
                    long id = body.getLong(4);
                    int payloadBytes = body.limit() - 16;
                    body.position(16).limit(16 + (payloadBytes > 1024 ? 0 : payloadBytes));
                    io.write(Frames.KIND_REPLY, id, body);
                }
            } catch (IOException closed) {
                // peer closed
            }
        }

        public Client connect() throws IOException {
            SocketChannel ch = SocketChannel.open(server.getLocalAddress());
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            FrameIo io = new FrameIo(ch);
            Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
            AtomicLong ids = new AtomicLong();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        ByteBuffer body = io.read();
                        pending.remove(body.getLong(4)).complete(null);
                    }
                } catch (IOException closed) {
                    // closed
                }
            });
            return new Client() {
                public CompletableFuture<?> call(byte[] payload) {
                    long id = ids.incrementAndGet();
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    pending.put(id, f);
                    try {
                        io.write(Frames.KIND_REQUEST, id, ByteBuffer.wrap(payload));
                    } catch (IOException e) {
                        f.completeExceptionally(e);
                    }
                    return f;
                }

                public void close() {
                    try {
                        ch.close();
                        reader.join();
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }

        public void close() throws Exception {
            server.close();
            acceptor.join();
        }
    }

    /** Frame reads and writes on a blocking channel, reusing one direct buffer each way. */
    static final class FrameIo {
        final SocketChannel ch;
        final ReentrantLock writeLock = new ReentrantLock();
        ByteBuffer in = ByteBuffer.allocateDirect(64 << 10);
        ByteBuffer out = ByteBuffer.allocateDirect(64 << 10);
        final ByteBuffer lengthField = ByteBuffer.allocateDirect(4);

        FrameIo(SocketChannel ch) {
            this.ch = ch;
        }

        /** Returns the frame body after the length field (header, payload, CRC), CRC checked. */
        ByteBuffer read() throws IOException {
            lengthField.clear();
            fill(lengthField);
            int length = lengthField.getInt(0);
            if (length < Frames.LENGTH_MIN || length > MAX_FRAME) {
                throw new IOException("bad length " + length);
            }
            if (in.capacity() < length) {
                in = ByteBuffer.allocateDirect(Integer.highestOneBit(length) << 1);
            }
            in.clear().limit(length);
            fill(in);
            CRC32C crc = new CRC32C();
            crc.update(in.duplicate().flip().limit(length - 4));
            if ((int) crc.getValue() != in.getInt(length - 4)) {
                throw new IOException("bad CRC");
            }
            return in.flip().limit(length - 4);
        }

        void write(int kind, long id, ByteBuffer payload) throws IOException {
            writeLock.lock();
            try {
                int length = 16 + payload.remaining();
                if (out.capacity() < length + 4) {
                    out = ByteBuffer.allocateDirect(Integer.highestOneBit(length + 4) << 1);
                }
                out.clear();
                out.putInt(length).putShort((short) 1).put((byte) kind).put((byte) 0).putLong(id).put(payload);
                CRC32C crc = new CRC32C();
                crc.update(out.duplicate().flip().position(4));
                out.putInt((int) crc.getValue()).flip();
                while (out.hasRemaining()) {
                    ch.write(out);
                }
            } finally {
                writeLock.unlock();
            }
        }

        private void fill(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (ch.read(buffer) < 0) {
                    throw new EOFException();
                }
            }
        }
    }

    // ---- The real messenger: auth handshake once, then registry-decoded Echo messages ----

    static final class MessengerTransport implements Transport {
        final Keyring keyring = new Keyring().put("client.bench", EntityKey.of(Keyring.generateKey(), Map.of("osd", "allow *")));
        final MessengerServer server;

        MessengerTransport() throws Exception {
            server = MessengerServer.start(new InetSocketAddress("127.0.0.1", 0), keyring,
                    (session, request) -> {
                        TestMessages.Echo echo = (TestMessages.Echo) request;
                        byte[] back = echo.payload().length > 1024 ? new byte[0] : echo.payload();
                        return CompletableFuture.completedFuture(new TestMessages.EchoReply(echo.seq(), back));
                    }, TestMessages.registry(), ServerOptions.defaults("osd.0"));
        }

        public Client connect() {
            Connection c = Connection.connect(server.address(), "client.bench",
                    keyring.lookup("client.bench").orElseThrow().key(), TestMessages.registry());
            return new Client() {
                public CompletableFuture<?> call(byte[] payload) {
                    return c.call(new TestMessages.Echo(0, payload), Duration.ofSeconds(60));
                }

                public void close() {
                    c.close();
                }
            };
        }

        public void close() {
            server.close();
        }
    }
}
