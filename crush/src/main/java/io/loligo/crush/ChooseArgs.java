package io.loligo.crush;

import io.loligo.common.Invariants;
import java.util.List;
import java.util.Map;

/**
 * One compiled choose_args set of a map (Ceph's crush_choose_arg_map): for each straw2 bucket,
 * optional per-position weight sets and optional replacement ids that straw2 hashes instead
 * of the item ids. Immutable; made by {@link CrushMapper}, obtained with
 * {@link CrushMapper#chooseArgsWithFallback}.
 */
public final class ChooseArgs {
    final CrushMapper mapper;
    /** By bucket position: weight_set[position][item], or null for "use the bucket's weights". */
    private final int[][][] weightSets;
    /** By bucket position: ids[item], or null for "use the bucket's items". */
    private final int[][] ids;

    ChooseArgs(CrushMapper mapper, Map<Integer, CrushMap.ChooseArg> args) {
        this.mapper = mapper;
        this.weightSets = new int[mapper.maxBuckets][][];
        this.ids = new int[mapper.maxBuckets][];
        for (Map.Entry<Integer, CrushMap.ChooseArg> e : args.entrySet()) {
            int pos = -1 - e.getKey();
            Invariants.check(pos >= 0 && pos < mapper.maxBuckets && mapper.exists[pos],
                    "choose_args for bucket %d, which does not exist", e.getKey());
            int size = mapper.bucketSize[pos];
            CrushMap.ChooseArg arg = e.getValue();
            if (!arg.weightSet().isEmpty()) {
                int[][] sets = new int[arg.weightSet().size()][];
                for (int p = 0; p < sets.length; p++) {
                    sets[p] = toArray(arg.weightSet().get(p), size, e.getKey());
                }
                weightSets[pos] = sets;
            }
            if (!arg.ids().isEmpty()) {
                ids[pos] = toArray(arg.ids(), size, e.getKey());
            }
        }
    }

    private static int[] toArray(List<Integer> values, int size, int bucketId) {
        Invariants.check(values.size() == size, "choose_args of bucket %d has %d values for %d items",
                bucketId, values.size(), size);
        int[] a = new int[size];
        for (int i = 0; i < size; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    /** get_choose_arg_weights: the weight set for the position (the last one past the end), else the bucket's. */
    int[] weights(CrushMapper m, int bucket, int position) {
        int[][] sets = weightSets[bucket];
        if (sets == null) {
            return m.itemWeights[bucket];
        }
        return sets[Math.min(position, sets.length - 1)];
    }

    /** get_choose_arg_ids: the replacement ids, else the bucket's items. */
    int[] ids(CrushMapper m, int bucket) {
        int[] i = ids[bucket];
        return i != null ? i : m.items[bucket];
    }
}
