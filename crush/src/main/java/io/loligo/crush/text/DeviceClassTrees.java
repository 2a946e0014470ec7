package io.loligo.crush.text;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the shadow trees of device classes exactly as Ceph does when it compiles a text map
 * (CrushWrapper::populate_classes and device_class_clone, Pacific):
 *
 * <ul>
 *   <li>roots are the non-shadow buckets no bucket contains, most negative id first; for each
 *       root, each class in class-id order is cloned depth first;</li>
 *   <li>the clone of bucket {@code B} for class {@code C} is named {@code B~C}, has B's type, alg
 *       and hash, and holds, in B's order, B's devices of class C (with their weights) and the
 *       clones of B's child buckets (with the clone's total weight, even when it is 0); a clone
 *       that already exists (a bucket with two parents) is reused;</li>
 *   <li>its id is the one the text gave ({@code id -6 class hdd}), else the first id from -1 down
 *       that no bucket uses and no text class line names.</li>
 * </ul>
 *
 * Ceph's quirk is kept: a shadow copy of a uniform bucket starts with item weight 0 and refuses
 * any item of another weight, which stops populate_classes where it is (shadow buckets made so
 * far stay). The compiler ignores that failure; rules that then take a class fail.
 */
public final class DeviceClassTrees {
    private final CrushMap map;
    private final Map<Integer, ? extends Map<Integer, Integer>> oldClassBucket;
    private final Set<Integer> usedIds = new HashSet<>();
    /** Bucket ids by name, kept up to date as clones are added (names are unique). */
    private final Map<String, Integer> idsByName = new HashMap<>();
    /**
     * Every id above this one is taken: ids are only ever added, so the first free id from -1
     * down can only move down, and the search resumes here instead of at -1.
     */
    private int freeIdCursor = -1;

    private DeviceClassTrees(CrushMap map, Map<Integer, ? extends Map<Integer, Integer>> oldClassBucket) {
        this.map = map;
        this.oldClassBucket = oldClassBucket;
        oldClassBucket.values().forEach(m -> usedIds.addAll(m.values()));
        map.allBuckets().forEach(b -> idsByName.put(b.name, b.id));
    }

    /**
     * Adds the shadow buckets to {@code map} and fills each original bucket's classIds.
     *
     * @param oldClassBucket bucket id to (class id to shadow id) as the text listed them
     * @return true when every tree was built; false when Ceph's populate_classes would have failed
     */
    public static boolean populate(CrushMap map, Map<Integer, ? extends Map<Integer, Integer>> oldClassBucket) {
        DeviceClassTrees trees = new DeviceClassTrees(map, oldClassBucket);
        for (int root : nonShadowRoots(map)) {
            for (int classId : List.copyOf(map.classNames.keySet())) {
                if (trees.cloneBucket(root, classId) == null) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Buckets that are in no bucket and are not shadows, most negative id first (Ceph's set&lt;int&gt;). */
    static TreeSet<Integer> nonShadowRoots(CrushMap map) {
        Set<Integer> contained = new HashSet<>();
        for (Bucket b : map.allBuckets()) {
            b.items.forEach(item -> contained.add(item.id()));
        }
        TreeSet<Integer> roots = new TreeSet<>();
        for (Bucket b : map.allBuckets()) {
            if (!contained.contains(b.id) && !b.isShadow() && CrushTextPrinter.isValidName(b.name)) {
                roots.add(b.id);
            }
        }
        return roots;
    }

    /** device_class_clone: the clone's id, or null when Ceph's clone would fail. */
    private Integer cloneBucket(int originalId, int classId) {
        Bucket original = map.bucket(originalId);
        String className = map.classNames.get(classId);
        String copyName = original.name + "~" + className;
        Integer existing = idsByName.get(copyName);
        if (existing != null) {
            return existing;
        }
        List<Bucket.Item> items = new ArrayList<>();
        long weight = 0;
        boolean uniform = original.alg == CrushConstants.BUCKET_UNIFORM;
        for (Bucket.Item item : original.items) {
            int itemWeight;
            int itemId;
            if (item.id() >= 0) {
                CrushMap.Device device = map.devices.get(item.id());
                if (device == null || !className.equals(device.deviceClass())) {
                    continue;
                }
                itemId = item.id();
                itemWeight = item.weight();
            } else {
                Integer childCopy = cloneBucket(item.id(), classId);
                if (childCopy == null) {
                    return null;
                }
                itemId = childCopy;
                itemWeight = map.bucket(childCopy).weight();
            }
            if (uniform && itemWeight != 0) {
                return null;   // crush_add_uniform_bucket_item: weight differs from item_weight 0
            }
            weight += Integer.toUnsignedLong(itemWeight);
            if (weight > 0xFFFFFFFFL) {
                return null;   // crush_addition_is_unsafe
            }
            items.add(new Bucket.Item(itemId, itemWeight));
        }
        Map<Integer, Integer> textIds = oldClassBucket.get(originalId);
        Integer bno = textIds == null ? null : textIds.get(classId);
        if (bno == null) {
            while (map.buckets.containsKey(freeIdCursor) || usedIds.contains(freeIdCursor)) {
                freeIdCursor--;
            }
            bno = freeIdCursor;
        }
        if (map.buckets.containsKey(bno)) {
            return null;   // crush_add_bucket: -EEXIST
        }
        Bucket copy = new Bucket(bno, copyName, original.type, original.alg);
        copy.hash = original.hash;
        copy.items.addAll(items);
        copy.shadowOf = originalId;
        copy.shadowClass = className;
        map.buckets.put(bno, copy);
        idsByName.put(copyName, bno);
        original.classIds.put(className, bno);
        return bno;
    }
}
