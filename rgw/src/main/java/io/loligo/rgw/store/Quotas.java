package io.loligo.rgw.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Quota enforcement, as radosgw does it: a bucket owner's {@code bucket_quota} limits each of its
 * buckets and its {@code user_quota} the sum of all of them (max size in bytes, max objects; -1
 * unlimited). A change that adds objects or bytes past an enabled limit is refused with
 * {@link Exceeded}; changes that shrink usage are always admitted.
 *
 * <p>The counts are exact in RADOS (the bucket index lanes, {@link BucketIndex#mutate}); this
 * class caches them per gateway for {@code ttl} and adds, on top, what this gateway committed
 * since the read and what it has admitted but not yet committed (reserved). So one gateway never
 * lets concurrent writers overshoot a limit; with several gateways, each may admit what the others
 * committed within the last {@code ttl} (the overshoot is bounded by the writes of one TTL).
 * A cache refresh that races a local commit may count that commit twice until the next refresh:
 * the error is on the refusing side. Users without an enabled quota cost one cached user read.
 */
public final class Quotas implements BucketIndex.UsageGate {
    private final UserStore users;
    private final BucketStore buckets;
    private final BucketIndex index;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Tally> bucketTallies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Tally> userTallies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Limits> limits = new ConcurrentHashMap<>();
    private static final int ENTRIES_MAX = 100_000;

    /** A write refused because it would pass an enabled quota. */
    public static final class Exceeded extends RuntimeException {
        public Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    private record Limits(UserInfo.Quota user, UserInfo.Quota bucket, long expiresNanos) {
        boolean any() {
            return user.enabled() || bucket.enabled();
        }
    }

    public Quotas(UserStore users, BucketStore buckets, BucketIndex index, Duration ttl) {
        this.users = users;
        this.buckets = buckets;
        this.index = index;
        this.ttlNanos = ttl.toNanos();
    }

    /** Objects and bytes of one scope as this gateway knows them: read from RADOS, plus local commits and reservations. */
    static final class Tally {
        private final Supplier<BucketIndex.Usage> source;
        private final long ttlNanos;
        private BucketIndex.Usage base;
        private long fetchedNanos;
        private long localObjects;
        private long localBytes;
        private long reservedObjects;
        private long reservedBytes;
        private boolean refreshing;

        Tally(Supplier<BucketIndex.Usage> source, long ttlNanos) {
            this.source = source;
            this.ttlNanos = ttlNanos;
        }

        /**
         * Refreshes from RADOS when stale (outside the lock: a slow read blocks no commit). One read
         * at a time: while one is under way the others go on with the stale figures, or, before the
         * first read has landed, wait for it. (Concurrent first reads each kept the commits made
         * meanwhile on top of a read that already held them: a writer was refused below the limit.)
         */
        void refreshIfStale() {
            long now = System.nanoTime();
            long localObjectsAtStart;
            long localBytesAtStart;
            synchronized (this) {
                while (refreshing && base == null) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the quota usage");
                    }
                }
                if (refreshing || base != null && now - fetchedNanos < ttlNanos) {
                    return;
                }
                refreshing = true;
                localObjectsAtStart = localObjects;
                localBytesAtStart = localBytes;
            }
            BucketIndex.Usage read = null;
            try {
                read = source.get();
            } finally {
                synchronized (this) {
                    if (read != null) {
                        base = read;
                        fetchedNanos = now;
                        // commits made while reading may be in `read` too: kept (counted twice until the next refresh, never missed)
                        localObjects -= localObjectsAtStart;
                        localBytes -= localBytesAtStart;
                    }
                    refreshing = false;   // a failed read lets the next writer try again
                    notifyAll();
                }
            }
        }

        synchronized BucketIndex.Usage current() {
            BucketIndex.Usage b = base == null ? BucketIndex.Usage.ZERO : base;
            return new BucketIndex.Usage(b.objects() + localObjects + reservedObjects, b.bytes() + localBytes + reservedBytes);
        }

        /** Checks {@code q} against the usage plus this change and reserves it; throws Exceeded. */
        synchronized void reserve(UserInfo.Quota q, String scope, long objects, long bytes) {
            BucketIndex.Usage u = current();
            check(q, scope, u, objects, bytes);
            reservedObjects += objects;
            reservedBytes += bytes;
        }

        synchronized void settle(long objects, long bytes, boolean committed) {
            reservedObjects -= objects;
            reservedBytes -= bytes;
            if (committed) {
                localObjects += objects;
                localBytes += bytes;
            }
        }

        synchronized void committed(long objects, long bytes) {
            localObjects += objects;
            localBytes += bytes;
        }
    }

    static void check(UserInfo.Quota q, String scope, BucketIndex.Usage u, long objects, long bytes) {
        if (!q.enabled()) {
            return;
        }
        if (objects > 0 && q.maxObjects() >= 0 && u.objects() + objects > q.maxObjects()) {
            throw new Exceeded(scope + " quota exceeded: " + u.objects() + " objects stored, limit " + q.maxObjects());
        }
        if (bytes > 0 && q.maxSizeBytes() >= 0 && u.bytes() + bytes > q.maxSizeBytes()) {
            throw new Exceeded(scope + " quota exceeded: " + u.bytes() + " bytes stored + " + bytes + " > limit " + q.maxSizeBytes());
        }
    }

    private Limits limits(String uid) {
        long now = System.nanoTime();
        Limits l = limits.get(uid);
        if (l != null && now - l.expiresNanos() < 0) {
            return l;
        }
        Optional<UserInfo> u = users.info(uid);
        UserInfo.Quota none = UserInfo.Quota.NONE;
        l = new Limits(u.map(UserInfo::userQuota).filter(q -> q != null).orElse(none),
                u.map(UserInfo::bucketQuota).filter(q -> q != null).orElse(none), now + ttlNanos);
        if (limits.size() >= ENTRIES_MAX) {
            limits.clear();
        }
        limits.put(uid, l);
        return l;
    }

    private Tally bucketTally(BucketInfo b) {
        if (bucketTallies.size() >= ENTRIES_MAX) {
            bucketTallies.clear();
        }
        return bucketTallies.computeIfAbsent(b.id(), id -> new Tally(() -> index.usage(b), ttlNanos));
    }

    private Tally userTally(String uid) {
        if (userTallies.size() >= ENTRIES_MAX) {
            userTallies.clear();
        }
        return userTallies.computeIfAbsent(uid, id -> new Tally(() -> userUsage(uid), ttlNanos));
    }

    /** Everything {@code uid}'s buckets hold, read from RADOS (one xattr read per index shard of each bucket). */
    public BucketIndex.Usage userUsage(String uid) {
        BucketIndex.Usage sum = BucketIndex.Usage.ZERO;
        for (BucketInfo b : buckets.bucketsOf(uid)) {
            sum = sum.plus(index.usage(b));
        }
        return sum;
    }

    /** Forgets cached limits (after a local quota change that must show at once). */
    public void invalidate() {
        limits.clear();
    }

    /**
     * Early check, before a body is read: would adding {@code objects}/{@code bytes} to {@code b}
     * pass an enabled quota? Reserves nothing; the commit checks again.
     */
    public void check(BucketInfo b, long objects, long bytes) {
        Limits l = limits(b.owner());
        if (!l.any() || objects <= 0 && bytes <= 0) {
            return;
        }
        if (l.bucket().enabled()) {
            Tally t = bucketTally(b);
            t.refreshIfStale();
            check(l.bucket(), "bucket", t.current(), objects, bytes);
        }
        if (l.user().enabled()) {
            Tally t = userTally(b.owner());
            t.refreshIfStale();
            check(l.user(), "user", t.current(), objects, bytes);
        }
    }

    /** True when the owner of {@code b} has a quota enabled (callers skip early checks otherwise). */
    public boolean enforced(BucketInfo b) {
        return limits(b.owner()).any();
    }

    @Override
    public BucketIndex.Reservation reserve(BucketInfo b, long objects, long bytes) {
        Limits l = limits(b.owner());
        boolean grows = objects > 0 || bytes > 0;
        Tally bt = l.bucket().enabled() || bucketTallies.containsKey(b.id()) ? bucketTally(b) : null;
        Tally ut = l.user().enabled() || userTallies.containsKey(b.owner()) ? userTally(b.owner()) : null;
        if (!grows || !l.any()) {
            return new BucketIndex.Reservation() {
                @Override
                public void committed() {
                    if (bt != null) {
                        bt.committed(objects, bytes);
                    }
                    if (ut != null) {
                        ut.committed(objects, bytes);
                    }
                }

                @Override
                public void cancelled() {}
            };
        }
        Tally bucket = bucketTally(b);
        Tally user = userTally(b.owner());
        if (l.bucket().enabled()) {
            bucket.refreshIfStale();
        }
        if (l.user().enabled()) {
            user.refreshIfStale();
        }
        reserveBoth(l, bucket, user, objects, bytes);
        return new BucketIndex.Reservation() {
            @Override
            public void committed() {
                bucket.settle(objects, bytes, true);
                user.settle(objects, bytes, true);
            }

            @Override
            public void cancelled() {
                bucket.settle(objects, bytes, false);
                user.settle(objects, bytes, false);
            }
        };
    }

    private static void reserveBoth(Limits l, Tally bt, Tally ut, long objects, long bytes) {
        bt.reserve(l.bucket(), "bucket", objects, bytes);
        try {
            ut.reserve(l.user(), "user", objects, bytes);
        } catch (Exceeded e) {
            bt.settle(objects, bytes, false);
            throw e;
        }
    }
}
