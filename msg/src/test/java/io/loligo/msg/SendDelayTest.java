package io.loligo.msg;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The send-delay fault point ({@link SendDelay}) on an embedded channel with a frozen clock: a frame
 * leaves exactly when its delay has passed, never before; frames keep their order when the delay
 * changes under them; a close waits behind the frames written before it; with no delay everything
 * passes straight through; the delay file's text is parsed strictly.
 */
class SendDelayTest {
    private final AtomicLong delayNanos = new AtomicLong();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new SendDelay.Handler(delayNanos::get));
        ch.freezeTime();
        return ch;
    }

    private static ByteBuf frame(int i) {
        return Unpooled.buffer(4).writeInt(i);
    }

    private static List<Integer> sent(EmbeddedChannel ch) {
        List<Integer> out = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.add(b.readInt());
            b.release();
        }
        return out;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void withoutDelayFramesPassStraightThrough() {
        EmbeddedChannel ch = channel();
        ch.writeAndFlush(frame(1));
        assertThat(sent(ch)).containsExactly(1);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aFrameLeavesWhenItsDelayHasPassedNotBefore() {
        delayNanos.set(TimeUnit.MILLISECONDS.toNanos(200));
        EmbeddedChannel ch = channel();
        ChannelFuture first = ch.writeAndFlush(frame(1));
        advance(ch, 100);
        ch.writeAndFlush(frame(2));
        advance(ch, 99);
        assertThat(sent(ch)).as("before 200 ms").isEmpty();
        assertThat(first.isDone()).isFalse();
        advance(ch, 1);
        assertThat(sent(ch)).as("frame 1 at 200 ms, frame 2 still held").containsExactly(1);
        assertThat(first.isSuccess()).isTrue();
        advance(ch, 100);
        assertThat(sent(ch)).containsExactly(2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void framesKeepTheirOrderWhenTheDelayShrinksOrEnds() {
        delayNanos.set(TimeUnit.MILLISECONDS.toNanos(500));
        EmbeddedChannel ch = channel();
        ch.writeAndFlush(frame(1));
        delayNanos.set(TimeUnit.MILLISECONDS.toNanos(10));
        ch.writeAndFlush(frame(2));
        delayNanos.set(0);
        ch.writeAndFlush(frame(3));
        advance(ch, 100);
        assertThat(sent(ch)).as("nothing overtakes frame 1").isEmpty();
        advance(ch, 400);
        assertThat(sent(ch)).containsExactly(1, 2, 3);
        ch.writeAndFlush(frame(4));
        assertThat(sent(ch)).as("nothing held, no delay: straight through").containsExactly(4);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aCloseWaitsBehindTheFramesBeforeIt() {
        delayNanos.set(TimeUnit.MILLISECONDS.toNanos(50));
        EmbeddedChannel ch = channel();
        List<String> events = new ArrayList<>();
        ch.writeAndFlush(frame(1)).addListener(f -> events.add("frame 1 " + (f.isSuccess() ? "sent" : f.cause())));
        // Through the pipeline: EmbeddedChannel.close() itself cancels the scheduled tasks.
        ChannelFuture closed = ch.pipeline().close().addListener(f -> events.add("closed"));
        assertThat(ch.isOpen()).isTrue();
        advance(ch, 49);
        assertThat(events).isEmpty();
        advance(ch, 1);
        assertThat(events).containsExactly("frame 1 sent", "closed");
        assertThat(closed.isSuccess()).isTrue();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void framesHeldWhenTheChannelGoesAwayAreReleasedAndFailed() {
        delayNanos.set(TimeUnit.MILLISECONDS.toNanos(50));
        EmbeddedChannel ch = channel();
        ByteBuf f = frame(1);
        ChannelFuture write = ch.writeAndFlush(f);
        ch.pipeline().removeFirst();
        assertThat(write.isDone() && !write.isSuccess()).isTrue();
        assertThat(f.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void theDelayFileIsParsedStrictly() {
        assertThat(SendDelay.parse("")).isZero();
        assertThat(SendDelay.parse(" 250\n")).isEqualTo(250);
        assertThat(SendDelay.parse("60000")).isEqualTo(60_000);
        assertThat(SendDelay.parse("60001")).isEqualTo(-1);
        assertThat(SendDelay.parse("-5")).isEqualTo(-1);
        assertThat(SendDelay.parse("2s")).isEqualTo(-1);
    }
}
