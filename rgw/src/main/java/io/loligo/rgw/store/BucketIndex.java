package io.loligo.rgw.store;

import io.loligo.client.IoContext;
import io.loligo.client.ObjectReadOperation;
import io.loligo.client.ObjectWriteOperation;
import io.loligo.client.RadosException;
import io.loligo.client.ReadResult;
import io.loligo.messages.OsdOp;
import io.loligo.msg.Encoder;
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

    // ---- guarded read-modify-write, and usage counters ----

    /**
     * Usage lanes per shard. Every change to an object's heads or versions goes through
     * {@link #mutate}: it reads the key's lane xattr ({@code q.N}: sequence, objects, bytes) with the
     * entries it needs, and writes the entries together with the lane's new value, guarded by
     * {@code cmpxattr q.N == what was read}. So a change is applied against exactly the state it
     * was planned on (two racing overwrites of one key: the loser re-reads and replaces the winner,
     * so nothing leaks), and the counters are exact; writers of different lanes never conflict.
     */
    public static final int LANES = 16;
    private static final int MUTATE_ATTEMPTS_MAX = 200;
    private final java.util.concurrent.atomic.LongAdder guardedWrites = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder lostRaces = new java.util.concurrent.atomic.LongAdder();

    /** Guarded index writes that applied (since start). */
    public long guardedWrites() {
        return guardedWrites.sum();
    }

    /** Guarded index writes that lost the race for their lane and were planned again (since start). */
    public long lostRaces() {
        return lostRaces.sum();
    }

    /** One lane's counters: {@code seq} grows with every guarded change (so equal values mean "unchanged"). */
    public record Lane(long seq, long objects, long bytes) {
        static final Lane ZERO = new Lane(0, 0, 0);

        byte[] encode() {
            return (seq + " " + objects + " " + bytes).getBytes(StandardCharsets.US_ASCII);
        }

        static Lane decode(byte[] v) {
            if (v == null || v.length == 0) {
                return ZERO;
            }
            String[] f = new String(v, StandardCharsets.US_ASCII).split(" ");
            if (f.length != 3) {
                throw new IllegalStateException("corrupt usage lane '" + new String(v, StandardCharsets.US_ASCII) + "'");
            }
            return new Lane(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        }
    }

    /** Objects and bytes stored in a bucket (every stored version; delete markers and multipart uploads in progress not counted). */
    public record Usage(long objects, long bytes) {
        public static final Usage ZERO = new Usage(0, 0);

        public Usage plus(Usage o) {
            return new Usage(objects + o.objects, bytes + o.bytes);
        }
    }

    /** Admission of a change in usage (quota enforcement): {@link #reserve} may refuse by throwing. */
    public interface UsageGate {
        UsageGate NONE = (b, objects, bytes) -> Reservation.NONE;

        /** Called before a guarded change that adds {@code objects}/{@code bytes} (either may be negative). */
        Reservation reserve(BucketInfo b, long objects, long bytes);
    }

    /** The outcome of a reserved change: exactly one of the two is called. */
    public interface Reservation {
        Reservation NONE = new Reservation() {
            @Override
            public void committed() {}

            @Override
            public void cancelled() {}
        };

        void committed();

        void cancelled();
    }

    /** What a planned change writes (omap entries set and removed) and how it changes usage. */
    public record Change(Map<String, byte[]> set, Collection<String> remove, long objects, long bytes) {
        public static final Change NONE = new Change(Map.of(), List.of(), 0, 0);

        boolean isEmpty() {
            return set.isEmpty() && remove.isEmpty();
        }
    }

    /** A change and the value the caller gets once it is applied. */
    public record Planned<T>(Change change, T result) {}

    /** Too many guarded attempts lost to concurrent writers of the same lane. */
    public static final class Contended extends RuntimeException {
        public Contended(String what) {
            super(what, null, false, false);
        }
    }

    static String laneName(int lane) {
        return "q." + lane;
    }

    public static int laneOf(BucketInfo b, String key) {
        CRC32C crc = new CRC32C();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() / b.shards() % LANES);
    }

    /**
     * Reads {@code keys} of {@code key}'s shard, plans a change on them with {@code plan} (which may
     * read more: anything it reads is newer than the lane value the write is guarded on), asks
     * {@code gate} to admit its usage delta, and applies it atomically, guarded by the bucket id
     * and the lane; on a lost race, re-reads and plans again.
     */
    public <T> T mutate(BucketInfo b, String key, List<String> keys, java.util.function.Function<Map<String, byte[]>, Planned<T>> plan,
                        UsageGate gate) {
        String oid = shardOid(b, shardOf(b, key));
        String lane = laneName(laneOf(b, key));
        byte[] id = b.id().getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < MUTATE_ATTEMPTS_MAX; attempt++) {
            ObjectReadOperation read = new ObjectReadOperation();
            int attrsAt = read.getXattrs();
            int valsAt = keys.isEmpty() ? -1 : read.omapGetValsByKeys(keys);
            ReadResult r;
            try {
                r = io.operate(oid, read);
            } catch (RadosException.ObjectNotFound e) {
                throw new BucketGone(b.name());
            }
            SortedMap<String, byte[]> attrs = r.entries(attrsAt);
            if (!java.util.Arrays.equals(attrs.get(GUARD), id)) {
                throw new BucketGone(b.name());
            }
            byte[] laneValue = attrs.getOrDefault(lane, new byte[0]);
            Lane before = Lane.decode(laneValue);
            Planned<T> p = plan.apply(valsAt < 0 ? Map.of() : r.entries(valsAt));
            Change c = p.change();
            if (c.isEmpty()) {
                return p.result();
            }
            Reservation reservation = gate.reserve(b, c.objects(), c.bytes());
            Lane after = new Lane(before.seq() + 1, before.objects() + c.objects(), before.bytes() + c.bytes());
            ObjectWriteOperation op = new ObjectWriteOperation().cmpXattr(GUARD, OsdOp.CmpOp.EQ, id)
                    .cmpXattr(lane, OsdOp.CmpOp.EQ, laneValue).setXattr(lane, after.encode());
            if (!c.remove().isEmpty()) {
                op.omapRmKeys(c.remove());
            }
            if (!c.set().isEmpty()) {
                op.omapSet(c.set());
            }
            try {
                io.operate(oid, op);
            } catch (RadosException.Canceled lost) {
                reservation.cancelled();   // the lane (or the bucket) changed since the read: plan again
                lostRaces.increment();
                backoff(attempt);
                continue;
            } catch (RadosException.ObjectNotFound e) {
                reservation.cancelled();
                throw new BucketGone(b.name());
            } catch (RuntimeException e) {
                reservation.cancelled();
                throw e;
            }
            reservation.committed();
            guardedWrites.increment();
            return p.result();
        }
        throw new Contended("bucket " + b.name() + " key " + key + ": " + MUTATE_ATTEMPTS_MAX + " attempts lost to concurrent writers");
    }

    /** False once an OSD answered that it has no {@code rgw_index} class (older OSDs): then every change reads first. */
    private volatile boolean insertSupported = true;
    private final java.util.concurrent.atomic.LongAdder inserts = new java.util.concurrent.atomic.LongAdder();

    /** Changes applied by {@link #insert} in one write, without reading first (since start). */
    public long inserts() {
        return inserts.sum();
    }

    /**
     * Applies {@code c} to {@code key}'s shard in one write, provided the shard holds no omap key
     * {@code absentKey} (a new object: nothing to replace): the OSD's {@code rgw_index.insert}
     * checks the bucket guard and the absence, adds the change's usage to the key's lane (bumping
     * its sequence, so a concurrent {@link #mutate} of the lane re-plans) and sets the entries, all
     * in one atomic step. Returns false, having changed nothing, when {@code absentKey} exists or the
     * OSDs lack the class, or {@code gate} refuses (an overwrite adds less than a new object): the caller then plans with {@link #mutate}. The input is the class's
     * struct v1 { string guard_name; bytes guard_value; string absent_key; string lane_name;
     * s64 objects; s64 bytes; map&lt;string, bytes&gt; set } (see {@code io.loligo.osd.cls.RgwIndex}).
     */
    public boolean insert(BucketInfo b, String key, String absentKey, Change c, UsageGate gate) {
        if (!insertSupported || !c.remove().isEmpty()) {
            return false;
        }
        byte[] id = b.id().getBytes(StandardCharsets.UTF_8);
        java.util.TreeMap<String, byte[]> set = new java.util.TreeMap<>(c.set());
        byte[] input = Encoder.toBytes(out -> out.struct(1, 1, o -> o.putString(GUARD).putBytes(id)
                .putString(absentKey).putString(laneName(laneOf(b, key))).putLong(c.objects()).putLong(c.bytes())
                .putMap(set, Encoder::putString, Encoder::putBytes)));
        Reservation reservation;
        try {
            reservation = gate.reserve(b, c.objects(), c.bytes());
        } catch (RuntimeException refused) {
            return false;   // counted as a new object; if the key exists its delta is smaller: the read-modify-write decides
        }
        try {
            IoContextAwait.join(io.execAsync(shardOid(b, shardOf(b, key)), "rgw_index", "insert", input));
        } catch (RadosException.ObjectExists exists) {
            reservation.cancelled();
            return false;
        } catch (RadosException.NotSupported old) {
            reservation.cancelled();
            insertSupported = false;
            return false;
        } catch (RadosException.Canceled | RadosException.ObjectNotFound e) {
            reservation.cancelled();
            throw new BucketGone(b.name());
        } catch (RuntimeException e) {
            reservation.cancelled();
            throw e;
        }
        reservation.committed();
        inserts.increment();
        return true;
    }

    private static void backoff(int attempt) {
        if (attempt < 2) {
            return;
        }
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 2 + Math.min(attempt, 20)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Contended("interrupted");
        }
    }

    /** The bucket's usage: the sum of every shard's lanes (one xattr read per shard, in parallel). */
    public Usage usage(BucketInfo b) {
        List<CompletableFuture<ReadResult>> fs = new ArrayList<>();
        for (int i = 0; i < b.shards(); i++) {
            ObjectReadOperation op = new ObjectReadOperation();
            op.getXattrs();
            fs.add(io.operateAsync(shardOid(b, i), op));
        }
        long objects = 0;
        long bytes = 0;
        for (CompletableFuture<ReadResult> f : fs) {
            SortedMap<String, byte[]> attrs;
            try {
                attrs = IoContextAwait.join(f).entries(0);
            } catch (RadosException.ObjectNotFound e) {
                continue;   // the bucket was deleted meanwhile: it holds nothing
            }
            for (int l = 0; l < LANES; l++) {
                Lane lane = Lane.decode(attrs.get(laneName(l)));
                objects += lane.objects();
                bytes += lane.bytes();
            }
        }
        return new Usage(objects, bytes);
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
