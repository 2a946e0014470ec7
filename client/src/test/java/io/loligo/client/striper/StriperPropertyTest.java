package io.loligo.client.striper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.client.RadosException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The striper against an in-memory model: for seeded random layouts (stripe unit, count, object
 * size) and random sequences of writes, appends, truncates (shrinking and growing) and reads, every
 * read returns exactly what a plain byte array holding the stream returns, and no object ever holds
 * bytes past what the layout assigns it for the current size (so truncated data cannot reappear).
 * A failing case prints its seed; {@code LOLIGO_SEED=N} replays it.
 */
class StriperPropertyTest {
    static LongStream seeds() {
        String env = System.getenv("LOLIGO_SEED");
        if (env != null && !env.isEmpty()) {
            return LongStream.of(Long.parseLong(env));
        }
        return LongStream.range(1, 41);
    }

    static StripeLayout randomLayout(SplittableRandom r) {
        int[] units = {1, 3, 8, 16, 64, 512};
        int su = units[r.nextInt(units.length)];
        return StripeLayout.of(su, 1 + r.nextInt(5), su * (1 + r.nextInt(6)));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void matchesAByteArrayModel(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StripeLayout layout = randomLayout(r);
        MemoryStripeTarget store = new MemoryStripeTarget();
        Striper striper = new Striper(store, layout);
        String name = "s" + seed;
        byte[] model = new byte[0];
        int scale = layout.objectSizeBytes() * layout.stripeCount() * 3;
        List<String> history = new ArrayList<>();
        for (int step = 0; step < 200; step++) {
            int op = r.nextInt(10);
            String what;
            if (step == 0 || op < 4 || model.length == 0 && op < 8) {
                int off = r.nextInt(model.length + scale / 2 + 1);
                byte[] data = new byte[r.nextInt(scale + 1)];
                r.nextBytes(data);
                striper.write(name, off, data);
                model = writeModel(model, off, data);
                what = "write " + off + "+" + data.length;
            } else if (op < 5) {
                byte[] data = new byte[r.nextInt(scale / 2 + 1)];
                r.nextBytes(data);
                long at = striper.append(name, data);
                assertThat(at).as("seed %d: append offset", seed).isEqualTo(model.length);
                model = writeModel(model, model.length, data);
                what = "append " + data.length;
            } else if (op < 7) {
                int size = r.nextBoolean() ? r.nextInt(model.length + 1) : model.length + r.nextInt(scale + 1);
                striper.truncate(name, size);
                model = Arrays.copyOf(model, size);
                what = "truncate " + size;
            } else {
                int off = r.nextInt(model.length + 10);
                int len = r.nextInt(scale + 1);
                byte[] got = striper.read(name, off, len);
                byte[] want = off >= model.length ? new byte[0]
                        : Arrays.copyOfRange(model, off, (int) Math.min(model.length, (long) off + len));
                assertThat(got).as("seed %d layout %s: read %d+%d after %s", seed, layout, off, len, tail(history))
                        .isEqualTo(want);
                what = "read " + off + "+" + len;
            }
            history.add(what);
            assertThat(striper.size(name)).as("seed %d: size after %s", seed, tail(history)).isEqualTo(model.length);
            checkNoBytesPastSize(seed, layout, store, name, model.length, history);
        }
        assertThat(striper.read(name, 0, model.length)).as("seed %d: whole stream", seed).isEqualTo(model);
        striper.remove(name);
        assertThat(store.objects).as("seed %d: objects left after remove", seed).isEmpty();
        assertThatThrownBy(() -> striper.read(name, 0, 1)).isInstanceOf(RadosException.ObjectNotFound.class);
    }

    private static void checkNoBytesPastSize(long seed, StripeLayout layout, MemoryStripeTarget store, String name,
                                             long size, List<String> history) {
        store.objects.forEach((oid, obj) -> {
            long objectNo = Long.parseLong(oid.substring(name.length() + 1), 16);
            assertThat((long) obj.data.length).as("seed %d layout %s: object %s after %s", seed, layout, oid, tail(history))
                    .isLessThanOrEqualTo(layout.objectLength(objectNo, size));
        });
    }

    private static String tail(List<String> history) {
        return history.subList(Math.max(0, history.size() - 5), history.size()).toString();
    }

    private static byte[] writeModel(byte[] model, int off, byte[] data) {
        byte[] out = model.length >= off + data.length ? model : Arrays.copyOf(model, off + data.length);
        System.arraycopy(data, 0, out, off, data.length);
        return out;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void extentsCoverTheRangeOnceAndAgreeWithObjectLength(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StripeLayout layout = randomLayout(r);
        long size = r.nextInt(layout.objectSizeBytes() * layout.stripeCount() * 5 + 1);
        long[] perObject = new long[(int) layout.objectCountBound(size) + 1];
        long next = 0;
        for (StripeLayout.Extent e : layout.extents(0, size)) {
            assertThat(e.streamOffset()).as("seed %d %s: extents in order, no gap", seed, layout).isEqualTo(next);
            assertThat(e.objectOffset() + e.length()).as("seed %d: extent inside its object", seed)
                    .isLessThanOrEqualTo(layout.objectSizeBytes());
            assertThat(e.objectNo()).as("seed %d: object number bound", seed).isLessThan(layout.objectCountBound(size));
            perObject[(int) e.objectNo()] = Math.max(perObject[(int) e.objectNo()], e.objectOffset() + e.length());
            next += e.length();
        }
        assertThat(next).isEqualTo(size);
        for (int o = 0; o < perObject.length; o++) {
            assertThat(layout.objectLength(o, size)).as("seed %d %s size %d object %d", seed, layout, size, o)
                    .isEqualTo(perObject[o]);
        }
    }

    @Test
    void cephsExampleLayout() {
        // su 1 MiB, sc 3, os 2 MiB: units 0,1,2 go to objects 0,1,2; units 3,4,5 to their second MiB;
        // unit 6 starts the next object set (objects 3,4,5).
        StripeLayout l = StripeLayout.of(1 << 20, 3, 2 << 20);
        assertThat(l.extents(0, 7L << 20)).extracting(StripeLayout.Extent::objectNo, StripeLayout.Extent::objectOffset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 0L), org.assertj.core.groups.Tuple.tuple(1L, 0L),
                        org.assertj.core.groups.Tuple.tuple(2L, 0L), org.assertj.core.groups.Tuple.tuple(0L, 1L << 20),
                        org.assertj.core.groups.Tuple.tuple(1L, 1L << 20), org.assertj.core.groups.Tuple.tuple(2L, 1L << 20),
                        org.assertj.core.groups.Tuple.tuple(3L, 0L));
        assertThat(Striper.objectName("img", 10)).isEqualTo("img.000000000000000a");
        assertThatThrownBy(() -> StripeLayout.of(3, 1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a multiple of the stripe unit 3");
    }
}
