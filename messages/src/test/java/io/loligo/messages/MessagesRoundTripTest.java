package io.loligo.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.msg.DecodeException;
import io.loligo.msg.Message;
import io.loligo.msg.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves every OSD message decodes to what was encoded (seeded random instances of every type and
 * every sub-op), and that truncated or corrupted encodings fail with a DecodeException, never with
 * another exception. Replay a failing seed with LOLIGO_SEED=N.
 */
class MessagesRoundTripTest {
    static Stream<Long> seeds() {
        String env = System.getenv("LOLIGO_SEED");
        if (env != null) {
            return Stream.of(Long.parseLong(env));
        }
        return LongStream.range(1, 41).boxed();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyMessageRoundTrips(long seed) {
        var random = new SplittableRandom(seed);
        MessageRegistry registry = OsdMessages.osdRegistry();
        for (Message message : RandomMessages.all(random)) {
            byte[] bytes = encode(message);
            Message back = registry.decode(message.typeId(), Unpooled.wrappedBuffer(bytes));
            assertThat(back).as("seed %d type 0x%x", seed, message.typeId()).isEqualTo(message);
            assertThat(encode(back)).as("seed %d re-encoding", seed).isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void truncatedOrCorruptedEncodingsFailCleanly(long seed) {
        var random = new SplittableRandom(seed);
        MessageRegistry registry = OsdMessages.osdRegistry();
        for (Message message : RandomMessages.all(random)) {
            byte[] bytes = encode(message);
            int cut = random.nextInt(bytes.length);
            byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> registry.decode(message.typeId(), Unpooled.wrappedBuffer(truncated)))
                    .as("seed %d type 0x%x cut at %d", seed, message.typeId(), cut)
                    .isInstanceOf(DecodeException.class);
            byte[] flipped = bytes.clone();
            flipped[random.nextInt(flipped.length)] ^= (byte) (1 + random.nextInt(255));
            try {
                registry.decode(message.typeId(), Unpooled.wrappedBuffer(flipped));
            } catch (DecodeException expected) {
                // a clean refusal; decoding to a different valid message is fine too
            } catch (IllegalArgumentException expected) {
                // record validation (e.g. an empty entity name) refuses the value
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void pgLogEntryBytesRoundTrip(long seed) {
        var random = new SplittableRandom(seed);
        PgLogEntry entry = RandomMessages.logEntry(random);
        assertThat(PgLogEntry.fromBytes(entry.toBytes())).as("seed %d", seed).isEqualTo(entry);
    }

    static byte[] encode(Message message) {
        ByteBuf buf = Unpooled.buffer();
        try {
            MessageRegistry.encode(message, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Seeded random instances of every message and sub-op. */
    static final class RandomMessages {
        static List<Message> all(SplittableRandom r) {
            List<Message> out = new ArrayList<>();
            ReqId reqid = reqid(r);
            out.add(new MOSDOp(reqid, r.nextInt(100), string(r, 3), string(r, 12) + "x", r.nextInt(), r.nextInt(64),
                    r.nextLong(1, 1000), r.nextInt(4), allSubOps(r)));
            out.add(new MOSDOp(reqid, r.nextInt(100), "", "snapped", r.nextInt(), r.nextInt(64), r.nextLong(1, 1000), 0,
                    allSubOps(r), 9, List.of(9L, 4L, 1L), r.nextBoolean() ? MOSDOp.SNAP_HEAD : 4));
            List<SubOpResult> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                results.add(new SubOpResult(r.nextInt(200), output(r)));
            }
            out.add(new MOSDOpReply(reqid, r.nextInt(200), string(r, 20), results, eversion(r), r.nextLong(1000),
                    r.nextBoolean()));
            out.add(MOSDOpReply.error(reqid, OsdResult.EMISDIRECTED, "not primary", 7));
            out.add(new MOSDRepOp(reqid, r.nextInt(10), r.nextInt(64), r.nextLong(1000), r.nextInt(10), logEntry(r),
                    new MOSDRepOp.RawTxn(bytes(r, 100)), eversion(r)));
            out.add(new MOSDRepOpReply(reqid, r.nextInt(10), r.nextInt(64), r.nextLong(1000), r.nextInt(10),
                    eversion(r), r.nextInt(100), string(r, 10)));
            out.add(new MOSDPgLs(r.nextInt(10), r.nextInt(64), r.nextLong(1000),
                    r.nextBoolean() ? Optional.of(string(r, 4)) : Optional.empty(),
                    r.nextBoolean() ? Optional.of(ref(r)) : Optional.empty(), r.nextInt(1, 100)));
            out.add(new MOSDPgLsReply(r.nextInt(10), string(r, 5), r.nextLong(1000), List.of(ref(r), ref(r)),
                    r.nextBoolean() ? Optional.of(ref(r)) : Optional.empty(), r.nextBoolean()));
            out.add(new MOSDPing(r.nextInt(10), r.nextLong(1000), r.nextLong()));
            out.add(new MOSDPingReply(r.nextInt(10), r.nextLong(1000), r.nextLong()));
            out.add(new MOSDPgQuery(r.nextInt(10), r.nextInt(64), r.nextLong(1000), r.nextInt(10)));
            out.add(new MOSDPgInfo(r.nextInt(10), r.nextInt(64), r.nextLong(1000), r.nextInt(10), r.nextInt(5), eversion(r),
                    eversion(r), r.nextLong(1000), List.of(logEntry(r), logEntry(r)), r.nextInt(2), List.of(ref(r))));
            out.add(new MOSDPgPull(r.nextInt(10), r.nextInt(64), r.nextLong(1000), r.nextInt(10), List.of(ref(r)),
                    r.nextBoolean(), r.nextBoolean() ? Optional.of(ref(r)) : Optional.empty(), r.nextInt(100)));
            var attrs = new TreeMap<String, byte[]>();
            attrs.put(string(r, 4), bytes(r, 8));
            out.add(new MOSDPgPush(r.nextInt(10), r.nextInt(64), r.nextLong(1000), r.nextInt(10), r.nextInt(5),
                    List.of(new ObjectState(ref(r), true, bytes(r, 30), attrs, attrs, bytes(r, 4)), ObjectState.absent(ref(r))),
                    r.nextInt(4), List.of(logEntry(r)), eversion(r), eversion(r),
                    r.nextBoolean() ? Optional.of(ref(r)) : Optional.empty(), r.nextBoolean(), List.of(ref(r), ref(r))));
            out.add(new MOSDPgPushReply(r.nextInt(10), r.nextInt(64), r.nextLong(1000), r.nextInt(10), r.nextInt(5),
                    string(r, 8)));
            return out;
        }

        static List<OsdOp> allSubOps(SplittableRandom r) {
            var map = new TreeMap<String, byte[]>();
            for (int i = r.nextInt(4); i > 0; i--) {
                map.put(string(r, 6), bytes(r, 10));
            }
            List<OsdOp> ops = new ArrayList<>(List.of(
                    new OsdOp.Create(r.nextBoolean()), new OsdOp.Write(r.nextLong(1 << 30), bytes(r, 50)),
                    new OsdOp.WriteFull(bytes(r, 50)), new OsdOp.Append(bytes(r, 50)), new OsdOp.Truncate(r.nextLong(1 << 20)),
                    new OsdOp.Zero(r.nextLong(1000), r.nextLong(1000)), new OsdOp.Remove(),
                    new OsdOp.Read(r.nextLong(1000), r.nextLong(1000)), new OsdOp.Stat(), new OsdOp.GetXattr(string(r, 5)),
                    new OsdOp.SetXattr(string(r, 5), bytes(r, 9)), new OsdOp.RmXattr(string(r, 5)), new OsdOp.GetXattrs(),
                    new OsdOp.CmpXattr(string(r, 5), OsdOp.CmpOp.values()[r.nextInt(6)], bytes(r, 7)),
                    new OsdOp.AssertVersion(eversion(r)), new OsdOp.OmapGetValsByKeys(List.of(string(r, 3), string(r, 4))),
                    new OsdOp.OmapSetVals(map), new OsdOp.OmapRmKeys(List.of(string(r, 3))),
                    new OsdOp.OmapList(string(r, 3), string(r, 2), r.nextInt(1000), r.nextBoolean()),
                    new OsdOp.OmapGetHeader(), new OsdOp.OmapSetHeader(bytes(r, 12)), new OsdOp.OmapClear(),
                    new OsdOp.Call(string(r, 5), string(r, 6), bytes(r, 20), r.nextBoolean())));
            java.util.Collections.shuffle(ops, new java.util.Random(r.nextLong()));
            return ops;
        }

        static OpOutput output(SplittableRandom r) {
            var map = new TreeMap<String, byte[]>();
            map.put(string(r, 4), bytes(r, 5));
            return switch (r.nextInt(4)) {
                case 0 -> OpOutput.None.INSTANCE;
                case 1 -> new OpOutput.Data(bytes(r, 40));
                case 2 -> new OpOutput.Stat(r.nextLong(1 << 30), r.nextLong(), eversion(r));
                default -> new OpOutput.KeyValues(map, r.nextBoolean());
            };
        }

        static PgLogEntry logEntry(SplittableRandom r) {
            return new PgLogEntry(PgLogEntry.Op.values()[r.nextInt(3)], ref(r), eversion(r), eversion(r), reqid(r),
                    r.nextLong(), r.nextInt(100));
        }

        static ObjectRef ref(SplittableRandom r) {
            return new ObjectRef(string(r, 3), string(r, 10) + "o", r.nextInt());
        }

        static ReqId reqid(SplittableRandom r) {
            return new ReqId("client." + r.nextInt(1000), r.nextLong(), r.nextLong(1 << 40));
        }

        static Eversion eversion(SplittableRandom r) {
            return new Eversion(r.nextLong(1000), r.nextLong(1 << 20));
        }

        static String string(SplittableRandom r, int maxLength) {
            StringBuilder s = new StringBuilder();
            for (int i = r.nextInt(maxLength + 1); i > 0; i--) {
                s.append((char) (r.nextBoolean() ? 'a' + r.nextInt(26) : 0x3b1 + r.nextInt(20)));
            }
            return s.toString();
        }

        static byte[] bytes(SplittableRandom r, int maxLength) {
            byte[] b = new byte[r.nextInt(maxLength + 1)];
            r.nextBytes(b);
            return b;
        }
    }
}
