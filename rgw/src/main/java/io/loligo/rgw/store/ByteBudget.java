package io.loligo.rgw.store;

import io.loligo.common.Invariants;
import java.util.concurrent.Semaphore;

/** A bound on bytes of buffers in use, shared by all requests; waiting is uninterruptible and fair. */
final class ByteBudget {
    private final Semaphore bytes;
    private final int capacity;

    ByteBudget(int capacity) {
        Invariants.check(capacity >= ObjectEntry.Segment.STRIPE_BYTES, "byte budget %d below one stripe", capacity);
        this.capacity = capacity;
        this.bytes = new Semaphore(capacity, true);
    }

    void acquire(int n) {
        Invariants.check(n >= 0 && n <= capacity, "byte budget: asked for %d of %d", n, capacity);
        if (n > 0) {
            bytes.acquireUninterruptibly(n);
        }
    }

    void release(int n) {
        if (n > 0) {
            bytes.release(n);
        }
    }

    int available() {
        return bytes.availablePermits();
    }
}
