package io.switchyard.agent.config;

/** The proxy modes Switchyard runs, spelled as kube-proxy's {@code --proxy-mode} / {@code mode} spell them. */
public enum ProxyMode {
    IPTABLES("iptables"),
    IPVS("ipvs");

    private final String configValue;

    ProxyMode(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }

    /** The mode for a flag or field value: empty means iptables, as on kube-proxy for Linux. */
    static ProxyMode parse(String label, String value) {
        if (value == null || value.isEmpty()) {
            return IPTABLES;
        }
        for (ProxyMode mode : values()) {
            if (mode.configValue.equals(value)) {
                return mode;
            }
        }
        if (value.equals("nftables") || value.equals("kernelspace")) {
            throw new ConfigException(label + ": proxy mode \"" + value
                    + "\" is not supported by Switchyard (use iptables or ipvs)");
        }
        throw new ConfigException(label + ": unknown proxy mode \"" + value + "\" (want iptables or ipvs)");
    }

    @Override
    public String toString() {
        return configValue;
    }
}
