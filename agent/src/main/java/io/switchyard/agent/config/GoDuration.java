package io.switchyard.agent.config;

import java.time.Duration;

/** Parses durations spelled the Go way ({@code 30s}, {@code 1m0s}, {@code 500ms}, {@code 1h30m}), as kube-proxy's flags and config take them. */
public final class GoDuration {

    private GoDuration() {
    }

    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        long nanos = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            double value = Double.parseDouble(s.substring(start, i));
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unit = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw new IllegalArgumentException("invalid duration \"" + text + "\": unknown or missing unit");
            };
            nanos += Math.round(value * unit);
        }
        return Duration.ofNanos(negative ? -nanos : nanos);
    }
}
