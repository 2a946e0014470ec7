package io.loligo.msg;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (never a fixed sleep as synchronisation). */
final class Await {
    private Await() {}

    static void until(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + deadline + " waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
