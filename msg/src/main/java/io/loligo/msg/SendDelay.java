package io.loligo.msg;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Added network latency for fault injection (issue 9's "slow network"), a fault point inert unless
 * a test arms it. Every frame this process's messenger sends, on every connection it opens or
 * accepts, leaves the socket {@code D} ms after it was written, in the order written; a close waits
 * behind the frames before it. It stands in for {@code tc netem delay}, which the kernels we test on
 * lack (no {@code sch_netem}; docs/reliability.md).
 *
 * <p>Armed by the environment variable {@value #FILE_ENV}: the path of a file holding {@code D}, a
 * whole number of milliseconds (absent or empty file: 0). The file is read again every
 * {@value #POLL_MILLIS} ms, so a harness changes a running daemon's latency by rewriting it, as
 * it would change a netem qdisc. Without the variable no handler is installed and nothing is read.
 * What it does not delay: Ratis traffic between monitors (its own transport), and anything a peer
 * sends to this process (delay the peer too for both directions).
 */
public final class SendDelay {
    private SendDelay() {}

    private static final Logger log = LoggerFactory.getLogger(SendDelay.class);

    /** Environment variable naming the file that holds the delay in milliseconds. */
    public static final String FILE_ENV = "LOLIGO_NET_DELAY_FILE";

    /** How often the file is read again: a change takes effect within this. */
    static final long POLL_MILLIS = 100;

    /** Largest delay accepted: a minute, far past any latency worth testing (heartbeat grace is seconds). */
    static final long DELAY_MAX_MILLIS = 60_000;

    private static final class Holder {
        static final Path FILE = file();
        static volatile long delayNanos;

        static {
            if (FILE != null) {
                log.warn("messenger send delay armed from {} ({}): a slow network for testing", FILE, FILE_ENV);
                Thread poller = Thread.ofPlatform().daemon().name("loligo-send-delay").unstarted(Holder::poll);
                poller.start();
            }
        }

        private static Path file() {
            String raw = System.getenv(FILE_ENV);
            return raw == null || raw.isBlank() ? null : Path.of(raw.strip());
        }

        private static void poll() {
            String lastProblem = null;
            while (true) {
                String problem = null;
                try {
                    String text = Files.readString(FILE);
                    long millis = parse(text);
                    if (millis < 0) {
                        problem = FILE + " holds '" + text.strip() + "' (expected: 0 to " + DELAY_MAX_MILLIS + " ms)";
                    } else if (TimeUnit.MILLISECONDS.toNanos(millis) != delayNanos) {
                        log.warn("messenger send delay now {} ms ({})", millis, FILE);
                        delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
                    }
                } catch (NoSuchFileException e) {
                    if (delayNanos != 0) {
                        log.warn("messenger send delay now 0 ms ({} removed)", FILE);
                        delayNanos = 0;
                    }
                } catch (IOException e) {
                    problem = "cannot read " + FILE + ": " + e;
                }
                if (problem != null && !problem.equals(lastProblem)) {
                    log.warn("messenger send delay unchanged at {} ms: {}", TimeUnit.NANOSECONDS.toMillis(delayNanos), problem);
                }
                lastProblem = problem;
                try {
                    Thread.sleep(POLL_MILLIS);   // the poll interval of a test-only fault point
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Milliseconds in {@code text} (blank: 0), or -1 when it is not a whole number in 0..{@value #DELAY_MAX_MILLIS}. */
    static long parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            long v = Long.parseLong(s);
            return v >= 0 && v <= DELAY_MAX_MILLIS ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** True when {@value #FILE_ENV} is set: channels get a {@link Handler}. */
    static boolean armed() {
        return Holder.FILE != null;
    }

    /** The handler for a new channel (put it first in the pipeline, next to the socket). */
    static Handler newHandler() {
        return new Handler(() -> Holder.delayNanos);
    }

    /**
     * Holds each write (and a close) for the current delay, in order. Runs on its channel's event
     * loop only. With no delay and nothing held, writes, flushes and closes pass straight through;
     * while anything is held, everything after it is held too, so a frame never overtakes an earlier
     * one when the delay shrinks. Held frames are bounded by the callers' own limits (calls in flight
     * per connection, push backlog), which count a frame as sent once it is written here.
     */
    static final class Handler extends ChannelDuplexHandler {
        private record Held(long dueNanos, Object msg, ChannelPromise promise, boolean close) { }

        private final LongSupplier delayNanos;
        private final ArrayDeque<Held> held = new ArrayDeque<>();
        private boolean drainScheduled;

        Handler(LongSupplier delayNanos) {
            this.delayNanos = delayNanos;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            long delay = delayNanos.getAsLong();
            if (delay == 0 && held.isEmpty()) {
                ctx.write(msg, promise);
                return;
            }
            hold(ctx, new Held(ctx.executor().ticker().nanoTime() + delay, msg, promise, false));
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (held.isEmpty()) {
                ctx.flush();
            }
            // else: the drain flushes what it releases
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (held.isEmpty()) {
                ctx.close(promise);
                return;
            }
            hold(ctx, new Held(held.peekLast().dueNanos(), null, promise, true));
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            for (Held h; (h = held.poll()) != null; ) {
                if (h.msg() != null) {
                    ReferenceCountUtil.release(h.msg());
                }
                h.promise().tryFailure(new ClosedChannelException());
            }
        }

        private void hold(ChannelHandlerContext ctx, Held h) {
            Held last = held.peekLast();
            // A shrinking delay must not let a frame overtake the one before it.
            long due = last == null ? h.dueNanos() : Math.max(h.dueNanos(), last.dueNanos());
            held.add(new Held(due, h.msg(), h.promise(), h.close()));
            if (!drainScheduled) {
                schedule(ctx);
            }
        }

        private void schedule(ChannelHandlerContext ctx) {
            long wait = held.peekFirst().dueNanos() - ctx.executor().ticker().nanoTime();
            drainScheduled = true;
            ctx.executor().schedule(() -> drain(ctx), Math.max(0, wait), TimeUnit.NANOSECONDS);
        }

        private void drain(ChannelHandlerContext ctx) {
            drainScheduled = false;
            long now = ctx.executor().ticker().nanoTime();
            boolean wrote = false;
            for (Held h = held.peekFirst(); h != null && h.dueNanos() <= now; h = held.peekFirst()) {
                held.poll();
                if (h.close()) {
                    if (wrote) {
                        ctx.flush();
                        wrote = false;
                    }
                    ctx.close(h.promise());
                } else {
                    ctx.write(h.msg(), h.promise());
                    wrote = true;
                }
            }
            if (wrote) {
                ctx.flush();
            }
            if (!held.isEmpty()) {
                schedule(ctx);
            }
        }
    }
}
