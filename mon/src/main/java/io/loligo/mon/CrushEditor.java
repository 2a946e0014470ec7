package io.loligo.mon;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import io.loligo.crush.Tunables;

/**
 * The CRUSH edits the monitors make: the default map of a new cluster, placing a booting OSD
 * under its host, reweighting, adding and moving buckets. Every method edits the map it is given;
 * callers pass a copy (an OSD map's CRUSH map is immutable) and commit the copy in an incremental.
 * Weights are 16.16 fixed point and every bucket's weight in its parent is kept equal to the sum
 * of its items, as Ceph's CrushWrapper does.
 */
final class CrushEditor {
    static final String DEFAULT_ROOT = "default";
    static final int TYPE_OSD = 0;
    static final int TYPE_HOST = 1;
    static final int TYPE_ROOT = 11;
    private static final String[] DEFAULT_TYPES = {"osd", "host", "chassis", "rack", "row", "pdu", "pod", "room",
        "datacenter", "zone", "region", "root"};

    private CrushEditor() {}

    /** Ceph's default for a new cluster: the standard types, an empty root "default", replicated_rule over hosts. */
    static CrushMap defaultMap() {
        CrushMap m = new CrushMap();
        m.tunables = Tunables.jewel();
        for (int i = 0; i < DEFAULT_TYPES.length; i++) {
            m.types.put(i, DEFAULT_TYPES[i]);
        }
        m.buckets.put(-1, new Bucket(-1, DEFAULT_ROOT, TYPE_ROOT, CrushConstants.BUCKET_STRAW2));
        Rule r = new Rule(0, "replicated_rule");
        r.steps.add(new Rule.Step(CrushConstants.RULE_TAKE, -1, 0));
        r.steps.add(new Rule.Step(CrushConstants.RULE_CHOOSELEAF_FIRSTN, 0, TYPE_HOST));
        r.steps.add(new Rule.Step(CrushConstants.RULE_EMIT, 0, 0));
        m.rules.put(0, r);
        return m;
    }

    /** Crush weight of a device of {@code capacityBytes}: its size in TiB, 16.16; 1.0 when unknown. */
    static int weightForCapacity(long capacityBytes) {
        if (capacityBytes <= 0) {
            return CrushConstants.WEIGHT_ONE;
        }
        long w = (long) (capacityBytes / (double) (1L << 40) * 0x10000);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, w));
    }

    /** The bucket holding item {@code id}, or null. */
    static Bucket parentOf(CrushMap m, int id) {
        for (Bucket b : m.buckets.values()) {
            for (Bucket.Item it : b.items) {
                if (it.id() == id) {
                    return b;
                }
            }
        }
        return null;
    }

    static int newBucketId(CrushMap m) {
        return m.buckets.isEmpty() ? -1 : m.buckets.firstKey() - 1;
    }

    /** Adds bucket {@code name} of type {@code type} (unattached); returns its id. */
    static int addBucket(CrushMap m, String name, int type) {
        int id = newBucketId(m);
        m.buckets.put(id, new Bucket(id, name, type, CrushConstants.BUCKET_STRAW2));
        return id;
    }

    /** Places device {@code osd} with {@code weight} under host {@code host} (created under the default root if new). */
    static void addOsd(CrushMap m, int osd, String deviceClass, int weight, String host) {
        m.devices.put(osd, new CrushMap.Device(osd, "osd." + osd, deviceClass));
        Bucket hostBucket = m.bucketByName(host);
        if (hostBucket == null) {
            int id = addBucket(m, host, TYPE_HOST);
            hostBucket = m.bucket(id);
            Bucket root = m.bucketByName(DEFAULT_ROOT);
            if (root != null) {
                root.items.add(new Bucket.Item(id, 0));
            }
        }
        removeItem(m, osd);
        hostBucket.items.add(new Bucket.Item(osd, weight));
        propagate(m, hostBucket);
    }

    /** Detaches {@code id} from its parent (if any), fixing the weights above it. */
    static void removeItem(CrushMap m, int id) {
        Bucket parent = parentOf(m, id);
        if (parent != null) {
            parent.items.removeIf(it -> it.id() == id);
            propagate(m, parent);
        }
    }

    /** Sets the weight of item {@code id} in its parent; false when it has no parent. */
    static boolean reweightItem(CrushMap m, int id, int weight) {
        Bucket parent = parentOf(m, id);
        if (parent == null) {
            return false;
        }
        for (int i = 0; i < parent.items.size(); i++) {
            if (parent.items.get(i).id() == id) {
                parent.items.set(i, new Bucket.Item(id, weight));
            }
        }
        propagate(m, parent);
        return true;
    }

    /** Moves bucket {@code id} under bucket {@code newParent}. */
    static void move(CrushMap m, int id, Bucket newParent) {
        removeItem(m, id);
        int w = id < 0 ? m.bucket(id).weight() : CrushConstants.WEIGHT_ONE;
        newParent.items.add(new Bucket.Item(id, w));
        propagate(m, newParent);
    }

    /** True when {@code ancestor} is {@code id} or contains it, at any depth. */
    static boolean contains(CrushMap m, int ancestor, int id) {
        if (ancestor == id) {
            return true;
        }
        Bucket b = m.bucket(ancestor);
        if (b == null) {
            return false;
        }
        for (Bucket.Item it : b.items) {
            if (contains(m, it.id(), id)) {
                return true;
            }
        }
        return false;
    }

    /** Crush weight of device {@code osd} (16.16) in its parent; 0 when unplaced. */
    static int itemWeight(CrushMap m, int id) {
        Bucket parent = parentOf(m, id);
        if (parent != null) {
            for (Bucket.Item it : parent.items) {
                if (it.id() == id) {
                    return it.weight();
                }
            }
        }
        return 0;
    }

    private static void propagate(CrushMap m, Bucket b) {
        for (Bucket child = b, parent = parentOf(m, b.id); parent != null; child = parent, parent = parentOf(m, parent.id)) {
            int childWeight = child.weight();
            int childId = child.id;
            for (int i = 0; i < parent.items.size(); i++) {
                if (parent.items.get(i).id() == childId) {
                    parent.items.set(i, new Bucket.Item(childId, childWeight));
                }
            }
        }
    }
}
