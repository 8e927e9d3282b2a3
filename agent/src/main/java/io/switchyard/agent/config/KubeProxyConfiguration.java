package io.switchyard.agent.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings Switchyard reads from a kube-proxy {@code KubeProxyConfiguration} file
 * ({@code kubeproxy.config.k8s.io/v1alpha1}). Absent fields are null. Like kube-proxy, an
 * unknown field is an error rather than something silently ignored.
 */
public record KubeProxyConfiguration(
        String hostnameOverride,
        String clusterCidr,
        String mode,
        List<String> nodePortAddresses,
        Map<String, Boolean> featureGates,
        String detectLocalMode,
        String bridgeInterface,
        String interfaceNamePrefix,
        Boolean masqueradeAll,
        Integer masqueradeBit,
        Boolean localhostNodePorts,
        String syncPeriod,
        String minSyncPeriod,
        String kubeconfig,
        String healthzBindAddress,
        String metricsBindAddress) {

    public static final String API_VERSION = "kubeproxy.config.k8s.io/v1alpha1";
    public static final String KIND = "KubeProxyConfiguration";

    private static final Set<String> TOP_LEVEL_FIELDS = Set.of(
            "apiVersion", "kind", "featureGates", "clientConnection", "logging", "hostnameOverride",
            "bindAddress", "healthzBindAddress", "metricsBindAddress", "bindAddressHardFail", "enableProfiling",
            "showHiddenMetricsForVersion", "mode", "iptables", "ipvs", "nftables", "winkernel", "detectLocalMode",
            "detectLocal", "clusterCIDR", "nodePortAddresses", "oomScoreAdj", "conntrack", "configSyncPeriod",
            "portRange", "windowsRunAsService");
    private static final Set<String> IPTABLES_FIELDS = Set.of(
            "masqueradeAll", "masqueradeBit", "localhostNodePorts", "syncPeriod", "minSyncPeriod");

    /** An empty configuration: every setting comes from flags or defaults. */
    public static KubeProxyConfiguration empty() {
        return new KubeProxyConfiguration(null, null, null, null, Map.of(), null, null, null, null, null, null,
                null, null, null, null, null);
    }

    /** Reads a configuration file, failing with one clear message on anything it cannot use. */
    public static KubeProxyConfiguration load(Path file) {
        Object document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(document instanceof Map<?, ?> root)) {
            throw new ConfigException("config file " + file + " does not hold a " + KIND);
        }
        String where = "config file " + file;
        if (!KIND.equals(root.get("kind"))) {
            throw new ConfigException(where + ": kind must be " + KIND + ", got " + root.get("kind"));
        }
        if (!API_VERSION.equals(root.get("apiVersion"))) {
            throw new ConfigException(where + ": apiVersion must be " + API_VERSION + ", got " + root.get("apiVersion"));
        }
        rejectUnknown(where, "", root, TOP_LEVEL_FIELDS);
        Map<?, ?> iptables = map(where, root, "iptables");
        rejectUnknown(where, "iptables.", iptables, IPTABLES_FIELDS);
        Map<?, ?> detectLocal = map(where, root, "detectLocal");
        Map<?, ?> clientConnection = map(where, root, "clientConnection");

        Map<String, Boolean> gates = new TreeMap<>();
        map(where, root, "featureGates").forEach((k, v) -> {
            if (!(v instanceof Boolean b)) {
                throw new ConfigException(where + ": featureGates." + k + " must be true or false");
            }
            gates.put(String.valueOf(k), b);
        });
        return new KubeProxyConfiguration(
                string(where, "hostnameOverride", root.get("hostnameOverride")),
                string(where, "clusterCIDR", root.get("clusterCIDR")),
                string(where, "mode", root.get("mode")),
                stringList(where, "nodePortAddresses", root.get("nodePortAddresses")),
                gates,
                string(where, "detectLocalMode", root.get("detectLocalMode")),
                string(where, "detectLocal.bridgeInterface", detectLocal.get("bridgeInterface")),
                string(where, "detectLocal.interfaceNamePrefix", detectLocal.get("interfaceNamePrefix")),
                bool(where, "iptables.masqueradeAll", iptables.get("masqueradeAll")),
                integer(where, "iptables.masqueradeBit", iptables.get("masqueradeBit")),
                bool(where, "iptables.localhostNodePorts", iptables.get("localhostNodePorts")),
                string(where, "iptables.syncPeriod", iptables.get("syncPeriod")),
                string(where, "iptables.minSyncPeriod", iptables.get("minSyncPeriod")),
                string(where, "clientConnection.kubeconfig", clientConnection.get("kubeconfig")),
                string(where, "healthzBindAddress", root.get("healthzBindAddress")),
                string(where, "metricsBindAddress", root.get("metricsBindAddress")));
    }

    private static void rejectUnknown(String where, String prefix, Map<?, ?> map, Set<String> known) {
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new ConfigException(where + ": unknown field \"" + prefix + key + "\"");
            }
        }
    }

    private static Map<?, ?> map(String where, Map<?, ?> parent, String key) {
        Object value = parent.get(key);
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new ConfigException(where + ": " + key + " must be a mapping");
    }

    private static String string(String where, String field, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            throw new ConfigException(where + ": " + field + " must be a string");
        }
        String s = String.valueOf(value);
        return s.isEmpty() ? null : s;
    }

    private static Boolean bool(String where, String field, Object value) {
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        throw new ConfigException(where + ": " + field + " must be true or false");
    }

    private static Integer integer(String where, String field, Object value) {
        if (value == null || value instanceof Integer) {
            return (Integer) value;
        }
        throw new ConfigException(where + ": " + field + " must be an integer");
    }

    private static List<String> stringList(String where, String field, Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(where + ": " + field + " must be a list");
        }
        List<String> out = new ArrayList<>();
        list.forEach(item -> out.add(String.valueOf(item)));
        return out;
    }
}
