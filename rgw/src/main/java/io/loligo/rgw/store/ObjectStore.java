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

    /** {@link #commit}, also removing {@code alsoRemove} (index keys of the same shard) in the same atomic update. */
    public Optional<ObjectEntry> commitReplacing(BucketInfo b, ObjectEntry entry, byte[] inline, List<String> alsoRemove) {
        Optional<ObjectEntry> old = head(b, entry.key());
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
        for (ObjectEntry r : replaced) {
            remove.add(versionKey(r));
            if (isInline(r)) {
                remove.add(dataKey(r));
            }
        }
        set.put(BucketIndex.OBJECT + entry.key(), json);
        set.put(versionKey(entry), json);
        if (inline != null) {
            set.put(dataKey(entry), inline);
        }
        remove.removeIf(set::containsKey);
        index.update(b, entry.key(), set, remove);
        for (ObjectEntry r : replaced) {
            gc.enqueue(r.manifest());
        }
        return old;
    }

    /** Removes the current object of an unversioned bucket (its data goes to GC); returns it. */
    public Optional<ObjectEntry> delete(BucketInfo b, String key) {
        Optional<ObjectEntry> old = head(b, key);
        if (old.isPresent()) {
            List<String> remove = new ArrayList<>(List.of(BucketIndex.OBJECT + key, versionKey(old.get())));
            if (isInline(old.get())) {
                remove.add(dataKey(old.get()));
            }
            index.update(b, key, Map.of(), remove);
            gc.enqueue(old.get().manifest());
        }
        return old;
    }

    /**
     * Removes one version; if it was the current one, the next newer remaining version (or nothing)
     * becomes current. Returns the removed version.
     */
    public Optional<ObjectEntry> deleteVersion(BucketInfo b, String key, String versionId) {
        List<ObjectEntry> all = versions(b, key);
        Optional<ObjectEntry> victim = all.stream().filter(v -> v.versionId().equals(versionId)).findFirst();
        if (victim.isEmpty()) {
            Optional<ObjectEntry> cur = head(b, key);
            if (cur.isPresent() && cur.get().versionId().equals(versionId)) {
                return delete(b, key);   // an object written before versioning, without a version entry
            }
            return Optional.empty();
        }
        Optional<ObjectEntry> cur = head(b, key);
        Map<String, byte[]> set = new HashMap<>();
        List<String> remove = new ArrayList<>(List.of(versionKey(victim.get())));
        if (isInline(victim.get())) {
            remove.add(dataKey(victim.get()));
        }
        if (cur.isPresent() && cur.get().versionId().equals(versionId)) {
            Optional<ObjectEntry> next = all.stream().filter(v -> !v.versionId().equals(versionId)).findFirst();
            if (next.isPresent()) {
                set.put(BucketIndex.OBJECT + key, RgwPools.toJson(next.get()));
            } else {
                remove.add(BucketIndex.OBJECT + key);
            }
        }
        index.update(b, key, set, remove);
        gc.enqueue(victim.get().manifest());
        return victim;
    }

    /** Rewrites an existing head in place (tags, ACL) without touching its data. */
    public void rewriteHead(BucketInfo b, ObjectEntry entry, boolean isCurrent) {
        Map<String, byte[]> set = new HashMap<>();
        byte[] json = RgwPools.toJson(entry);
        if (isCurrent) {
            set.put(BucketIndex.OBJECT + entry.key(), json);
        }
        set.put(versionKey(entry), json);
        index.update(b, entry.key(), set, List.of());
    }

    public BucketIndex index() {
        return index;
    }

    public Gc gc() {
        return gc;
    }
}
