package io.loligo.crush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the mapper on seeded random maps (AllAlgMaps below; replay a failure with
 * LOLIGO_SEED=seed): results are valid placements; marking a device out moves only the inputs
 * that used it; sharing one mapper between threads gives the same answers as one thread.
 * Bit-compatibility with Ceph itself is proved by the crushtool vectors, not here.
 */
class CrushMapperPropertiesTest {
    private static final int X_COUNT = 1000;

    static List<Long> seeds() {
        return AllAlgMaps.seeds();
    }

    private static int[] allIn(CrushMapper mapper) {
        int[] w = new int[mapper.maxDevices()];
        Arrays.fill(w, CrushConstants.WEIGHT_ONE);
        return w;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void resultsAreValidPlacements(long seed) {
        CrushMap map = AllAlgMaps.hierarchical(new SplittableRandom(seed));
        CrushMapper mapper = new CrushMapper(map);
        int[] weights = allIn(mapper);
        // straw2 never draws a zero-weight item while a sibling has weight (its draw is S64_MIN),
        // unless the legacy local fallback (a weightless random permutation) is on.
        Set<Integer> neverChosen = new HashSet<>();
        for (Bucket b : map.tunables.chooseLocalFallbackTries == 0 ? map.allBuckets() : List.<Bucket>of()) {
            boolean anyWeight = b.items.stream().anyMatch(i -> i.weight() != 0);
            for (Bucket.Item item : b.items) {
                if (b.alg == CrushConstants.BUCKET_STRAW2 && anyWeight && item.id() >= 0 && item.weight() == 0) {
                    neverChosen.add(item.id());
                }
            }
        }
        int[] out = new int[8];
        for (int rule : map.rules.keySet()) {
            for (int numRep = 1; numRep <= 8; numRep++) {
                for (int x = 0; x < X_COUNT; x++) {
                    int n = mapper.doRule(rule, x, out, numRep, weights);
                    assertThat(n).as("seed %d rule %d x %d", seed, rule, x).isBetween(0, numRep);
                    Set<Integer> seen = new HashSet<>();
                    for (int i = 0; i < n; i++) {
                        int d = out[i];
                        if (d == CrushConstants.ITEM_NONE) {
                            assertThat(rule).as("seed %d: NONE only from indep rules", seed)
                                    .isEqualTo(AllAlgMaps.RULE_CHOOSELEAF_INDEP_HOST);
                            continue;
                        }
                        assertThat(d).as("seed %d rule %d x %d result %s", seed, rule, x, Arrays.toString(out))
                                .isBetween(0, mapper.maxDevices() - 1);
                        assertThat(seen.add(d)).as("seed %d rule %d x %d duplicate %d", seed, rule, x, d).isTrue();
                        assertThat(neverChosen).as("seed %d rule %d x %d", seed, rule, x).doesNotContain(d);
                    }
                    if (rule == AllAlgMaps.RULE_CHOOSELEAF_INDEP_HOST) {
                        assertThat(n).as("seed %d: indep fills every position", seed).isEqualTo(numRep);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void markingADeviceOutMovesOnlyInputsThatUsedIt(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CrushMap map = AllAlgMaps.hierarchical(random);
        CrushMapper mapper = new CrushMapper(map);
        int victim = random.nextInt(mapper.maxDevices());
        int[] in = allIn(mapper);
        int[] out = allIn(mapper);
        out[victim] = 0;
        int[] before = new int[6];
        int[] after = new int[6];
        for (int rule : map.rules.keySet()) {
            for (int x = 0; x < X_COUNT; x++) {
                int n = mapper.doRule(rule, x, before, 6, in);
                int m = mapper.doRule(rule, x, after, 6, out);
                int[] b = Arrays.copyOf(before, n);
                int[] a = Arrays.copyOf(after, m);
                assertThat(a).as("seed %d rule %d x %d: victim %d placed while out", seed, rule, x, victim)
                        .doesNotContain(victim);
                if (Arrays.stream(b).noneMatch(d -> d == victim)) {
                    assertThat(a).as("seed %d rule %d x %d victim %d", seed, rule, x, victim).containsExactly(b);
                }
                if (rule == AllAlgMaps.RULE_CHOOSELEAF_INDEP_HOST) {
                    // indep is positionally stable: only the victim's position may change... or be retried.
                    for (int i = 0; i < Math.min(n, m); i++) {
                        if (b[i] != victim && b[i] != CrushConstants.ITEM_NONE && a[i] != b[i]) {
                            assertThat(Arrays.stream(b).anyMatch(d -> d == victim))
                                    .as("seed %d x %d: position %d moved without the victim", seed, x, i).isTrue();
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void partialWeightsRejectSomeInputsAndShortVectorsMeanOut(long seed) {
        CrushMap map = AllAlgMaps.hierarchical(new SplittableRandom(seed));
        CrushMapper mapper = new CrushMapper(map);
        // A weight vector that stops early: every device past its end is out.
        int cut = mapper.maxDevices() / 2;
        int[] shortWeights = new int[cut];
        Arrays.fill(shortWeights, CrushConstants.WEIGHT_ONE);
        int[] result = new int[4];
        for (int x = 0; x < X_COUNT; x++) {
            int n = mapper.doRule(AllAlgMaps.RULE_CHOOSE_FIRSTN_OSD, x, result, 4, shortWeights);
            for (int i = 0; i < n; i++) {
                assertThat(result[i]).as("seed %d x %d", seed, x).isLessThan(cut);
            }
        }
    }

    @Test
    void oneMapperSharedByThreadsGivesTheSameAnswers() throws Exception {
        CrushMap map = AllAlgMaps.hierarchical(new SplittableRandom(7));
        CrushMapper mapper = new CrushMapper(map);
        int[] weights = allIn(mapper);
        int[][] expected = new int[X_COUNT * 4][];
        for (int x = 0; x < expected.length; x++) {
            int[] r = new int[5];
            expected[x] = Arrays.copyOf(r, mapper.doRule(x % 4, x, r, 5, weights));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                futures.add(pool.submit(() -> {
                    int[] r = new int[5];
                    for (int i = 0; i < expected.length; i++) {
                        int x = (i * 7 + offset * 13) % expected.length;
                        int n = mapper.doRule(x % 4, x, r, 5, weights);
                        if (!Arrays.equals(Arrays.copyOf(r, n), expected[x])) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : futures) {
                assertThat(f.get(2, TimeUnit.MINUTES)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBucketCycleIsRefused() {
        CrushMap map = AllAlgMaps.hierarchical(new SplittableRandom(5));
        Bucket root = map.bucketByName("default");
        Bucket host = map.bucketByName("host0_0");
        host.items.add(new Bucket.Item(root.id, 0x10000));
        assertThatThrownBy(() -> new CrushMapper(map)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cycle");
    }

    @Test
    void edgeInputs() {
        CrushMap map = AllAlgMaps.hierarchical(new SplittableRandom(11));
        CrushMapper mapper = new CrushMapper(map);
        int[] weights = allIn(mapper);
        int[] result = new int[3];
        assertThat(mapper.doRule(99, 1, result, 3, weights)).as("rule that does not exist").isZero();
        assertThat(mapper.doRule(-1, 1, result, 3, weights)).isZero();
        assertThat(mapper.doRule(0, 1, result, 0, weights)).as("resultMax 0").isZero();
        assertThat(mapper.doRule(0, 1, result, 3, new int[0])).as("every device out").isZero();
        assertThatThrownBy(() -> mapper.doRule(0, 1, result, 4, weights)).isInstanceOf(IllegalStateException.class);
        CrushMapper other = new CrushMapper(map);
        assertThatThrownBy(() -> mapper.doRule(0, 1, result, 3, weights, other.newWorkspace()))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Seeded random maps with every bucket algorithm: root → racks → hosts → devices; four rules. */
    static final class AllAlgMaps {
        private AllAlgMaps() {}

        static final int TYPE_HOST = 1;
        static final int TYPE_RACK = 2;
        static final int TYPE_ROOT = 3;
        /** Rule ids of {@link #hierarchical}: what each rule does. */
        static final int RULE_CHOOSELEAF_FIRSTN_HOST = 0;
        static final int RULE_CHOOSELEAF_INDEP_HOST = 1;
        static final int RULE_CHOOSE_FIRSTN_OSD = 2;
        static final int RULE_RACK_THEN_HOST = 3;

        static CrushMap hierarchical(SplittableRandom random) {
            CrushMap map = new CrushMap();
            map.tunables = random.nextBoolean() ? Tunables.jewel() : Tunables.legacy();
            map.types.put(0, "osd");
            map.types.put(TYPE_HOST, "host");
            map.types.put(TYPE_RACK, "rack");
            map.types.put(TYPE_ROOT, "root");
            int[] nextId = {-1};
            int device = 0;
            List<Bucket.Item> racks = new ArrayList<>();
            int rackCount = 1 + random.nextInt(4);
            for (int r = 0; r < rackCount; r++) {
                List<Bucket.Item> hosts = new ArrayList<>();
                int hostCount = 1 + random.nextInt(4);
                for (int h = 0; h < hostCount; h++) {
                    int alg = 1 + random.nextInt(5);
                    Bucket host = new Bucket(nextId[0]--, "host" + r + "_" + h, TYPE_HOST, alg);
                    int n = 1 + random.nextInt(5);
                    int uniformWeight = 0x8000 * (1 + random.nextInt(4));
                    for (int i = 0; i < n; i++) {
                        int w = alg == CrushConstants.BUCKET_UNIFORM ? uniformWeight : randomWeight(random);
                        map.devices.put(device, new CrushMap.Device(device, "osd." + device, null));
                        host.items.add(new Bucket.Item(device++, w));
                    }
                    map.buckets.put(host.id, host);
                    hosts.add(new Bucket.Item(host.id, host.weight()));
                }
                Bucket rack = new Bucket(nextId[0]--, "rack" + r, TYPE_RACK, 2 + random.nextInt(4));
                rack.items.addAll(hosts);
                map.buckets.put(rack.id, rack);
                racks.add(new Bucket.Item(rack.id, rack.weight()));
            }
            Bucket root = new Bucket(nextId[0]--, "default", TYPE_ROOT, random.nextBoolean()
                    ? CrushConstants.BUCKET_STRAW2 : CrushConstants.BUCKET_STRAW);
            root.items.addAll(racks);
            map.buckets.put(root.id, root);
            addRule(map, RULE_CHOOSELEAF_FIRSTN_HOST, root.id, new Rule.Step(CrushConstants.RULE_CHOOSELEAF_FIRSTN, 0, TYPE_HOST));
            addRule(map, RULE_CHOOSELEAF_INDEP_HOST, root.id, new Rule.Step(CrushConstants.RULE_CHOOSELEAF_INDEP, 0, TYPE_HOST));
            addRule(map, RULE_CHOOSE_FIRSTN_OSD, root.id, new Rule.Step(CrushConstants.RULE_CHOOSE_FIRSTN, 0, 0));
            addRule(map, RULE_RACK_THEN_HOST, root.id, new Rule.Step(CrushConstants.RULE_CHOOSE_FIRSTN, 2, TYPE_RACK),
                    new Rule.Step(CrushConstants.RULE_CHOOSELEAF_FIRSTN, 2, TYPE_HOST));
            return map;
        }

        private static int randomWeight(SplittableRandom random) {
            return switch (random.nextInt(6)) {
                case 0 -> 0;
                case 1 -> 0x4000;
                case 2 -> 0x10000;
                case 3 -> 0x20000;
                case 4 -> 238551;
                default -> 1 + random.nextInt(0x40000);
            };
        }

        private static void addRule(CrushMap map, int id, int take, Rule.Step... choose) {
            Rule rule = new Rule(id, "rule" + id);
            rule.type = choose[0].op() == CrushConstants.RULE_CHOOSELEAF_INDEP ? CrushConstants.RULE_TYPE_ERASURE
                    : CrushConstants.RULE_TYPE_REPLICATED;
            rule.steps.add(new Rule.Step(CrushConstants.RULE_TAKE, take, 0));
            rule.steps.addAll(List.of(choose));
            rule.steps.add(new Rule.Step(CrushConstants.RULE_EMIT, 0, 0));
            map.rules.put(id, rule);
        }

        /** Seeds for property tests: a fixed list, plus LOLIGO_SEED when set (to replay a failure). */
        static List<Long> seeds() {
            List<Long> seeds = new ArrayList<>(List.of(1L, 2L, 3L, 42L, 1234567L, 0xC0FFEEL, 987654321L, 31337L));
            String env = System.getenv("LOLIGO_SEED");
            if (env != null && !env.isBlank()) {
                seeds.add(0, Long.parseLong(env.trim()));
            }
            return seeds;
        }
}
}
