package io.loligo.osd.objectstore;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named fault points (FoundationDB's BUGGIFY, Ratis' CodeInjectionForTesting): production code calls
 * {@link #point(String)} at each step where a crash or an I/O error matters; the call does nothing
 * unless a test has armed that name. A child process is armed from the system property
 * {@code loligo.faults}, a comma-separated list of {@code name:action:hit}, where action is
 * {@code halt} (the process dies at once, exit code {@link #HALT_EXIT_CODE}, as under kill -9) or
 * {@code ioerror} (the point throws an {@link IOException}) and hit is the 1-based hit that fires.
 * An in-process test may also {@link #hook} a point: its code runs at every hit, on the thread that
 * reached it, and may block there (how a test puts two threads in the order a race needs).
 */
public final class Faults {
    /** Exit code of a process halted by an armed fault point. */
    public static final int HALT_EXIT_CODE = 86;

    public enum Action { HALT, IO_ERROR }

    private record Arm(Action action, long fireOnHit) {}

    private static final Map<String, Arm> ARMED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> HITS = new ConcurrentHashMap<>();
    private static final Map<String, Runnable> HOOKS = new ConcurrentHashMap<>();
    private static volatile boolean anyArmed;

    static {
        String spec = System.getProperty("loligo.faults", "");
        for (String item : spec.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            String[] parts = item.trim().split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("loligo.faults item '" + item + "': expected name:action:hit");
            }
            Action action = switch (parts[1]) {
                case "halt" -> Action.HALT;
                case "ioerror" -> Action.IO_ERROR;
                default -> throw new IllegalArgumentException(
                        "loligo.faults item '" + item + "': action '" + parts[1] + "' (expected: halt or ioerror)");
            };
            arm(parts[0], action, Long.parseLong(parts[2]));
        }
    }

    private Faults() {}

    /** Arms {@code name}: its {@code fireOnHit}-th hit from now performs {@code action}. */
    public static void arm(String name, Action action, long fireOnHit) {
        if (fireOnHit < 1) {
            throw new IllegalArgumentException("fault " + name + ": hit " + fireOnHit + " (expected: 1+)");
        }
        HITS.computeIfAbsent(name, n -> new AtomicLong()).set(0);
        ARMED.put(name, new Arm(action, fireOnHit));
        anyArmed = true;
    }

    /** Runs {@code hook} at every hit of {@code name} from now (in-process tests only). */
    public static void hook(String name, Runnable hook) {
        HITS.computeIfAbsent(name, n -> new AtomicLong()).set(0);
        HOOKS.put(name, hook);
        anyArmed = true;
    }

    public static void disarmAll() {
        ARMED.clear();
        HOOKS.clear();
        anyArmed = false;
    }

    /** How often {@code name} was reached while any fault was armed (tests assert a point was hit). */
    public static long hits(String name) {
        AtomicLong hits = HITS.get(name);
        return hits == null ? 0 : hits.get();
    }

    /** A fault point. Inert (one volatile read) unless a test armed faults. */
    public static void point(String name) throws IOException {
        if (!anyArmed) {
            return;
        }
        long hit = HITS.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
        Runnable hook = HOOKS.get(name);
        if (hook != null) {
            hook.run();
        }
        Arm arm = ARMED.get(name);
        if (arm == null || hit != arm.fireOnHit()) {
            return;
        }
        switch (arm.action()) {
            case HALT -> {
                System.out.flush();
                Runtime.getRuntime().halt(HALT_EXIT_CODE);
            }
            case IO_ERROR -> throw new IOException("injected I/O error at fault point " + name);
        }
    }
}
