package io.switchyard.agent.config;

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

/**
 * Every proxy setting after flags, the configuration file and kube-proxy's defaults have been
 * merged (flags win over the file), validated once, ready to build each family's proxier.
 *
 * @param nodePortAddresses  {@code --nodeport-addresses}: CIDRs, or the single word {@code primary}
 * @param master             {@code --master}: an API server URL overriding the kubeconfig's, or null
 */
public record ProxySettings(
        String hostname,
        String proxyMode,
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
        String master) {

    /** kube-proxy's gate for {@code hints.forNodes}; off in v1.32, whose rules we reproduce. */
    public static final String PREFER_SAME_TRAFFIC_DISTRIBUTION = "PreferSameTrafficDistribution";

    public ProxySettings {
        clusterCidrs = List.copyOf(clusterCidrs);
        nodePortAddresses = List.copyOf(nodePortAddresses);
        featureGates = Map.copyOf(featureGates);
        if (!proxyMode.equals("iptables")) {
            throw new ConfigException("--proxy-mode " + proxyMode + " is not supported yet; use iptables");
        }
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new ConfigException("--iptables-masquerade-bit must be within 0..31, got " + masqueradeBit);
        }
        switch (detectLocalMode) {
            case "ClusterCIDR", "NodeCIDR" -> { }
            case "BridgeInterface" -> {
                if (bridgeInterface == null || bridgeInterface.isEmpty()) {
                    throw new ConfigException("detect-local-mode BridgeInterface needs --pod-bridge-interface");
                }
            }
            case "InterfaceNamePrefix" -> {
                if (interfaceNamePrefix == null || interfaceNamePrefix.isEmpty()) {
                    throw new ConfigException("detect-local-mode InterfaceNamePrefix needs --pod-interface-name-prefix");
                }
            }
            default -> throw new ConfigException("unknown --detect-local-mode \"" + detectLocalMode
                    + "\" (want ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix)");
        }
        if (nodePortAddresses.contains("primary") && nodePortAddresses.size() > 1) {
            throw new ConfigException("--nodeport-addresses primary cannot be combined with CIDRs");
        }
        if (!nodePortAddresses.contains("primary")) {
            for (String cidr : nodePortAddresses) {
                try {
                    Cidr.parse(cidr);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("--nodeport-addresses: " + e.getMessage());
                }
            }
        }
        if (syncPeriod.isNegative() || syncPeriod.isZero()) {
            throw new ConfigException("--iptables-sync-period must be positive");
        }
        if (minSyncPeriod.isNegative()) {
            throw new ConfigException("--iptables-min-sync-period must not be negative");
        }
    }

    /** kube-proxy's defaults for a node, with the given cluster CIDRs (ClusterCIDR local detection). */
    public static ProxySettings defaults(String hostname, List<Cidr> clusterCidrs) {
        return new ProxySettings(hostname, "iptables", clusterCidrs, false, 14, true, List.of(), "ClusterCIDR",
                null, null, Map.of(), "", Duration.ofSeconds(30), Duration.ofSeconds(1), null, null);
    }

    /** The same settings with other sync periods. */
    public ProxySettings withSyncPeriods(Duration sync, Duration minSync) {
        return new ProxySettings(hostname, proxyMode, clusterCidrs, masqueradeAll, masqueradeBit, localhostNodePorts,
                nodePortAddresses, detectLocalMode, bridgeInterface, interfaceNamePrefix, featureGates,
                serviceProxyName, sync, minSync, kubeconfig, master);
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
