package io.switchyard.agent.config;

import io.switchyard.agent.logging.LoggingSettings;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every proxy setting after flags, the configuration file and kube-proxy's defaults have been
 * merged (flags win over the file, the file over defaults) and validated by
 * {@link SettingsResolver}, ready to build the proxier of the chosen mode.
 *
 * @param mode               {@code --proxy-mode}: iptables or ipvs
 * @param nodePortAddresses  {@code --nodeport-addresses}: CIDRs, or the single word {@code primary}
 * @param syncPeriod         the longest time between full syncs, of the chosen mode's section
 *                           ({@code iptables.syncPeriod} or {@code ipvs.syncPeriod})
 * @param minSyncPeriod      the shortest time between syncs, of the chosen mode's section
 * @param master             {@code --master}: an API server URL overriding the kubeconfig's, or null
 * @param healthzBindAddress where /healthz and /livez listen (default 0.0.0.0:10256); empty when disabled
 * @param metricsBindAddress where /metrics listens (default 127.0.0.1:10249); empty when disabled
 * @param bindAddressHardFail whether failing to bind a server ends the process
 * @param oomScoreAdj        the value for /proc/self/oom_score_adj (kube-proxy's default -999)
 * @param configSyncPeriod   how often informers re-list (kube-proxy's default 15m)
 */
public record ProxySettings(
        String hostname,
        ProxyMode mode,
        List<Cidr> clusterCidrs,
        boolean masqueradeAll,
        int masqueradeBit,
        boolean localhostNodePorts,
        List<String> nodePortAddresses,
        String detectLocalMode,
        String bridgeInterface,
        String interfaceNamePrefix,
        Map<String, Boolean> featureGates,
        String serviceProxyName,
        Duration syncPeriod,
        Duration minSyncPeriod,
        String kubeconfig,
        String master,
        Optional<BindAddress> healthzBindAddress,
        Optional<BindAddress> metricsBindAddress,
        boolean bindAddressHardFail,
        IpvsSettings ipvs,
        ConntrackSettings conntrack,
        int oomScoreAdj,
        Duration configSyncPeriod,
        LoggingSettings logging) {

    /** kube-proxy's gate for {@code hints.forNodes}; off in v1.32, whose rules we reproduce. */
    public static final String PREFER_SAME_TRAFFIC_DISTRIBUTION = FeatureGates.PREFER_SAME_TRAFFIC_DISTRIBUTION;

    /** kube-proxy's health-check server port (/healthz, /livez). */
    public static final int HEALTHZ_PORT = 10256;
    /** kube-proxy's metrics server port (/metrics, /proxyMode). */
    public static final int METRICS_PORT = 10249;
    /** kube-proxy's OOM score adjustment: killed after almost everything else. */
    public static final int DEFAULT_OOM_SCORE_ADJ = -999;

    public ProxySettings {
        clusterCidrs = List.copyOf(clusterCidrs);
        nodePortAddresses = List.copyOf(nodePortAddresses);
        featureGates = Map.copyOf(featureGates);
        if (mode == null || healthzBindAddress == null || metricsBindAddress == null || ipvs == null
                || conntrack == null || logging == null || syncPeriod == null || minSyncPeriod == null
                || configSyncPeriod == null) {
            throw new IllegalArgumentException("incomplete proxy settings");
        }
    }

    /** kube-proxy's defaults for a node, with the given cluster CIDRs (ClusterCIDR local detection). */
    public static ProxySettings defaults(String hostname, List<Cidr> clusterCidrs) {
        return new ProxySettings(hostname, ProxyMode.IPTABLES, clusterCidrs, false, 14, true, List.of(), "ClusterCIDR",
                null, null, Map.of(), "", Duration.ofSeconds(30), Duration.ofSeconds(1), null, null,
                Optional.of(new BindAddress("0.0.0.0", HEALTHZ_PORT)),
                Optional.of(new BindAddress("127.0.0.1", METRICS_PORT)), false, IpvsSettings.defaults(),
                ConntrackSettings.defaults(), DEFAULT_OOM_SCORE_ADJ, Duration.ofMinutes(15), LoggingSettings.defaults());
    }

    /** The same settings with other sync periods. */
    public ProxySettings withSyncPeriods(Duration sync, Duration minSync) {
        return new ProxySettings(hostname, mode, clusterCidrs, masqueradeAll, masqueradeBit, localhostNodePorts,
                nodePortAddresses, detectLocalMode, bridgeInterface, interfaceNamePrefix, featureGates,
                serviceProxyName, sync, minSync, kubeconfig, master, healthzBindAddress, metricsBindAddress,
                bindAddressHardFail, ipvs, conntrack, oomScoreAdj, configSyncPeriod, logging);
    }

    /** The mode as kube-proxy spells it: {@code iptables} or {@code ipvs}. */
    public String proxyMode() {
        return mode.configValue();
    }

    /** Parses a comma-separated CIDR list such as {@code --cluster-cidr}. */
    public static List<Cidr> parseCidrs(String flag, String value) {
        List<Cidr> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(Cidr.parse(part));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(flag + ": " + e.getMessage());
            }
        }
        return out;
    }

    public boolean preferSameNodeHints() {
        return featureGates.getOrDefault(PREFER_SAME_TRAFFIC_DISTRIBUTION, false);
    }

    /** The iptables settings of one family's proxier on the given node. */
    public IptablesConfig iptablesConfig(IpFamily family, LocalNode node) {
        return new IptablesConfig(family, masqueradeBit, masqueradeAll, localDetector(family, node),
                localhostNodePorts, nodePortAddresses(family, node), false, true, true, preferSameNodeHints());
    }

    private NodePortAddresses nodePortAddresses(IpFamily family, LocalNode node) {
        if (nodePortAddresses.equals(List.of("primary"))) {
            String primary = node.primaryAddress(family);
            return primary.isEmpty() ? new NodePortAddresses(false, List.of())
                    : NodePortAddresses.of(family, List.of(Cidr.host(primary)));
        }
        return NodePortAddresses.of(family, nodePortAddresses.stream().map(Cidr::parse).toList());
    }

    private LocalTrafficDetector localDetector(IpFamily family, LocalNode node) {
        return switch (detectLocalMode) {
            case "NodeCIDR" -> byFirstCidr(family, validCidrs(node.podCidrs()));
            case "BridgeInterface" -> new LocalTrafficDetector.ByBridge(bridgeInterface);
            case "InterfaceNamePrefix" -> new LocalTrafficDetector.ByInterfacePrefix(interfaceNamePrefix);
            default -> byFirstCidr(family, clusterCidrs);
        };
    }

    private static List<Cidr> validCidrs(List<String> texts) {
        List<Cidr> out = new ArrayList<>();
        for (String text : texts) {
            try {
                out.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                // A malformed podCIDR on the Node simply gives no detection for that family.
            }
        }
        return out;
    }

    /** Detect by the first CIDR of the family; with none, kube-proxy does no detection at all. */
    private static LocalTrafficDetector byFirstCidr(IpFamily family, List<Cidr> cidrs) {
        return cidrs.stream().filter(c -> c.family() == family).findFirst()
                .<LocalTrafficDetector>map(c -> new LocalTrafficDetector.ByCidr(c.toString()))
                .orElse(new LocalTrafficDetector.None());
    }
}
