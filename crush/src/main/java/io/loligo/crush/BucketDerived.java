package io.loligo.crush;

/**
 * The per-algorithm data Ceph's builder ({@code src/crush/builder.c}) derives from a bucket's
 * item weights when the bucket is made: list running sums, tree node weights, legacy straw
 * lengths. Weights are unsigned 32-bit values carried in ints; sums wrap as in C.
 */
public final class BucketDerived {
    private BucketDerived() {}

    /** crush_make_list_bucket: sum_weights[i] = weights[0] + ... + weights[i]. */
    public static int[] listSums(int[] weights) {
        int[] sums = new int[weights.length];
        int w = 0;
        for (int i = 0; i < weights.length; i++) {
            w += weights[i];
            sums[i] = w;
        }
        return sums;
    }

    /** crush_make_tree_bucket's depth: 0 for an empty bucket, else 1 + bits of (size - 1). */
    public static int treeDepth(int size) {
        if (size == 0) {
            return 0;
        }
        int depth = 1;
        int t = size - 1;
        while (t != 0) {
            t >>= 1;
            depth++;
        }
        return depth;
    }

    /** The node label of the i-th leaf: crush_calc_tree_node(i) = ((i + 1) << 1) - 1. */
    public static int treeNode(int i) {
        return ((i + 1) << 1) - 1;
    }

    public static int treeHeight(int n) {
        int h = 0;
        while ((n & 1) == 0) {
            h++;
            n >>= 1;
        }
        return h;
    }

    private static int treeParent(int n) {
        int h = treeHeight(n);
        boolean onRight = (n & (1 << (h + 1))) != 0;
        return onRight ? n - (1 << h) : n + (1 << h);
    }

    /** crush_make_tree_bucket's node_weights; its length is num_nodes (1 &lt;&lt; depth). */
    public static int[] treeNodeWeights(int[] weights) {
        int depth = treeDepth(weights.length);
        int[] nodeWeights = new int[weights.length == 0 ? 0 : 1 << depth];
        for (int i = 0; i < weights.length; i++) {
            int node = treeNode(i);
            nodeWeights[node] = weights[i];
            for (int j = 1; j < depth; j++) {
                node = treeParent(node);
                nodeWeights[node] += weights[i];
            }
        }
        return nodeWeights;
    }

    /**
     * crush_calc_straw: legacy straw lengths. Version 0 is the original (skewed) calculation,
     * version 1 the fixed one; a map keeps whichever its straw_calc_version selected when the
     * bucket was built. Double arithmetic and StrictMath.pow as in C.
     */
    public static int[] straws(int[] weights, int strawCalcVersion) {
        int size = weights.length;
        int[] straws = new int[size];
        int[] reverse = sortAscending(weights);
        int numleft = size;
        double straw = 1.0;
        double wbelow = 0;
        double lastw = 0;
        int i = 0;
        while (i < size) {
            if (weights[reverse[i]] == 0) {
                straws[reverse[i]] = 0;
                i++;
                if (strawCalcVersion != 0) {
                    numleft--;
                }
                continue;
            }
            straws[reverse[i]] = (int) (long) (straw * 0x10000);
            i++;
            if (i == size) {
                break;
            }
            int wPrev = weights[reverse[i - 1]];
            int wCur = weights[reverse[i]];
            if (strawCalcVersion == 0) {
                if (wCur == wPrev) {
                    continue;
                }
                wbelow += ((double) Integer.toUnsignedLong(wPrev) - lastw) * numleft;
                for (int j = i; j < size; j++) {
                    if (weights[reverse[j]] == wCur) {
                        numleft--;
                    } else {
                        break;
                    }
                }
            } else {
                wbelow += ((double) Integer.toUnsignedLong(wPrev) - lastw) * numleft;
                numleft--;
            }
            double wnext = Integer.toUnsignedLong(numleft * (wCur - wPrev));
            double pbelow = wbelow / (wbelow + wnext);
            straw *= StrictMath.pow(1.0 / pbelow, 1.0 / (double) numleft);
            lastw = Integer.toUnsignedLong(wPrev);
        }
        return straws;
    }

    /** Indices of weights in ascending (unsigned) order; ties keep their order (builder.c's insertion sort). */
    private static int[] sortAscending(int[] weights) {
        int size = weights.length;
        int[] reverse = new int[size];
        if (size > 0) {
            reverse[0] = 0;
        }
        for (int i = 1; i < size; i++) {
            int j;
            for (j = 0; j < i; j++) {
                if (Integer.compareUnsigned(weights[i], weights[reverse[j]]) < 0) {
                    System.arraycopy(reverse, j, reverse, j + 1, i - j);
                    reverse[j] = i;
                    break;
                }
            }
            if (j == i) {
                reverse[i] = i;
            }
        }
        return reverse;
    }
}
