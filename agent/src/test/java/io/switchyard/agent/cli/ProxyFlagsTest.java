package io.switchyard.agent.cli;

import io.switchyard.agent.config.BindAddress;
import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.ConntrackSettings;
import io.switchyard.agent.config.FeatureGates;
import io.switchyard.agent.config.IpvsSettings;
import io.switchyard.agent.config.KubeProxyConfigurationTest;
import io.switchyard.agent.config.KubeProxyConfigurationWriter;
import io.switchyard.agent.config.SettingsResolver;
import io.switchyard.agent.logging.LogFormat;
import io.switchyard.agent.logging.Logging;
import io.switchyard.agent.logging.LoggingSettings;
import io.switchyard.agent.config.ProxyMode;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.rules.model.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        return flags.resolveQuietly().settings();
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
    void anInterfaceNameThatIsNotOneIsRefusedBeforeItReachesARule() {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--detect-local-mode", "BridgeInterface",
                "--pod-bridge-interface", "br0 -j ACCEPT"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--pod-bridge-interface")
                .hasMessageContaining("br0 -j ACCEPT");
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--detect-local-mode", "InterfaceNamePrefix",
                "--pod-interface-name-prefix", "veth+"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--pod-interface-name-prefix");
        assertThat(resolve("--hostname-override", "node-a", "--detect-local-mode", "InterfaceNamePrefix",
                "--pod-interface-name-prefix", "veth").interfaceNamePrefix()).isEqualTo("veth");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "kernelspace"})
    void proxyModesSwitchyardDoesNotRunAreRefusedClearly(String mode) {
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--proxy-mode", mode))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--proxy-mode").hasMessageContaining(mode).hasMessageContaining("not supported");
        assertThatThrownBy(() -> resolve("--hostname-override", "node-a", "--proxy-mode", "userspace"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown proxy mode \"userspace\"");
    }

    @Test
    void anEmptyProxyModeIsIptablesAsOnKubeProxy() {
        assertThat(resolve("--hostname-override", "n", "--proxy-mode", "").mode()).isEqualTo(ProxyMode.IPTABLES);
        assertThat(resolve("--hostname-override", "n", "--proxy-mode", "ipvs").mode()).isEqualTo(ProxyMode.IPVS);
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
    void aBlankHostnameOverrideIsAnErrorAndAnEmptyOneIsIgnored() {
        assertThatThrownBy(() -> resolve("--hostname-override", "  "))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--hostname-override");
        assertThat(resolve("--hostname-override", "").hostname()).isNotEmpty();
    }

    @Test
    void theHostnameIsLowerCasedAndStripped() {
        assertThat(resolve("--hostname-override", " Node-A ").hostname()).isEqualTo("node-a");
    }

    // ---- every section, precedence, defaults

    private static SettingsResolver.Resolved resolveWithWarnings(String... args) {
        ProxyFlags flags = new ProxyFlags();
        new CommandLine(flags).parseArgs(args);
        return flags.resolveQuietly();
    }

    private static String config(String name) {
        return KubeProxyConfigurationTest.resource(name).toString();
    }

    @Test
    void theNewSettingsDefaultToKubeProxyV132s() {
        ProxySettings settings = resolve("--hostname-override", "node-a");

        assertThat(settings.mode()).isEqualTo(ProxyMode.IPTABLES);
        assertThat(settings.healthzBindAddress()).contains(new BindAddress("0.0.0.0", 10256));
        assertThat(settings.metricsBindAddress()).contains(new BindAddress("127.0.0.1", 10249));
        assertThat(settings.bindAddressHardFail()).isFalse();
        assertThat(settings.ipvs()).isEqualTo(IpvsSettings.defaults());
        assertThat(settings.conntrack()).isEqualTo(new ConntrackSettings(32768, 131072, Duration.ofHours(24),
                Duration.ofHours(1), false, Duration.ZERO, Duration.ZERO));
        assertThat(settings.oomScoreAdj()).isEqualTo(-999);
        assertThat(settings.configSyncPeriod()).isEqualTo(Duration.ofMinutes(15));
        assertThat(settings.logging()).isEqualTo(new LoggingSettings(LogFormat.TEXT, 0));
        assertThat(settings).isEqualTo(ProxySettings.defaults("node-a", List.of()));
    }

    @Test
    void kubeadmsConfigMapGivesKubeProxysDefaultsWithItsClusterCidrAndKubeconfig() {
        SettingsResolver.Resolved resolved = resolveWithWarnings("--config", config("kubeadm-v1.32.yaml"),
                "--hostname-override", "node-a");

        ProxySettings expected = new ProxySettings("node-a", ProxyMode.IPTABLES, List.of(Cidr.parse("10.244.0.0/16")),
                false, 14, true, List.of(), "ClusterCIDR", null, null, Map.of(), "", Duration.ofSeconds(30),
                Duration.ofSeconds(1), "/var/lib/kube-proxy/kubeconfig.conf", null,
                Optional.of(new BindAddress("0.0.0.0", 10256)), Optional.of(new BindAddress("127.0.0.1", 10249)),
                false, IpvsSettings.defaults(), ConntrackSettings.defaults(), -999, Duration.ofMinutes(15),
                LoggingSettings.defaults());
        assertThat(resolved.settings()).isEqualTo(expected);
        assertThat(resolved.warnings()).isEmpty();
    }

    @Test
    void everySectionOfTheFileReachesTheSettings() {
        SettingsResolver.Resolved resolved = resolveWithWarnings("--config", config("full.yaml"));
        ProxySettings settings = resolved.settings();

        assertThat(settings.hostname()).isEqualTo("node-b");
        assertThat(settings.mode()).isEqualTo(ProxyMode.IPVS);
        assertThat(settings.proxyMode()).isEqualTo("ipvs");
        assertThat(settings.syncPeriod()).as("ipvs mode uses the ipvs section").isEqualTo(Duration.ofSeconds(45));
        assertThat(settings.minSyncPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.clusterCidrs()).containsExactly(Cidr.parse("10.244.0.0/16"), Cidr.parse("fd00:10:244::/56"));
        assertThat(settings.masqueradeAll()).isTrue();
        assertThat(settings.masqueradeBit()).isEqualTo(10);
        assertThat(settings.localhostNodePorts()).isFalse();
        assertThat(settings.detectLocalMode()).isEqualTo("BridgeInterface");
        assertThat(settings.bridgeInterface()).isEqualTo("cbr0");
        assertThat(settings.featureGates()).containsEntry("TopologyAwareHints", true);
        assertThat(settings.preferSameNodeHints()).isTrue();
        assertThat(settings.healthzBindAddress()).contains(new BindAddress("0.0.0.0", 20256));
        assertThat(settings.metricsBindAddress()).contains(new BindAddress("::1", 20249));
        assertThat(settings.metricsBindAddress().orElseThrow()).hasToString("[::1]:20249");
        assertThat(settings.bindAddressHardFail()).isTrue();
        assertThat(settings.ipvs()).isEqualTo(new IpvsSettings("wlc",
                List.of(Cidr.parse("192.168.0.0/16"), Cidr.parse("fd00:99::/64")), true, Duration.ofMinutes(15),
                Duration.ofMinutes(2), Duration.ofMinutes(5)));
        assertThat(settings.conntrack()).isEqualTo(new ConntrackSettings(65536, 262144, Duration.ofHours(12),
                Duration.ofMinutes(30), true, Duration.ofSeconds(30), Duration.ofMinutes(2)));
        assertThat(settings.oomScoreAdj()).isEqualTo(-500);
        assertThat(settings.configSyncPeriod()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.logging()).isEqualTo(new LoggingSettings(LogFormat.JSON, 4));
        assertThat(settings.kubeconfig()).isEqualTo("/var/lib/kube-proxy/kubeconfig.conf");
        assertThat(resolved.warnings()).as("contentType, qps 5 and burst 10 are kube-proxy's defaults").isEmpty();
    }

    @Test
    void iptablesModeUsesTheIptablesSectionsPeriods() {
        ProxySettings settings = resolve("--config", config("full.yaml"), "--proxy-mode", "iptables");

        assertThat(settings.syncPeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.minSyncPeriod()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void everyNewFlagWinsOverTheFile() {
        ProxySettings settings = resolve("--config", config("full.yaml"),
                "--ipvs-sync-period", "50s", "--ipvs-min-sync-period", "3s", "--iptables-sync-period", "40s",
                "--ipvs-scheduler", "sh", "--ipvs-exclude-cidrs", "172.16.0.0/12", "--ipvs-strict-arp=false",
                "--ipvs-tcp-timeout", "1m", "--ipvs-tcpfin-timeout", "10s", "--ipvs-udp-timeout", "20s",
                "--conntrack-max-per-core", "0", "--conntrack-min", "1", "--conntrack-tcp-timeout-established", "0s",
                "--conntrack-tcp-timeout-close-wait", "5m", "--conntrack-tcp-be-liberal=false",
                "--conntrack-udp-timeout", "1s", "--conntrack-udp-timeout-stream", "3s",
                "--healthz-bind-address", "127.0.0.1", "--metrics-bind-address", "[::]:9999",
                "--bind-address-hard-fail=false", "--oom-score-adj", "0", "--config-sync-period", "1h",
                "--logging-format", "text");

        assertThat(settings.syncPeriod()).isEqualTo(Duration.ofSeconds(50));
        assertThat(settings.minSyncPeriod()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.ipvs()).isEqualTo(new IpvsSettings("sh", List.of(Cidr.parse("172.16.0.0/12")), false,
                Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(20)));
        assertThat(settings.conntrack()).isEqualTo(new ConntrackSettings(0, 1, Duration.ZERO, Duration.ofMinutes(5),
                false, Duration.ofSeconds(1), Duration.ofSeconds(3)));
        assertThat(settings.healthzBindAddress()).contains(new BindAddress("127.0.0.1", 10256));
        assertThat(settings.metricsBindAddress()).contains(new BindAddress("::", 9999));
        assertThat(settings.bindAddressHardFail()).isFalse();
        assertThat(settings.oomScoreAdj()).isZero();
        assertThat(settings.configSyncPeriod()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.logging()).isEqualTo(new LoggingSettings(LogFormat.TEXT, 4));
        assertThat(settings.masqueradeBit()).as("untouched settings stay the file's").isEqualTo(10);
    }

    @Test
    void anEmptyBindAddressFlagDisablesTheServerButAnEmptyFieldMeansTheDefault(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("empty.yaml"), """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                healthzBindAddress: ""
                metricsBindAddress: ""
                """);

        ProxySettings fromFile = resolve("--hostname-override", "n", "--config", file.toString());
        ProxySettings fromFlags = resolve("--hostname-override", "n", "--healthz-bind-address=", "--metrics-bind-address", "");

        assertThat(fromFile.healthzBindAddress()).contains(new BindAddress("0.0.0.0", 10256));
        assertThat(fromFile.metricsBindAddress()).contains(new BindAddress("127.0.0.1", 10249));
        assertThat(fromFlags.healthzBindAddress()).isEmpty();
        assertThat(fromFlags.metricsBindAddress()).isEmpty();
    }

    @Test
    void anIpv6BindAddressMovesTheDefaultServersToIpv6() {
        ProxySettings settings = resolve("--hostname-override", "n", "--bind-address", "::");

        assertThat(settings.healthzBindAddress()).contains(new BindAddress("::", 10256));
        assertThat(settings.metricsBindAddress()).contains(new BindAddress("::1", 10249));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "1.2.3.4:80 | 1.2.3.4:80",
            "1.2.3.4 | 1.2.3.4:10256",
            "0.0.0.0:10256 | 0.0.0.0:10256",
            "[::1]:10249 | [::1]:10249",
            "[::] | [::]:10256",
            ":: | [::]:10256",
            "fd00::1 | [fd00::1]:10256",
            "' 10.0.0.1:1 ' | 10.0.0.1:1"})
    void bindAddressesParseAsKubeProxysDo(String value, String expected) {
        assertThat(BindAddress.parse("--healthz-bind-address", value, 10256)).map(BindAddress::toString).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:10256", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:http", "[::1", "[::1]x",
            "::1:80x", "1.2.3:80", "[1.2.3.4.5]:80"})
    void badBindAddressesAreErrorsNamingTheFlag(String value) {
        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--healthz-bind-address", value))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--healthz-bind-address");
    }

    @Test
    void anEmptyBindAddressIsDisabled() {
        assertThat(BindAddress.parse("x", "", 1)).isEmpty();
        assertThat(BindAddress.parse("x", null, 1)).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "--oom-score-adj=1001 | --oom-score-adj",
            "--oom-score-adj=-1001 | --oom-score-adj",
            "--proxy-mode=ipvs --ipvs-scheduler=fastest | --ipvs-scheduler",
            "--ipvs-exclude-cidrs=10.0.0.0 | --ipvs-exclude-cidrs",
            "--ipvs-tcp-timeout=-1s | --ipvs-tcp-timeout",
            "--ipvs-udp-timeout=soon | --ipvs-udp-timeout",
            "--conntrack-max-per-core=-1 | --conntrack-max-per-core",
            "--conntrack-min=-5 | --conntrack-min",
            "--conntrack-tcp-timeout-close-wait=-1m | --conntrack-tcp-timeout-close-wait",
            "--conntrack-udp-timeout-stream=1 | --conntrack-udp-timeout-stream",
            "--config-sync-period=0s | --config-sync-period",
            "--iptables-min-sync-period=1m | --iptables-min-sync-period",
            "--proxy-mode=ipvs --ipvs-sync-period=0s | --ipvs-sync-period",
            "--logging-format=xml | --logging-format",
            "--bind-address=node-a | --bind-address",
            "--cluster-cidr=10.0.0.0/8,10.1.0.0/16 | --cluster-cidr",
            "--feature-gates=NoSuchGate=true | NoSuchGate",
            "--feature-gates=preferSameTrafficDistribution=true | did you mean PreferSameTrafficDistribution"})
    void invalidFlagValuesAreErrorsNamingTheFlag(String args, String named) {
        List<String> all = new ArrayList<>(List.of("--hostname-override", "n"));
        all.addAll(List.of(args.split(" ")));

        assertThatThrownBy(() -> resolve(all.toArray(String[]::new)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(named);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "oomScoreAdj: 2000 | oomScoreAdj",
            "'iptables: {masqueradeBit: 32}' | iptables.masqueradeBit",
            "'mode: ipvs\nipvs: {scheduler: fastest}' | ipvs.scheduler",
            "'ipvs: {excludeCIDRs: [10.0.0.0]}' | ipvs.excludeCIDRs",
            "'conntrack: {maxPerCore: -1}' | conntrack.maxPerCore",
            "'logging: {format: xml}' | logging.format",
            "'logging: {verbosity: -2}' | logging.verbosity",
            "'mode: nftables' | mode",
            "'detectLocalMode: Pods' | detectLocalMode",
            "'healthzBindAddress: 0.0.0.0:99999' | healthzBindAddress",
            "'iptables: {minSyncPeriod: 2m}' | iptables.minSyncPeriod",
            "'featureGates: {NoSuchGate: true}' | featureGates",
            "'nodePortAddresses: [primary, 10.0.0.0/8]' | nodePortAddresses"})
    void invalidFileValuesAreErrorsNamingTheFileAndTheField(String yaml, String field, @TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("kube-proxy.yaml"),
                "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
                        + yaml.replace("\\n", "\n") + "\n");

        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--config", file.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kube-proxy.yaml").hasMessageContaining(field);
    }

    @Test
    void anIpvsSchedulerIsCheckedAgainstTheKernelsSchedulers() {
        assertThat(resolve("--hostname-override", "n", "--proxy-mode", "ipvs").ipvs().scheduler()).isEqualTo("rr");
        assertThat(resolve("--hostname-override", "n", "--ipvs-scheduler", "mh").ipvs().scheduler()).isEqualTo("mh");
        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--ipvs-scheduler", "RR"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--ipvs-scheduler").hasMessageContaining("RR");
    }

    @Test
    void theIpvsSyncFlagsApplyOnlyInIpvsModeAndTheIptablesOnesOnlyInIptablesMode() {
        ProxySettings iptables = resolve("--hostname-override", "n", "--ipvs-sync-period", "5s", "--iptables-sync-period", "7s");
        ProxySettings ipvs = resolve("--hostname-override", "n", "--proxy-mode", "ipvs", "--ipvs-sync-period", "5s",
                "--iptables-sync-period", "7s");

        assertThat(iptables.syncPeriod()).isEqualTo(Duration.ofSeconds(7));
        assertThat(ipvs.syncPeriod()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ipvs.minSyncPeriod()).as("ipvs's minimum defaults to 0, iptables's to 1s").isZero();
    }

    // ---- feature gates

    @Test
    void knownGatesSwitchyardDoesNotActOnAreAccepted() {
        ProxySettings settings = resolve("--hostname-override", "n", "--feature-gates",
                "TopologyAwareHints=true,NFTablesProxyMode=false,AllAlpha=false");

        assertThat(settings.featureGates()).containsEntry("TopologyAwareHints", true).hasSize(3);
        assertThat(settings.preferSameNodeHints()).isFalse();
    }

    @Test
    void flagGatesAreMergedGateByGateOverTheFiles() {
        ProxySettings settings = resolve("--config", config("full.yaml"), "--feature-gates", "TopologyAwareHints=false");

        assertThat(settings.featureGates())
                .isEqualTo(Map.of("PreferSameTrafficDistribution", true, "TopologyAwareHints", false));
    }

    @Test
    void anUnknownGateIsAnErrorNamingItAndWhereItCameFrom(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("gates.yaml"), """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                featureGates: {ServiceTopology: true}
                """);

        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--feature-gates", "Bogus=true"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--feature-gates").hasMessageContaining("unrecognized feature gate \"Bogus\"");
        assertThatThrownBy(() -> resolve("--hostname-override", "n", "--config", file.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gates.yaml: featureGates").hasMessageContaining("ServiceTopology");
    }

    @Test
    void gatesKnowKubeProxysListAndWhatSwitchyardActsOn() {
        assertThat(FeatureGates.KNOWN).contains("PreferSameTrafficDistribution", "ServiceTrafficDistribution",
                "TopologyAwareHints", "NFTablesProxyMode", "KubeProxyDrainingTerminatingNodes", "AllAlpha", "AllBeta",
                "LoggingBetaOptions", "ContextualLogging").hasSizeGreaterThan(150);
        assertThat(FeatureGates.KNOWN).containsAll(FeatureGates.ACTED_ON);
    }

    // ---- warnings for what Switchyard does not use

    @Test
    void settingsSwitchyardDoesNotActOnAreWarnedAboutOnceEach() {
        SettingsResolver.Resolved resolved = resolveWithWarnings("--hostname-override", "n",
                "--config", config("not-used-fields.yaml"), "--kube-api-qps", "20", "--profiling=false");

        assertThat(resolved.warnings()).hasSize(5);
        assertThat(String.join("\n", resolved.warnings()))
                .contains("logging.vmodule is accepted but not used")
                .contains("not-used-fields.yaml: bindAddress is accepted but not used by Switchyard (node IPs")
                .contains("not-used-fields.yaml: portRange is accepted")
                .contains("--kube-api-qps is accepted")
                .contains("not-used-fields.yaml: clientConnection.burst is accepted")
                .doesNotContain("enableProfiling", "--profiling");
    }

    @Test
    void resolveLogsTheWarningsInTheChosenFormat() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            ProxyFlags flags = new ProxyFlags();
            new CommandLine(flags).parseArgs("--hostname-override", "n", "--logging-format", "json",
                    "--config", config("unknown-nested-fields.yaml"));
            flags.resolve();
        } finally {
            System.setErr(saved);
            Logging.configure(0);
        }

        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("{\"ts\":").contains("\"level\":\"warning\""));
        assertThat(lines.get(0)).contains("proxyFlavour");
    }

    // ---- -v from the command the flags belong to

    /** A command shaped like run and dump-rules: its own -v, and the shared flags as a mixin. */
    @CommandLine.Command(name = "test")
    static final class WithVerbosity {
        @CommandLine.Option(names = {"-v", "--v"}, defaultValue = "0")
        int verbosity;

        @CommandLine.Mixin
        ProxyFlags flags;
    }

    private static ProxySettings resolveCommand(String... args) {
        WithVerbosity command = new WithVerbosity();
        new CommandLine(command).parseArgs(args);
        return command.flags.resolveQuietly().settings();
    }

    @Test
    void theCommandsVerbosityWinsOverTheFilesAndTheFilesOverTheDefault() {
        assertThat(resolveCommand("--hostname-override", "n").logging().verbosity()).isZero();
        assertThat(resolveCommand("--hostname-override", "n", "-v", "3").logging().verbosity()).isEqualTo(3);
        assertThat(resolveCommand("--config", config("full.yaml")).logging().verbosity()).isEqualTo(4);
        assertThat(resolveCommand("--config", config("full.yaml"), "--v=2").logging().verbosity()).isEqualTo(2);
        assertThat(resolveCommand("--config", config("full.yaml"), "-v", "0").logging().verbosity()).isZero();
    }

    // ---- --write-config-to

    @ParameterizedTest
    @ValueSource(strings = {"full.yaml", "kubeadm-v1.32.yaml", "proxy-config"})
    void writtenConfigurationReadsBackAsTheSameSettings(String source, @TempDir Path dir) {
        String path = source.equals("proxy-config") ? resource("proxy-config.yaml").toString() : config(source);
        Path written = dir.resolve("written.yaml");
        ProxyFlags flags = new ProxyFlags();
        new CommandLine(flags).parseArgs("--config", path, "--hostname-override", "Node-W", "--oom-score-adj", "-10",
                "--write-config-to", written.toString());
        ProxySettings original = flags.resolveQuietly().settings();

        assertThat(flags.writeConfigIfRequested(original)).isTrue();
        SettingsResolver.Resolved reread = resolveWithWarnings("--config", written.toString());

        assertThat(reread.settings()).isEqualTo(original);
        assertThat(reread.warnings()).as("a written file holds nothing unknown or unused").isEmpty();
    }

    @Test
    void theWrittenFileIsAKubeProxyConfigurationInGoSpelling() {
        String yaml = KubeProxyConfigurationWriter.toYaml(ProxySettings.defaults("node-a", List.of(Cidr.parse("10.244.0.0/16"))));

        assertThat(yaml).startsWith("apiVersion: kubeproxy.config.k8s.io/v1alpha1\n")
                .contains("\nkind: KubeProxyConfiguration\n")
                .contains("  tcpEstablishedTimeout: 24h0m0s\n")
                .contains("configSyncPeriod: 15m0s\n")
                .contains("healthzBindAddress: 0.0.0.0:10256\n")
                .contains("mode: iptables\n")
                .contains("oomScoreAdj: -999\n");
    }

    @Test
    void withoutWriteConfigToNothingIsWritten() {
        ProxyFlags flags = new ProxyFlags();
        new CommandLine(flags).parseArgs("--hostname-override", "n");

        assertThat(flags.writeConfigIfRequested(flags.resolveQuietly().settings())).isFalse();
    }

    @Test
    void anUnwritableFileIsAConfigErrorNamingIt(@TempDir Path dir) {
        Path target = dir.resolve("missing-dir").resolve("out.yaml");

        assertThatThrownBy(() -> KubeProxyConfigurationWriter.write(ProxySettings.defaults("n", List.of()), target))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--write-config-to").hasMessageContaining("out.yaml");
    }
}
