package io.loligo.crush;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole CRUSH map: devices (with optional classes), bucket types, buckets (shadow buckets of
 * device classes included), rules and tunables. A plain mutable model: the text parser builds it,
 * the printer writes it, {@link CrushMapper} compiles it for placement. Not thread-safe while
 * being changed; a mapper made from it does not see later changes.
 */
public final class CrushMap {
    /** A device: id &gt;= 0, name (osd.N), device class or null. */
    public record Device(int id, String name, String deviceClass) {}

    public Tunables tunables = Tunables.legacy();
    /** Devices by id. */
    public final TreeMap<Integer, Device> devices = new TreeMap<>();
    /** Bucket type names by type id (0 is the device type, usually "osd"). */
    public final TreeMap<Integer, String> types = new TreeMap<>();
    /** Buckets by id (negative ids; TreeMap order is most negative first). */
    public final TreeMap<Integer, Bucket> buckets = new TreeMap<>();
    /** Rules by id. */
    public final TreeMap<Integer, Rule> rules = new TreeMap<>();
    /**
     * Device class names by class id (Ceph's class_name). Ids are allocated 0, 1, ... in order of
     * first use; they order the {@code id -6 class hdd} lines and the shadow trees.
     */
    public final TreeMap<Integer, String> classNames = new TreeMap<>();
    /** choose_args (alternative weight sets / ids) by index, then by bucket id (Ceph's choose_args). */
    public final TreeMap<Long, TreeMap<Integer, ChooseArg>> chooseArgs = new TreeMap<>();

    /**
     * The choose_args entry of one bucket: one weight list (16.16) per position, each as long as the
     * bucket, and/or replacement item ids (empty when absent).
     */
    public record ChooseArg(List<List<Integer>> weightSet, List<Integer> ids) {
        public ChooseArg {
            weightSet = weightSet.stream().map(List::copyOf).toList();
            ids = List.copyOf(ids);
        }
    }

    /** Class id of a device class name, or -1. */
    public int classId(String className) {
        for (Map.Entry<Integer, String> e : classNames.entrySet()) {
            if (e.getValue().equals(className)) {
                return e.getKey();
            }
        }
        return -1;
    }

    public Bucket bucket(int id) {
        return buckets.get(id);
    }

    public Bucket bucketByName(String name) {
        for (Bucket b : buckets.values()) {
            if (b.name.equals(name)) {
                return b;
            }
        }
        return null;
    }

    public Collection<Bucket> allBuckets() {
        return buckets.values();
    }

    /** Largest device id + 1 (Ceph's max_devices), 0 when there are none. */
    public int maxDevices() {
        return devices.isEmpty() ? 0 : devices.lastKey() + 1;
    }

    /** Number of bucket slots Ceph would allocate: -(most negative id). */
    public int maxBuckets() {
        return buckets.isEmpty() ? 0 : -buckets.firstKey();
    }

    /** Type name for a type id, or null. */
    public String typeName(int typeId) {
        return types.get(typeId);
    }

    /** Type id for a name, or -1. */
    public int typeId(String name) {
        for (Map.Entry<Integer, String> e : types.entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        return -1;
    }

    /** Item name: the device's or bucket's name. */
    public String itemName(int id) {
        if (id >= 0) {
            Device d = devices.get(id);
            return d == null ? null : d.name();
        }
        Bucket b = buckets.get(id);
        return b == null ? null : b.name;
    }
}
