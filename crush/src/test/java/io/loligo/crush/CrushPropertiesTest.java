package io.loligo.crush;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties CRUSH must have on any map, checked on seeded random hierarchies (root → racks →
 * hosts → OSDs, straw2). Each failure names its seed; {@code LOLIGO_SEED=…} replays one seed.
 */
class CrushPropertiesTest {
    private static final int XS = 4000;

    static LongStream seeds() {
        String replay = System.getenv("LOLIGO_SEED");
        if (replay != null && !replay.isBlank()) {
            return LongStream.of(Long.parseLong(replay.trim()));
        }
        return LongStream.of(1, 2, 3, 42, 1234, 0x5eed, 987654321L, 31337);
    }

    private static int[] map(CrushMapper mapper, int rule, int x, int n, int[] weights) {
        int[] out = new int[n];
        int got = mapper.doRule(rule, x, out, n, weights);
        return Arrays.copyOf(out, got);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void mappingsAreDeterministic(long seed) {
        CrushMap map = RandomMaps.hierarchical(new SplittableRandom(seed));
        CrushMapper a = new CrushMapper(map);
        CrushMapper b = new CrushMapper(map);
        int[] w = RandomMaps.allIn(map);
        for (int x = 0; x < XS; x++) {
            for (int rule = 0; rule <= 2; rule++) {
                int[] first = map(a, rule, x, 3, w);
                assertThat(map(a, rule, x, 3, w)).as("seed %d rule %d x %d: same mapper twice", seed, rule, x).isEqualTo(first);
                assertThat(map(b, rule, x, 3, w)).as("seed %d rule %d x %d: second mapper", seed, rule, x).isEqualTo(first);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void firstnHasNoDuplicatesAndRespectsTheFailureDomain(long seed) {
        CrushMap map = RandomMaps.hierarchical(new SplittableRandom(seed));
        CrushMapper mapper = new CrushMapper(map);
        int[] w = RandomMaps.allIn(map);
        long hosts = map.buckets.values().stream().filter(b -> b.type == RandomMaps.TYPE_HOST).count();
        int numRep = (int) Math.min(3, hosts);
        for (int x = 0; x < XS; x++) {
            int[] osds = map(mapper, 0, x, numRep, w);
            // Short results are legitimate (Ceph reports them as bad mappings): a tiny host may not be
            // drawn within choose_total_tries. Duplicates or two replicas on one host never are.
            assertThat(osds.length).as("seed %d x %d: %s", seed, x, Arrays.toString(osds)).isBetween(1, numRep);
            Set<Integer> seenHosts = new HashSet<>();
            Set<Integer> seenOsds = new HashSet<>();
            for (int osd : osds) {
                assertThat(seenOsds.add(osd)).as("seed %d x %d: duplicate osd.%d in %s", seed, x, osd, Arrays.toString(osds)).isTrue();
                assertThat(seenHosts.add(RandomMaps.hostOf(map, osd)))
                        .as("seed %d x %d: two replicas on one host in %s", seed, x, Arrays.toString(osds)).isTrue();
            }
            int[] flat = map(mapper, 1, x, 3, w);
            assertThat(Arrays.stream(flat).distinct().count()).as("seed %d x %d: rule 1 %s", seed, x, Arrays.toString(flat))
                    .isEqualTo(flat.length);
        }
    }

    /** Raising one OSD's reweight can only move replicas onto that OSD, never between others. */
    @ParameterizedTest
    @MethodSource("seeds")
    void raisingOneOsdsWeightMovesDataOnlyOntoIt(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CrushMap map = RandomMaps.hierarchical(random);
        CrushMapper mapper = new CrushMapper(map);
        int victim = random.nextInt(map.maxDevices());
        int[] before = RandomMaps.allIn(map);
        before[victim] = 0x4000 + random.nextInt(0x8000);   // 0.25 .. 0.75
        int[] after = before.clone();
        after[victim] = CrushConstants.WEIGHT_ONE;
        int moved = 0;
        for (int x = 0; x < XS; x++) {
            for (int rule = 0; rule <= 1; rule++) {
                Set<Integer> old = asSet(map(mapper, rule, x, 3, before));
                for (int osd : map(mapper, rule, x, 3, after)) {
                    if (!old.contains(osd)) {
                        assertThat(osd).as("seed %d rule %d x %d: raising osd.%d moved data to osd.%d", seed, rule, x, victim, osd)
                                .isEqualTo(victim);
                        moved++;
                    }
                }
            }
        }
        assertThat(moved).as("seed %d: raising osd.%d's weight moved nothing onto it", seed, victim).isPositive();
    }

    /** Raising an item's crush weight inside one straw2 bucket only moves choices onto that item. */
    @ParameterizedTest
    @MethodSource("seeds")
    void raisingACrushWeightInAStraw2BucketMovesChoicesOnlyOntoThatItem(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CrushMap map = RandomMaps.hierarchical(random);
        Bucket root = map.bucket(-1);
        int index = random.nextInt(root.items.size());
        Bucket.Item item = root.items.get(index);
        // A rule choosing one rack: the changed bucket decides alone.
        Rule rule = new Rule(3, "one_rack");
        rule.steps.add(new Rule.Step(CrushConstants.RULE_TAKE, root.id, 0));
        rule.steps.add(new Rule.Step(CrushConstants.RULE_CHOOSE_FIRSTN, 1, RandomMaps.TYPE_RACK));
        rule.steps.add(new Rule.Step(CrushConstants.RULE_EMIT, 0, 0));
        map.rules.put(3, rule);
        CrushMapper before = new CrushMapper(map);
        root.items.set(index, new Bucket.Item(item.id(), item.weight() * 2));
        CrushMapper after = new CrushMapper(map);
        int[] w = RandomMaps.allIn(map);
        for (int x = 0; x < XS; x++) {
            int[] a = map(before, 3, x, 1, w);
            int[] b = map(after, 3, x, 1, w);
            if (!Arrays.equals(a, b)) {
                assertThat(b).as("seed %d x %d: doubling %d's weight moved %s to %s", seed, x, item.id(),
                        Arrays.toString(a), Arrays.toString(b)).containsExactly(item.id());
            }
        }
    }

    /**
     * Marking an OSD out moves only the PGs that used it; the fraction of replicas moved is reported
     * against the theoretical minimum (the replicas that were on the OSD).
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void markingAnOsdOutMovesOnlyPgsThatUsedIt(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CrushMap map = RandomMaps.hierarchical(random);
        CrushMapper mapper = new CrushMapper(map);
        int victim = random.nextInt(map.maxDevices());
        int[] in = RandomMaps.allIn(map);
        int[] out = in.clone();
        out[victim] = 0;
        long replicasOnVictim = 0;
        long replicasMoved = 0;
        for (int x = 0; x < XS; x++) {
            int[] before = map(mapper, 0, x, 3, in);
            int[] after = map(mapper, 0, x, 3, out);
            boolean used = asSet(before).contains(victim);
            if (!used) {
                assertThat(after).as("seed %d x %d: osd.%d out moved a PG that did not use it", seed, x, victim).isEqualTo(before);
                continue;
            }
            assertThat(asSet(after)).as("seed %d x %d: out osd.%d still chosen", seed, x, victim).doesNotContain(victim);
            replicasOnVictim++;
            Set<Integer> kept = asSet(after);
            for (int osd : before) {
                if (!kept.contains(osd)) {
                    replicasMoved++;
                }
            }
        }
        if (replicasOnVictim > 0) {
            double ratio = (double) replicasMoved / replicasOnVictim;
            System.out.printf("seed %d: osd.%d out: %d replicas moved, minimum %d, ratio %.3f%n",
                    seed, victim, replicasMoved, replicasOnVictim, ratio);
            assertThat(ratio).as("seed %d: moved/minimum", seed).isGreaterThanOrEqualTo(1.0).isLessThan(1.5);
        }
    }

    private static Set<Integer> asSet(int[] osds) {
        Set<Integer> s = new HashSet<>();
        for (int o : osds) {
            s.add(o);
        }
        return s;
    }
}
