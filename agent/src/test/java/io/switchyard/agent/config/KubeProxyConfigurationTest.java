package io.switchyard.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.switchyard.agent.config.KubeProxyFields.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KubeProxyConfiguration: reading a v1alpha1 file, every section, leniently about unknown fields, strictly about types. */
public class KubeProxyConfigurationTest {

    public static Path resource(String name) {
        try {
            return Path.of(KubeProxyConfigurationTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsEverySection() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("full.yaml"));

        assertThat(config.get(HOSTNAME_OVERRIDE)).isEqualTo("Node-B");
        assertThat(config.get(CLUSTER_CIDR)).isEqualTo("10.244.0.0/16,fd00:10:244::/56");
        assertThat(config.get(MODE)).isEqualTo("ipvs");
        assertThat(config.get(NODE_PORT_ADDRESSES)).containsExactly("10.0.0.0/8");
        assertThat(config.get(FEATURE_GATES))
                .isEqualTo(Map.of("PreferSameTrafficDistribution", true, "TopologyAwareHints", true));
        assertThat(config.get(DETECT_LOCAL_MODE)).isEqualTo("BridgeInterface");
        assertThat(config.get(BRIDGE_INTERFACE)).isEqualTo("cbr0");
        assertThat(config.get(INTERFACE_NAME_PREFIX)).isEqualTo("veth");
        assertThat(config.get(BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(config.get(HEALTHZ_BIND_ADDRESS)).isEqualTo("0.0.0.0:20256");
        assertThat(config.get(METRICS_BIND_ADDRESS)).isEqualTo("[::1]:20249");
        assertThat(config.get(BIND_ADDRESS_HARD_FAIL)).isTrue();
        assertThat(config.get(ENABLE_PROFILING)).isFalse();
        assertThat(config.get(KUBECONFIG)).isEqualTo("/var/lib/kube-proxy/kubeconfig.conf");
        assertThat(config.get(CONTENT_TYPE)).isEqualTo("application/vnd.kubernetes.protobuf");
        assertThat(config.get(QPS)).isEqualTo(5.0);
        assertThat(config.get(BURST)).isEqualTo(10);
        assertThat(config.get(MASQUERADE_ALL)).isTrue();
        assertThat(config.get(MASQUERADE_BIT)).isEqualTo(10);
        assertThat(config.get(LOCALHOST_NODE_PORTS)).isFalse();
        assertThat(config.get(IPTABLES_SYNC_PERIOD)).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.get(IPTABLES_MIN_SYNC_PERIOD)).isEqualTo(Duration.ofMillis(500));
        assertThat(config.get(IPVS_SYNC_PERIOD)).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.get(IPVS_MIN_SYNC_PERIOD)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.get(IPVS_SCHEDULER)).isEqualTo("wlc");
        assertThat(config.get(IPVS_EXCLUDE_CIDRS)).containsExactly("192.168.0.0/16", "fd00:99::/64");
        assertThat(config.get(IPVS_STRICT_ARP)).isTrue();
        assertThat(config.get(IPVS_TCP_TIMEOUT)).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.get(IPVS_TCP_FIN_TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.get(IPVS_UDP_TIMEOUT)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.get(CONNTRACK_MAX_PER_CORE)).isEqualTo(65536);
        assertThat(config.get(CONNTRACK_MIN)).isEqualTo(262144);
        assertThat(config.get(CONNTRACK_TCP_ESTABLISHED_TIMEOUT)).isEqualTo(Duration.ofHours(12));
        assertThat(config.get(CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT)).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.get(CONNTRACK_TCP_BE_LIBERAL)).isTrue();
        assertThat(config.get(CONNTRACK_UDP_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(CONNTRACK_UDP_STREAM_TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.get(CONFIG_SYNC_PERIOD)).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.get(OOM_SCORE_ADJ)).isEqualTo(-500);
        assertThat(config.get(LOGGING_FORMAT)).isEqualTo("json");
        assertThat(config.get(LOGGING_VERBOSITY)).isEqualTo(4);
        assertThat(config.get(LOGGING_FLUSH_FREQUENCY)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.warnings()).as("nftables, winkernel and windowsRunAsService are tolerated").isEmpty();
    }

    @Test
    void kubeadmsConfigMapLoadsWithItsEmptyAndZeroFieldsMeaningUnset() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("kubeadm-v1.32.yaml"));

        Map<String, Object> expected = new TreeMap<>();
        expected.put("bindAddress", "0.0.0.0");
        expected.put("bindAddressHardFail", false);
        expected.put("clientConnection.burst", 0);
        expected.put("clientConnection.kubeconfig", "/var/lib/kube-proxy/kubeconfig.conf");
        expected.put("clientConnection.qps", 0.0);
        expected.put("clusterCIDR", "10.244.0.0/16");
        expected.put("conntrack.tcpBeLiberal", false);
        expected.put("conntrack.udpStreamTimeout", "0s");
        expected.put("conntrack.udpTimeout", "0s");
        expected.put("enableProfiling", false);
        expected.put("iptables.masqueradeAll", false);
        expected.put("ipvs.minSyncPeriod", "0s");
        expected.put("ipvs.strictARP", false);
        expected.put("ipvs.tcpFinTimeout", "0s");
        expected.put("ipvs.tcpTimeout", "0s");
        expected.put("ipvs.udpTimeout", "0s");
        expected.put("logging.flushFrequency", "0s");
        expected.put("logging.verbosity", 0);
        assertThat(config.byPath()).isEqualTo(expected);
        assertThat(config.warnings()).as("nothing in kubeadm's file is unknown or unused").isEmpty();
    }

    @Test
    void absentFieldsAreAbsent() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("minimal.yaml"));

        assertThat(config.values()).isEmpty();
        assertThat(config.get(CLUSTER_CIDR)).isNull();
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void unknownFieldsAreWarnedAboutOneLineEachNamingTheirPath() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("unknown-nested-fields.yaml"));

        assertThat(config.warnings()).hasSize(3);
        assertThat(config.warnings().get(0)).contains("unknown-nested-fields.yaml").contains("\"proxyFlavour\"");
        assertThat(config.warnings().get(1)).contains("\"iptables.masqueradeBits\"");
        assertThat(config.warnings().get(2)).contains("\"iptables.snatNodeInternalIP\"");
        assertThat(config.get(CONNTRACK_MAX_PER_CORE)).as("known fields are still read").isZero();
    }

    @Test
    void anUnknownIptablesFieldIsAWarningAndTheKnownOneIsRead() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("unknown-iptables-field.yaml"));

        assertThat(config.warnings()).singleElement().asString().contains("iptables.masqueradeBits");
        assertThat(config.get(MASQUERADE_BIT)).isEqualTo(14);
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-kind.yaml", "wrong-api-version.yaml"})
    void theWrongKindOrApiVersionIsAnError(String file) {
        assertThatThrownBy(() -> KubeProxyConfiguration.load(resource(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file)
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("KubeletConfiguration", "v1beta9"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-yaml.yaml", "a-list.yaml"})
    void unusableFilesAreConfigErrors(String file) {
        assertThatThrownBy(() -> KubeProxyConfiguration.load(resource(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "iptables.masqueradeBit | 'iptables: {masqueradeBit: fourteen}'",
            "iptables.syncPeriod | 'iptables: {syncPeriod: 30}'",
            "iptables.minSyncPeriod | 'iptables: {minSyncPeriod: soon}'",
            "ipvs.strictARP | 'ipvs: {strictARP: maybe}'",
            "ipvs.excludeCIDRs | 'ipvs: {excludeCIDRs: 10.0.0.0/8}'",
            "conntrack.maxPerCore | 'conntrack: {maxPerCore: lots}'",
            "conntrack.udpTimeout | 'conntrack: {udpTimeout: 1 minute}'",
            "clientConnection.qps | 'clientConnection: {qps: fast}'",
            "featureGates.TopologyAwareHints | 'featureGates: {TopologyAwareHints: yes please}'",
            "nodePortAddresses | 'nodePortAddresses: {a: b}'",
            "hostnameOverride | 'hostnameOverride: [a, b]'",
            "oomScoreAdj | 'oomScoreAdj: low'",
            "conntrack | 'conntrack: 5'",
    })
    void aValueOfTheWrongTypeIsAnErrorNamingTheFieldAndTheFile(String field, String yaml, @TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("kube-proxy.yaml"),
                "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + yaml + "\n");

        assertThatThrownBy(() -> KubeProxyConfiguration.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(field)
                .hasMessageContaining("kube-proxy.yaml");
    }

    @Test
    void theBadMasqueradeBitFileNamesTheField() {
        assertThatThrownBy(() -> KubeProxyConfiguration.load(resource("bad-masquerade-bit.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad-masquerade-bit.yaml")
                .hasMessageContaining("iptables.masqueradeBit");
    }

    @Test
    void zeroDurationsOfNonPointerFieldsMeanUnsetButPointerFieldsKeepTheirZero(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("zero.yaml"), """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                iptables: {syncPeriod: 0s, minSyncPeriod: 0s}
                configSyncPeriod: 0s
                conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s}
                """);

        KubeProxyConfiguration config = KubeProxyConfiguration.load(file);

        assertThat(config.has(IPTABLES_SYNC_PERIOD)).isFalse();
        assertThat(config.has(IPTABLES_MIN_SYNC_PERIOD)).isFalse();
        assertThat(config.has(CONFIG_SYNC_PERIOD)).isFalse();
        assertThat(config.get(CONNTRACK_MAX_PER_CORE)).isZero();
        assertThat(config.get(CONNTRACK_TCP_ESTABLISHED_TIMEOUT)).isZero();
    }

    @Test
    void flushFrequencyMayBeNanoseconds(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("flush.yaml"),
                "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
                        + "logging: {flushFrequency: 2000000000}\n");

        assertThat(KubeProxyConfiguration.load(file).get(LOGGING_FLUSH_FREQUENCY)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aNonZeroLoggingOptionsTreeIsWarnedAbout() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("not-used-fields.yaml"));

        assertThat(config.warnings()).singleElement().asString().contains("logging.vmodule");
    }

    @Test
    void aMissingFileIsAConfigError(@TempDir Path dir) {
        Path missing = dir.resolve("kube-proxy.yaml");

        assertThatThrownBy(() -> KubeProxyConfiguration.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void everySettingHasAUniquePathAndFlag() {
        List<String> paths = ALL.stream().map(Setting::path).toList();
        List<String> flags = ALL.stream().map(Setting::flag).filter(java.util.Objects::nonNull).toList();

        assertThat(paths).doesNotHaveDuplicates();
        assertThat(flags).doesNotHaveDuplicates();
    }
}
