package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.FeatureGates;
import io.switchyard.agent.config.GoDuration;
import io.switchyard.agent.config.KubeProxyConfiguration;
import io.switchyard.agent.config.KubeProxyConfigurationWriter;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.config.Setting;
import io.switchyard.agent.config.SettingsResolver;
import io.switchyard.agent.logging.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static io.switchyard.agent.config.KubeProxyFields.*;

/**
 * The kube-proxy flags Switchyard shares between its commands. Every field is null unless given
 * on the command line, so that flags can win over the configuration file, which wins over
 * kube-proxy's defaults ({@link SettingsResolver}).
 */
public final class ProxyFlags {

    private static final System.Logger LOG = System.getLogger(ProxyFlags.class.getName());

    @Option(names = "--config", paramLabel = "FILE", description = "A KubeProxyConfiguration file; flags given on the command line override it.")
    Path config;

    @Option(names = "--write-config-to", paramLabel = "FILE", description = "Write the effective configuration to FILE as a KubeProxyConfiguration, then exit.")
    Path writeConfigTo;

    @Option(names = "--hostname-override", paramLabel = "NAME", description = "The name of this node (default: the hostname).")
    String hostnameOverride;

    @Option(names = "--proxy-mode", paramLabel = "MODE", description = "Which proxy mode to use: iptables (default) or ipvs.")
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

    @Option(names = "--feature-gates", split = ",", paramLabel = "NAME=BOOL", description = "Feature gates, as kube-proxy v1.32 takes them (Switchyard acts on PreferSameTrafficDistribution).")
    Map<String, String> featureGates;

    @Option(names = "--service-proxy-name", paramLabel = "NAME", description = "Only handle Services labelled service.kubernetes.io/service-proxy-name=NAME.")
    String serviceProxyName;

    @Option(names = "--iptables-sync-period", paramLabel = "DURATION", description = "Longest time between full syncs in iptables mode (default 30s).")
    String syncPeriod;

    @Option(names = "--iptables-min-sync-period", paramLabel = "DURATION", description = "Shortest time between syncs in iptables mode (default 1s).")
    String minSyncPeriod;

    @Option(names = "--ipvs-sync-period", paramLabel = "DURATION", description = "Longest time between full syncs in ipvs mode (default 30s).")
    String ipvsSyncPeriod;

    @Option(names = "--ipvs-min-sync-period", paramLabel = "DURATION", description = "Shortest time between syncs in ipvs mode (default 0s).")
    String ipvsMinSyncPeriod;

    @Option(names = "--ipvs-scheduler", paramLabel = "NAME", description = "The IPVS scheduler (default rr).")
    String ipvsScheduler;

    @Option(names = "--ipvs-exclude-cidrs", split = ",", paramLabel = "CIDR", description = "Virtual servers in these CIDRs are never removed by Switchyard.")
    List<String> ipvsExcludeCidrs;

    @Option(names = "--ipvs-strict-arp", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Set arp_ignore=1 and arp_announce=2.")
    Boolean ipvsStrictArp;

    @Option(names = "--ipvs-tcp-timeout", paramLabel = "DURATION", description = "Idle timeout of IPVS TCP connections (0 leaves the kernel's).")
    String ipvsTcpTimeout;

    @Option(names = "--ipvs-tcpfin-timeout", paramLabel = "DURATION", description = "IPVS TCP timeout after a FIN (0 leaves the kernel's).")
    String ipvsTcpFinTimeout;

    @Option(names = "--ipvs-udp-timeout", paramLabel = "DURATION", description = "IPVS UDP timeout (0 leaves the kernel's).")
    String ipvsUdpTimeout;

    @Option(names = "--conntrack-max-per-core", paramLabel = "N", description = "nf_conntrack_max per CPU (default 32768; 0 leaves it and ignores --conntrack-min).")
    Integer conntrackMaxPerCore;

    @Option(names = "--conntrack-min", paramLabel = "N", description = "The least nf_conntrack_max to set (default 131072).")
    Integer conntrackMin;

    @Option(names = "--conntrack-tcp-timeout-established", paramLabel = "DURATION", description = "Idle timeout of established TCP connections (default 24h0m0s; 0 leaves it).")
    String conntrackTcpEstablished;

    @Option(names = "--conntrack-tcp-timeout-close-wait", paramLabel = "DURATION", description = "Timeout of TCP connections in CLOSE_WAIT (default 1h0m0s; 0 leaves it).")
    String conntrackTcpCloseWait;

    @Option(names = "--conntrack-tcp-be-liberal", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Set nf_conntrack_tcp_be_liberal to 1.")
    Boolean conntrackTcpBeLiberal;

    @Option(names = "--conntrack-udp-timeout", paramLabel = "DURATION", description = "Idle timeout of UNREPLIED UDP connections (0 leaves it).")
    String conntrackUdpTimeout;

    @Option(names = "--conntrack-udp-timeout-stream", paramLabel = "DURATION", description = "Idle timeout of ASSURED UDP connections (0 leaves it).")
    String conntrackUdpStreamTimeout;

    @Option(names = "--healthz-bind-address", paramLabel = "IP:PORT", description = "Where /healthz and /livez listen (default 0.0.0.0:10256); empty disables.")
    String healthzBindAddress;

    @Option(names = "--metrics-bind-address", paramLabel = "IP:PORT", description = "Where /metrics listens (default 127.0.0.1:10249); empty disables.")
    String metricsBindAddress;

    @Option(names = "--bind-address-hard-fail", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Exit when a server cannot bind its port.")
    Boolean bindAddressHardFail;

    @Option(names = "--bind-address", paramLabel = "IP", description = "Accepted for kube-proxy compatibility; not used.")
    String bindAddress;

    @Option(names = "--profiling", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Accepted for kube-proxy compatibility; not used.")
    Boolean profiling;

    @Option(names = "--show-hidden-metrics-for-version", paramLabel = "VERSION", description = "Accepted for kube-proxy compatibility; not used.")
    String showHiddenMetricsForVersion;

    @Option(names = "--kube-api-content-type", paramLabel = "TYPE", description = "Accepted for kube-proxy compatibility; not used.")
    String kubeApiContentType;

    @Option(names = "--kube-api-qps", paramLabel = "QPS", description = "Accepted for kube-proxy compatibility; not used.")
    Double kubeApiQps;

    @Option(names = "--kube-api-burst", paramLabel = "N", description = "Accepted for kube-proxy compatibility; not used.")
    Integer kubeApiBurst;

    @Option(names = "--oom-score-adj", paramLabel = "N", description = "The process's OOM score adjustment, -1000..1000 (default -999).")
    Integer oomScoreAdj;

    @Option(names = "--config-sync-period", paramLabel = "DURATION", description = "How often the informers re-list (default 15m0s).")
    String configSyncPeriod;

    @Option(names = "--logging-format", paramLabel = "FORMAT", description = "text (default) or json.")
    String loggingFormat;

    @Option(names = "--log-flush-frequency", paramLabel = "DURATION", description = "Accepted for kube-proxy compatibility; every line is flushed.")
    String logFlushFrequency;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Path to a kubeconfig file for the API server.")
    String kubeconfig;

    @Option(names = "--master", paramLabel = "URL", description = "The API server address (overrides the kubeconfig's).")
    String master;

    /** The command this mixin belongs to, to read its {@code -v} when it has one. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * Merges flags, the configuration file and defaults into validated settings, sets up logging
     * with the resulting format and verbosity, and logs each configuration warning once.
     */
    ProxySettings resolve() {
        SettingsResolver.Resolved resolved = resolveQuietly();
        Logging.configure(resolved.settings().logging());
        resolved.warnings().forEach(warning -> LOG.log(System.Logger.Level.WARNING, warning));
        return resolved.settings();
    }

    /** The merged settings and their warnings, without touching logging. */
    SettingsResolver.Resolved resolveQuietly() {
        KubeProxyConfiguration file = config == null ? KubeProxyConfiguration.empty() : KubeProxyConfiguration.load(config);
        return new SettingsResolver(given(), file).resolve(serviceProxyName, master, ProxyFlags::systemHostname);
    }

    /** The file named by {@code --write-config-to}, or null. */
    public Path writeConfigTo() {
        return writeConfigTo;
    }

    /**
     * kube-proxy's {@code --write-config-to}: when given, writes the settings as a
     * KubeProxyConfiguration file and returns true (the command then exits 0).
     */
    public boolean writeConfigIfRequested(ProxySettings settings) {
        if (writeConfigTo == null) {
            return false;
        }
        KubeProxyConfigurationWriter.write(settings, writeConfigTo);
        LOG.log(System.Logger.Level.INFO, "Wrote configuration file={0}", writeConfigTo);
        return true;
    }

    /** The settings given on the command line, typed as a configuration file's. */
    private Map<Setting<?>, Object> given() {
        Map<Setting<?>, Object> given = new LinkedHashMap<>();
        put(given, HOSTNAME_OVERRIDE, hostnameOverride);
        put(given, MODE, proxyMode);
        put(given, CLUSTER_CIDR, clusterCidr);
        put(given, MASQUERADE_ALL, masqueradeAll);
        put(given, MASQUERADE_BIT, masqueradeBit);
        put(given, LOCALHOST_NODE_PORTS, localhostNodePorts);
        put(given, NODE_PORT_ADDRESSES, nodePortAddresses == null ? null : List.copyOf(nodePortAddresses));
        put(given, DETECT_LOCAL_MODE, detectLocalMode);
        put(given, BRIDGE_INTERFACE, bridgeInterface);
        put(given, INTERFACE_NAME_PREFIX, interfaceNamePrefix);
        if (featureGates != null) {
            Map<String, Boolean> gates = new TreeMap<>();
            featureGates.forEach((name, value) ->
                    gates.put(name.strip(), FeatureGates.parseValue(FEATURE_GATES.flag(), name.strip(), value)));
            given.put(FEATURE_GATES, gates);
        }
        put(given, IPTABLES_SYNC_PERIOD, duration(IPTABLES_SYNC_PERIOD, syncPeriod));
        put(given, IPTABLES_MIN_SYNC_PERIOD, duration(IPTABLES_MIN_SYNC_PERIOD, minSyncPeriod));
        put(given, IPVS_SYNC_PERIOD, duration(IPVS_SYNC_PERIOD, ipvsSyncPeriod));
        put(given, IPVS_MIN_SYNC_PERIOD, duration(IPVS_MIN_SYNC_PERIOD, ipvsMinSyncPeriod));
        put(given, IPVS_SCHEDULER, ipvsScheduler);
        put(given, IPVS_EXCLUDE_CIDRS, ipvsExcludeCidrs == null ? null : List.copyOf(ipvsExcludeCidrs));
        put(given, IPVS_STRICT_ARP, ipvsStrictArp);
        put(given, IPVS_TCP_TIMEOUT, duration(IPVS_TCP_TIMEOUT, ipvsTcpTimeout));
        put(given, IPVS_TCP_FIN_TIMEOUT, duration(IPVS_TCP_FIN_TIMEOUT, ipvsTcpFinTimeout));
        put(given, IPVS_UDP_TIMEOUT, duration(IPVS_UDP_TIMEOUT, ipvsUdpTimeout));
        put(given, CONNTRACK_MAX_PER_CORE, conntrackMaxPerCore);
        put(given, CONNTRACK_MIN, conntrackMin);
        put(given, CONNTRACK_TCP_ESTABLISHED_TIMEOUT, duration(CONNTRACK_TCP_ESTABLISHED_TIMEOUT, conntrackTcpEstablished));
        put(given, CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT, duration(CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT, conntrackTcpCloseWait));
        put(given, CONNTRACK_TCP_BE_LIBERAL, conntrackTcpBeLiberal);
        put(given, CONNTRACK_UDP_TIMEOUT, duration(CONNTRACK_UDP_TIMEOUT, conntrackUdpTimeout));
        put(given, CONNTRACK_UDP_STREAM_TIMEOUT, duration(CONNTRACK_UDP_STREAM_TIMEOUT, conntrackUdpStreamTimeout));
        // An empty bind address is kept: on the command line it disables the server.
        if (healthzBindAddress != null) {
            given.put(HEALTHZ_BIND_ADDRESS, healthzBindAddress);
        }
        if (metricsBindAddress != null) {
            given.put(METRICS_BIND_ADDRESS, metricsBindAddress);
        }
        put(given, BIND_ADDRESS_HARD_FAIL, bindAddressHardFail);
        put(given, BIND_ADDRESS, bindAddress);
        put(given, ENABLE_PROFILING, profiling);
        put(given, SHOW_HIDDEN_METRICS_FOR_VERSION, showHiddenMetricsForVersion);
        put(given, CONTENT_TYPE, kubeApiContentType);
        put(given, QPS, kubeApiQps);
        put(given, BURST, kubeApiBurst);
        put(given, OOM_SCORE_ADJ, oomScoreAdj);
        put(given, CONFIG_SYNC_PERIOD, duration(CONFIG_SYNC_PERIOD, configSyncPeriod));
        put(given, LOGGING_FORMAT, loggingFormat);
        put(given, LOGGING_FLUSH_FREQUENCY, duration(LOGGING_FLUSH_FREQUENCY, logFlushFrequency));
        put(given, LOGGING_VERBOSITY, verbosityFlag());
        put(given, KUBECONFIG, kubeconfig);
        return given;
    }

    private static <T> void put(Map<Setting<?>, Object> given, Setting<T> setting, T value) {
        if (value != null && !(value instanceof String s && s.isEmpty())) {
            given.put(setting, value);
        }
    }

    private static java.time.Duration duration(Setting<?> setting, String value) {
        if (value == null) {
            return null;
        }
        try {
            return GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting.flag() + ": " + e.getMessage());
        }
    }

    /** {@code -v} of the command this mixin is part of, when it was given on the command line. */
    private Integer verbosityFlag() {
        if (mixee == null || mixee.commandLine() == null) {
            return null;
        }
        CommandLine.ParseResult parsed = mixee.commandLine().getParseResult();
        if (parsed == null || !parsed.hasMatchedOption("-v")) {
            return null;
        }
        Object value = parsed.matchedOptionValue("-v", null);
        return value instanceof Integer i ? i : null;
    }

    private static String systemHostname() {
        try {
            return InetAddress.getLocalHost().getHostName().strip().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new ConfigException("cannot determine the hostname; pass --hostname-override");
        }
    }
}
