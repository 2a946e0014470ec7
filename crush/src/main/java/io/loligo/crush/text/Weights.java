package io.loligo.crush.text;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Ceph's 16.16 fixed-point weight arithmetic for the text format, bit for bit.
 *
 * <p>Compiling: {@code weight = strtof(text) * (float)0x10000} stored in an unsigned 32-bit int
 * (CrushCompiler::parse_bucket): single-precision parse, a product that is exact in float (a power
 * of two), then truncation toward zero. So {@code 3.640} gives 238551 and {@code 0.250} 16384.
 *
 * <p>Printing: {@code snprintf("%.3f", (float)w / (float)0x10000)}: the int is first rounded to
 * float, and glibc rounds the exact binary value half to even (1.0625 prints as {@code 1.062}),
 * which {@link BigDecimal} of the exact double reproduces; Java's own {@code %.3f} would not.
 */
public final class Weights {
    private Weights() {}

    /** 0x10000: weight 1.0. */
    public static final int ONE = 0x10000;
    /** CRUSH_MAX_DEVICE_WEIGHT: 100.0. */
    public static final long MAX_DEVICE_WEIGHT = 100L * ONE;
    /** CRUSH_MAX_BUCKET_WEIGHT: 65535.0. */
    public static final long MAX_BUCKET_WEIGHT = 65535L * ONE;

    /**
     * The 16.16 value Ceph compiles from a weight literal already checked to be a decimal number,
     * or -1 when it is negative, or {@link Long#MAX_VALUE} when it does not fit in 32 bits.
     */
    static long fromText(String literal) {
        float value = Float.parseFloat(literal);
        float scaled = value * (float) ONE;
        if (Float.isInfinite(scaled) || scaled >= 4294967296f) {
            return Long.MAX_VALUE;
        }
        long truncated = (long) scaled;
        return truncated < 0 ? -1 : truncated;
    }

    /** {@code %.3f} of {@code (float)weight / 0x10000}, exactly as Ceph's print_fixedpoint. */
    public static String format(int weight) {
        float value = (float) weight / (float) ONE;
        String text = new BigDecimal(value).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
        if (value < 0 && !text.startsWith("-")) {
            text = "-" + text;   // glibc keeps the sign of a negative value that rounds to zero
        }
        return text;
    }
}
