package io.switchyard.agent.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.switchyard.agent.config.Setting.Kind.BOOLEAN;
import static io.switchyard.agent.config.Setting.Kind.DURATION;
import static io.switchyard.agent.config.Setting.Kind.DURATION_OR_NANOS;
import static io.switchyard.agent.config.Setting.Kind.GATES;
import static io.switchyard.agent.config.Setting.Kind.INTEGER;
import static io.switchyard.agent.config.Setting.Kind.NUMBER;
import static io.switchyard.agent.config.Setting.Kind.STRING;
import static io.switchyard.agent.config.Setting.Kind.STRING_LIST;

/**
 * Every field of kube-proxy v1.32's {@code KubeProxyConfiguration} (v1alpha1) that Switchyard
 * reads, with the flag that overrides it, and the fields it accepts without reading them.
 */
public final class KubeProxyFields {

    public static final Setting<String> HOSTNAME_OVERRIDE = Setting.of("hostnameOverride", "--hostname-override", STRING);
    public static final Setting<String> CLUSTER_CIDR = Setting.of("clusterCIDR", "--cluster-cidr", STRING);
    public static final Setting<String> MODE = Setting.of("mode", "--proxy-mode", STRING);
    public static final Setting<List<String>> NODE_PORT_ADDRESSES =
            Setting.of("nodePortAddresses", "--nodeport-addresses", STRING_LIST);
    public static final Setting<Map<String, Boolean>> FEATURE_GATES = Setting.of("featureGates", "--feature-gates", GATES);
    public static final Setting<String> DETECT_LOCAL_MODE = Setting.of("detectLocalMode", "--detect-local-mode", STRING);
    public static final Setting<String> BRIDGE_INTERFACE =
            Setting.of("detectLocal.bridgeInterface", "--pod-bridge-interface", STRING);
    public static final Setting<String> INTERFACE_NAME_PREFIX =
            Setting.of("detectLocal.interfaceNamePrefix", "--pod-interface-name-prefix", STRING);

    public static final Setting<String> BIND_ADDRESS = Setting.of("bindAddress", "--bind-address", STRING);
    public static final Setting<String> HEALTHZ_BIND_ADDRESS =
            Setting.of("healthzBindAddress", "--healthz-bind-address", STRING);
    public static final Setting<String> METRICS_BIND_ADDRESS =
            Setting.of("metricsBindAddress", "--metrics-bind-address", STRING);
    public static final Setting<Boolean> BIND_ADDRESS_HARD_FAIL =
            Setting.of("bindAddressHardFail", "--bind-address-hard-fail", BOOLEAN);
    public static final Setting<Boolean> ENABLE_PROFILING = Setting.of("enableProfiling", "--profiling", BOOLEAN);
    public static final Setting<String> SHOW_HIDDEN_METRICS_FOR_VERSION =
            Setting.of("showHiddenMetricsForVersion", "--show-hidden-metrics-for-version", STRING);

    public static final Setting<String> KUBECONFIG = Setting.of("clientConnection.kubeconfig", "--kubeconfig", STRING);
    public static final Setting<String> CONTENT_TYPE =
            Setting.of("clientConnection.contentType", "--kube-api-content-type", STRING);
    public static final Setting<String> ACCEPT_CONTENT_TYPES =
            Setting.of("clientConnection.acceptContentTypes", null, STRING);
    public static final Setting<Double> QPS = Setting.of("clientConnection.qps", "--kube-api-qps", NUMBER);
    public static final Setting<Integer> BURST = Setting.of("clientConnection.burst", "--kube-api-burst", INTEGER);

    public static final Setting<Boolean> MASQUERADE_ALL = Setting.of("iptables.masqueradeAll", "--masquerade-all", BOOLEAN);
    public static final Setting<Integer> MASQUERADE_BIT =
            Setting.of("iptables.masqueradeBit", "--iptables-masquerade-bit", INTEGER);
    public static final Setting<Boolean> LOCALHOST_NODE_PORTS =
            Setting.of("iptables.localhostNodePorts", "--iptables-localhost-nodeports", BOOLEAN);
    public static final Setting<Duration> IPTABLES_SYNC_PERIOD =
            Setting.zeroIsUnset("iptables.syncPeriod", "--iptables-sync-period", DURATION);
    public static final Setting<Duration> IPTABLES_MIN_SYNC_PERIOD =
            Setting.zeroIsUnset("iptables.minSyncPeriod", "--iptables-min-sync-period", DURATION);

    public static final Setting<Duration> IPVS_SYNC_PERIOD =
            Setting.zeroIsUnset("ipvs.syncPeriod", "--ipvs-sync-period", DURATION);
    public static final Setting<Duration> IPVS_MIN_SYNC_PERIOD =
            Setting.of("ipvs.minSyncPeriod", "--ipvs-min-sync-period", DURATION);
    public static final Setting<String> IPVS_SCHEDULER = Setting.of("ipvs.scheduler", "--ipvs-scheduler", STRING);
    public static final Setting<List<String>> IPVS_EXCLUDE_CIDRS =
            Setting.of("ipvs.excludeCIDRs", "--ipvs-exclude-cidrs", STRING_LIST);
    public static final Setting<Boolean> IPVS_STRICT_ARP = Setting.of("ipvs.strictARP", "--ipvs-strict-arp", BOOLEAN);
    public static final Setting<Duration> IPVS_TCP_TIMEOUT = Setting.of("ipvs.tcpTimeout", "--ipvs-tcp-timeout", DURATION);
    public static final Setting<Duration> IPVS_TCP_FIN_TIMEOUT =
            Setting.of("ipvs.tcpFinTimeout", "--ipvs-tcpfin-timeout", DURATION);
    public static final Setting<Duration> IPVS_UDP_TIMEOUT = Setting.of("ipvs.udpTimeout", "--ipvs-udp-timeout", DURATION);

    public static final Setting<Integer> CONNTRACK_MAX_PER_CORE =
            Setting.of("conntrack.maxPerCore", "--conntrack-max-per-core", INTEGER);
    public static final Setting<Integer> CONNTRACK_MIN = Setting.of("conntrack.min", "--conntrack-min", INTEGER);
    public static final Setting<Duration> CONNTRACK_TCP_ESTABLISHED_TIMEOUT =
            Setting.of("conntrack.tcpEstablishedTimeout", "--conntrack-tcp-timeout-established", DURATION);
    public static final Setting<Duration> CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT =
            Setting.of("conntrack.tcpCloseWaitTimeout", "--conntrack-tcp-timeout-close-wait", DURATION);
    public static final Setting<Boolean> CONNTRACK_TCP_BE_LIBERAL =
            Setting.of("conntrack.tcpBeLiberal", "--conntrack-tcp-be-liberal", BOOLEAN);
    public static final Setting<Duration> CONNTRACK_UDP_TIMEOUT =
            Setting.of("conntrack.udpTimeout", "--conntrack-udp-timeout", DURATION);
    public static final Setting<Duration> CONNTRACK_UDP_STREAM_TIMEOUT =
            Setting.of("conntrack.udpStreamTimeout", "--conntrack-udp-timeout-stream", DURATION);

    public static final Setting<Duration> CONFIG_SYNC_PERIOD =
            Setting.zeroIsUnset("configSyncPeriod", "--config-sync-period", DURATION);
    public static final Setting<String> PORT_RANGE = Setting.of("portRange", null, STRING);
    public static final Setting<Integer> OOM_SCORE_ADJ = Setting.of("oomScoreAdj", "--oom-score-adj", INTEGER);

    public static final Setting<String> LOGGING_FORMAT = Setting.of("logging.format", "--logging-format", STRING);
    public static final Setting<Integer> LOGGING_VERBOSITY = Setting.of("logging.verbosity", "-v", INTEGER);
    public static final Setting<Duration> LOGGING_FLUSH_FREQUENCY =
            Setting.of("logging.flushFrequency", "--log-flush-frequency", DURATION_OR_NANOS);

    /** Every setting above, in the order a reader meets them. */
    public static final List<Setting<?>> ALL = List.of(
            HOSTNAME_OVERRIDE, CLUSTER_CIDR, MODE, NODE_PORT_ADDRESSES, FEATURE_GATES, DETECT_LOCAL_MODE,
            BRIDGE_INTERFACE, INTERFACE_NAME_PREFIX, BIND_ADDRESS, HEALTHZ_BIND_ADDRESS, METRICS_BIND_ADDRESS,
            BIND_ADDRESS_HARD_FAIL, ENABLE_PROFILING, SHOW_HIDDEN_METRICS_FOR_VERSION, KUBECONFIG, CONTENT_TYPE,
            ACCEPT_CONTENT_TYPES, QPS, BURST, MASQUERADE_ALL, MASQUERADE_BIT, LOCALHOST_NODE_PORTS,
            IPTABLES_SYNC_PERIOD, IPTABLES_MIN_SYNC_PERIOD, IPVS_SYNC_PERIOD, IPVS_MIN_SYNC_PERIOD, IPVS_SCHEDULER,
            IPVS_EXCLUDE_CIDRS, IPVS_STRICT_ARP, IPVS_TCP_TIMEOUT, IPVS_TCP_FIN_TIMEOUT, IPVS_UDP_TIMEOUT,
            CONNTRACK_MAX_PER_CORE, CONNTRACK_MIN, CONNTRACK_TCP_ESTABLISHED_TIMEOUT, CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT,
            CONNTRACK_TCP_BE_LIBERAL, CONNTRACK_UDP_TIMEOUT, CONNTRACK_UDP_STREAM_TIMEOUT, CONFIG_SYNC_PERIOD,
            PORT_RANGE, OOM_SCORE_ADJ, LOGGING_FORMAT, LOGGING_VERBOSITY, LOGGING_FLUSH_FREQUENCY);

    /**
     * Settings kube-proxy acts on and Switchyard does not: each gets one warning at start-up when
     * set to anything but its zero value. (kube-proxy v1.32 itself ignores portRange; Switchyard
     * flushes every log line, so logging.flushFrequency is always met.)
     */
    public static final List<Setting<?>> NOT_ACTED_ON = List.of(
            BIND_ADDRESS, ENABLE_PROFILING, SHOW_HIDDEN_METRICS_FOR_VERSION, CONTENT_TYPE, ACCEPT_CONTENT_TYPES,
            QPS, BURST, PORT_RANGE);

    /** Sections holding settings above. */
    static final Set<String> SECTIONS = Set.of(
            "clientConnection", "iptables", "ipvs", "conntrack", "detectLocal", "logging", "nftables", "winkernel");

    /**
     * Fields accepted and not read: the other modes' and platforms' sections (kube-proxy on Linux
     * ignores them outside their mode too) and logging options that only tune klog's buffering.
     */
    static final Set<String> TOLERATED = Set.of(
            "apiVersion", "kind", "windowsRunAsService",
            "nftables.masqueradeAll", "nftables.masqueradeBit", "nftables.syncPeriod", "nftables.minSyncPeriod",
            "winkernel.networkName", "winkernel.sourceVip", "winkernel.enableDSR", "winkernel.rootHnsEndpointName",
            "winkernel.forwardHealthCheckVip");

    /** Fields whose whole subtree is accepted without being read; set to anything non-zero, one warning. */
    static final Set<String> TOLERATED_TREES = Set.of("logging.options", "logging.vmodule");

    private KubeProxyFields() {
    }
}
