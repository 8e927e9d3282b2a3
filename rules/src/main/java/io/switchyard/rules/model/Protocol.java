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
}
