package io.loligo.crush.text;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The items of one text bucket in their final order, with 16.16 weights, following
 * CrushCompiler::parse_bucket: an item without a weight weighs 1.0 if it is a device and the
 * bucket's total if it is a bucket; {@code pos} places an item explicitly and the others fill
 * the free positions in file order; a uniform bucket needs equal weights; the total must fit in
 * 32 bits.
 */
final class BucketItems {
    private BucketItems() {}

    static List<Bucket.Item> place(Syntax.Bucket b, int alg, Map<String, Integer> itemIds,
            Map<Integer, Integer> bucketWeights) throws CrushParseException {
        String bucket = b.name().text();
        int size = b.items().size();
        TreeSet<Integer> usedPositions = new TreeSet<>();
        for (Syntax.Item item : b.items()) {
            if (item.pos() != null) {
                int pos = MapCompiler.number(item.pos(), 0, Integer.MAX_VALUE, "pos");
                if (!usedPositions.add(pos)) {
                    throw item.pos().error("item '" + item.name().text() + "' in bucket '" + bucket
                            + "' has explicit pos " + pos + ", which is occupied");
                }
            }
        }
        if (!usedPositions.isEmpty()) {
            size = Math.max(size, usedPositions.last());   // Ceph's arithmetic: the last pos, not last + 1
        }
        Bucket.Item[] slots = new Bucket.Item[size];
        int nextPos = 0;
        long total = 0;
        Integer uniformWeight = null;
        for (Syntax.Item item : b.items()) {
            String name = item.name().text();
            Integer id = itemIds.get(name);
            if (id == null) {
                throw item.name().error("item '" + name + "' in bucket '" + bucket + "' is not defined"
                        + " (devices and buckets must be defined before the bucket that holds them)");
            }
            int weight = item.weight() == null ? bucketWeights.getOrDefault(id, CrushConstants.WEIGHT_ONE)
                    : weight(item, id, bucket);
            if (alg == CrushConstants.BUCKET_UNIFORM) {
                if (uniformWeight == null) {
                    uniformWeight = weight;
                } else if (uniformWeight != weight) {
                    throw at(item).error("item '" + name + "' in uniform bucket '" + bucket + "' has weight "
                            + Weights.format(weight) + " but previous item(s) have weight "
                            + Weights.format(uniformWeight) + "; uniform bucket items must all have identical weights");
                }
            }
            int pos;
            if (item.pos() != null) {
                pos = Integer.parseInt(item.pos().text());
            } else {
                while (usedPositions.contains(nextPos)) {
                    nextPos++;
                }
                pos = nextPos++;
            }
            if (pos >= size) {
                throw (item.pos() != null ? item.pos() : item.name()).error("item '" + name + "' in bucket '"
                        + bucket + "' has pos " + pos + " >= size " + size);
            }
            slots[pos] = new Bucket.Item(id, weight);
            total += Integer.toUnsignedLong(weight);
            if (total > 0xFFFFFFFFL) {
                throw at(item).error("bucket '" + bucket + "' weight overflows 32 bits at item '" + name
                        + "'; lower the item weights");
            }
        }
        if (uniformWeight != null && (uniformWeight == 0 || total > 0xFFFFFFFFL)) {
            // crush_make_uniform_bucket refuses (crush_multiplication_is_unsafe) and crushtool aborts
            throw b.alg().error("uniform bucket '" + bucket + "' needs items of equal non-zero weight whose total"
                    + " fits in 32 bits");
        }
        for (int pos = 0; pos < size; pos++) {
            if (slots[pos] == null) {
                throw b.name().error("bucket '" + bucket + "' has no item at pos " + pos
                        + " (explicit positions must leave no gaps)");
            }
        }
        return List.of(slots);
    }

    private static int weight(Syntax.Item item, int id, String bucket) throws CrushParseException {
        long weight = Weights.fromText(item.weight().text());
        String what = "item '" + item.name().text() + "' in bucket '" + bucket + "'";
        if (weight < 0) {
            throw item.weight().error(what + " has negative weight " + item.weight().text());
        }
        if (id >= 0 && weight > Weights.MAX_DEVICE_WEIGHT) {
            throw item.weight().error(what + ": device weight " + item.weight().text() + " exceeds the limit of 100");
        }
        if (id < 0 && weight > Weights.MAX_BUCKET_WEIGHT) {
            throw item.weight().error(what + ": bucket weight " + item.weight().text()
                    + " exceeds the limit of 65535 (to prevent overflow)");
        }
        return (int) weight;
    }

    private static Token at(Syntax.Item item) {
        return item.weight() != null ? item.weight() : item.name();
    }
}
