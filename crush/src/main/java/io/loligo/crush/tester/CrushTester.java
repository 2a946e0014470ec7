package io.loligo.crush.tester;

import io.loligo.crush.Bucket;
import io.loligo.crush.ChooseArgs;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushHash;
import io.loligo.crush.CrushMap;
import io.loligo.crush.CrushMapper;
import io.loligo.crush.Rule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code crushtool --test}: Ceph 16.2's CrushTester::test, output byte for byte. Runs every
 * selected rule for every num-rep and x, printing mappings, bad mappings, statistics,
 * utilization and the choose-tries histogram as requested. Pure: writes only to the two
 * {@link Appendable}s it is given (crushtool's stdout and stderr) and touches no files.
 *
 * <p>Defaults and quirks are Ceph's: a negative min or max x (including "not given") means
 * x = 0..1023, so {@code --max-x} alone is ignored; a negative min or max rule means all rules;
 * a negative min or max num-rep means each rule's min_size..max_size; {@code --pool-id P} maps
 * each x through crush_hash32_2(x, P) as Ceph does for placement seeds.
 */
public final class CrushTester {
    private final CrushMap map;
    private final CrushMapper mapper;

    private int minX = -1;
    private int maxX = -1;
    private int minRule = -1;
    private int maxRule = -1;
    private int minRep = -1;
    private int maxRep = -1;
    private int poolId = -1;
    private int ruleset = -1;
    private final Map<Integer, Integer> deviceWeight = new HashMap<>();
    private boolean outputMappings;
    private boolean outputBadMappings;
    private boolean outputStatistics;
    private boolean outputUtilization;
    private boolean outputUtilizationAll;
    private boolean outputChooseTries;

    public CrushTester(CrushMap map) {
        this.map = map;
        this.mapper = new CrushMapper(map);
    }

    public void setMinX(int x) { minX = x; }
    public void setMaxX(int x) { maxX = x; }
    public void setX(int x) { minX = x; maxX = x; }
    public void setMinRule(int r) { minRule = r; }
    public void setMaxRule(int r) { maxRule = r; }
    public void setRule(int r) { minRule = r; maxRule = r; }
    public void setMinRep(int n) { minRep = n; }
    public void setMaxRep(int n) { maxRep = n; }
    public void setNumRep(int n) { minRep = n; maxRep = n; }
    public void setPoolId(int p) { poolId = p; }
    /** Only rules of this ruleset (since Luminous a rule's ruleset is its id). */
    public void setRuleset(int rs) { ruleset = rs; }
    public void setOutputMappings(boolean b) { outputMappings = b; }
    public void setOutputBadMappings(boolean b) { outputBadMappings = b; }
    public void setOutputStatistics(boolean b) { outputStatistics = b; }
    public void setOutputUtilization(boolean b) { outputUtilization = b; }
    public void setOutputUtilizationAll(boolean b) { outputUtilizationAll = b; }
    public void setOutputChooseTries(boolean b) { outputChooseTries = b; }
    public boolean outputUtilization() { return outputUtilization; }
    public boolean outputUtilizationAll() { return outputUtilizationAll; }

    /**
     * Overrides device {@code dev}'s in/out weight (crushtool {@code --weight DEV W}): Ceph's
     * {@code (int)(f * 0x10000)} in float arithmetic, clamped to [0, 0x10000].
     */
    public void setDeviceWeight(int dev, float f) {
        int w = (int) (f * (float) 0x10000);
        if (w < 0) {
            w = 0;
        }
        if (w > 0x10000) {
            w = 0x10000;
        }
        deviceWeight.put(dev, w);
    }

    /** The in/out weight vector test() uses: overrides, else 0x10000 for a device placed in some bucket, else 0. */
    public int[] weights() {
        Set<Integer> present = new HashSet<>();
        for (Bucket b : map.allBuckets()) {
            for (Bucket.Item item : b.items) {
                present.add(item.id());
            }
        }
        int[] weight = new int[mapper.maxDevices()];
        for (int o = 0; o < weight.length; o++) {
            Integer w = deviceWeight.get(o);
            if (w != null) {
                weight[o] = w;
            } else {
                weight[o] = present.contains(o) ? 0x10000 : 0;
            }
        }
        return weight;
    }

    /** Runs the test, writing what crushtool writes to its stdout ({@code out}) and stderr ({@code err}). */
    public void test(Appendable out, Appendable err) {
        try {
            run(out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void run(Appendable out, Appendable err) throws IOException {
        int ruleLo = minRule;
        int ruleHi = maxRule;
        if (ruleLo < 0 || ruleHi < 0) {
            ruleLo = 0;
            ruleHi = mapper.maxRules() - 1;
        }
        int xLo = minX;
        int xHi = maxX;
        if (xLo < 0 || xHi < 0) {
            xLo = 0;
            xHi = 1023;
        }
        int[] weight = weights();
        if (outputUtilizationAll) {
            err.append("devices weights (hex): ").append(hexList(weight)).append('\n');
        }
        CrushMapper.Workspace ws = mapper.newWorkspace();
        if (outputChooseTries) {
            ws.startChooseProfile();
        }
        for (int r = ruleLo; r < mapper.maxRules() && r <= ruleHi; r++) {
            if (!mapper.ruleExists(r)) {
                if (outputStatistics) {
                    out.append("rule ").append(Integer.toString(r)).append(" dne\n");
                }
                continue;
            }
            if (ruleset >= 0 && r != ruleset) {
                continue;
            }
            Rule rule = map.rules.get(r);
            int minr = minRep;
            int maxr = maxRep;
            if (minRep < 0 || maxRep < 0) {
                minr = rule.minSize;
                maxr = rule.maxSize;
            }
            if (outputStatistics) {
                out.append("rule " + r + " (" + rule.name + "), x = " + xLo + ".." + xHi
                        + ", numrep = " + minr + ".." + maxr + "\n");
            }
            for (int nr = minr; nr <= maxr; nr++) {
                testNumRep(out, ws, rule, nr, xLo, xHi, weight);
            }
        }
        if (outputChooseTries) {
            int[] v = ws.chooseProfile();
            for (int i = 0; i < v.length; i++) {
                out.append(String.format("%2d: %9d", i, Integer.toUnsignedLong(v[i]))).append('\n');
            }
            ws.stopChooseProfile();
        }
    }

    private void testNumRep(Appendable out, CrushMapper.Workspace ws, Rule rule, int nr, int xLo, int xHi,
            int[] weight) throws IOException {
        int r = rule.id;
        int devices = mapper.maxDevices();
        int[] per = new int[devices];
        // sizes[n]: how many inputs gave n results (Ceph's map<int,int> sizes, printed in ascending n).
        int[] sizes = new int[Math.max(nr, 0) + 1];
        int numObjects = (xHi - xLo) + 1;
        int totalWeight = 0;
        for (int i = 0; i < devices; i++) {
            totalWeight += weight[i];
        }
        if (totalWeight == 0) {
            return;
        }
        float expectedObjects = (float) (Math.min(nr, maximumAffectedByRule(rule)) * numObjects);
        float[] expected = new float[devices];
        for (int i = 0; i < devices; i++) {
            float proportional = (float) Integer.toUnsignedLong(weight[i]) / (float) totalWeight;
            expected[i] = proportional * expectedObjects;
        }
        int[] result = new int[Math.max(nr, 0)];
        // CrushTester maps with choose_args index 0, falling back to the default set.
        ChooseArgs chooseArgs = mapper.chooseArgsWithFallback(0);
        StringBuilder line = new StringBuilder(64);
        // A long counter: Ceph's int loop never ends when max x is INT_MAX; this one does.
        for (long xl = xLo; xl <= xHi; xl++) {
            int x = (int) xl;
            int realX = poolId != -1 ? CrushHash.hash32_2(0, x, poolId) : x;
            int n = nr >= 0 ? mapper.doRule(r, realX, result, nr, weight, ws, chooseArgs) : 0;
            if (outputMappings) {
                line.setLength(0);
                line.append("CRUSH rule ").append(r).append(" x ").append(x).append(' ');
                appendList(line, result, n);
                out.append(line).append('\n');
            }
            boolean hasItemNone = false;
            for (int i = 0; i < n; i++) {
                if (result[i] != CrushConstants.ITEM_NONE) {
                    // A rule that emits buckets would index Ceph's vector out of bounds; count devices only.
                    if (result[i] >= 0 && result[i] < devices) {
                        per[result[i]]++;
                    }
                } else {
                    hasItemNone = true;
                }
            }
            sizes[n]++;
            if (outputBadMappings && (n != nr || hasItemNone)) {
                line.setLength(0);
                line.append("bad mapping rule ").append(r).append(" x ").append(x).append(" num_rep ").append(nr)
                        .append(" result ");
                appendList(line, result, n);
                out.append(line).append('\n');
            }
        }
        printStatistics(out, rule, nr, sizes, xHi - xLo + 1, per, expected);
    }

    private void printStatistics(Appendable out, Rule rule, int nr, int[] sizes, int count,
            int[] per, float[] expected) throws IOException {
        if (!outputStatistics) {
            return;
        }
        for (int size = 0; size < sizes.length; size++) {
            if (sizes[size] != 0) {
                out.append("rule " + rule.id + " (" + rule.name + ") num_rep " + nr + " result size == " + size
                        + ":\t" + sizes[size] + "/" + count + "\n");
            }
        }
        for (int i = 0; i < per.length; i++) {
            boolean show = outputUtilization ? expected[i] > 0 && per[i] > 0 : outputUtilizationAll;
            if (show) {
                out.append("  device " + i + ":\t\t stored : " + per[i] + "\t expected : "
                        + CppFormat.general(expected[i]) + "\n");
            }
        }
    }

    /**
     * CrushTester::get_maximum_affected_by_rule, quirks included: every step with opcode >= 2
     * other than emit (set_* steps too) names an "affected type" (arg2) with a replica count
     * (arg1); each occurrence counts the named buckets of that type again.
     */
    int maximumAffectedByRule(Rule rule) {
        List<Integer> affectedTypes = new ArrayList<>();
        Map<Integer, Integer> replicationsByType = new HashMap<>();
        for (Rule.Step s : rule.steps) {
            if (s.op() >= 2 && s.op() != 4) {
                affectedTypes.add(s.arg2());
                replicationsByType.put(s.arg2(), s.arg1());
            }
        }
        Map<Integer, Integer> maxDevicesOfType = new HashMap<>();
        for (int type : affectedTypes) {
            for (Bucket b : map.allBuckets()) {
                if (b.name != null && b.type == type) {
                    maxDevicesOfType.merge(type, 1, Integer::sum);
                }
            }
        }
        for (int type : affectedTypes) {
            int reps = replicationsByType.getOrDefault(type, 0);
            if (reps > 0 && reps < maxDevicesOfType.getOrDefault(type, 0)) {
                maxDevicesOfType.put(type, reps);
            }
        }
        int maxAffected = Math.max(mapper.maxBuckets(), mapper.maxDevices());
        for (int type : affectedTypes) {
            int n = maxDevicesOfType.getOrDefault(type, 0);
            if (n > 0 && n < maxAffected) {
                maxAffected = n;
            }
        }
        return maxAffected;
    }

    private static void appendList(StringBuilder sb, int[] values, int n) {
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(values[i]);
        }
        sb.append(']');
    }

    private static String hexList(int[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(Integer.toHexString(values[i]));
        }
        return sb.append(']').toString();
    }
}
