package io.loligo.common;

/**
 * Always-on checks of what must hold inside the program (STYLE.md section 3). A failure is a
 * bug, never bad input: input from outside is validated with typed errors instead.
 */
public final class Invariants {
    private Invariants() {}

    /** Fails with an {@link IllegalStateException} carrying the formatted message when {@code condition} is false. */
    public static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + String.format(format, args));
        }
    }

    /** Same as {@link #check} for a message without arguments; avoids varargs allocation on hot paths. */
    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + message);
        }
    }
}
