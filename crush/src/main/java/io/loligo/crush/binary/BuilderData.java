package io.loligo.crush.binary;

/**
 * The per-algorithm arrays Ceph's builder ({@code src/crush/builder.c}) stores in a compiled
 * bucket, derived from the item weights: list running sums (crush_make_list_bucket), tree node
 * weights (crush_make_tree_bucket) and legacy straw lengths (crush_calc_straw). Weights are
 * unsigned 32-bit values carried in ints, and sums wrap as they do in C.
 */
final class BuilderData {
    private BuilderData() {}

    static int[] listSums(int[] weights) {
        int[] sums = new int[weights.length];
        int total = 0;
        for (int i = 0; i < weights.length; i++) {
            total += weights[i];
            sums[i] = total;
        }
        return sums;
    }

    /** calc_depth: 0 for no items, else 1 + the number of bits of (size - 1). */
    static int treeDepth(int size) {
        if (size == 0) {
            return 0;
        }
        int depth = 1;
        for (int t = size - 1; t != 0; t >>= 1) {
            depth++;
        }
        return depth;
    }

    /** crush_calc_tree_node: leaf i sits at node 2i + 1. */
    static int treeLeaf(int i) {
        return ((i + 1) << 1) - 1;
    }

    private static int treeParent(int node) {
        int height = Integer.numberOfTrailingZeros(node);
        boolean onRight = (node & (1 << (height + 1))) != 0;
        return onRight ? node - (1 << height) : node + (1 << height);
    }

    /** node_weights, num_nodes = 1 &lt;&lt; depth long: each leaf's weight added to it and its ancestors. */
    static int[] treeNodeWeights(int[] weights) {
        int depth = treeDepth(weights.length);
        int[] nodes = new int[weights.length == 0 ? 0 : 1 << depth];
        for (int i = 0; i < weights.length; i++) {
            int node = treeLeaf(i);
            nodes[node] = weights[i];
            for (int level = 1; level < depth; level++) {
                node = treeParent(node);
                nodes[node] += weights[i];
            }
        }
        return nodes;
    }

    /**
     * crush_calc_straw for the map's straw_calc_version (0: the original, skewed by runs of equal
     * weights; 1 and later: fixed). Items are visited in ascending weight order (a stable
     * insertion sort), in double arithmetic; C's unsigned products and truncations are kept.
     */
    static int[] straws(int[] weights, int strawCalcVersion) {
        int size = weights.length;
        int[] order = ascending(weights);
        int[] straws = new int[size];
        int numLeft = size;
        double straw = 1.0;
        double weightBelow = 0;
        double lastWeight = 0;
        int i = 0;
        while (i < size) {
            if (weights[order[i]] == 0) {
                straws[order[i]] = 0;
                i++;
                if (strawCalcVersion >= 1) {
                    numLeft--;
                }
                continue;
            }
            straws[order[i]] = (int) (long) (straw * 0x10000);
            i++;
            if (i == size) {
                break;
            }
            long previous = Integer.toUnsignedLong(weights[order[i - 1]]);
            long current = Integer.toUnsignedLong(weights[order[i]]);
            if (strawCalcVersion == 0) {
                if (current == previous) {
                    continue;
                }
                weightBelow += (previous - lastWeight) * numLeft;
                for (int j = i; j < size && weights[order[j]] == weights[order[i]]; j++) {
                    numLeft--;
                }
            } else {
                weightBelow += (previous - lastWeight) * numLeft;
                numLeft--;
            }
            double weightNext = Integer.toUnsignedLong(numLeft * (int) (current - previous));
            double probabilityBelow = weightBelow / (weightBelow + weightNext);
            straw *= StrictMath.pow(1.0 / probabilityBelow, 1.0 / numLeft);
            lastWeight = previous;
        }
        return straws;
    }

    /** Item indices by ascending unsigned weight; equal weights keep their order. */
    private static int[] ascending(int[] weights) {
        int size = weights.length;
        int[] order = new int[size];
        for (int i = 1; i < size; i++) {
            int j = 0;
            while (j < i && Integer.compareUnsigned(weights[i], weights[order[j]]) >= 0) {
                j++;
            }
            System.arraycopy(order, j, order, j + 1, i - j);
            order[j] = i;
        }
        return order;
    }
}
