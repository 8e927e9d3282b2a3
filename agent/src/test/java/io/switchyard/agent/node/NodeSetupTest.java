package io.switchyard.agent.node;

import io.switchyard.agent.config.ConntrackSettings;
import io.switchyard.agent.config.ProxySettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** NodeSetup: which conntrack sysctls and OOM score it sets at start-up, against a fake /proc and /sys. */
class NodeSetupTest {

    @TempDir
    Path dir;

    private Path proc;
    private Path hashsize;
    private Path oom;

    /** A fresh kernel's values (Debian, 2 CPUs), as the fixture of kube-proxy v1.32's sysctls shows them. */
    @BeforeEach
    void freshKernel() throws IOException {
        proc = dir.resolve("proc-sys");
        sysctl(NodeSetup.CONNTRACK_MAX, "65536");
        sysctl(NodeSetup.TCP_ESTABLISHED, "432000");
        sysctl(NodeSetup.TCP_CLOSE_WAIT, "60");
        sysctl(NodeSetup.TCP_BE_LIBERAL, "0");
        sysctl(NodeSetup.UDP_TIMEOUT, "30");
        sysctl(NodeSetup.UDP_STREAM_TIMEOUT, "120");
        hashsize = Files.writeString(dir.resolve("hashsize"), "16384\n");
        oom = Files.writeString(dir.resolve("oom_score_adj"), "0\n");
    }

    private void sysctl(String key, String value) throws IOException {
        Path file = proc.resolve(Sysctls.slashed(key));
        Files.createDirectories(file.getParent());
        Files.writeString(file, value + "\n");
    }

    private Map<String, String> kernel() throws IOException {
        Map<String, String> values = new TreeMap<>();
        ProcSysctls sysctls = new ProcSysctls(proc);
        for (String key : List.of(NodeSetup.CONNTRACK_MAX, NodeSetup.TCP_ESTABLISHED, NodeSetup.TCP_CLOSE_WAIT,
                NodeSetup.TCP_BE_LIBERAL, NodeSetup.UDP_TIMEOUT, NodeSetup.UDP_STREAM_TIMEOUT)) {
            values.put(key, sysctls.read(key));
        }
        values.put("hashsize", Files.readString(hashsize).strip());
        values.put("oom_score_adj", Files.readString(oom).strip());
        return values;
    }

    private NodeSetup.Result apply(ProxySettings settings, int cpus) {
        return new NodeSetup(new ProcSysctls(proc), hashsize, oom, () -> cpus).apply(settings);
    }

    private static ProxySettings with(ConntrackSettings conntrack, int oomScoreAdj) {
        ProxySettings d = ProxySettings.defaults("node-a", List.of());
        return new ProxySettings(d.hostname(), d.mode(), d.clusterCidrs(), d.masqueradeAll(), d.masqueradeBit(),
                d.localhostNodePorts(), d.nodePortAddresses(), d.detectLocalMode(), d.bridgeInterface(),
                d.interfaceNamePrefix(), d.featureGates(), d.serviceProxyName(), d.syncPeriod(), d.minSyncPeriod(),
                d.kubeconfig(), d.master(), d.healthzBindAddress(), d.metricsBindAddress(), d.bindAddressHardFail(),
                d.ipvs(), conntrack, oomScoreAdj, d.configSyncPeriod(), d.logging());
    }

    @Test
    void kubeProxysDefaultsOnTwoCpusRaiseTheTableAndTimeoutsButNeverLowerOne() throws IOException {
        NodeSetup.Result result = apply(ProxySettings.defaults("node-a", List.of()), 2);

        assertThat(kernel()).isEqualTo(Map.of(
                NodeSetup.CONNTRACK_MAX, "131072",
                "hashsize", "32768",
                NodeSetup.TCP_ESTABLISHED, "432000",
                NodeSetup.TCP_CLOSE_WAIT, "3600",
                NodeSetup.TCP_BE_LIBERAL, "0",
                NodeSetup.UDP_TIMEOUT, "30",
                NodeSetup.UDP_STREAM_TIMEOUT, "120",
                "oom_score_adj", "-999"));
        assertThat(result.changes()).containsExactly(
                new NodeSetup.Change(NodeSetup.CONNTRACK_MAX, "65536", "131072"),
                new NodeSetup.Change("nf_conntrack hashsize", "16384", "32768"),
                new NodeSetup.Change(NodeSetup.TCP_CLOSE_WAIT, "60", "3600"),
                new NodeSetup.Change("oom_score_adj", "0", "-999"));
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void manyCpusScaleTheTablePastTheMinimum() throws IOException {
        apply(ProxySettings.defaults("node-a", List.of()), 16);

        assertThat(kernel()).containsEntry(NodeSetup.CONNTRACK_MAX, "524288").containsEntry("hashsize", "131072");
    }

    @Test
    void zeroesLeaveEverySysctlAlone() throws IOException {
        Map<String, String> before = kernel();

        NodeSetup.Result result = apply(with(ConntrackSettings.leaveAlone(), 0), 2);

        assertThat(kernel()).isEqualTo(before);
        assertThat(result.changes()).isEmpty();
    }

    @Test
    void maxPerCoreZeroIgnoresTheMinimum() throws IOException {
        apply(with(new ConntrackSettings(0, 999999, Duration.ZERO, Duration.ZERO, false, Duration.ZERO, Duration.ZERO), 0), 2);

        assertThat(kernel()).containsEntry(NodeSetup.CONNTRACK_MAX, "65536").containsEntry("hashsize", "16384");
    }

    @Test
    void liberalTcpAndUdpTimeoutsAreSetWhenConfigured() throws IOException {
        NodeSetup.Result result = apply(with(new ConntrackSettings(0, 0, Duration.ZERO, Duration.ZERO, true,
                Duration.ofSeconds(45), Duration.ofMinutes(3)), 0), 2);

        assertThat(kernel()).containsEntry(NodeSetup.TCP_BE_LIBERAL, "1")
                .containsEntry(NodeSetup.UDP_TIMEOUT, "45").containsEntry(NodeSetup.UDP_STREAM_TIMEOUT, "180");
        assertThat(result.changes()).hasSize(3);
        assertThat(NodeSetup.tcpBeLiberal(new ProcSysctls(proc))).isTrue();
    }

    @Test
    void valuesAlreadyInPlaceAreNotRewrittenNorLogged() {
        apply(ProxySettings.defaults("node-a", List.of()), 2);

        NodeSetup.Result again = apply(ProxySettings.defaults("node-a", List.of()), 2);

        assertThat(again.changes()).isEmpty();
        assertThat(again.warnings()).isEmpty();
    }

    @Test
    void aLargerHashTableIsKept() throws IOException {
        Files.writeString(hashsize, "262144\n");

        apply(ProxySettings.defaults("node-a", List.of()), 2);

        assertThat(kernel()).containsEntry("hashsize", "262144");
    }

    @Test
    void whatCannotBeSetIsAWarningNamingItAndTheRestIsStillApplied() throws IOException {
        Files.delete(proc.resolve(Sysctls.slashed(NodeSetup.CONNTRACK_MAX)));
        Files.delete(hashsize);
        Files.createDirectory(hashsize);

        NodeSetup.Result result = apply(ProxySettings.defaults("node-a", List.of()), 2);

        assertThat(result.warnings()).hasSize(2);
        assertThat(result.warnings().get(0)).contains(NodeSetup.CONNTRACK_MAX);
        assertThat(result.warnings().get(1)).contains("hashsize");
        assertThat(new ProcSysctls(proc).read(NodeSetup.TCP_CLOSE_WAIT)).isEqualTo("3600");
        assertThat(Files.readString(oom)).isEqualTo("-999\n");
    }

    @Test
    void withoutTheTcpBeLiberalKeyConntrackIsStrict() throws IOException {
        Files.delete(proc.resolve(Sysctls.slashed(NodeSetup.TCP_BE_LIBERAL)));

        assertThat(NodeSetup.tcpBeLiberal(new ProcSysctls(proc))).isFalse();
    }
}
