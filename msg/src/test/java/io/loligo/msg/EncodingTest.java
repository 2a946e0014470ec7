package io.loligo.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The versioned encoding: random values round-trip; an old reader skips fields a newer writer
 * appended; a reader refuses an encoding whose compat version is newer than it supports; every
 * truncation of a valid encoding fails with DecodeException, never another exception.
 */
class EncodingTest {
    record Sample(long id, String name, byte[] blob, List<Integer> numbers, Map<String, String> tags, boolean flag) {
        void encode(Encoder out) {
            out.startStruct(1, 1)
                    .putLong(id).putString(name).putBytes(blob)
                    .putList(numbers, Encoder::putInt)
                    .putStringMap(tags).putBoolean(flag)
                    .endStruct();
        }

        static Sample decode(Decoder in) {
            in.startStruct(1);
            Sample s = new Sample(in.getLong(), in.getString(), in.getBytes(), in.getList(Decoder::getInt),
                    in.getStringMap(), in.getBoolean());
            in.endStruct();
            return s;
        }

        boolean same(Sample o) {
            return id == o.id && name.equals(o.name) && Arrays.equals(blob, o.blob) && numbers.equals(o.numbers)
                    && tags.equals(o.tags) && flag == o.flag;
        }
    }

    static LongStream seeds() {
        return Seeds.seeds();
    }

    static Sample randomSample(SplittableRandom random) {
        byte[] blob = new byte[random.nextInt(64)];
        random.nextBytes(blob);
        List<Integer> numbers = new ArrayList<>();
        for (int i = random.nextInt(10); i > 0; i--) {
            numbers.add(random.nextInt());
        }
        Map<String, String> tags = new TreeMap<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            tags.put("k" + random.nextInt(1000), "välue-" + random.nextLong());
        }
        return new Sample(random.nextLong(), "name-ü-" + random.nextInt(), blob, numbers, tags, random.nextBoolean());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomValuesRoundTripAndEveryTruncationFailsCleanly(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            Sample sample = randomSample(random);
            byte[] bytes = Encoder.toBytes(sample::encode);
            Decoder in = Decoder.of(bytes);
            assertThat(Sample.decode(in).same(sample)).as("seed %d round %d", seed, round).isTrue();
            assertThat(in.remaining()).as("seed %d round %d", seed, round).isZero();
            int cut = random.nextInt(bytes.length);
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> Sample.decode(Decoder.of(truncated)))
                    .as("seed %d round %d cut %d", seed, round, cut)
                    .isInstanceOf(DecodeException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomBytesNeverThrowAnythingButDecodeException(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 500; round++) {
            byte[] garbage = new byte[random.nextInt(80)];
            random.nextBytes(garbage);
            try {
                Sample.decode(Decoder.of(garbage));
            } catch (DecodeException expected) {
                // the only acceptable failure
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " round " + round + ": " + e, e);
            }
        }
    }

    @Test
    void nestedByteStringsHaveTheWireFormOfPutBytesAndDecodeInPlace() {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 50; round++) {
            byte[] blob = new byte[round == 0 ? 0 : r.nextInt(1, 200_000)];
            for (int i = 0; i < blob.length; i += 97) {
                blob[i] = (byte) r.nextInt();
            }
            byte[] inner = Encoder.toBytes(out -> out.startStruct(1, 1).putString("x").putBytes(blob).endStruct());
            byte[] viaArray = Encoder.toBytes(out -> out.putInt(1).putBytes(inner).putInt(2));
            int hint = r.nextInt(0, 300_000);   // a wrong hint only costs a regrowth
            byte[] inPlace = Encoder.toBytes(out -> out.putInt(1)
                    .putBytes(hint, e -> e.startStruct(1, 1).putString("x").putBytes(blob).endStruct()).putInt(2));
            assertThat(inPlace).as("round %d", round).isEqualTo(viaArray);
            Decoder in = Decoder.of(inPlace);
            assertThat(in.getInt()).isEqualTo(1);
            byte[] back = in.getBytes(d -> {
                d.startStruct(1);
                assertThat(d.getString()).isEqualTo("x");
                byte[] b = d.getBytes();
                d.endStruct();
                return b;
            });
            assertThat(back).isEqualTo(blob);
            assertThat(in.getInt()).as("field after the byte string").isEqualTo(2);
        }
    }

    @Test
    void anInPlaceDecoderMustReadExactlyItsByteString() {
        byte[] bytes = Encoder.toBytes(out -> out.putBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).putInt(9));
        assertThatThrownBy(() -> Decoder.of(bytes).getBytes(d -> d.getInt()))
                .isInstanceOf(DecodeException.class).hasMessageContaining("did not read");
        assertThatThrownBy(() -> Decoder.of(bytes).getBytes(d -> {
            d.getLong();
            return d.getInt();   // past the byte string, though the buffer has more
        })).isInstanceOf(DecodeException.class).hasMessageContaining("truncated");
    }

    @Test
    void oldReaderSkipsFieldsANewerWriterAppended() {
        byte[] v2 = Encoder.toBytes(out -> out
                .startStruct(2, 1).putInt(7).putString("added in v2").endStruct()
                .putInt(99));
        Decoder in = Decoder.of(v2);
        int version = in.startStruct(1);
        assertThat(version).isEqualTo(2);
        assertThat(in.getInt()).isEqualTo(7);
        assertThat(in.hasMore()).isTrue();
        in.endStruct();
        assertThat(in.getInt()).as("field after the struct").isEqualTo(99);
    }

    @Test
    void readerRefusesAnIncompatibleNewerEncoding() {
        byte[] v3 = Encoder.toBytes(out -> out.startStruct(3, 3).putInt(1).endStruct());
        assertThatThrownBy(() -> Decoder.of(v3).startStruct(2))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("needs decoder version 3")
                .hasMessageContaining("supports up to 2");
    }

    @Test
    void readingPastTheStructEndFails() {
        byte[] bytes = Encoder.toBytes(out -> out.startStruct(1, 1).putInt(1).endStruct().putLong(5));
        Decoder in = Decoder.of(bytes);
        in.startStruct(1);
        in.getInt();
        assertThatThrownBy(in::getInt).isInstanceOf(DecodeException.class).hasMessageContaining("truncated");
    }

    @Test
    void hugeCountsAreRefusedBeforeAllocating() {
        byte[] bytes = Encoder.toBytes(out -> out.putInt(Integer.MAX_VALUE).putInt(1));
        assertThatThrownBy(() -> Decoder.of(bytes).getList(Decoder::getInt))
                .isInstanceOf(DecodeException.class).hasMessageContaining("claims 2147483647 elements");
        assertThatThrownBy(() -> Decoder.of(bytes).getBytes())
                .isInstanceOf(DecodeException.class).hasMessageContaining("claims 2147483647 bytes");
    }

    @Test
    void registryDecodesRegisteredTypesAndRefusesOthers() {
        MessageRegistry registry = MessageRegistry.create().register(TestMessages.Echo.TYPE, 1, TestMessages.Echo::decode);
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        try {
            MessageRegistry.encode(new TestMessages.Echo(5, new byte[] {1, 2}), buf);
            Message decoded = registry.decode(TestMessages.Echo.TYPE, buf.duplicate());
            assertThat(decoded).isInstanceOf(TestMessages.Echo.class);
            assertThat(((TestMessages.Echo) decoded).seq()).isEqualTo(5);
            assertThatThrownBy(() -> registry.decode(0x7777, buf.duplicate()))
                    .isInstanceOf(MessageRegistry.UnknownMessageType.class).hasMessageContaining("0x7777");
        } finally {
            buf.release();
        }
        assertThatThrownBy(() -> registry.register(0x10, 1, TestMessages.Echo::decode))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> registry.register(TestMessages.Echo.TYPE, 1, TestMessages.Echo::decode))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
