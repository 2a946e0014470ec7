package io.loligo.osd.scrub;

import io.loligo.messages.ObjectRef;
import io.loligo.messages.ScrubInconsistency;
import io.loligo.messages.ScrubMapEntry;
import io.loligo.osd.objectstore.ObjectId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares the members' scrub maps of one chunk (Ceph's PgScrubber / be_compare_scrubmaps, reduced):
 * for every object any member holds, picks the authoritative copy — among the copies whose own
 * checksums verified and whose metadata is readable, the version/size/digests most members agree on
 * (a tie goes to the group holding the primary's copy, then to the lowest OSD id) — and names every
 * copy that is missing or differs from it. A pure function, so it is unit-tested on its own.
 */
public final class ScrubCompare {
    public static final String MISSING = "missing";
    public static final String READ_ERROR = "read_error";
    public static final String INFO_MISSING = "info_missing";
    public static final String STAT_ERROR = "stat_error";
    public static final String SIZE_MISMATCH = "size_mismatch";
    public static final String DATA_DIGEST_MISMATCH = "data_digest_mismatch";
    public static final String OMAP_DIGEST_MISMATCH = "omap_digest_mismatch";
    public static final String ATTR_VALUE_MISMATCH = "attr_value_mismatch";
    public static final String VERSION_MISMATCH = "version_mismatch";
    /** The object-level name of a version mismatch, as Ceph calls it. */
    public static final String OBJECT_INFO_INCONSISTENCY = "object_info_inconsistency";

    private ScrubCompare() {}

    /** What a copy is judged by; equal keys mean equal copies. */
    private record Key(long size, io.loligo.messages.Eversion version, int attrs, int omap, int data) {
        static Key of(ScrubMapEntry e, boolean deep) {
            return new Key(e.size(), e.version(), e.attrsDigest(), e.omapDigest(), deep ? e.dataDigest() : 0);
        }
    }

    /**
     * Compares {@code maps} (member → its entries) of one chunk of pool {@code pool}; returns the
     * inconsistent objects in hash order. {@code deep}: data digests were computed and are compared.
     */
    public static List<ScrubInconsistency> compare(long pool, int primary, Map<Integer, List<ScrubMapEntry>> maps,
                                                   boolean deep) {
        TreeMap<ObjectId, ObjectRef> refs = new TreeMap<>();
        Map<Integer, Map<ObjectRef, ScrubMapEntry>> byOsd = new TreeMap<>();
        for (Map.Entry<Integer, List<ScrubMapEntry>> m : maps.entrySet()) {
            Map<ObjectRef, ScrubMapEntry> entries = new HashMap<>();
            for (ScrubMapEntry e : m.getValue()) {
                entries.put(e.ref(), e);
                refs.put(new ObjectId(pool, e.ref().namespace(), e.ref().name(), e.ref().hash()), e.ref());
            }
            byOsd.put(m.getKey(), entries);
        }
        List<ScrubInconsistency> out = new ArrayList<>();
        for (ObjectRef ref : refs.values()) {
            compareObject(ref, primary, byOsd, deep).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<ScrubInconsistency> compareObject(ObjectRef ref, int primary,
                                                              Map<Integer, Map<ObjectRef, ScrubMapEntry>> byOsd, boolean deep) {
        Map<Key, List<Integer>> groups = new LinkedHashMap<>();
        for (Map.Entry<Integer, Map<ObjectRef, ScrubMapEntry>> m : byOsd.entrySet()) {
            ScrubMapEntry e = m.getValue().get(ref);
            if (e != null && e.errors() == 0) {
                groups.computeIfAbsent(Key.of(e, deep), k -> new ArrayList<>()).add(m.getKey());
            }
        }
        Comparator<Map.Entry<Key, List<Integer>>> best = Comparator
                .comparingInt((Map.Entry<Key, List<Integer>> g) -> g.getValue().size())
                .thenComparing(g -> g.getValue().contains(primary))
                .thenComparing(g -> -g.getValue().getFirst());
        Optional<Map.Entry<Key, List<Integer>>> auth = groups.entrySet().stream().max(best);
        int authOsd = auth.map(g -> g.getValue().contains(primary) ? primary : g.getValue().getFirst()).orElse(-1);
        Key authKey = auth.map(Map.Entry::getKey).orElse(null);
        List<ScrubInconsistency.Shard> shards = new ArrayList<>();
        Set<String> objectErrors = new LinkedHashSet<>();
        boolean bad = false;
        for (Map.Entry<Integer, Map<ObjectRef, ScrubMapEntry>> m : byOsd.entrySet()) {
            ScrubMapEntry e = m.getValue().get(ref);
            List<String> errors = shardErrors(e, authKey, deep, objectErrors);
            bad |= !errors.isEmpty();
            shards.add(new ScrubInconsistency.Shard(m.getKey(), errors, Optional.ofNullable(e)));
        }
        if (!bad) {
            return Optional.empty();
        }
        return Optional.of(new ScrubInconsistency(ref, authKey == null ? io.loligo.messages.Eversion.ZERO : authKey.version(),
                List.copyOf(objectErrors), authOsd, shards));
    }

    private static List<String> shardErrors(ScrubMapEntry e, Key auth, boolean deep, Set<String> objectErrors) {
        List<String> errors = new ArrayList<>();
        if (e == null) {
            errors.add(MISSING);
            return errors;
        }
        if ((e.errors() & ScrubMapEntry.READ_ERROR) != 0) {
            errors.add(READ_ERROR);
        }
        if ((e.errors() & ScrubMapEntry.INFO_MISSING) != 0) {
            errors.add(INFO_MISSING);
        }
        if ((e.errors() & ScrubMapEntry.STAT_ERROR) != 0) {
            errors.add(STAT_ERROR);
        }
        if (auth == null || e.errors() != 0) {
            return errors;
        }
        Key k = Key.of(e, deep);
        mismatch(k.size() != auth.size(), SIZE_MISMATCH, SIZE_MISMATCH, errors, objectErrors);
        mismatch(!k.version().equals(auth.version()), VERSION_MISMATCH, OBJECT_INFO_INCONSISTENCY, errors, objectErrors);
        mismatch(k.attrs() != auth.attrs(), ATTR_VALUE_MISMATCH, ATTR_VALUE_MISMATCH, errors, objectErrors);
        mismatch(k.omap() != auth.omap(), OMAP_DIGEST_MISMATCH, OMAP_DIGEST_MISMATCH, errors, objectErrors);
        mismatch(deep && k.data() != auth.data(), DATA_DIGEST_MISMATCH, DATA_DIGEST_MISMATCH, errors, objectErrors);
        return errors;
    }

    private static void mismatch(boolean differs, String shardError, String objectError, List<String> errors,
                                 Set<String> objectErrors) {
        if (differs) {
            errors.add(shardError);
            objectErrors.add(objectError);
        }
    }
}
