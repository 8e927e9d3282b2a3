package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.GoDuration;
import io.switchyard.agent.config.KubeProxyConfiguration;
import io.switchyard.agent.config.ProxySettings;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The kube-proxy flags Switchyard shares between its commands. Every field is null unless given
 * on the command line, so that flags can win over the configuration file, which wins over
 * kube-proxy's defaults.
 */
public final class ProxyFlags {

    @Option(names = "--config", paramLabel = "FILE", description = "A KubeProxyConfiguration file; flags given on the command line override it.")
    Path config;

    @Option(names = "--hostname-override", paramLabel = "NAME", description = "The name of this node (default: the hostname).")
    String hostnameOverride;

    @Option(names = "--proxy-mode", paramLabel = "MODE", description = "Which proxy mode to use: iptables.")
    String proxyMode;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR[,CIDR]", description = "The pod CIDR(s) of the cluster; traffic from outside them to a cluster IP is masqueraded.")
    String clusterCidr;

    @Option(names = "--masquerade-all", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "SNAT all traffic sent via service cluster IPs.")
    Boolean masqueradeAll;

    @Option(names = "--iptables-masquerade-bit", paramLabel = "BIT", description = "The fwmark bit marking packets for SNAT, 0..31 (default 14).")
    Integer masqueradeBit;

    @Option(names = "--iptables-localhost-nodeports", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Accept node ports on 127.0.0.0/8 (default true).")
    Boolean localhostNodePorts;

    @Option(names = "--nodeport-addresses", split = ",", paramLabel = "CIDR", description = "Addresses node ports answer on: CIDRs, or 'primary' (default: all local addresses).")
    List<String> nodePortAddresses;

    @Option(names = "--detect-local-mode", paramLabel = "MODE", description = "How pod traffic is told apart: ClusterCIDR (default), NodeCIDR, BridgeInterface, InterfaceNamePrefix.")
    String detectLocalMode;

    @Option(names = "--pod-bridge-interface", paramLabel = "NAME", description = "The bridge for detect-local-mode BridgeInterface.")
    String bridgeInterface;

    @Option(names = "--pod-interface-name-prefix", paramLabel = "PREFIX", description = "The interface prefix for detect-local-mode InterfaceNamePrefix.")
    String interfaceNamePrefix;

    @Option(names = "--feature-gates", split = ",", paramLabel = "NAME=BOOL", description = "Feature gates, as kube-proxy takes them (PreferSameTrafficDistribution).")
    Map<String, String> featureGates;

    @Option(names = "--service-proxy-name", paramLabel = "NAME", description = "Only handle Services labelled service.kubernetes.io/service-proxy-name=NAME.")
    String serviceProxyName;

    @Option(names = "--iptables-sync-period", paramLabel = "DURATION", description = "Longest time between full syncs (default 30s).")
    String syncPeriod;

    @Option(names = "--iptables-min-sync-period", paramLabel = "DURATION", description = "Shortest time between syncs (default 1s).")
    String minSyncPeriod;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Path to a kubeconfig file for the API server.")
    String kubeconfig;

    @Option(names = "--master", paramLabel = "URL", description = "The API server address (overrides the kubeconfig's).")
    String master;

    /** Merges flags, the configuration file and defaults into validated settings. */
    ProxySettings resolve() {
        KubeProxyConfiguration file = config == null ? KubeProxyConfiguration.empty() : KubeProxyConfiguration.load(config);
        String hostname = first(hostnameOverride, file.hostnameOverride());
        hostname = hostname == null ? systemHostname() : hostname.strip().toLowerCase(Locale.ROOT);
        Map<String, Boolean> gates = new TreeMap<>(Objects.requireNonNullElse(file.featureGates(), Map.of()));
        if (featureGates != null) {
            featureGates.forEach((name, value) -> {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw new ConfigException("--feature-gates: " + name + " must be true or false, got \"" + value + "\"");
                }
                gates.put(name, Boolean.parseBoolean(value));
            });
        }
        return new ProxySettings(
                hostname,
                Objects.requireNonNullElse(first(proxyMode, file.mode()), "iptables"),
                ProxySettings.parseCidrs("--cluster-cidr", first(clusterCidr, file.clusterCidr())),
                Objects.requireNonNullElse(first(masqueradeAll, file.masqueradeAll()), false),
                Objects.requireNonNullElse(first(masqueradeBit, file.masqueradeBit()), 14),
                Objects.requireNonNullElse(first(localhostNodePorts, file.localhostNodePorts()), true),
                Objects.requireNonNullElse(first(nodePortAddresses, file.nodePortAddresses()), List.of()),
                Objects.requireNonNullElse(first(detectLocalMode, file.detectLocalMode()), "ClusterCIDR"),
                first(bridgeInterface, file.bridgeInterface()),
                first(interfaceNamePrefix, file.interfaceNamePrefix()),
                gates,
                Objects.requireNonNullElse(serviceProxyName, ""),
                duration("--iptables-sync-period", first(syncPeriod, file.syncPeriod()), "30s"),
                duration("--iptables-min-sync-period", first(minSyncPeriod, file.minSyncPeriod()), "1s"),
                first(kubeconfig, file.kubeconfig()),
                master);
    }

    private static <T> T first(T flag, T file) {
        return flag != null ? flag : file;
    }

    private static Duration duration(String flag, String value, String fallback) {
        try {
            return GoDuration.parse(value == null ? fallback : value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag + ": " + e.getMessage());
        }
    }

    private static String systemHostname() {
        try {
            return InetAddress.getLocalHost().getHostName().strip().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new ConfigException("cannot determine the hostname; pass --hostname-override");
        }
    }
}
