package io.switchyard.agent.config;

import io.switchyard.rules.model.Cidr;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes settings as a complete {@code KubeProxyConfiguration} (kube-proxy's
 * {@code --write-config-to}): every section kube-proxy v1.32 writes, keys sorted as Go's encoder
 * sorts them, so that kube-proxy itself could read the file. Reading it back gives the same
 * settings, except what the format cannot say: {@code --master}, {@code --service-proxy-name},
 * a disabled server, and a minimum sync period of 0 (which the file format reads as the default).
 */
public final class KubeProxyConfigurationWriter {

    private KubeProxyConfigurationWriter() {
    }

    public static void write(ProxySettings settings, Path file) {
        try {
            Files.writeString(file, toYaml(settings), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot write --write-config-to " + file + ": " + e.getMessage());
        }
    }

    public static String toYaml(ProxySettings s) {
        Map<String, Object> root = new TreeMap<>();
        root.put("apiVersion", KubeProxyConfiguration.API_VERSION);
        root.put("kind", KubeProxyConfiguration.KIND);
        root.put("bindAddress", "0.0.0.0");
        root.put("bindAddressHardFail", s.bindAddressHardFail());
        root.put("clientConnection", sorted(
                "acceptContentTypes", "",
                "burst", 10,
                "contentType", "application/vnd.kubernetes.protobuf",
                "kubeconfig", s.kubeconfig() == null ? "" : s.kubeconfig(),
                "qps", 5));
        root.put("clusterCIDR", String.join(",", s.clusterCidrs().stream().map(Cidr::toString).toList()));
        root.put("configSyncPeriod", go(s.configSyncPeriod()));
        ConntrackSettings c = s.conntrack();
        root.put("conntrack", sorted(
                "maxPerCore", c.maxPerCore(),
                "min", c.min(),
                "tcpBeLiberal", c.tcpBeLiberal(),
                "tcpCloseWaitTimeout", go(c.tcpCloseWaitTimeout()),
                "tcpEstablishedTimeout", go(c.tcpEstablishedTimeout()),
                "udpStreamTimeout", go(c.udpStreamTimeout()),
                "udpTimeout", go(c.udpTimeout())));
        root.put("detectLocal", sorted(
                "bridgeInterface", s.bridgeInterface() == null ? "" : s.bridgeInterface(),
                "interfaceNamePrefix", s.interfaceNamePrefix() == null ? "" : s.interfaceNamePrefix()));
        root.put("detectLocalMode", s.detectLocalMode());
        root.put("enableProfiling", false);
        if (!s.featureGates().isEmpty()) {
            root.put("featureGates", new TreeMap<>(s.featureGates()));
        }
        root.put("healthzBindAddress", s.healthzBindAddress().map(BindAddress::toString).orElse(""));
        root.put("hostnameOverride", s.hostname());
        boolean ipvs = s.mode() == ProxyMode.IPVS;
        Duration defaultSync = Duration.ofSeconds(30);
        root.put("iptables", sorted(
                "localhostNodePorts", s.localhostNodePorts(),
                "masqueradeAll", s.masqueradeAll(),
                "masqueradeBit", s.masqueradeBit(),
                "minSyncPeriod", go(ipvs ? Duration.ofSeconds(1) : s.minSyncPeriod()),
                "syncPeriod", go(ipvs ? defaultSync : s.syncPeriod())));
        IpvsSettings v = s.ipvs();
        root.put("ipvs", sorted(
                "excludeCIDRs", v.excludeCidrs().isEmpty() ? null : v.excludeCidrs().stream().map(Cidr::toString).toList(),
                "minSyncPeriod", go(ipvs ? s.minSyncPeriod() : Duration.ZERO),
                "scheduler", v.scheduler(),
                "strictARP", v.strictArp(),
                "syncPeriod", go(ipvs ? s.syncPeriod() : defaultSync),
                "tcpFinTimeout", go(v.tcpFinTimeout()),
                "tcpTimeout", go(v.tcpTimeout()),
                "udpTimeout", go(v.udpTimeout())));
        root.put("logging", sorted(
                "flushFrequency", "5s",
                "format", s.logging().format().configValue(),
                "verbosity", s.logging().verbosity()));
        root.put("metricsBindAddress", s.metricsBindAddress().map(BindAddress::toString).orElse(""));
        root.put("mode", s.proxyMode());
        root.put("nftables", sorted(
                "masqueradeAll", false,
                "masqueradeBit", 14,
                "minSyncPeriod", "1s",
                "syncPeriod", "30s"));
        root.put("nodePortAddresses", s.nodePortAddresses().isEmpty() ? null : s.nodePortAddresses());
        root.put("oomScoreAdj", s.oomScoreAdj());
        root.put("portRange", "");
        root.put("showHiddenMetricsForVersion", "");
        root.put("winkernel", sorted(
                "enableDSR", false,
                "forwardHealthCheckVip", false,
                "networkName", "",
                "rootHnsEndpointName", "",
                "sourceVip", ""));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        return new Yaml(options).dump(root);
    }

    private static String go(Duration d) {
        return GoDuration.format(d);
    }

    private static Map<String, Object> sorted(Object... keysAndValues) {
        Map<String, Object> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
