package io.loligo.crush;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CRUSH bucket as the map stores it: id (negative), name, type, algorithm, hash, and its items
 * with 16.16 fixed-point weights in map order. Derived per-algorithm data (list sums, tree node
 * weights, legacy straw lengths) is computed by the mapper, not stored here.
 *
 * <p>A bucket of a device class's shadow tree (name {@code default~ssd}) has {@link #shadowOf}
 * set to the original bucket's id and {@link #shadowClass} to the class; the text printer skips
 * shadow buckets and prints their ids as {@code id -6 class hdd} lines inside the original.
 */
public final class Bucket {
    /** One child of a bucket: a device id (&gt;= 0) or a bucket id (&lt; 0), its weight in 16.16 fixed point. */
    public record Item(int id, int weight) {}

    public final int id;
    public String name;
    public int type;
    public int alg;
    public int hash = CrushConstants.HASH_RJENKINS1;
    public final List<Item> items = new ArrayList<>();
    /** Device class name to the id of this bucket's shadow bucket for that class, in text order. */
    public final Map<String, Integer> classIds = new LinkedHashMap<>();
    /** For a shadow bucket: the id of the bucket it shadows; otherwise 0. */
    public int shadowOf;
    /** For a shadow bucket: its device class; otherwise null. */
    public String shadowClass;

    public Bucket(int id, String name, int type, int alg) {
        this.id = id;
        this.name = name;
        this.type = type;
        this.alg = alg;
    }

    public boolean isShadow() {
        return shadowClass != null;
    }

    /** Sum of the item weights, as Ceph keeps it in bucket-&gt;weight (unsigned 32-bit arithmetic). */
    public int weight() {
        int sum = 0;
        for (Item item : items) {
            sum += item.weight();
        }
        return sum;
    }
}
