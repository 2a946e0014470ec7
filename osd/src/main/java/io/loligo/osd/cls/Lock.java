package io.loligo.osd.cls;

import io.loligo.messages.OsdResult;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code lock} (a reduced cls_lock): an exclusive advisory lock per name on an object, held by a
 * cookie, kept in the xattr {@code lock.NAME}. Input UTF-8 {@code "NAME COOKIE"}.
 * <ul>
 *   <li>{@code lock}: takes the lock (creates the object); EBUSY when another cookie holds it, OK
 *       again for the holder.</li>
 *   <li>{@code unlock}: releases it; ENOENT when this cookie does not hold it.</li>
 *   <li>{@code get_info} (read): the holder's cookie; ENOENT when free.</li>
 * </ul>
 */
final class Lock {
    private Lock() {}

    static void register(ObjectClasses r) {
        r.register("lock", "lock", true, Lock::lock);
        r.register("lock", "unlock", true, Lock::unlock);
        r.register("lock", "get_info", false, (ctx, in) -> holder(ctx, args(in, 1)[0])
                .orElseThrow(() -> new ClassException(OsdResult.ENOENT, "lock not held")));
    }

    private static String[] args(byte[] input, int n) throws ClassException {
        String[] w = new String(input, StandardCharsets.UTF_8).trim().split("\\s+");
        if (w.length != n || w[0].isEmpty()) {
            throw ClassException.invalid("lock: input must be " + (n == 1 ? "'NAME'" : "'NAME COOKIE'"));
        }
        return w;
    }

    private static Optional<byte[]> holder(MethodContext ctx, String name) throws ClassException {
        return ctx.exists() ? ctx.getXattr("lock." + name) : Optional.empty();
    }

    private static byte[] lock(MethodContext ctx, byte[] input) throws ClassException {
        String[] a = args(input, 2);
        Optional<byte[]> held = holder(ctx, a[0]);
        byte[] cookie = a[1].getBytes(StandardCharsets.UTF_8);
        if (held.isPresent() && !new String(held.get(), StandardCharsets.UTF_8).equals(a[1])) {
            throw new ClassException(OsdResult.EBUSY, "lock " + a[0] + " is held by another cookie");
        }
        ctx.setXattr("lock." + a[0], cookie);
        return new byte[0];
    }

    private static byte[] unlock(MethodContext ctx, byte[] input) throws ClassException {
        String[] a = args(input, 2);
        Optional<byte[]> held = holder(ctx, a[0]);
        if (held.isEmpty() || !new String(held.get(), StandardCharsets.UTF_8).equals(a[1])) {
            throw new ClassException(OsdResult.ENOENT, "lock " + a[0] + " is not held by cookie " + a[1]);
        }
        ctx.rmXattr("lock." + a[0]);
        return new byte[0];
    }
}
