package io.switchyard.agent.config;

import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.model.Printable;
import io.switchyard.agent.logging.LogFormat;
import io.switchyard.agent.logging.LoggingSettings;
import io.switchyard.ipvs.Schedulers;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import static io.switchyard.agent.config.KubeProxyFields.*;

/**
 * Merges flags over a configuration file over kube-proxy v1.32's defaults, validates the result,
 * and builds {@link ProxySettings}. Every message names where the bad value came from: the flag,
 * or the file and the field's path.
 */
public final class SettingsResolver {

    /** The merged settings and the warnings an operator should see once at start-up. */
    public record Resolved(ProxySettings settings, List<String> warnings) {
        public Resolved {
            warnings = List.copyOf(warnings);
        }
    }

    /** kube-proxy's defaults of settings Switchyard does not use: spelling them out is not worth a warning. */
    private static final Map<Setting<?>, Object> NOT_ACTED_ON_DEFAULTS = Map.of(
            CONTENT_TYPE, "application/vnd.kubernetes.protobuf", QPS, 5.0, BURST, 10);

    private final Map<Setting<?>, Object> flags;
    private final KubeProxyConfiguration file;

    /**
     * @param flags settings given on the command line, typed as {@link KubeProxyConfiguration#values()};
     *              an empty string for a bind address means "disabled", as on kube-proxy's command line
     */
    public SettingsResolver(Map<Setting<?>, Object> flags, KubeProxyConfiguration file) {
        this.flags = new LinkedHashMap<>(flags);
        this.file = file;
    }

    /**
     * @param serviceProxyName {@code --service-proxy-name} (a Switchyard flag with no config field)
     * @param master           {@code --master} (kube-proxy has no config field for it either)
     * @param systemHostname   the machine's hostname, asked only when no override is given
     */
    public Resolved resolve(String serviceProxyName, String master, Supplier<String> systemHostname) {
        ProxyMode mode = ProxyMode.parse(label(MODE), value(MODE));
        boolean ipvsMode = mode == ProxyMode.IPVS;
        Setting<Duration> sync = ipvsMode ? IPVS_SYNC_PERIOD : IPTABLES_SYNC_PERIOD;
        Setting<Duration> minSync = ipvsMode ? IPVS_MIN_SYNC_PERIOD : IPTABLES_MIN_SYNC_PERIOD;
        Duration syncPeriod = positive(sync, or(sync, Duration.ofSeconds(30)));
        Duration minSyncPeriod = notNegative(minSync, or(minSync, ipvsMode ? Duration.ZERO : Duration.ofSeconds(1)));
        if (minSyncPeriod.compareTo(syncPeriod) > 0) {
            throw new ConfigException(label(minSync) + " (" + GoDuration.format(minSyncPeriod)
                    + ") must not be longer than " + label(sync) + " (" + GoDuration.format(syncPeriod) + ")");
        }
        String bindAddress = value(BIND_ADDRESS);
        if (bindAddress != null && IpLiteral.parse(bindAddress) == null) {
            throw new ConfigException(label(BIND_ADDRESS) + ": want an IP address, got \"" + bindAddress + "\"");
        }
        boolean ipv6Bind = bindAddress != null && IpLiteral.familyOf(bindAddress) == IpFamily.IPV6;

        ProxySettings settings = new ProxySettings(
                hostname(systemHostname),
                mode,
                clusterCidrs(),
                or(MASQUERADE_ALL, false),
                masqueradeBit(),
                or(LOCALHOST_NODE_PORTS, true),
                nodePortAddresses(),
                detectLocalMode(),
                value(BRIDGE_INTERFACE),
                value(INTERFACE_NAME_PREFIX),
                featureGates(),
                Objects.requireNonNullElse(serviceProxyName, ""),
                syncPeriod,
                minSyncPeriod,
                value(KUBECONFIG),
                master,
                bindAddress(HEALTHZ_BIND_ADDRESS, ipv6Bind ? "::" : "0.0.0.0", ProxySettings.HEALTHZ_PORT),
                bindAddress(METRICS_BIND_ADDRESS, ipv6Bind ? "::1" : "127.0.0.1", ProxySettings.METRICS_PORT),
                or(BIND_ADDRESS_HARD_FAIL, false),
                ipvs(),
                conntrack(),
                oomScoreAdj(),
                positive(CONFIG_SYNC_PERIOD, or(CONFIG_SYNC_PERIOD, Duration.ofMinutes(15))),
                logging());
        return new Resolved(settings, warnings());
    }

    @SuppressWarnings("unchecked")
    private <T> T value(Setting<T> setting) {
        return flags.containsKey(setting) ? (T) flags.get(setting) : file.get(setting);
    }

    private <T> T or(Setting<T> setting, T fallback) {
        T value = value(setting);
        return value != null ? value : fallback;
    }

    /** Where a setting's value came from, for messages: the flag, or the file and the field. */
    private String label(Setting<?> setting) {
        if (flags.containsKey(setting)) {
            return setting.flag();
        }
        if (file.has(setting)) {
            return file.source() + ": " + setting.path();
        }
        return setting.flag() != null ? setting.flag() : setting.path();
    }

    private String hostname(Supplier<String> systemHostname) {
        String override = value(HOSTNAME_OVERRIDE);
        if (override == null) {
            return systemHostname.get().strip().toLowerCase(Locale.ROOT);
        }
        if (override.isBlank()) {
            throw new ConfigException(label(HOSTNAME_OVERRIDE) + ": an empty hostname override is invalid");
        }
        return override.strip().toLowerCase(Locale.ROOT);
    }

    private List<Cidr> clusterCidrs() {
        List<Cidr> cidrs = ProxySettings.parseCidrs(label(CLUSTER_CIDR), value(CLUSTER_CIDR));
        if (cidrs.size() > 2 || (cidrs.size() == 2 && cidrs.get(0).family() == cidrs.get(1).family())) {
            throw new ConfigException(label(CLUSTER_CIDR) + ": want one CIDR, or one IPv4 and one IPv6 CIDR, got \""
                    + value(CLUSTER_CIDR) + "\"");
        }
        return cidrs;
    }

    private int masqueradeBit() {
        int bit = or(MASQUERADE_BIT, 14);
        if (bit < 0 || bit > 31) {
            throw new ConfigException(label(MASQUERADE_BIT) + " must be within 0..31, got " + bit);
        }
        return bit;
    }

    private List<String> nodePortAddresses() {
        List<String> addresses = or(NODE_PORT_ADDRESSES, List.of());
        if (addresses.contains("primary")) {
            if (addresses.size() > 1) {
                throw new ConfigException(label(NODE_PORT_ADDRESSES) + ": primary cannot be combined with CIDRs");
            }
            return addresses;
        }
        for (String cidr : addresses) {
            try {
                Cidr.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(label(NODE_PORT_ADDRESSES) + ": " + e.getMessage());
            }
        }
        return addresses;
    }

    /** An interface name (or prefix) reaches iptables rules: it must be one, and nothing more. */
    private void requireInterfaceName(Setting<String> setting, boolean prefix) {
        String name = value(setting);
        String problem = LocalTrafficDetector.interfaceNameProblem(name, prefix);
        if (problem != null) {
            throw new ConfigException(label(setting) + " " + Printable.quote(name) + " " + problem);
        }
    }

    private String detectLocalMode() {
        String mode = or(DETECT_LOCAL_MODE, "ClusterCIDR");
        switch (mode) {
            case "ClusterCIDR", "NodeCIDR" -> { }
            case "BridgeInterface" -> {
                if (value(BRIDGE_INTERFACE) == null) {
                    throw new ConfigException(label(DETECT_LOCAL_MODE) + " BridgeInterface needs "
                            + BRIDGE_INTERFACE.flag() + " (" + BRIDGE_INTERFACE.path() + ")");
                }
                requireInterfaceName(BRIDGE_INTERFACE, false);
            }
            case "InterfaceNamePrefix" -> {
                if (value(INTERFACE_NAME_PREFIX) == null) {
                    throw new ConfigException(label(DETECT_LOCAL_MODE) + " InterfaceNamePrefix needs "
                            + INTERFACE_NAME_PREFIX.flag() + " (" + INTERFACE_NAME_PREFIX.path() + ")");
                }
                requireInterfaceName(INTERFACE_NAME_PREFIX, true);
            }
            default -> throw new ConfigException(label(DETECT_LOCAL_MODE) + ": unknown mode \"" + mode
                    + "\" (want ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix)");
        }
        return mode;
    }

    /** The file's gates with the flag's on top, gate by gate, as kube-proxy merges them. */
    @SuppressWarnings("unchecked")
    private Map<String, Boolean> featureGates() {
        Map<String, Boolean> fromFile = file.get(FEATURE_GATES);
        Map<String, Boolean> merged = new TreeMap<>(FeatureGates.validate(
                file.source() + ": " + FEATURE_GATES.path(), fromFile == null ? Map.of() : fromFile));
        Map<String, Boolean> fromFlag = (Map<String, Boolean>) flags.get(FEATURE_GATES);
        if (fromFlag != null) {
            merged.putAll(FeatureGates.validate(FEATURE_GATES.flag(), fromFlag));
        }
        return merged;
    }

    private Optional<BindAddress> bindAddress(Setting<String> setting, String defaultHost, int port) {
        String text = value(setting);
        if (text == null) {
            return Optional.of(new BindAddress(defaultHost, port));
        }
        return BindAddress.parse(label(setting), text, port);
    }

    private IpvsSettings ipvs() {
        String scheduler;
        try {
            scheduler = Schedulers.resolve(value(IPVS_SCHEDULER));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(label(IPVS_SCHEDULER) + ": " + e.getMessage());
        }
        List<Cidr> excluded = new ArrayList<>();
        for (String cidr : or(IPVS_EXCLUDE_CIDRS, List.<String>of())) {
            excluded.addAll(ProxySettings.parseCidrs(label(IPVS_EXCLUDE_CIDRS), cidr));
        }
        return new IpvsSettings(scheduler, excluded, or(IPVS_STRICT_ARP, false),
                notNegative(IPVS_TCP_TIMEOUT, or(IPVS_TCP_TIMEOUT, Duration.ZERO)),
                notNegative(IPVS_TCP_FIN_TIMEOUT, or(IPVS_TCP_FIN_TIMEOUT, Duration.ZERO)),
                notNegative(IPVS_UDP_TIMEOUT, or(IPVS_UDP_TIMEOUT, Duration.ZERO)));
    }

    private ConntrackSettings conntrack() {
        ConntrackSettings d = ConntrackSettings.defaults();
        return new ConntrackSettings(
                notNegative(CONNTRACK_MAX_PER_CORE, or(CONNTRACK_MAX_PER_CORE, d.maxPerCore())),
                notNegative(CONNTRACK_MIN, or(CONNTRACK_MIN, d.min())),
                notNegative(CONNTRACK_TCP_ESTABLISHED_TIMEOUT,
                        or(CONNTRACK_TCP_ESTABLISHED_TIMEOUT, d.tcpEstablishedTimeout())),
                notNegative(CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT,
                        or(CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT, d.tcpCloseWaitTimeout())),
                or(CONNTRACK_TCP_BE_LIBERAL, false),
                notNegative(CONNTRACK_UDP_TIMEOUT, or(CONNTRACK_UDP_TIMEOUT, Duration.ZERO)),
                notNegative(CONNTRACK_UDP_STREAM_TIMEOUT, or(CONNTRACK_UDP_STREAM_TIMEOUT, Duration.ZERO)));
    }

    private int oomScoreAdj() {
        int value = or(OOM_SCORE_ADJ, ProxySettings.DEFAULT_OOM_SCORE_ADJ);
        if (value < -1000 || value > 1000) {
            throw new ConfigException(label(OOM_SCORE_ADJ) + " must be within -1000..1000, got " + value);
        }
        return value;
    }

    private LoggingSettings logging() {
        LogFormat format;
        try {
            format = LogFormat.parse(value(LOGGING_FORMAT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(label(LOGGING_FORMAT) + ": " + e.getMessage());
        }
        return new LoggingSettings(format, notNegative(LOGGING_VERBOSITY, or(LOGGING_VERBOSITY, 0)));
    }

    private Duration positive(Setting<Duration> setting, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException(label(setting) + " must be greater than 0, got " + GoDuration.format(value));
        }
        return value;
    }

    private Duration notNegative(Setting<Duration> setting, Duration value) {
        if (value.isNegative()) {
            throw new ConfigException(label(setting) + " must not be negative, got " + GoDuration.format(value));
        }
        return value;
    }

    private int notNegative(Setting<Integer> setting, int value) {
        if (value < 0) {
            throw new ConfigException(label(setting) + " must not be negative, got " + value);
        }
        return value;
    }

    /** The file's own warnings, then one per setting kube-proxy would act on and Switchyard does not. */
    private List<String> warnings() {
        List<String> out = new ArrayList<>(file.warnings());
        for (Setting<?> setting : NOT_ACTED_ON) {
            Object value = value(setting);
            boolean unspecifiedBind = setting == BIND_ADDRESS && value instanceof String ip
                    && (ip.equals("0.0.0.0") || IpLiteral.canonical(ip).equals("::"));
            boolean kubeProxysDefault = value != null && value.equals(NOT_ACTED_ON_DEFAULTS.get(setting));
            if (!ConfigValues.isZero(value) && !unspecifiedBind && !kubeProxysDefault) {
                out.add(label(setting) + " is accepted but not used by Switchyard" + (setting == BIND_ADDRESS
                        ? " (node IPs come from the Node object's addresses)" : ""));
            }
        }
        return out;
    }
}
