package io.switchyard.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KubeProxyConfiguration: reading a v1alpha1 file, strictly, with one clear message on errors. */
class KubeProxyConfigurationTest {

    static Path resource(String name) {
        try {
            return Path.of(KubeProxyConfigurationTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsEverySettingSwitchyardUses() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("full.yaml"));

        assertThat(config.hostnameOverride()).isEqualTo("Node-B");
        assertThat(config.clusterCidr()).isEqualTo("10.244.0.0/16,fd00:10:244::/56");
        assertThat(config.mode()).isEqualTo("iptables");
        assertThat(config.nodePortAddresses()).containsExactly("10.0.0.0/8");
        assertThat(config.featureGates()).isEqualTo(Map.of("PreferSameTrafficDistribution", true));
        assertThat(config.detectLocalMode()).isEqualTo("BridgeInterface");
        assertThat(config.bridgeInterface()).isEqualTo("cbr0");
        assertThat(config.interfaceNamePrefix()).isEqualTo("veth");
        assertThat(config.masqueradeAll()).isTrue();
        assertThat(config.masqueradeBit()).isEqualTo(10);
        assertThat(config.localhostNodePorts()).isFalse();
        assertThat(config.syncPeriod()).isEqualTo("1m0s");
        assertThat(config.minSyncPeriod()).isEqualTo("500ms");
        assertThat(config.kubeconfig()).isEqualTo("/var/lib/kube-proxy/kubeconfig.conf");
        assertThat(config.healthzBindAddress()).isEqualTo("0.0.0.0:10256");
        assertThat(config.metricsBindAddress()).isEqualTo("127.0.0.1:10249");
    }

    @Test
    void absentFieldsAreNull() {
        KubeProxyConfiguration config = KubeProxyConfiguration.load(resource("minimal.yaml"));

        assertThat(config).isEqualTo(KubeProxyConfiguration.empty());
        assertThat(config.clusterCidr()).isNull();
        assertThat(config.masqueradeBit()).isNull();
        assertThat(config.syncPeriod()).isNull();
    }

    @Test
    void anUnknownTopLevelFieldIsAnErrorNamingIt() {
        assertThatThrownBy(() -> KubeProxyConfiguration.load(resource("unknown-field.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxyFlavour")
                .hasMessageContaining("unknown-field.yaml");
    }

    @Test
    void anUnknownIptablesFieldIsAnErrorNamingItsPath() {
        assertThatThrownBy(() -> KubeProxyConfiguration.load(resource("unknown-iptables-field.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("iptables.masqueradeBits");
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
    @ValueSource(strings = {"not-yaml.yaml", "a-list.yaml", "bad-masquerade-bit.yaml"})
    void unusableFilesAreConfigErrors(String file) {
        assertThatThrownBy(() -> KubeProxyConfiguration.load(resource(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file);
    }

    @Test
    void aMissingFileIsAConfigError(@TempDir Path dir) {
        Path missing = dir.resolve("kube-proxy.yaml");

        assertThatThrownBy(() -> KubeProxyConfiguration.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }
}
