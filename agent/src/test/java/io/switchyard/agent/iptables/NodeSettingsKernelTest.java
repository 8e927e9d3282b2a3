package io.switchyard.agent.iptables;

import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.rules.iptables.KubeChains;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the dataplane takes from and does to the node it runs on, in a throwaway network
 * namespace: it sets route_localnet there (node ports on 127.0.0.1), reads
 * nf_conntrack_tcp_be_liberal there (no INVALID drop rule when set, as kube-proxy), and a failed
 * iptables-save fails a full sync instead of passing for a table without stale chains.
 */
class NodeSettingsKernelTest {

    private ProxierHarness harness;

    @BeforeAll
    static void requireKernel() {
        KernelTestSupport.requireRootWithIptables();
    }

    @BeforeEach
    void setUp() {
        harness = new ProxierHarness();
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    private String sysctl(String key) {
        return harness.ns.exec(null, "sysctl", "-n", key).requireSuccess("sysctl " + key).stdout().strip();
    }

    @Test
    void theFirstSyncSetsRouteLocalnetInTheDataplanesNamespace() {
        assertThat(sysctl(NodeSettings.ROUTE_LOCALNET)).as("a fresh namespace").isEqualTo("0");
        harness.newProxier(harness.runner(), Duration.ofSeconds(30), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).isTrue();

        assertThat(sysctl(NodeSettings.ROUTE_LOCALNET)).isEqualTo("1");
    }

    @Test
    void aLiberalConntrackMeansNoInvalidDropRule() {
        harness.ns.exec(null, "sysctl", "-q", "-w", NodeSettings.TCP_BE_LIBERAL + "=1").requireSuccess("sysctl -w");
        harness.newProxier(harness.runner(), Duration.ofSeconds(30), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).isTrue();

        String forward = harness.ns.exec(null, "iptables", "-S", KubeChains.FORWARD).requireSuccess("iptables -S").stdout();
        assertThat(forward).doesNotContain("INVALID").contains("kubernetes forwarding rules");
    }

    @Test
    void aStrictConntrackKeepsTheInvalidDropRule() {
        harness.newProxier(harness.runner(), Duration.ofSeconds(30), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).isTrue();

        String forward = harness.ns.exec(null, "iptables", "-S", KubeChains.FORWARD).requireSuccess("iptables -S").stdout();
        assertThat(forward).contains("--ctstate INVALID");
    }

    @Test
    void aFailingIptablesSaveFailsTheFullSync() {
        AtomicBoolean saveFails = new AtomicBoolean(true);
        ProcessRunner real = harness.runner();
        ProcessRunner failingSave = (argv, stdin) -> saveFails.get() && argv.getFirst().equals("iptables-save")
                ? new ProcessRunner.Result(4, "", "iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id\n")
                : real.run(argv, stdin);
        harness.newProxier(failingSave, Duration.ofSeconds(30), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).isFalse();

        assertThat(harness.reports.getLast().outcome()).isInstanceOfSatisfying(SyncOutcome.Failed.class, failed -> {
            assertThat(failed.stage()).isEqualTo(SyncOutcome.Stage.KERNEL);
            assertThat(failed.message()).contains("iptables-save").contains("generation id");
        });
        saveFails.set(false);
        assertThat(harness.proxier.syncProxyRules()).isTrue();
        assertThat(harness.reports.getLast().full()).isTrue();
    }
}
