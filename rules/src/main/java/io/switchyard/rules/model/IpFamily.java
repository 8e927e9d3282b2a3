package io.switchyard.rules.model;

/** The address family one proxier serves; kube-proxy runs one proxier per family. */
public enum IpFamily {
    IPV4("IPv4"),
    IPV6("IPv6");

    private final String apiName;

    IpFamily(String apiName) {
        this.apiName = apiName;
    }

    /** The spelling the Kubernetes API and kube-proxy flags use: {@code IPv4} or {@code IPv6}. */
    public String apiName() {
        return apiName;
    }

    /** Parses {@code IPv4}/{@code IPv6} as the API spells them (case-insensitive). */
    public static IpFamily fromApiName(String name) {
        for (IpFamily family : values()) {
            if (family.apiName.equalsIgnoreCase(name)) {
                return family;
            }
        }
        throw new IllegalArgumentException("unknown IP family " + Printable.quote(name) + " (want IPv4 or IPv6)");
    }

    @Override
    public String toString() {
        return apiName;
    }
}
