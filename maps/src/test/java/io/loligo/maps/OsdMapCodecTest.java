package io.loligo.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import io.loligo.maps.codec.MapWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the OSD map encodings are deterministic and lossless, and that applying incrementals
 * commutes with encoding: a random history of incrementals is applied to a map, while a second
 * replica decodes every incremental from bytes and applies it to a map decoded from bytes; the two
 * must encode identically at every epoch. Corrupt and truncated encodings must fail with the typed
 * {@link MapDecodeException}. Seeds are printed; replay one with LOLIGO_SEED.
 */
class OsdMapCodecTest {
    static Stream<Long> seeds() {
        String env = System.getenv("LOLIGO_SEED");
        if (env != null) {
            return Stream.of(Long.parseLong(env));
        }
        return LongStream.of(1, 2, 3, 42, 1234567, 0xfeedL).boxed();
    }

    static CrushMap smallCrush() {
        CrushMap m = new CrushMap();
        m.tunables = Tunables.jewel();
        m.types.put(0, "osd");
        m.types.put(1, "host");
        m.types.put(11, "root");
        Bucket root = new Bucket(-1, "default", 11, CrushConstants.BUCKET_STRAW2);
        m.buckets.put(-1, root);
        Rule r = new Rule(0, "replicated_rule");
        r.steps.add(new Rule.Step(CrushConstants.RULE_TAKE, -1, 0));
        r.steps.add(new Rule.Step(CrushConstants.RULE_CHOOSELEAF_FIRSTN, 0, 1));
        r.steps.add(new Rule.Step(CrushConstants.RULE_EMIT, 0, 0));
        m.rules.put(0, r);
        return m;
    }

    static OsdMap.Incremental randomIncremental(OsdMap map, SplittableRandom rnd) {
        OsdMap.Incremental inc = map.newIncremental(map.modifiedMillis() + rnd.nextInt(1000));
        switch (rnd.nextInt(7)) {
            case 0 -> {
                int id = map.maxOsd();
                inc.newMaxOsd = id + 1;
                inc.newOsds.put(id, OsdState.created(id, "uuid-" + id).withUp("127.0.0.1:" + (6800 + id), "h" + id % 3,
                        inc.epoch).withWeight(OsdState.WEIGHT_IN).withUpThru(rnd.nextLong(inc.epoch)));
                CrushMap c = CrushCodec.copy(map.crush());
                c.devices.put(id, new CrushMap.Device(id, "osd." + id, rnd.nextBoolean() ? "hdd" : null));
                c.bucket(-1).items.add(new Bucket.Item(id, 0x10000 + rnd.nextInt(0x10000)));
                inc.newCrush = c;
            }
            case 1 -> {
                if (!map.osds().isEmpty()) {
                    OsdState o = map.osd(map.osds().firstKey() + rnd.nextInt(map.osds().size()));
                    if (o != null) {
                        inc.newOsds.put(o.id(), o.up() ? o.withDown(inc.epoch, inc.modifiedMillis).withFullness(
                                rnd.nextInt(4) == 0 ? OsdState.FULL : 0) : o.withWeight(0));
                        if (rnd.nextBoolean()) {
                            inc.newFullPpm = 900_000 + rnd.nextInt(100_000);
                        }
                    }
                }
            }
            case 2 -> {
                int id = map.poolMax() + 1;
                inc.newPoolMax = id;
                int pgs = 1 << rnd.nextInt(8);
                inc.newPools.put(id, new Pool(id, "pool" + id, Pool.TYPE_REPLICATED, 3, 2, 0, pgs, pgs,
                        Pool.FLAG_HASHPSPOOL, Pool.HASH_RJENKINS, List.of("rbd"), 0, 0, inc.epoch));
            }
            case 3 -> {
                if (!map.pools().isEmpty()) {
                    inc.oldPools.add(map.pools().firstKey());
                }
            }
            case 4 -> {
                PgId pg = new PgId(rnd.nextInt(4), rnd.nextInt(64));
                inc.newPgTemp.put(pg, rnd.nextBoolean() ? List.of() : List.of(1, 2, 3));
                inc.newPrimaryTemp.put(pg, rnd.nextInt(3) - 1);
                inc.newBlocklist.put("10.0.0." + rnd.nextInt(9) + ":0/1", inc.modifiedMillis + 3600_000);
            }
            case 5 -> {
                if (!map.pools().isEmpty()) {
                    Pool p = map.pools().firstEntry().getValue();
                    PoolSnaps s = p.snapshots();
                    s = rnd.nextInt(3) > 0 || s.snaps().isEmpty() ? s.withSnap("s" + (s.seq() + 1), inc.modifiedMillis)
                            : s.withoutSnap(s.snaps().firstKey());
                    inc.newPools.put(p.id(), p.withSnaps(s, inc.epoch));
                }
            }
            default -> inc.newFlags = map.flags() ^ ClusterFlag.values()[rnd.nextInt(ClusterFlag.values().length)].bit;
        }
        return inc;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void applyingDecodedIncrementalsMatchesApplyingOriginals(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        OsdMap a = OsdMap.genesis("fsid-" + seed, 1000, smallCrush());
        OsdMap b = OsdMap.decode(a.encode());
        for (int i = 0; i < 200; i++) {
            OsdMap.Incremental inc = randomIncremental(a, rnd);
            byte[] incBytes = inc.encode();
            assertThat(OsdMap.Incremental.decode(incBytes).encode()).as("seed %d step %d: incremental round trip", seed, i)
                    .isEqualTo(incBytes);
            a = a.apply(inc);
            b = OsdMap.decode(b.apply(OsdMap.Incremental.decode(incBytes)).encode());
            assertThat(b.encode()).as("seed %d step %d epoch %d", seed, i, a.epoch()).isEqualTo(a.encode());
        }
        assertThat(a.epoch()).isEqualTo(201);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void corruptEncodingsFailWithTypedError(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        OsdMap m = OsdMap.genesis("fsid", 1, smallCrush());
        for (int i = 0; i < 30; i++) {
            m = m.apply(randomIncremental(m, rnd));
        }
        byte[] good = m.encode();
        for (int i = 0; i < 500; i++) {
            byte[] bad = i % 2 == 0 ? Arrays.copyOf(good, rnd.nextInt(good.length)) : good.clone();
            if (i % 2 == 1) {
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
                }
            }
            try {
                OsdMap.decode(bad);
            } catch (MapDecodeException expected) {
                continue;
            } catch (RuntimeException e) {
                fail("seed %d case %d: untyped failure %s", seed, i, e);
            }
        }
    }

    @Test
    void newerWritersTrailingFieldsAreSkipped() throws Exception {
        MapWriter w = new MapWriter();
        w.startStruct(2, 1).i32(7).string("x").i64(99).endStruct().i32(5);
        MapReader r = new MapReader(w.toByteArray());
        assertThat(r.startStruct("test", 1)).isEqualTo(2);
        assertThat(r.i32()).isEqualTo(7);
        r.endStruct();
        assertThat(r.i32()).isEqualTo(5);
        r.expectEnd("test");
    }

    @Test
    void poolsOfVersion1DecodeWithoutSnapshotsAndSnapshotsRoundTrip() throws Exception {
        MapWriter w = new MapWriter();
        w.startStruct(1, 1).i32(3).string("old").i32(Pool.TYPE_REPLICATED).i32(3).i32(2).i32(0).i32(8).i32(8)
                .i64(Pool.FLAG_HASHPSPOOL).i32(Pool.HASH_RJENKINS).i32(1).string("rbd").i64(0).i64(0).i64(5).endStruct();
        Pool old = OsdMap.decodePool(new MapReader(w.toByteArray()));
        assertThat(old.name()).isEqualTo("old");
        assertThat(old.snapshots()).isEqualTo(PoolSnaps.EMPTY);

        PoolSnaps s = PoolSnaps.EMPTY.withSnap("a", 10).withSnap("b", 20).withSnap("c", 30).withoutSnap(2);
        assertThat(s.seq()).isEqualTo(3);
        assertThat(s.liveIdsDescending()).containsExactly(3L, 1L);
        assertThat(s.removed()).containsExactly(2L);
        assertThat(s.byName("c").id()).isEqualTo(3);
        MapWriter w2 = new MapWriter();
        OsdMap.encodePool(old.withSnaps(s, 6), w2);
        Pool back = OsdMap.decodePool(new MapReader(w2.toByteArray()));
        assertThat(back).isEqualTo(old.withSnaps(s, 6));
        assertThat(back.snapshots().snaps().get(3L).stampMillis()).isEqualTo(30);
    }

    @Test
    void incompatibleStructIsRefused() {
        MapWriter w = new MapWriter();
        w.startStruct(3, 3).i32(7).endStruct();
        assertThatThrownBy(() -> new MapReader(w.toByteArray()).startStruct("thing", 2))
                .isInstanceOf(MapDecodeException.class).hasMessageContaining("compat 3");
    }

    @Test
    void incrementalForWrongEpochIsABug() {
        OsdMap m = OsdMap.genesis("f", 1, smallCrush());
        OsdMap.Incremental inc = new OsdMap.Incremental("f", 3, 0);
        assertThatThrownBy(() -> m.apply(inc)).isInstanceOf(IllegalStateException.class).hasMessageContaining("e3");
        List<String> names = new ArrayList<>(ClusterFlag.names(ClusterFlag.NOOUT.bit | ClusterFlag.NOUP.bit));
        assertThat(names).containsExactly("noup", "noout");
    }
}
