package io.switchyard.rules.iptables;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The {@code --probability} strings of {@code -m statistic}: 1/n with exactly ten decimals,
 * rounded half-to-even from the exact double, as Go's {@code %0.10f} does. Cached, because
 * every service with n endpoints asks for the same n strings.
 */
public final class Probabilities {

    private String[] cache = new String[0];

    /** The probability that the first of n remaining endpoints takes a new connection. */
    public String oneIn(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        if (n >= cache.length) {
            cache = Arrays.copyOf(cache, Math.max(n + 1, cache.length * 2));
        }
        String p = cache[n];
        if (p == null) {
            p = format(n);
            cache[n] = p;
        }
        return p;
    }

    /** Formats 1/n without the cache. */
    public static String format(int n) {
        return new BigDecimal(1.0 / n).setScale(10, RoundingMode.HALF_EVEN).toPlainString();
    }
}
