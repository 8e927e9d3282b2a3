package io.switchyard.agent.logging;

/**
 * How the process logs: the format and klog's verbosity ({@code -v}). Verbosity 0 and 1 log
 * information, warnings and errors; 2 and 3 add kube-proxy's V(2) details (per-sync summaries);
 * 4 and up add debugging detail.
 */
public record LoggingSettings(LogFormat format, int verbosity) {

    public LoggingSettings {
        if (format == null) {
            throw new IllegalArgumentException("logging format is required");
        }
        if (verbosity < 0) {
            throw new IllegalArgumentException("verbosity must not be negative, got " + verbosity);
        }
    }

    /** kube-proxy's default: text at verbosity 0. */
    public static LoggingSettings defaults() {
        return new LoggingSettings(LogFormat.TEXT, 0);
    }
}
