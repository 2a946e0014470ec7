package io.loligo.crush.tester;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Number formatting as C++ iostreams do it by default, for byte-identical crushtool output. */
final class CppFormat {
    private CppFormat() {}

    /**
     * {@code std::ostream << double} with the default flags: {@code %g} with precision 6, i.e. six
     * significant digits, trailing zeros removed, scientific notation when the decimal exponent
     * is below -4 or at least 6. Rounds the exact binary value half-even, as glibc's printf does.
     */
    static String general(double v) {
        if (Double.isNaN(v)) {
            return Double.doubleToRawLongBits(v) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(v)) {
            return v < 0 ? "-inf" : "inf";
        }
        if (v == 0) {
            return (Double.doubleToRawLongBits(v) < 0) ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(6, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 6) {
            BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
            String m = mantissa.toPlainString();
            String sign = exponent < 0 ? "-" : "+";
            int e = Math.abs(exponent);
            return m + "e" + sign + (e < 10 ? "0" : "") + e;
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    /** {@code ostream << float}: the float is widened to double and formatted as {@link #general(double)}. */
    static String general(float v) {
        return general((double) v);
    }
}
