package io.loligo.crush;

import java.util.Collection;
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
