package io.loligo.msg;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.Socket;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The I/O threads every server and connection in the process shares: native epoll when available
 * (Linux x86-64), Java NIO otherwise. One thread per core; daemon threads, so the group never
 * keeps the JVM alive and is never shut down.
 */
public final class EventLoops {
    public static final boolean EPOLL = Epoll.isAvailable();

    private static final class TimerHolder {
        /**
         * Call timeouts: a wheel ticking every 10 ms on its own daemon thread. Arming a timeout is a
         * queue insert, where scheduling on the event loop from a caller's thread would cost the I/O
         * thread a wake-up per call (it halved depth-1 round trips in TransportBench).
         */
        static final HashedWheelTimer TIMER = new HashedWheelTimer(new DefaultThreadFactory("loligo-msg-timer", true),
                10, TimeUnit.MILLISECONDS, 512);
    }

    private static final class Holder {
        static final EventLoopGroup GROUP = newGroup("loligo-msg", Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    private static final class AllocatorHolder {
        /**
         * Frame buffers. Netty 4.2's default (adaptive) allocator pools buffers up to a few hundred
         * KiB and hands anything larger to a fresh {@code ByteBuffer.allocateDirect}: a 4 MiB frame
         * then cost a zeroed mapping and its page faults per message, and the encoder's doublings
         * on the way there (a JFR/async-profiler profile of rados bench put 26 % of the client's CPU
         * and 14 % of an OSD's in those faults and {@code setMemory}). A pooled allocator with
         * 16 MiB chunks (8 KiB pages, order 11) keeps object-sized frames in reused memory.
         */
        static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true,
                0, Math.max(2, Runtime.getRuntime().availableProcessors()), 8192, 11,
                256, 64, true);
    }

    /**
     * The longest a connection waits between two retransmissions of unacknowledged data. Linux
     * doubles the wait after each timeout up to 120 s, so on a lossy link (30 % of a host's packets
     * dropped both ways, the packet-loss chaos scenario) a connection whose segment and its retries
     * were lost 7 or 8 times in a row sat silent for 25 to 50 s, and the ops on it with it (CI,
     * seed 4723812598271834553: one key without a reply for 60 s). A storage network's round trips
     * are well under a millisecond: capped at 1 s, a lost segment is retried every second. A side
     * effect, wanted: with {@code tcp_retries2} at its default (15), a connection whose peer sends
     * nothing back for about 14 s fails ({@code ETIMEDOUT}) and the messenger reconnects, where it
     * used to wait about 15 minutes.
     */
    static final int RTO_MAX_MS = 1000;

    /** Linux's {@code TCP_RTO_MAX_MS} ({@code IPPROTO_TCP}, option 44; kernel 6.15 and later). */
    static final IntegerUnixChannelOption TCP_RTO_MAX_MS = new IntegerUnixChannelOption("TCP_RTO_MAX_MS", 6, 44);

    private static final class RtoHolder {
        static final boolean SUPPORTED = probeRtoMax();
    }

    /** True when the epoll transport is in use and this kernel accepts {@link #TCP_RTO_MAX_MS}. */
    static boolean rtoMaxSupported() {
        return RtoHolder.SUPPORTED;
    }

    private static boolean probeRtoMax() {
        if (!EPOLL) {
            return false;
        }
        Socket probe = Socket.newSocketStream();
        try {
            probe.setIntOpt(TCP_RTO_MAX_MS.level(), TCP_RTO_MAX_MS.optname(), RTO_MAX_MS);
            return probe.getIntOpt(TCP_RTO_MAX_MS.level(), TCP_RTO_MAX_MS.optname()) == RTO_MAX_MS;
        } catch (IOException e) {
            return false;   // an older kernel (ENOPROTOOPT): connections keep its 120 s cap
        } finally {
            try {
                probe.close();
            } catch (IOException e) {
                // a probe socket that was never connected: nothing to lose
            }
        }
    }

    /** Reads grow to 1 MiB per read call when frames are large (64 KiB is Netty's default cap). */
    static AdaptiveRecvByteBufAllocator recvAllocator() {
        return new AdaptiveRecvByteBufAllocator(512, 16 << 10, 1 << 20);
    }

    private EventLoops() {}

    /** The buffer allocator every messenger channel uses. */
    static ByteBufAllocator allocator() {
        return AllocatorHolder.ALLOCATOR;
    }

    static HashedWheelTimer timer() {
        return TimerHolder.TIMER;
    }

    static EventLoopGroup shared() {
        return Holder.GROUP;
    }

    /** A new group of {@code threads} I/O threads (benchmarks, or a daemon that wants its own). */
    public static EventLoopGroup newGroup(String name, int threads) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    static Class<? extends ServerChannel> serverChannelType() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends Channel> channelType() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public static String transportName() {
        return EPOLL ? "epoll" : "nio";
    }
}
