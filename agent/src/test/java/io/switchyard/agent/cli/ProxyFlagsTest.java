package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.rules.model.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ProxyFlags: kube-proxy's flags merged over the configuration file and defaults, and validated. */
class ProxyFlagsTest {

    static Path resource(String name) {
        try {
            return Path.of(ProxyFlagsTest.class.getResource("/cli/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProxySettings resolve(String... args) {
        ProxyFlags flags = new ProxyFlags();
        new CommandLine(flags).parseArgs(args);
        return flags.resolve();
    }

    private static ProxySettings withConfig(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", resource("proxy-config.yaml").toString()));
        all.addAll(List.of(args));
        return resolve(all.toArray(String[]::new));
    }

    @Test
    void defaultsAreKubeProxys() {
        ProxySettings settings = resolve("--hostname-override", "node-a");

        assertThat(settings.hostname()).isEqualTo("node-a");
        assertThat(settings.proxyMode()).isEqualTo("iptables");
        assertThat(settings.clusterCidrs()).isEmpty();
        assertThat(settings.masqueradeAll()).isFalse();
        assertThat(settings.masqueradeBit()).isEqualTo(14);
        assertThat(settings.localhostNodePorts()).isTrue();
        assertThat(settings.nodePortAddresses()).isEmpty();
        assertThat(settings.detectLocalMode()).isEqualTo("ClusterCIDR");
        assertThat(settings.serviceProxyName()).isEmpty();
        assertThat(settings.syncPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.minSyncPeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.preferSameNodeHints()).isFalse();
    }

    @Test
    void configFileValuesAreUsedWhenTheFlagIsAbsent() {
        ProxySettings settings = withConfig();

        assertThat(settings.hostname()).isEqualTo("node-b");
        assertThat(settings.clusterCidrs()).containsExactly(Cidr.parse("10.244.0.0/16"));
        assertThat(settings.masqueradeBit()).isEqualTo(10);
        assertThat(settings.masqueradeAll()).isFalse();
        assertThat(settings.localhostNodePorts()).isFalse();
        assertThat(settings.nodePortAddresses()).containsExactly("10.0.0.0/8");
        assertThat(settings.detectLocalMode()).isEqualTo("NodeCIDR");
        assertThat(settings.preferSameNodeHints()).isTrue();
        assertThat(settings.syncPeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.minSyncPeriod()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void flagsOnTheCommandLineWinOverTheFile() {
        ProxySettings settings = withConfig(
                "--hostname-override", "node-a",
                "--cluster-cidr", "10.200.0.0/16,fd00:200::/56",
                "--iptables-masquerade-bit", "12",
                "--masquerade-all",
                "--iptables-localhost-nodeports=true",
                "--nodeport-addresses", "192.168.0.0/16,fd00::/8",
                "--detect-local-mode", "ClusterCIDR",
                "--feature-gates", "PreferSameTrafficDistribution=false",
                "--iptables-sync-period", "45s",
                "--iptables-min-sync-period", "2s");

        assertThat(settings.hostname()).isEqualTo("node-a");
        assertThat(settings.clusterCidrs()).containsExactly(Cidr.parse("10.200.0.0/16"), Cidr.parse("fd00:200::/56"));
        assertThat(settings.masqueradeBit()).isEqualTo(12);
        assertThat(settings.masqueradeAll()).isTrue();
        assertThat(settings.localhostNodePorts()).isTrue();
        assertThat(settings.nodePortAddresses()).containsExactly("192.168.0.0/16", "fd00::/8");
        assertThat(settings.detectLocalMode()).isEqualTo("ClusterCIDR");
        assertThat(settings.featureGates()).isEqualTo(Map.of("PreferSameTrafficDistribution", false));
        assertThat(settings.syncPeriod()).isEqualTo(Duration.ofSeconds(45));
        assertThat(settings.minSyncPeriod()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aFlagOverridesOnlyItsOwnSetting() {
        ProxySettings settings = withConfig("--iptables-masquerade-bit", "20");

        assertThat(settings.masqueradeBit()).isEqualTo(20);
        assertThat(settings.clusterCidrs()).containsExactly(Cidr.parse("10.244.0.0/16"));
        assertThat(settings.hostname()).isEqualTo("node-b");
    }

    @Test
    void nodePortAddressesAcceptPrimaryAlone() {
        assertThat(resolve("--hostname-override", "node-a", "--nodeport-addresses", "primary").nodePortAddresses())
                .containsExactly("primary");
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--nodeport-addresses", "primary,10.0.0.0/8"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("primary");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.244.0.0/33", "not-a-cidr", "10.244.0.0", "10.244.0.0/16,bogus"})
    void anInvalidClusterCidrIsAConfigError(String value) {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--cluster-cidr", value))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--cluster-cidr");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.0/40", "eth0"})
    void anInvalidNodePortAddressIsAConfigError(String value) {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--nodeport-addresses", value))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--nodeport-addresses");
    }

    @ParameterizedTest
    @ValueSource(strings = {"32", "-1"})
    void aMasqueradeBitOutsideZeroTo31IsAConfigError(String bit) {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--iptables-masquerade-bit", bit))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--iptables-masquerade-bit");
    }

    @Test
    void masqueradeBitsZeroAnd31AreAccepted() {
        assertThat(resolve("--hostname-override", "n", "--iptables-masquerade-bit", "0").masqueradeBit()).isZero();
        assertThat(resolve("--hostname-override", "n", "--iptables-masquerade-bit", "31").masqueradeBit()).isEqualTo(31);
    }

    @Test
    void anUnknownDetectLocalModeIsAConfigError() {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--detect-local-mode", "Foo"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Foo");
    }

    @Test
    void bridgeInterfaceModeNeedsABridge() {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--detect-local-mode", "BridgeInterface"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("BridgeInterface");
        assertThat(resolve("--hostname-override", "node-a", "--detect-local-mode", "BridgeInterface",
                "--pod-bridge-interface", "cbr0").bridgeInterface()).isEqualTo("cbr0");
    }

    @Test
    void proxyModesOtherThanIptablesAreNotSupportedYet() {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--proxy-mode", "ipvs"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ipvs");
    }

    @Test
    void badDurationsAndFeatureGatesAreConfigErrors() {
        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--iptables-sync-period", "30"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--iptables-sync-period");
        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--iptables-sync-period", "0s"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--iptables-sync-period");
        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--feature-gates", "PreferSameTrafficDistribution=yes"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PreferSameTrafficDistribution");
    }

    @Test
    void theHostnameIsLowerCasedAndStripped() {
        assertThat(resolve("--hostname-override", " Node-A ").hostname()).isEqualTo("node-a");
    }
}
