package io.loligo.rgw.store;

import io.loligo.client.IoContext;
import io.loligo.client.ObjectReadOperation;
import io.loligo.client.ObjectWriteOperation;
import io.loligo.client.RadosException;
import io.loligo.client.ReadResult;
import io.loligo.messages.OsdOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * A bucket's index: {@code shards} omap objects {@code .dir.BUCKETID.N} in {@code .rgw.buckets.index}.
 * An object key lives in shard {@code crc32c(utf8(key)) mod shards}, so one bucket spreads over
 * several PGs and OSDs; a listing merges the shards' sorted omaps (k-way, by code point, which is
 * UTF-8 byte order, the order S3 lists in).
 *
 * <p>Omap keys start with a kind character: {@code o} + key → the current {@link ObjectEntry};
 * {@code v} + key + NUL + inverted-time version id → a version (versioned buckets);
 * {@code m} + key + NUL + upload id → a multipart upload in progress;
 * {@code d} + key + NUL + version id → the data of a small object kept inline (see {@link ObjectStore}).
 */
public final class BucketIndex {
    public static final char OBJECT = 'o';
    public static final char VERSION = 'v';
    public static final char UPLOAD = 'm';
    public static final char DATA = 'd';
    public static final String SEP = "\u0000";
    /** The largest code point: a key past every key that starts with a given prefix. */
    public static final String MAX_CHAR = new String(Character.toChars(Character.MAX_CODE_POINT));
    private static final int PAGE = 1000;
    private static final String GUARD = "bucket";
    private final IoContext io;

    public BucketIndex(IoContext io) {
        this.io = io;
    }

    public static String shardOid(BucketInfo b, int shard) {
        return ".dir." + b.id() + "." + shard;
    }

    public static int shardOf(BucketInfo b, String key) {
        CRC32C crc = new CRC32C();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % b.shards());
    }

    /** A write to the index of a bucket that was deleted meanwhile (the shard's {@code bucket} xattr is gone). */
    public static final class BucketGone extends RuntimeException {
        private final String bucket;

        public BucketGone(String bucket) {
            super("bucket " + bucket + " was deleted", null, false, false);
            this.bucket = bucket;
        }

        public String bucket() {
            return bucket;
        }
    }

    /** Creates the shards, each with xattr {@code bucket} = the bucket id that every index update checks. */
    public void createShards(BucketInfo b) {
        List<CompletableFuture<?>> fs = new ArrayList<>();
        byte[] id = b.id().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.shards(); i++) {
            fs.add(io.operateAsync(shardOid(b, i), new ObjectWriteOperation().create(false).setXattr(GUARD, id)));
        }
        fs.forEach(f -> IoContextAwait.join(f));
    }

    public void removeShards(BucketInfo b) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < b.shards(); i++) {
            fs.add(io.removeAsync(shardOid(b, i)).exceptionally(t -> null));
        }
        fs.forEach(CompletableFuture::join);
    }

    /** The value at {@code kind + id} in the shard of {@code key}. */
    public Optional<byte[]> get(BucketInfo b, String key, String omapKey) {
        try {
            SortedMap<String, byte[]> m = io.omapGet(shardOid(b, shardOf(b, key)), List.of(omapKey));
            return Optional.ofNullable(m.get(omapKey));
        } catch (RadosException.ObjectNotFound e) {
            return Optional.empty();
        }
    }

    /** The values at several omap keys of {@code key}'s shard, read in one operation. */
    public SortedMap<String, byte[]> getMany(BucketInfo b, String key, List<String> omapKeys) {
        try {
            return io.omapGet(shardOid(b, shardOf(b, key)), omapKeys);
        } catch (RadosException.ObjectNotFound e) {
            return new java.util.TreeMap<>();
        }
    }

    /** Sets and removes entries of {@code key}'s shard in one atomic operation. */
    public void update(BucketInfo b, String key, Map<String, byte[]> set, Collection<String> remove) {
        // guarded: an update racing DeleteBucket fails instead of re-creating a removed shard
        ObjectWriteOperation op = new ObjectWriteOperation().cmpXattr(GUARD, OsdOp.CmpOp.EQ, b.id().getBytes(StandardCharsets.UTF_8));
        if (!remove.isEmpty()) {
            op.omapRmKeys(remove);
        }
        if (!set.isEmpty()) {
            op.omapSet(set);
        }
        if (set.isEmpty() && remove.isEmpty()) {
            return;
        }
        try {
            io.operate(shardOid(b, shardOf(b, key)), op);
        } catch (RadosException.Canceled | RadosException.ObjectNotFound e) {
            throw new BucketGone(b.name());
        }
    }

    /** True when no entry of {@code kind} exists in any shard. */
    public boolean noneOf(BucketInfo b, char kind) {
        try (Scan s = scan(b, kind, "", "")) {
            return !s.hasNext();
        }
    }

    /**
     * Entries of {@code kind} whose key (without the kind character) starts with {@code prefix} and
     * sorts after {@code startAfter}, in order, merged over the shards and fetched a page at a time.
     */
    public Scan scan(BucketInfo b, char kind, String prefix, String startAfter) {
        String k = String.valueOf(kind);
        String after = startAfter.isEmpty() || compare(startAfter, prefix) < 0 ? "" : k + startAfter;
        return new Scan(b, k + prefix, after);
    }

    /** Code point order (UTF-8 byte order), unlike String.compareTo for characters past U+FFFF. */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** A merged, lazily paged iteration over a bucket's shards. Keys are returned without the kind character. */
    public final class Scan implements Iterator<Map.Entry<String, byte[]>>, AutoCloseable {
        private final BucketInfo bucket;
        private final String prefix;
        private final PriorityQueue<Shard> heads = new PriorityQueue<>(Comparator.comparing((Shard s) -> s.buf.peekFirst().getKey(), BucketIndex::compare));

        private final class Shard {
            final int n;
            final ArrayDeque<Map.Entry<String, byte[]>> buf = new ArrayDeque<>();
            String after;
            boolean more = true;

            Shard(int n, String after) {
                this.n = n;
                this.after = after;
            }

            CompletableFuture<Void> fetch() {
                ObjectReadOperation op = new ObjectReadOperation();
                int i = op.omapList(after, prefix, PAGE, false);
                return io.operateAsync(shardOid(bucket, n), op).handle((ReadResult r, Throwable t) -> {
                    if (t != null) {
                        Throwable c = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
                        if (c instanceof RadosException.ObjectNotFound) {
                            more = false;
                            return null;
                        }
                        throw c instanceof RuntimeException re ? re : new RuntimeException(c);
                    }
                    SortedMap<String, byte[]> e = r.entries(i);
                    buf.addAll(e.entrySet());
                    more = r.more(i) && !e.isEmpty();
                    if (!e.isEmpty()) {
                        after = e.lastKey();
                    }
                    return null;
                });
            }
        }

        Scan(BucketInfo bucket, String prefix, String after) {
            this.bucket = bucket;
            this.prefix = prefix;
            List<Shard> shards = new ArrayList<>();
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < bucket.shards(); i++) {
                Shard s = new Shard(i, after);
                shards.add(s);
                fs.add(s.fetch());
            }
            for (CompletableFuture<Void> f : fs) {
                IoContextAwait.join(f);
            }
            for (Shard s : shards) {
                if (!s.buf.isEmpty()) {
                    heads.add(s);
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !heads.isEmpty();
        }

        @Override
        public Map.Entry<String, byte[]> next() {
            Shard s = heads.poll();
            if (s == null) {
                throw new NoSuchElementException();
            }
            Map.Entry<String, byte[]> e = s.buf.pollFirst();
            if (s.buf.isEmpty() && s.more) {
                IoContextAwait.join(s.fetch());
            }
            if (!s.buf.isEmpty()) {
                heads.add(s);
            }
            return Map.entry(e.getKey().substring(1), e.getValue());
        }

        @Override
        public void close() {
            heads.clear();
        }
    }
}
