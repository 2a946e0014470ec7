package io.loligo.rgw.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Object heads in the bucket index, and the rule that keeps a crash harmless: data is written to
 * new, uniquely named stripes first; only then does one atomic omap update of the key's index
 * shard make the new head visible (and hide the old one). Data that is no longer referenced (the
 * replaced head's stripes) is queued for {@link Gc}. A crash before the index update leaves only
 * unreferenced stripes (never a visible half-written object); concurrent overwrites of one key may
 * leak the stripes of a write that lost the race (found by an orphan scan, never live data).
 *
 * <p>Every head is also recorded as a version ({@code v} entries, newest first), in every bucket:
 * in an unversioned bucket the only version is the current one (id "null") and an overwrite
 * replaces it; with versioning Enabled each write adds a version and a delete adds a delete marker;
 * Suspended writes and deletes replace the "null" version.
 */
public final class ObjectStore {
    public static final String NULL_VERSION = "null";
    /**
     * Objects up to this size keep their data inline: an omap value {@code d KEY NUL VERSIONID} in
     * the key's index shard, written in the same atomic update as the head. A small PUT is then one
     * replicated write instead of two, and a small GET one read (head and data fetched together).
     * Listings never read {@code d} entries.
     */
    public static final int INLINE_BYTES_MAX = 32 << 10;
    /** The manifest segment prefix that marks inline data. */
    public static final String INLINE = "@inline";
    private static final AtomicLong VERSION_SEQ = new AtomicLong();
    private final BucketIndex index;
    private final Gc gc;
    private volatile BucketIndex.UsageGate gate = BucketIndex.UsageGate.NONE;

    public ObjectStore(BucketIndex index, Gc gc) {
        this.index = index;
        this.gc = gc;
    }

    /** A unique name prefix for new data of {@code b}: {@code BUCKETID_RANDOM}. */
    public static String newPrefix(BucketInfo b) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return b.id() + "_" + HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextInt());
    }

    /** A new version id; later ids sort first (inverted microsecond clock, then random). */
    public static String newVersionId() {
        long micros = System.currentTimeMillis() * 1000 + Math.floorMod(VERSION_SEQ.incrementAndGet(), 1000);
        return HexFormat.of().toHexDigits(Long.MAX_VALUE - micros) + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** The version id a write gets in {@code b}. */
    public static String versionFor(BucketInfo b) {
        return "Enabled".equals(b.versioning()) ? newVersionId() : NULL_VERSION;
    }

    public static boolean isInline(ObjectEntry e) {
        return e.manifest().size() == 1 && e.manifest().get(0).prefix().equals(INLINE);
    }

    static String dataKey(ObjectEntry e) {
        return BucketIndex.DATA + e.key() + BucketIndex.SEP + e.versionId();
    }

    /** A head together with its inline data (null when the data is striped). */
    public record HeadAndData(ObjectEntry head, byte[] inline) {}

    /** The current head and, for a small object, its data: one omap read in the common case. */
    public Optional<HeadAndData> headWithData(BucketInfo b, String key) {
        String headKey = BucketIndex.OBJECT + key;
        String nullData = BucketIndex.DATA + key + BucketIndex.SEP + NULL_VERSION;
        var m = index.getMany(b, key, List.of(headKey, nullData));
        byte[] h = m.get(headKey);
        if (h == null) {
            return Optional.empty();
        }
        ObjectEntry e = RgwPools.fromJson(h, ObjectEntry.class);
        if (!isInline(e)) {
            return Optional.of(new HeadAndData(e, null));
        }
        byte[] data = e.versionId().equals(NULL_VERSION) ? m.get(nullData) : inlineData(b, e);
        return Optional.of(new HeadAndData(e, data == null ? new byte[0] : data));
    }

    /** The inline data of a small object's head (empty when none is stored). */
    public byte[] inlineData(BucketInfo b, ObjectEntry e) {
        return index.get(b, e.key(), dataKey(e)).orElse(new byte[0]);
    }

    public Optional<ObjectEntry> head(BucketInfo b, String key) {
        return index.get(b, key, BucketIndex.OBJECT + key).map(v -> RgwPools.fromJson(v, ObjectEntry.class));
    }

    /** A version's index key: v KEY NUL (Long.MAX - mtime, 16 hex) NUL VERSIONID: newest first. */
    static String versionKey(ObjectEntry e) {
        return BucketIndex.VERSION + e.key() + BucketIndex.SEP + String.format("%016x", Long.MAX_VALUE - e.mtimeMillis())
                + BucketIndex.SEP + e.versionId();
    }

    /** Every version of {@code key}, newest first. */
    public List<ObjectEntry> versions(BucketInfo b, String key) {
        List<ObjectEntry> out = new ArrayList<>();
        try (BucketIndex.Scan s = index.scan(b, BucketIndex.VERSION, key + BucketIndex.SEP, "")) {
            while (s.hasNext()) {
                out.add(RgwPools.fromJson(s.next().getValue(), ObjectEntry.class));
            }
        }
        return out;
    }

    public Optional<ObjectEntry> version(BucketInfo b, String key, String versionId) {
        return versions(b, key).stream().filter(v -> v.versionId().equals(versionId)).findFirst();
    }

    /**
     * Makes {@code entry} the current object and records it as a version; the version it replaces
     * (same id "null", or the current one in an unversioned bucket) is removed and its data queued
     * for GC. Returns the previous head.
     */
    public Optional<ObjectEntry> commit(BucketInfo b, ObjectEntry entry) {
        return commitReplacing(b, entry, null, List.of());
    }

    /** {@link #commit} of a small object whose data goes inline, in the same atomic update. */
    public Optional<ObjectEntry> commitInline(BucketInfo b, ObjectEntry entry, byte[] data) {
        return commitReplacing(b, entry, data, List.of());
    }

    /** What a guarded change did: the head before it, and the versions it removed (their data goes to GC). */
    private record Outcome(Optional<ObjectEntry> before, List<ObjectEntry> removed) {}

    private static long objects(ObjectEntry e) {
        return e.deleteMarker() ? 0 : 1;
    }

    private static long bytes(ObjectEntry e) {
        return e.deleteMarker() ? 0 : e.size();
    }

    private static Optional<ObjectEntry> parse(byte[] v) {
        return v == null ? Optional.empty() : Optional.of(RgwPools.fromJson(v, ObjectEntry.class));
    }

    /** Applies a guarded change (see {@link BucketIndex#mutate}), then queues the removed versions' data for GC. */
    private Outcome apply(BucketInfo b, String key, java.util.function.Function<Optional<ObjectEntry>, BucketIndex.Planned<Outcome>> plan) {
        String headKey = BucketIndex.OBJECT + key;
        Outcome o = index.mutate(b, key, List.of(headKey), m -> plan.apply(parse(m.get(headKey))), gate);
        for (ObjectEntry r : o.removed()) {
            if (!isInline(r)) {
                gc.enqueue(r.manifest());
            }
        }
        return o;
    }

    /** {@link #commit}, also removing {@code alsoRemove} (index keys of the same shard) in the same atomic update. */
    public Optional<ObjectEntry> commitReplacing(BucketInfo b, ObjectEntry entry, byte[] inline, List<String> alsoRemove) {
        if (!b.versioned() && alsoRemove.isEmpty() && insertNew(b, entry, inline)) {
            return Optional.empty();
        }
        return apply(b, entry.key(), old -> {
            List<ObjectEntry> replaced = new ArrayList<>();
            if (!b.versioned()) {
                old.ifPresent(replaced::add);
            } else if (entry.versionId().equals(NULL_VERSION)) {
                if (old.isPresent() && old.get().versionId().equals(NULL_VERSION)) {
                    replaced.add(old.get());
                } else {
                    version(b, entry.key(), NULL_VERSION).ifPresent(replaced::add);
                }
            }
            Map<String, byte[]> set = new HashMap<>();
            List<String> remove = new ArrayList<>(alsoRemove);
            byte[] json = RgwPools.toJson(entry);
            long dObjects = objects(entry);
            long dBytes = bytes(entry);
            for (ObjectEntry r : replaced) {
                remove.add(versionKey(r));
                if (isInline(r)) {
                    remove.add(dataKey(r));
                }
                dObjects -= objects(r);
                dBytes -= bytes(r);
            }
            set.put(BucketIndex.OBJECT + entry.key(), json);
            set.put(versionKey(entry), json);
            if (inline != null) {
                set.put(dataKey(entry), inline);
            }
            remove.removeIf(set::containsKey);
            return new BucketIndex.Planned<>(new BucketIndex.Change(set, remove, dObjects, dBytes), new Outcome(old, replaced));
        }).before();
    }

    /**
     * The common case of an unversioned bucket, a key without a head: one write that sets the head,
     * its version entry and any inline data, guarded on the OSD by the head's absence
     * ({@link BucketIndex#insert}); false when the key has a head (then {@link #apply} replaces it).
     * In an unversioned bucket an absent head means no version and no inline data of the key either:
     * nothing is replaced, nothing goes to GC.
     */
    private boolean insertNew(BucketInfo b, ObjectEntry entry, byte[] inline) {
        byte[] json = RgwPools.toJson(entry);
        Map<String, byte[]> set = new HashMap<>();
        set.put(BucketIndex.OBJECT + entry.key(), json);
        set.put(versionKey(entry), json);
        if (inline != null) {
            set.put(dataKey(entry), inline);
        }
        BucketIndex.Change c = new BucketIndex.Change(set, List.of(), objects(entry), bytes(entry));
        return index.insert(b, entry.key(), BucketIndex.OBJECT + entry.key(), c, gate);
    }

    /** Removes the current object of an unversioned bucket (its data goes to GC); returns it. */
    public Optional<ObjectEntry> delete(BucketInfo b, String key) {
        return apply(b, key, old -> {
            if (old.isEmpty()) {
                return new BucketIndex.Planned<>(BucketIndex.Change.NONE, new Outcome(old, List.of()));
            }
            return new BucketIndex.Planned<>(removal(old.get(), true, Map.of()), new Outcome(old, List.of(old.get())));
        }).before();
    }

    /** Removes version {@code v} (and the head when {@code head}), setting {@code set}. */
    private static BucketIndex.Change removal(ObjectEntry v, boolean head, Map<String, byte[]> set) {
        List<String> remove = new ArrayList<>(List.of(versionKey(v)));
        if (head) {
            remove.add(BucketIndex.OBJECT + v.key());
        }
        if (isInline(v)) {
            remove.add(dataKey(v));
        }
        return new BucketIndex.Change(set, remove, -objects(v), -bytes(v));
    }

    /**
     * Removes one version; if it was the current one, the next newer remaining version (or nothing)
     * becomes current. Returns the removed version.
     */
    public Optional<ObjectEntry> deleteVersion(BucketInfo b, String key, String versionId) {
        Outcome o = apply(b, key, cur -> {
            List<ObjectEntry> all = versions(b, key);
            Optional<ObjectEntry> victim = all.stream().filter(v -> v.versionId().equals(versionId)).findFirst();
            boolean isCurrent = cur.isPresent() && cur.get().versionId().equals(versionId);
            if (victim.isEmpty()) {
                if (isCurrent) {   // an object written before versioning, without a version entry
                    return new BucketIndex.Planned<>(removal(cur.get(), true, Map.of()), new Outcome(cur, List.of(cur.get())));
                }
                return new BucketIndex.Planned<>(BucketIndex.Change.NONE, new Outcome(cur, List.of()));
            }
            Map<String, byte[]> set = new HashMap<>();
            boolean removeHead = false;
            if (isCurrent) {
                Optional<ObjectEntry> next = all.stream().filter(v -> !v.versionId().equals(versionId)).findFirst();
                if (next.isPresent()) {
                    set.put(BucketIndex.OBJECT + key, RgwPools.toJson(next.get()));
                } else {
                    removeHead = true;
                }
            }
            return new BucketIndex.Planned<>(removal(victim.get(), removeHead, set), new Outcome(cur, List.of(victim.get())));
        });
        return o.removed().stream().findFirst();
    }

    /**
     * Rewrites the head of version {@code versionId} of {@code key} in place (tags, ACL) without
     * touching its data, applying {@code change} to the entry as it is now; empty when that
     * version no longer exists.
     */
    public Optional<ObjectEntry> rewriteHead(BucketInfo b, String key, String versionId, java.util.function.UnaryOperator<ObjectEntry> change) {
        Outcome o = apply(b, key, cur -> {
            boolean isCurrent = cur.isPresent() && cur.get().versionId().equals(versionId);
            Optional<ObjectEntry> v = isCurrent ? cur : version(b, key, versionId);
            if (v.isEmpty() || v.get().deleteMarker()) {
                return new BucketIndex.Planned<>(BucketIndex.Change.NONE, new Outcome(Optional.empty(), List.of()));
            }
            ObjectEntry changed = change.apply(v.get());
            byte[] json = RgwPools.toJson(changed);
            Map<String, byte[]> set = new HashMap<>();
            if (isCurrent) {
                set.put(BucketIndex.OBJECT + key, json);
            }
            set.put(versionKey(changed), json);
            return new BucketIndex.Planned<>(new BucketIndex.Change(set, List.of(), 0, 0), new Outcome(Optional.of(changed), List.of()));
        });
        return o.before();
    }

    /** Sets the gate that admits usage changes (quota enforcement); the default admits everything. */
    public void gate(BucketIndex.UsageGate g) {
        this.gate = g;
    }

    public BucketIndex index() {
        return index;
    }

    public Gc gc() {
        return gc;
    }
}
