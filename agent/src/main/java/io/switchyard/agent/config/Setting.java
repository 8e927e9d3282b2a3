package io.switchyard.agent.config;

/**
 * One setting of kube-proxy's configuration: where it sits in a {@code KubeProxyConfiguration}
 * file, the kube-proxy flag that sets it (null when there is none), and the kind of value it
 * holds. {@code T} is the Java type of the value, so lookups are typed.
 *
 * @param zeroIsUnset whether a zero value in the file means "not set" (kube-proxy's v1alpha1
 *                    defaulting treats non-pointer durations that way: {@code syncPeriod: 0s} is 30s)
 */
public record Setting<T>(String path, String flag, Kind kind, boolean zeroIsUnset) {

    /** The kinds of value a setting holds, and so how the file's YAML is read for it. */
    public enum Kind {
        /** A string; an empty string is the same as absent. */
        STRING,
        BOOLEAN,
        INTEGER,
        /** A decimal number (clientConnection.qps). */
        NUMBER,
        /** A Go duration string such as {@code 1m30s}. */
        DURATION,
        /** A Go duration string, or an integer number of nanoseconds (logging.flushFrequency). */
        DURATION_OR_NANOS,
        STRING_LIST,
        /** A map of feature-gate names to booleans. */
        GATES
    }

    static <T> Setting<T> of(String path, String flag, Kind kind) {
        return new Setting<>(path, flag, kind, false);
    }

    static <T> Setting<T> zeroIsUnset(String path, String flag, Kind kind) {
        return new Setting<>(path, flag, kind, true);
    }

    @Override
    public String toString() {
        return path;
    }
}
