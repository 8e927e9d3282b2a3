package io.switchyard.rules.model;

import java.util.Locale;

/** The transport protocols a Service port can carry. */
public enum Protocol {
    TCP,
    UDP,
    SCTP;

    private final String lower = name().toLowerCase(Locale.ROOT);

    /** Lower case, as iptables matches and chain-name hashes spell it. */
    public String lowerCase() {
        return lower;
    }

    /** Parses the API spelling; an absent protocol means TCP, as the API server defaults it. */
    public static Protocol fromApi(String value) {
        if (value == null || value.isEmpty()) {
            return TCP;
        }
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "TCP" -> TCP;
            case "UDP" -> UDP;
            case "SCTP" -> SCTP;
            default -> throw new IllegalArgumentException("unsupported protocol " + Printable.quote(value));
        };
    }
}
