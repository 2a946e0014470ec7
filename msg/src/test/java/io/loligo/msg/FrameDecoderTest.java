package io.loligo.msg;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Framing properties, on an EmbeddedChannel (no sockets, no threads): a stream of random frames cut
 * at random points decodes to exactly the frames sent, in order; a single flipped bit anywhere in
 * the stream is never delivered as a different frame (the CRC or a shape check refuses it, or the
 * decoder waits for bytes that never come).
 */
@org.junit.jupiter.api.extension.ExtendWith(LeakRecordingDetector.Check.class)
class FrameDecoderTest {
    static LongStream seeds() {
        return Seeds.seeds();
    }

    private record Sent(long seq, byte[] payload, byte[] frame) {}

    private static List<Sent> randomFrames(SplittableRandom random, int count) {
        List<Sent> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(70_000) : random.nextInt(200)];
            random.nextBytes(payload);
            long seq = random.nextLong();
            frames.add(new Sent(seq, payload, RawPeer.frameBytes(Frames.KIND_REQUEST, seq, new TestMessages.Echo(seq, payload))));
        }
        return frames;
    }

    private static byte[] concat(List<Sent> frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        frames.forEach(f -> all.writeBytes(f.frame()));
        return all.toByteArray();
    }

    /** Feeds {@code stream} in random-sized pieces; returns the frames decoded (payload bytes copied) or stops at an error. */
    private static List<Frame> feed(byte[] stream, SplittableRandom random, List<Throwable> errors) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1 << 20));
        List<Frame> out = new ArrayList<>();
        try {
            for (int at = 0; at < stream.length; ) {
                int piece = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 16 : 9000));
                try {
                    channel.writeInbound(Unpooled.copiedBuffer(stream, at, piece));
                } catch (DecoderException e) {
                    errors.add(e.getCause());
                    break;
                }
                at += piece;
                for (Frame f; (f = channel.readInbound()) != null; ) {
                    out.add(new Frame(f.type(), f.kind(), f.correlationId(), Unpooled.wrappedBuffer(ByteBufUtil.getBytes(f.payload()))));
                    f.payload().release();
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        return out;
    }

    private static long decodedSeq(Frame frame) {
        TestMessages.Echo echo = (TestMessages.Echo) TestMessages.registry().decode(frame.type(), frame.payload());
        return echo.seq();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void framesCutAtRandomPointsDecodeExactlyAsSent(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Sent> sent = randomFrames(random, 60);
        List<Throwable> errors = new ArrayList<>();
        List<Frame> got = feed(concat(sent), random, errors);
        assertThat(errors).as("seed %d", seed).isEmpty();
        assertThat(got).as("seed %d", seed).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            Frame frame = got.get(i);
            assertThat(frame.correlationId()).as("seed %d frame %d", seed, i).isEqualTo(sent.get(i).seq());
            TestMessages.Echo echo = (TestMessages.Echo) TestMessages.registry().decode(frame.type(), frame.payload());
            assertThat(echo.payload()).as("seed %d frame %d", seed, i).isEqualTo(sent.get(i).payload());
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aFlippedBitIsNeverDeliveredAsAFrame(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 40; round++) {
            List<Sent> sent = randomFrames(random, 5);
            byte[] stream = concat(sent);
            int bit = random.nextInt(stream.length * 8);
            byte[] corrupt = Arrays.copyOf(stream, stream.length);
            corrupt[bit / 8] ^= (byte) (1 << (bit % 8));
            List<Throwable> errors = new ArrayList<>();
            List<Frame> got = feed(corrupt, random, errors);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).correlationId()).as("seed %d round %d bit %d frame %d", seed, round, bit, i)
                        .isEqualTo(sent.get(i).seq());
                assertThat(decodedSeq(got.get(i))).isEqualTo(sent.get(i).seq());
            }
            assertThat(got.size()).as("seed %d round %d bit %d: the corrupted frame is not delivered", seed, round, bit)
                    .isLessThan(sent.size());
            for (Throwable e : errors) {
                assertThat(e).as("seed %d round %d", seed, round).isInstanceOf(BadFrame.class);
            }
        }
    }
}
