package io.loligo.osd.cls;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code numops} (Ceph's cls_numops): arithmetic on a number kept as a decimal string in an omap
 * key, atomically on the primary. Input UTF-8 {@code "KEY VALUE"}; output the new value. A
 * missing key counts as 0; a key holding something that is not a number is EINVAL.
 * <ul>
 *   <li>{@code add}: key += value</li>
 *   <li>{@code mul}: key *= value</li>
 * </ul>
 */
final class NumOps {
    private NumOps() {}

    static void register(ObjectClasses r) {
        r.register("numops", "add", true, (ctx, in) -> apply(ctx, in, false));
        r.register("numops", "mul", true, (ctx, in) -> apply(ctx, in, true));
    }

    private static byte[] apply(MethodContext ctx, byte[] input, boolean multiply) throws ClassException {
        String[] words = new String(input, StandardCharsets.UTF_8).trim().split("\\s+");
        if (words.length != 2 || words[0].isEmpty()) {
            throw ClassException.invalid("numops: input must be 'KEY VALUE'");
        }
        BigDecimal operand = number(words[1], "value");
        byte[] old = ctx.exists() ? ctx.omapGet(List.of(words[0])).get(words[0]) : null;
        BigDecimal current = old == null ? BigDecimal.ZERO : number(new String(old, StandardCharsets.UTF_8), "stored value");
        BigDecimal next = multiply ? current.multiply(operand) : current.add(operand);
        byte[] out = next.stripTrailingZeros().toPlainString().getBytes(StandardCharsets.UTF_8);
        TreeMap<String, byte[]> set = new TreeMap<>();
        set.put(words[0], out);
        ctx.omapSet(set);
        return out;
    }

    private static BigDecimal number(String s, String what) throws ClassException {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            throw ClassException.invalid("numops: " + what + " '" + s + "' is not a number");
        }
    }
}
