package io.switchyard.agent.logging;

import java.util.Locale;

/** The log formats kube-proxy offers through {@code --logging-format}: klog text lines, or one JSON object per line. */
public enum LogFormat {
    TEXT("text"),
    JSON("json");

    private final String configValue;

    LogFormat(String configValue) {
        this.configValue = configValue;
    }

    /** The spelling in flags and in the configuration file. */
    public String configValue() {
        return configValue;
    }

    /** The format for a flag or field value; null or empty means text; anything else unknown is an error. */
    public static LogFormat parse(String value) {
        if (value == null || value.isEmpty()) {
            return TEXT;
        }
        for (LogFormat format : values()) {
            if (format.configValue.equals(value.toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown logging format \"" + value + "\" (want text or json)");
    }

    @Override
    public String toString() {
        return configValue;
    }
}
