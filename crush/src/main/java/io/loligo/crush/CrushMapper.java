package io.loligo.crush;

import io.loligo.common.Invariants;
import java.util.Map;

/**
 * CRUSH placement, bit-compatible with Ceph 16.2's {@code crush_do_rule} ({@code src/crush/mapper.c}).
 *
 * <p>The constructor compiles a {@link CrushMap} into flat arrays indexed by bucket position
 * ({@code -1 - id}), with the derived data Ceph's builder computes (list sums, tree node
 * weights, legacy straw lengths). The mapper is immutable afterwards and safe to share between
 * threads: all per-call state (the three scratch vectors and the uniform-bucket permutation
 * cache) lives in a {@link Workspace}, one per thread ({@link #doRule(int, int, int[], int, int[])}
 * uses a thread-local one) or passed explicitly. A mapping allocates nothing.
 *
 * <p>Every branch below mirrors mapper.c; comments name the C variable where the Java differs
 * in form (pointer + offset instead of {@code o+osize}, booleans instead of int flags).
 * Unsigned C values are carried in ints and compared with unsigned operations where it matters.
 */
public final class CrushMapper {
    // Tunables of the map (crush_map fields).
    final int chooseLocalTries;
    final int chooseLocalFallbackTries;
    final int chooseTotalTries;
    final int chooseleafDescendOnce;
    final int chooseleafVaryR;
    final int chooseleafStable;

    /** Ceph's max_devices: 1 + the largest device id named or placed in a bucket. */
    final int maxDevices;
    /** Ceph's max_buckets: the bucket array's capacity (8, doubled as ids grow), as crushtool's compiler leaves it. */
    final int maxBuckets;
    final int maxRules;

    // Buckets by position -1-id; a position without a bucket has exists == false.
    final boolean[] exists;
    final int[] bucketId;
    final int[] bucketType;
    final int[] bucketAlg;
    final int[] bucketHash;
    final int[] bucketSize;
    final int[][] items;
    final int[][] itemWeights;
    final int[][] sumWeights;
    final int[][] nodeWeights;
    final int[][] straws;

    /** Rule steps by rule id, flattened (op, arg1, arg2) triples; null where no rule has that id. */
    final int[][] ruleSteps;

    /** Compiled choose_args by index (Ceph's choose_args map); DEFAULT_CHOOSE_ARGS is -1. */
    private final Map<Long, ChooseArgs> chooseArgs = new java.util.HashMap<>();

    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(this::newWorkspace);

    public CrushMapper(CrushMap map) {
        Tunables t = map.tunables;
        chooseLocalTries = t.chooseLocalTries;
        chooseLocalFallbackTries = t.chooseLocalFallbackTries;
        chooseTotalTries = t.chooseTotalTries;
        chooseleafDescendOnce = t.chooseleafDescendOnce;
        chooseleafVaryR = t.chooseleafVaryR;
        chooseleafStable = t.chooseleafStable;
        maxDevices = computeMaxDevices(map);
        maxBuckets = bucketCapacity(map.maxBuckets());
        exists = new boolean[maxBuckets];
        bucketId = new int[maxBuckets];
        bucketType = new int[maxBuckets];
        bucketAlg = new int[maxBuckets];
        bucketHash = new int[maxBuckets];
        bucketSize = new int[maxBuckets];
        items = new int[maxBuckets][];
        itemWeights = new int[maxBuckets][];
        sumWeights = new int[maxBuckets][];
        nodeWeights = new int[maxBuckets][];
        straws = new int[maxBuckets][];
        for (Bucket b : map.allBuckets()) {
            compileBucket(b, t.strawCalcVersion);
        }
        rejectCycles();
        maxRules = map.rules.isEmpty() ? 0 : map.rules.lastKey() + 1;
        Invariants.check(map.rules.isEmpty() || map.rules.firstKey() >= 0, "negative rule id %s", map.rules.firstKey());
        ruleSteps = new int[maxRules][];
        for (Map.Entry<Integer, Rule> e : map.rules.entrySet()) {
            ruleSteps[e.getKey()] = flattenSteps(e.getValue());
        }
        for (Map.Entry<Long, java.util.TreeMap<Integer, CrushMap.ChooseArg>> e : map.chooseArgs.entrySet()) {
            chooseArgs.put(e.getKey(), new ChooseArgs(this, e.getValue()));
        }
    }

    private static int computeMaxDevices(CrushMap map) {
        int max = map.maxDevices();
        for (Bucket b : map.allBuckets()) {
            for (Bucket.Item item : b.items) {
                if (item.id() >= max) {
                    max = item.id() + 1;
                }
            }
        }
        return max;
    }

    /** crush_add_bucket grows the array 0 → 8 → 16 → ... until the position fits. */
    static int bucketCapacity(int positionsNeeded) {
        if (positionsNeeded == 0) {
            return 0;
        }
        int capacity = 8;
        while (capacity < positionsNeeded) {
            capacity *= 2;
        }
        return capacity;
    }

    private void compileBucket(Bucket b, int strawCalcVersion) {
        Invariants.check(b.id < 0, "bucket %s has non-negative id %d", b.name, b.id);
        int pos = -1 - b.id;
        int size = b.items.size();
        int[] ids = new int[size];
        int[] weights = new int[size];
        for (int i = 0; i < size; i++) {
            ids[i] = b.items.get(i).id();
            weights[i] = b.items.get(i).weight();
        }
        exists[pos] = true;
        bucketId[pos] = b.id;
        bucketType[pos] = b.type;
        bucketAlg[pos] = b.alg;
        bucketHash[pos] = b.hash;
        bucketSize[pos] = size;
        items[pos] = ids;
        itemWeights[pos] = weights;
        switch (b.alg) {
            case CrushConstants.BUCKET_LIST -> sumWeights[pos] = BucketDerived.listSums(weights);
            case CrushConstants.BUCKET_TREE -> nodeWeights[pos] = BucketDerived.treeNodeWeights(weights);
            case CrushConstants.BUCKET_STRAW -> straws[pos] = BucketDerived.straws(weights, strawCalcVersion);
            default -> { }
        }
    }

    /**
     * A bucket that (indirectly) holds itself would make a descent loop forever, in Ceph as
     * here; Ceph's compiler refuses such maps, and so does this constructor.
     */
    private void rejectCycles() {
        byte[] state = new byte[maxBuckets]; // 0 unvisited, 1 on the current path, 2 done
        int[] stack = new int[maxBuckets];
        int[] next = new int[maxBuckets];
        for (int start = 0; start < maxBuckets; start++) {
            if (!exists[start] || state[start] != 0) {
                continue;
            }
            int depth = 0;
            stack[0] = start;
            next[0] = 0;
            state[start] = 1;
            while (depth >= 0) {
                int b = stack[depth];
                if (next[depth] == items[b].length) {
                    state[b] = 2;
                    depth--;
                    continue;
                }
                int item = items[b][next[depth]++];
                int child = -1 - item;
                if (item >= 0 || child >= maxBuckets || !exists[child] || state[child] == 2) {
                    continue;
                }
                if (state[child] == 1) {
                    throw new IllegalArgumentException("crush map has a bucket cycle: bucket " + bucketId[child]
                            + " holds itself through bucket " + bucketId[b]);
                }
                state[child] = 1;
                stack[++depth] = child;
                next[depth] = 0;
            }
        }
    }

    private static int[] flattenSteps(Rule rule) {
        int[] steps = new int[rule.steps.size() * 3];
        for (int i = 0; i < rule.steps.size(); i++) {
            Rule.Step s = rule.steps.get(i);
            steps[3 * i] = s.op();
            steps[3 * i + 1] = s.arg1();
            steps[3 * i + 2] = s.arg2();
        }
        return steps;
    }

    /** Ceph's max_devices for this map. */
    public int maxDevices() {
        return maxDevices;
    }

    /** Ceph's max_buckets (the bucket array capacity) for this map. */
    public int maxBuckets() {
        return maxBuckets;
    }

    /** Ceph's max_rules: 1 + the largest rule id. */
    public int maxRules() {
        return maxRules;
    }

    public boolean ruleExists(int ruleId) {
        return ruleId >= 0 && ruleId < maxRules && ruleSteps[ruleId] != null;
    }

    /** The map's choose_total_tries: the length of the choose-tries histogram. */
    public int chooseTotalTries() {
        return chooseTotalTries;
    }

    /** Ceph's DEFAULT_CHOOSE_ARGS: the weight set used when no per-pool one exists ("compat" balancer). */
    public static final long DEFAULT_CHOOSE_ARGS = -1;

    /**
     * The choose_args (alternative straw2 weights and ids) to map with, as Ceph's
     * choose_args_get_with_fallback: those of {@code index} (a pool id; crushtool --test uses 0),
     * else those of {@link #DEFAULT_CHOOSE_ARGS}, else null (the bucket weights).
     */
    public ChooseArgs chooseArgsWithFallback(long index) {
        ChooseArgs args = chooseArgs.get(index);
        return args != null ? args : chooseArgs.get(DEFAULT_CHOOSE_ARGS);
    }

    /** A fresh per-thread workspace for {@link #doRule(int, int, int[], int, int[], Workspace)}. */
    public Workspace newWorkspace() {
        return new Workspace(this);
    }

    /**
     * crush_do_rule with this thread's workspace: maps input {@code x} through rule {@code ruleId}
     * into {@code result[0..n)} and returns n (at most {@code resultMax}). {@code weights[d]} is
     * device d's 16.16 in/out weight (0x10000 in, 0 out, between: probabilistically out);
     * devices at or beyond {@code weights.length} are out. A rule id that does not exist gives 0.
     */
    public int doRule(int ruleId, int x, int[] result, int resultMax, int[] weights) {
        return doRule(ruleId, x, result, resultMax, weights, workspaces.get());
    }

    /** crush_do_rule with an explicit workspace (made by this mapper, used by one thread at a time). */
    public int doRule(int ruleId, int x, int[] result, int resultMax, int[] weights, Workspace ws) {
        return doRule(ruleId, x, result, resultMax, weights, ws, null);
    }

    /**
     * crush_do_rule with an explicit workspace and choose_args ({@link #chooseArgsWithFallback};
     * null for none): straw2 buckets then draw with the choose_args' weights for the output
     * position and hash its replacement ids.
     */
    public int doRule(int ruleId, int x, int[] result, int resultMax, int[] weights, Workspace ws, ChooseArgs args) {
        Invariants.check(ws.mapper == this, "workspace belongs to another mapper");
        Invariants.check(args == null || args.mapper == this, "choose_args belong to another mapper");
        Invariants.check(resultMax >= 0 && resultMax <= result.length, "resultMax out of range");
        if (ruleId < 0 || ruleId >= maxRules) {
            return 0;
        }
        int[] steps = ruleSteps[ruleId];
        if (steps == null) {
            return 0;
        }
        ws.ensureScratch(Math.max(1, resultMax)); // take writes w[0] even when resultMax is 0
        return ws.runner.run(steps, x, result, resultMax, weights, args);
    }

    // ---------------------------------------------------------------------------------------
    // Bucket choose functions (mapper.c: bucket_*_choose). b is a bucket position.

    /** crush_bucket_choose; {@code position} (the output position) selects the choose_args weight set. */
    int bucketChoose(Workspace ws, int b, int x, int r, ChooseArgs args, int position) {
        return switch (bucketAlg[b]) {
            case CrushConstants.BUCKET_UNIFORM -> permChoose(ws, b, x, r);
            case CrushConstants.BUCKET_LIST -> listChoose(b, x, r);
            case CrushConstants.BUCKET_TREE -> treeChoose(b, x, r);
            case CrushConstants.BUCKET_STRAW -> strawChoose(b, x, r);
            case CrushConstants.BUCKET_STRAW2 -> args == null
                    ? straw2Choose(b, x, r, itemWeights[b], items[b])
                    : straw2Choose(b, x, r, args.weights(this, b, position), args.ids(this, b));
            default -> items[b][0];
        };
    }

    /** bucket_perm_choose: a random permutation of the bucket, computed lazily and cached per x. */
    int permChoose(Workspace ws, int b, int x, int r) {
        int size = bucketSize[b];
        int pr = Integer.remainderUnsigned(r, size);
        int[] perm = ws.perm(b, size);
        int hash = bucketHash[b];
        int id = bucketId[b];
        if (ws.permX[b] != x || ws.permN[b] == 0) {
            ws.permX[b] = x;
            if (pr == 0) {
                // The common r = 0 case: remember only the first element (perm_n 0xffff marks it).
                int s = Integer.remainderUnsigned(CrushHash.hash32_3(hash, x, id, 0), size);
                perm[0] = s;
                ws.permN[b] = 0xffff;
                return items[b][s];
            }
            for (int i = 0; i < size; i++) {
                perm[i] = i;
            }
            ws.permN[b] = 0;
        } else if (ws.permN[b] == 0xffff) {
            // Expand the r = 0 shortcut into a real permutation prefix of length 1.
            for (int i = 1; i < size; i++) {
                perm[i] = i;
            }
            perm[perm[0]] = 0;
            ws.permN[b] = 1;
        }
        while (ws.permN[b] <= pr) {
            int p = ws.permN[b];
            if (p < size - 1) {
                int i = Integer.remainderUnsigned(CrushHash.hash32_3(hash, x, id, p), size - p);
                if (i != 0) {
                    int t = perm[p + i];
                    perm[p + i] = perm[p];
                    perm[p] = t;
                }
            }
            ws.permN[b]++;
        }
        return items[b][perm[pr]];
    }

    private int listChoose(int b, int x, int r) {
        int[] its = items[b];
        int[] ws = itemWeights[b];
        int[] sums = sumWeights[b];
        int hash = bucketHash[b];
        int id = bucketId[b];
        for (int i = its.length - 1; i >= 0; i--) {
            long w = CrushHash.hash32_4(hash, x, its[i], r, id) & 0xffffL;
            w = (w * Integer.toUnsignedLong(sums[i])) >>> 16;
            if (w < Integer.toUnsignedLong(ws[i])) {
                return its[i];
            }
        }
        return its[0];
    }

    private int treeChoose(int b, int x, int r) {
        int[] nodes = nodeWeights[b];
        int hash = bucketHash[b];
        int id = bucketId[b];
        int n = nodes.length >> 1;
        while ((n & 1) == 0) {
            long w = Integer.toUnsignedLong(nodes[n]);
            long t = (Integer.toUnsignedLong(CrushHash.hash32_4(hash, x, n, r, id)) * w) >>> 32;
            int h = BucketDerived.treeHeight(n);
            int l = n - (1 << (h - 1));
            if (t < Integer.toUnsignedLong(nodes[l])) {
                n = l;
            } else {
                n = n + (1 << (h - 1));
            }
        }
        return items[b][n >> 1];
    }

    /** bucket_straw_choose (legacy straw): the largest (16 hash bits) * straw length wins, the first on ties. */
    private int strawChoose(int b, int x, int r) {
        int[] its = items[b];
        int[] st = straws[b];
        int hash = bucketHash[b];
        int n = its.length;
        int high = 0;
        long highDraw = 0;
        int i = 0;
        if (hash == CrushConstants.HASH_RJENKINS1) {
            // Two items at a time, as in straw2Choose; same results as one by one.
            for (; i + 1 < n; i += 2) {
                long pair = CrushHash.rjenkins1Pair(x, its[i], r, its[i + 1]);
                long draw = ((pair >>> 32) & 0xffffL) * Integer.toUnsignedLong(st[i]);
                if (i == 0 || draw > highDraw) {
                    high = i;
                    highDraw = draw;
                }
                draw = (pair & 0xffffL) * Integer.toUnsignedLong(st[i + 1]);
                if (draw > highDraw) {
                    high = i + 1;
                    highDraw = draw;
                }
            }
        }
        for (; i < n; i++) {
            long draw = (CrushHash.hash32_3(hash, x, its[i], r) & 0xffffL) * Integer.toUnsignedLong(st[i]);
            if (i == 0 || draw > highDraw) {
                high = i;
                highDraw = draw;
            }
        }
        return its[high];
    }

    /**
     * bucket_straw2_choose with the weights and hashed ids in effect (choose_args or the bucket's
     * own): the item with the largest draw ln(u) / weight wins, the first one on ties. Items are
     * hashed two at a time ({@link CrushHash#rjenkins1Pair}); the result is the same as one by one.
     */
    private int straw2Choose(int b, int x, int r, int[] ws, int[] ids) {
        int[] its = items[b];
        if (bucketHash[b] != CrushConstants.HASH_RJENKINS1) {
            return straw2ChooseAnyHash(b, x, r, ws, ids);
        }
        int n = its.length;
        int high = 0;
        long highDraw = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long pair = CrushHash.rjenkins1Pair(x, ids[i], r, ids[i + 1]);
            long draw = straw2Draw((int) (pair >>> 32), ws[i]);
            if (i == 0 || draw > highDraw) {
                high = i;
                highDraw = draw;
            }
            draw = straw2Draw((int) pair, ws[i + 1]);
            if (draw > highDraw) {
                high = i + 1;
                highDraw = draw;
            }
        }
        if (i < n) {
            long draw = ws[i] == 0 ? Long.MIN_VALUE : straw2Draw(CrushHash.rjenkins1(x, ids[i], r), ws[i]);
            if (i == 0 || draw > highDraw) {
                high = i;
            }
        }
        return its[high];
    }

    /** One straw2 draw: a zero weight never wins (S64_MIN); else ln(u) / weight with u the low 16 hash bits. */
    private static long straw2Draw(int hash, int w) {
        if (w == 0) {
            return Long.MIN_VALUE;
        }
        // ln is in [-2^48 - 2^44, 0]: a larger weight gives a larger (less negative) draw.
        long ln = crushLn(hash & 0xffff) - 0x1000000000000L;
        return ln / Integer.toUnsignedLong(w);
    }

    /** straw2 for a bucket whose hash type is not rjenkins1 (every hash is then 0, as in Ceph). */
    private int straw2ChooseAnyHash(int b, int x, int r, int[] ws, int[] ids) {
        int high = 0;
        long highDraw = 0;
        for (int i = 0; i < ids.length; i++) {
            long draw = straw2Draw(CrushHash.hash32_3(bucketHash[b], x, ids[i], r), ws[i]);
            if (i == 0 || draw > highDraw) {
                high = i;
                highDraw = draw;
            }
        }
        return items[b][high];
    }

    /** crush_ln: 2^44 * log2(xin + 1) in fixed point, from the tables of crush_ln_table.h. */
    static long crushLn(int xin) {
        int x = xin + 1;
        int iexpon = 15;
        while ((x & 0x18000) == 0) {
            x <<= 1;
            iexpon--;
        }
        int index1 = (x >>> 8) << 1;
        long rh = CrushLnTable.RH_LH[index1 - 256];
        long lh = CrushLnTable.RH_LH[index1 + 1 - 256];
        long xl64 = ((long) x * rh) >>> 48;
        int x1 = (int) xl64;
        long result = (long) iexpon << (12 + 32);
        int index2 = x1 & 0xff;
        long ll = CrushLnTable.LL[index2];
        lh = (lh + ll) >>> (48 - 12 - 32);
        return result + lh;
    }

    /** is_out: whether device {@code item} is rejected for input x under the in/out weight vector. */
    static boolean isOut(int[] weight, int item, int x) {
        if (item >= weight.length) {
            return true;
        }
        int w = weight[item];
        if (w < 0 || w >= 0x10000) {
            return false;
        }
        if (w == 0) {
            return true;
        }
        return (CrushHash.rjenkins1(x, item) & 0xffff) >= w;
    }

    /**
     * Per-thread mutable state of a mapping: the scratch vectors of crush_do_rule (a, b, c) and
     * the uniform-bucket permutation cache (crush_work_bucket: perm_x, perm_n, perm). The cache
     * is a pure function of (bucket, x), so keeping it across calls never changes a result.
     * Optionally counts choose tries (crushtool --show-choose-tries); off unless enabled.
     */
    public static final class Workspace {
        final CrushMapper mapper;
        int[] a = new int[0];
        int[] b = new int[0];
        int[] c = new int[0];
        final int[] permX;
        final int[] permN;
        final int[][] perms;
        int[] chooseTries;
        final RuleRunner runner;

        Workspace(CrushMapper mapper) {
            this.mapper = mapper;
            this.runner = new RuleRunner(mapper, this);
            permX = new int[mapper.maxBuckets];
            permN = new int[mapper.maxBuckets];
            perms = new int[mapper.maxBuckets][];
        }

        void ensureScratch(int resultMax) {
            if (a.length < resultMax) {
                a = new int[resultMax];
                b = new int[resultMax];
                c = new int[resultMax];
            }
        }

        int[] perm(int bucket, int size) {
            int[] p = perms[bucket];
            if (p == null) {
                p = new int[size];
                perms[bucket] = p;
            }
            return p;
        }

        /** Starts counting choose tries (Ceph's start_choose_profile); resets the counts. */
        public void startChooseProfile() {
            chooseTries = new int[mapper.chooseTotalTries + 1];
        }

        /** The histogram: entry t = how many choices took t retries; length choose_total_tries. */
        public int[] chooseProfile() {
            Invariants.check(chooseTries != null, "choose profile not started");
            return java.util.Arrays.copyOf(chooseTries, mapper.chooseTotalTries);
        }

        public void stopChooseProfile() {
            chooseTries = null;
        }
    }
}
