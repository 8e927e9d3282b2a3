package io.switchyard.agent.healthcheck;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Prints instants as Go's {@code time.Time.String()} does, the form kube-proxy's /healthz body
 * carries: {@code 2024-05-01 10:00:00.5 +0000 UTC m=+12.000000001}. Times are printed in UTC (as
 * in kube-proxy's container); the {@code m=} monotonic reading counts from an origin the caller
 * chooses, where Go counts from the start of the process.
 */
final class GoTime {

    /** Go's zero {@code time.Time}. */
    static final Instant ZERO = LocalDateTime.of(1, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);

    private GoTime() {
    }

    /** The zero time prints without a monotonic reading, as in Go. */
    static String format(Instant time, Instant monotonicOrigin) {
        LocalDateTime local = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(64);
        pad(out, local.getYear(), 4).append('-');
        pad(out, local.getMonthValue(), 2).append('-');
        pad(out, local.getDayOfMonth(), 2).append(' ');
        pad(out, local.getHour(), 2).append(':');
        pad(out, local.getMinute(), 2).append(':');
        pad(out, local.getSecond(), 2);
        appendFraction(out, local.getNano());
        out.append(" +0000 UTC");
        if (!time.equals(ZERO)) {
            Duration monotonic = Duration.between(monotonicOrigin, time);
            out.append(" m=").append(monotonic.isNegative() ? '-' : '+');
            Duration magnitude = monotonic.abs();
            out.append(magnitude.getSeconds()).append('.');
            pad(out, magnitude.getNano(), 9);
        }
        return out.toString();
    }

    /** Go's {@code .999999999}: the fraction without trailing zeros, nothing when it is zero. */
    private static void appendFraction(StringBuilder out, int nanos) {
        if (nanos == 0) {
            return;
        }
        String digits = String.format("%09d", nanos);
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        out.append('.').append(digits, 0, end);
    }

    private static StringBuilder pad(StringBuilder out, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }
}
