package io.switchyard.agent.iptables;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.ServiceRules;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running proxier (sync period 1 s) against a real kernel: each kind of damage someone else
 * can do to the rules — the nat table flushed, a RETURN inserted ahead of every service, a jump
 * from a builtin chain deleted, a service chain flushed, one endpoint rule deleted, a rule edited
 * in place, a canary deleted — is repaired within a sync period, back to exactly the rules
 * dump-rules prints, and the log names what drifted. On a quiet node, with other components'
 * chains around and syncs running between checks, nothing is ever reported.
 */
class DriftRepairKernelTest {

    private static final Duration PERIOD = Duration.ofSeconds(1);
    /** One period for the check to come round, then the check and the sync, on a busy 2-core machine. */
    private static final Duration REPAIR_DEADLINE = PERIOD.plusSeconds(3);
    private static final ServicePortName WEB = new ServicePortName("demo", "web", "http", Protocol.TCP);

    private ProxierHarness harness;
    private String installed;

    @BeforeAll
    static void requireKernel() {
        KernelTestSupport.requireRootWithIptables();
    }

    @BeforeEach
    void start() throws InterruptedException {
        harness = new ProxierHarness();
        harness.newProxier(harness.runner(), PERIOD, IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);
        harness.proxier.start();
        assertThat(ProxierHarness.await(() -> harness.reports.stream().anyMatch(SyncReport::success), Duration.ofSeconds(10)))
                .as("first sync").isTrue();
        installed = harness.kernelRules();
        assertThat(installed).isEqualTo(ProxierHarness.expectedRules(harness.cluster));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    /** Sabotages the rules and waits for them to be exactly as installed again; returns how long that took. */
    private Duration sabotageAndAwaitRepair(String... iptablesArgs) throws InterruptedException {
        harness.iptables(iptablesArgs);
        long start = System.nanoTime();
        assertThat(harness.kernelRules()).as("the sabotage changed the rules").isNotEqualTo(installed);
        boolean repaired = ProxierHarness.await(() -> harness.kernelRules().equals(installed), REPAIR_DEADLINE);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("drift repair after `iptables %s`: %d ms%n", String.join(" ", iptablesArgs), took.toMillis());
        assertThat(repaired).as("repaired within %s; findings %s, repairs %s", REPAIR_DEADLINE, harness.findings, repairs())
                .isTrue();
        return took;
    }

    /** Asserts that a drift finding or a sync's repair names what was sabotaged. */
    private void assertSaid(Predicate<String> naming) throws InterruptedException {
        // The reports reach the listeners a moment after the rules reach the kernel.
        ProxierHarness.await(() -> said().stream().anyMatch(naming), Duration.ofSeconds(3));
        assertThat(said()).anyMatch(naming);
    }

    /** Asserts that a drift finding names what was sabotaged. */
    private void assertFound(Predicate<String> naming) throws InterruptedException {
        ProxierHarness.await(() -> harness.findings.stream().anyMatch(naming), Duration.ofSeconds(3));
        assertThat(harness.findings).anyMatch(naming);
    }

    /** What the drift checks found and the syncs repaired. */
    private List<String> said() {
        List<String> out = new ArrayList<>(harness.findings);
        out.addAll(repairs());
        return out;
    }

    /** What the syncs said they repaired. */
    private List<String> repairs() {
        List<String> out = new ArrayList<>();
        for (SyncReport report : harness.reports) {
            if (report.outcome() instanceof SyncOutcome.Applied applied && applied.details().containsKey("repaired")) {
                out.add(String.valueOf(applied.details().get("repaired")));
            }
        }
        return out;
    }

    private String webChain(String prefix) {
        ServiceRules web = harness.dataplane.lastRuleset().services().get(WEB);
        return web.chains().stream().map(ServiceRules.NatChain::name).filter(n -> n.startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void aFlushedNatTableIsRewritten() throws InterruptedException {
        sabotageAndAwaitRepair("-t", "nat", "-F");

        assertSaid(line -> line.contains(KubeChains.SERVICES) && line.contains("flushed"));
    }

    @Test
    void aReturnInsertedAtTheTopOfKubeServicesIsRemoved() throws InterruptedException {
        sabotageAndAwaitRepair("-t", "nat", "-I", KubeChains.SERVICES, "1", "-j", "RETURN");

        assertSaid(line -> line.contains("nat " + KubeChains.SERVICES));
    }

    @Test
    void aDeletedJumpFromOutputIsPutBack() throws InterruptedException {
        sabotageAndAwaitRepair("-t", "nat", "-D", "OUTPUT", "-m", "comment", "--comment", "kubernetes service portals",
                "-j", KubeChains.SERVICES);

        assertSaid(line -> line.contains("jump nat OUTPUT -> " + KubeChains.SERVICES));
    }

    @Test
    void aFlushedServiceChainIsRewrittenAloneAndNamed() throws InterruptedException {
        String svc = ChainNames.servicePort(WEB);
        sabotageAndAwaitRepair("-t", "nat", "-F", svc);

        assertFound(line -> line.contains(svc) && line.contains("flushed") && line.contains("demo/web:http"));
        assertThat(fullSyncsSinceStart()).as("one chain is repaired without a full sync").isZero();
    }

    @Test
    void aDeletedEndpointRuleIsPutBack() throws InterruptedException {
        String sep = webChain(ChainNames.ENDPOINT_PREFIX);
        sabotageAndAwaitRepair("-t", "nat", "-D", sep, "1");

        assertFound(line -> line.contains(sep) && line.contains("has 1 rules, 2 written"));
        assertThat(fullSyncsSinceStart()).isZero();
    }

    @Test
    void aRuleEditedInPlaceIsFoundAgainstWhatTheKernelPrintedBefore() throws InterruptedException {
        String sep = webChain(ChainNames.ENDPOINT_PREFIX);
        long checks = harness.dataplane.driftChecks();
        assertThat(ProxierHarness.await(() -> harness.dataplane.driftChecks() >= checks + 2, Duration.ofSeconds(10))).isTrue();

        // Same target and comment: only the exact text shows the change.
        sabotageAndAwaitRepair("-t", "nat", "-R", sep, "1", "-s", "192.0.2.99/32", "-m", "comment", "--comment",
                "demo/web:http", "-j", KubeChains.MARK_MASQ);

        assertFound(line -> line.contains(sep) && line.contains("edited"));
    }

    @Test
    void aDeletedCanaryIsRecreated() throws InterruptedException {
        sabotageAndAwaitRepair("-t", "mangle", "-X", KubeChains.CANARY);

        assertFound(line -> line.contains("canary mangle " + KubeChains.CANARY + " missing"));
        assertThat(fullSyncsSinceStart()).isZero();
    }

    private long fullSyncsSinceStart() {
        return harness.reports.stream().skip(1).filter(SyncReport::full).count();
    }

    @Test
    void aQuietNodeWithOtherComponentsRulesNeverReportsDrift() throws InterruptedException {
        // Other components' chains and rules, in the tables and the builtin chains we use.
        harness.iptables("-t", "nat", "-N", "CNI-FOREIGN");
        harness.iptables("-t", "nat", "-A", "CNI-FOREIGN", "-d", "10.88.0.0/16", "-j", "RETURN");
        harness.iptables("-t", "nat", "-I", "PREROUTING", "1", "-j", "CNI-FOREIGN");
        harness.iptables("-t", "nat", "-A", "POSTROUTING", "-s", "10.88.0.0/16", "-j", "MASQUERADE");
        harness.iptables("-t", "nat", "-N", "KUBE-KUBELET-CANARY");
        harness.iptables("-t", "filter", "-N", "FOREIGN-FW");
        harness.iptables("-t", "filter", "-A", "FOREIGN-FW", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        harness.iptables("-t", "filter", "-I", "INPUT", "1", "-j", "FOREIGN-FW");
        harness.iptables("-t", "mangle", "-N", "KUBE-KUBELET-CANARY");

        // Several periods, with partial syncs (an endpoint leaving and coming back) and a full one
        // running around the checks.
        V1EndpointSlice web = harness.slice("web-1");
        V1EndpointSlice shrunk = ProxierHarness.withEndpoints(web, 2);
        long checks = harness.dataplane.driftChecks();
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        int round = 0;
        while (System.nanoTime() < until) {
            if (round % 2 == 0) {
                harness.proxier.onEndpointSliceUpdate(web, shrunk);
            } else {
                harness.proxier.onEndpointSliceUpdate(shrunk, web);
            }
            if (round == 5) {
                harness.proxier.forceFullSync();
            }
            round++;
            Thread.sleep(350);
        }
        harness.proxier.onEndpointSliceUpdate(shrunk, web);
        assertThat(ProxierHarness.await(() -> harness.dataplane.driftChecks() >= checks + 7, Duration.ofSeconds(10)))
                .as("drift checks ran").isTrue();

        assertThat(harness.findings).isEmpty();
        assertThat(repairs()).isEmpty();
        assertThat(harness.reports).allMatch(SyncReport::success);
        assertThat(harness.reports.stream().filter(r -> !r.full()).count()).as("partial syncs ran").isGreaterThan(5);
        String save = harness.ns.exec(null, "iptables-save").requireSuccess("iptables-save").stdout();
        assertThat(save).contains("-A PREROUTING -j CNI-FOREIGN", "-A INPUT -j FOREIGN-FW", ":KUBE-KUBELET-CANARY");
    }
}
