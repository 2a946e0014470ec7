package io.loligo.msg;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A message encoded once frames to exactly the bytes the ordinary path writes, for any peer and correlation id. */
@org.junit.jupiter.api.extension.ExtendWith(LeakRecordingDetector.Check.class)
class EncodedMessageTest {
    @Test
    void framesAreByteIdenticalToOrdinaryFramesAndShareThePayload() {
        SplittableRandom random = new SplittableRandom(11);
        for (int size : new int[] {0, 5, 70_000, 4 << 20}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            TestMessages.Echo echo = new TestMessages.Echo(size, payload);
            EncodedMessage encoded = EncodedMessage.of(echo);
            try {
                for (long correlation : new long[] {0, 1, 42, Long.MAX_VALUE}) {
                    byte[] expected = RawPeer.frameBytes(Frames.KIND_REQUEST, correlation, echo);
                    ByteBuf frame = Frames.encode(UnpooledByteBufAllocator.DEFAULT, Frames.KIND_REQUEST, correlation,
                            encoded, Integer.MAX_VALUE);
                    try {
                        assertThat(encoded.refCnt()).isEqualTo(1);   // the frame's view holds the bytes, not the message
                        assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(expected);
                    } finally {
                        frame.release();
                    }
                }
            } finally {
                assertThat(encoded.release()).isTrue();
            }
        }
    }

    @Test
    void aFrameOutlivesTheMessagesLastReference() {
        EncodedMessage encoded = EncodedMessage.of(new TestMessages.Echo(1, new byte[100_000]));
        ByteBuf frame = Frames.encode(UnpooledByteBufAllocator.DEFAULT, Frames.KIND_ONE_WAY, 0, encoded, Integer.MAX_VALUE);
        encoded.release();
        byte[] expected = RawPeer.frameBytes(Frames.KIND_ONE_WAY, 0, new TestMessages.Echo(1, new byte[100_000]));
        assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(expected);
        assertThat(frame.release()).isTrue();
    }
}
