package io.loligo.osd.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.messages.Eversion;
import io.loligo.messages.MOSDRepScrub;
import io.loligo.messages.MOSDScrubMap;
import io.loligo.messages.MOSDScrubReply;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.OsdMessages;
import io.loligo.messages.ScrubInconsistency;
import io.loligo.messages.ScrubMapEntry;
import io.loligo.msg.Message;
import io.loligo.msg.MessageRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The comparison of scrub maps, case by case (what each kind of damage is called and which copy
 * is authoritative), then seeded random maps: exactly the damaged copies are named, never a copy
 * that agrees with the majority; and the scrub messages and record round-trip byte-identically.
 */
class ScrubCompareTest {
    static final ObjectRef A = new ObjectRef("", "a", 0x1234);
    static final Eversion V = new Eversion(5, 7);

    static ScrubMapEntry entry(ObjectRef ref, long size, Eversion v, int data, int errors) {
        return new ScrubMapEntry(ref, size, v, 11, 22, true, data, errors);
    }

    static List<ScrubInconsistency> compare(ScrubMapEntry... perOsd) {
        Map<Integer, List<ScrubMapEntry>> maps = new TreeMap<>();
        for (int osd = 0; osd < perOsd.length; osd++) {
            maps.put(osd, perOsd[osd] == null ? List.of() : List.of(perOsd[osd]));
        }
        return ScrubCompare.compare(1, 0, maps, true);
    }

    static void check(List<ScrubInconsistency> found, int auth, Map<Integer, List<String>> badShards, List<String> objectErrors) {
        assertThat(found).hasSize(1);
        ScrubInconsistency i = found.getFirst();
        assertThat(i.authOsd()).as("authoritative copy").isEqualTo(auth);
        assertThat(i.errors()).as("object errors").containsExactlyElementsOf(objectErrors);
        Map<Integer, List<String>> bad = new TreeMap<>();
        i.shards().stream().filter(s -> !s.errors().isEmpty()).forEach(s -> bad.put(s.osd(), s.errors()));
        assertThat(bad).isEqualTo(badShards);
    }

    @Test
    void equalCopiesAreConsistent() {
        assertThat(compare(entry(A, 10, V, 3, 0), entry(A, 10, V, 3, 0), entry(A, 10, V, 3, 0))).isEmpty();
    }

    @Test
    void namesEachKindOfDamage() {
        check(compare(entry(A, 10, V, 3, 0), entry(A, 10, V, 0, ScrubMapEntry.READ_ERROR), entry(A, 10, V, 3, 0)),
                0, Map.of(1, List.of("read_error")), List.of());
        check(compare(entry(A, 10, V, 3, 0), entry(A, 10, V, 3, 0), entry(A, 10, V, 4, 0)),
                0, Map.of(2, List.of("data_digest_mismatch")), List.of("data_digest_mismatch"));
        check(compare(entry(A, 10, V, 3, 0), entry(A, 12, V, 3, 0), entry(A, 10, V, 3, 0)),
                0, Map.of(1, List.of("size_mismatch")), List.of("size_mismatch"));
        check(compare(entry(A, 10, V, 3, 0), entry(A, 10, V, 3, 0), entry(A, 10, new Eversion(5, 6), 3, 0)),
                0, Map.of(2, List.of("version_mismatch")), List.of("object_info_inconsistency"));
        check(compare(entry(A, 10, V, 3, 0), null, entry(A, 10, V, 3, 0)), 0, Map.of(1, List.of("missing")), List.of());
    }

    @Test
    void theMajorityWinsOverThePrimaryAndADamagedPrimaryIsNeverAuthoritative() {
        check(compare(entry(A, 10, V, 9, 0), entry(A, 10, V, 3, 0), entry(A, 10, V, 3, 0)),
                1, Map.of(0, List.of("data_digest_mismatch")), List.of("data_digest_mismatch"));
        check(compare(entry(A, 10, V, 0, ScrubMapEntry.READ_ERROR), entry(A, 10, V, 3, 0), entry(A, 10, V, 4, 0)),
                1, Map.of(0, List.of("read_error"), 2, List.of("data_digest_mismatch")), List.of("data_digest_mismatch"));
        check(compare(entry(A, 10, V, 0, ScrubMapEntry.READ_ERROR), entry(A, 10, V, 0, ScrubMapEntry.READ_ERROR)),
                -1, Map.of(0, List.of("read_error"), 1, List.of("read_error")), List.of());
    }

    static LongStream seeds() {
        String env = System.getenv("LOLIGO_SEED");
        return env != null ? LongStream.of(Long.parseLong(env)) : LongStream.of(1, 2, 3, 4);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomDamageIsFoundExactly(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int members = 3;
        Map<Integer, List<ScrubMapEntry>> maps = new TreeMap<>();
        for (int osd = 0; osd < members; osd++) {
            maps.put(osd, new ArrayList<>());
        }
        Map<ObjectRef, Integer> damaged = new TreeMap<>(java.util.Comparator.comparing(ObjectRef::name));
        for (int n = 0; n < 200; n++) {
            ObjectRef ref = new ObjectRef("", "o" + n, random.nextInt());
            ScrubMapEntry good = entry(ref, random.nextInt(1 << 20), new Eversion(3, random.nextInt(1000)), random.nextInt(), 0);
            int bad = random.nextInt(4) == 0 ? random.nextInt(members) : -1;
            for (int osd = 0; osd < members; osd++) {
                if (osd != bad) {
                    maps.get(osd).add(good);
                } else {
                    damaged.put(ref, osd);
                    switch (random.nextInt(4)) {
                        case 0 -> { }   // missing
                        case 1 -> maps.get(osd).add(entry(ref, good.size(), good.version(), 0, ScrubMapEntry.READ_ERROR));
                        case 2 -> maps.get(osd).add(entry(ref, good.size() + 1, good.version(), good.dataDigest(), 0));
                        default -> maps.get(osd).add(entry(ref, good.size(), good.version(), ~good.dataDigest(), 0));
                    }
                }
            }
        }
        List<ScrubInconsistency> found = ScrubCompare.compare(1, 0, maps, true);
        Map<ObjectRef, Integer> named = new TreeMap<>(java.util.Comparator.comparing(ObjectRef::name));
        for (ScrubInconsistency i : found) {
            assertThat(i.badOsds()).as("seed %d %s", seed, i).hasSize(1);
            assertThat(i.authOsd()).as("seed %d %s", seed, i).isNotEqualTo(i.badOsds().getFirst());
            named.put(i.ref(), i.badOsds().getFirst());
        }
        assertThat(named).as("seed %d (replay with LOLIGO_SEED=%d)", seed, seed).isEqualTo(damaged);
    }

    @Test
    void messagesAndRecordRoundTrip() {
        ScrubMapEntry e = entry(A, 10, V, 3, ScrubMapEntry.READ_ERROR);
        ScrubInconsistency inc = new ScrubInconsistency(A, V, List.of("size_mismatch"), 2,
                List.of(new ScrubInconsistency.Shard(0, List.of("read_error"), Optional.of(e)),
                        new ScrubInconsistency.Shard(1, List.of("missing"), Optional.empty())));
        MessageRegistry registry = OsdMessages.osdRegistry();
        for (Message m : List.of(new MOSDRepScrub(1, 2, 3, 4, MOSDRepScrub.KIND_MAP, true, Optional.of(A), Optional.empty(), 25,
                        List.of(A), new byte[] {1, 2}), new MOSDScrubMap(1, 2, 3, 4, 0, "", List.of(e)),
                new MOSDScrubReply(0, "ok", 9, 1, "active+clean+inconsistent", 5, 6, 1, true, List.of(inc)))) {
            io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
            MessageRegistry.encode(m, buf);
            byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(buf);
            Message back = registry.decode(m.typeId(), buf);
            assertThat(back.getClass()).isEqualTo(m.getClass());
            io.netty.buffer.ByteBuf again = io.netty.buffer.Unpooled.buffer();
            MessageRegistry.encode(back, again);
            assertThat(io.netty.buffer.ByteBufUtil.getBytes(again)).isEqualTo(bytes);
        }
        ScrubRecord r = new ScrubRecord(5, 6, List.of(inc));
        assertThat(ScrubRecord.decode(r.encode()).encode()).isEqualTo(r.encode());
        assertThat(r.errors()).isEqualTo(2);
    }
}
