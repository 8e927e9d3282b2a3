package io.switchyard.agent.iptables;

import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * iptables-restore refusing one Service's rules, against a real kernel: a wrapping process
 * runner rewrites one of demo/api's rules, as it goes to iptables-restore, into one the kernel
 * really refuses (it counts with an nfacct object that does not exist, or jumps to a chain that
 * does not), or fails without saying where. The sync programs everything else, leaves demo/api's
 * rules as they were, names it, reports it as a refused restore, and tries it again later.
 */
class RefusedServiceKernelTest {

    private static final ServicePortName API = new ServicePortName("demo", "api", "https", Protocol.TCP);
    private static final String MISSING_COUNTER = "sy-test-no-such-counter";

    private ProxierHarness harness;
    private final AtomicBoolean refusing = new AtomicBoolean(true);
    private final AtomicInteger restores = new AtomicInteger();

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

    /** Runs everything for real, but while {@link #refusing}, rewrites the matching rules of iptables-restore input. */
    private ProcessRunner rewriting(Predicate<String> line, String from, String to) {
        ProcessRunner real = harness.runner();
        return (argv, stdin) -> {
            if (argv.getFirst().equals("iptables-restore")) {
                restores.incrementAndGet();
                if (refusing.get() && stdin != null) {
                    StringBuilder out = new StringBuilder(stdin.length() + 64);
                    for (String text : stdin.split("\n", -1)) {
                        out.append(line.test(text) ? text.replace(from, to) : text).append('\n');
                    }
                    out.setLength(out.length() - 1);
                    stdin = out.toString();
                }
            }
            return real.run(argv, stdin);
        };
    }

    /** demo/api's DNAT rule, made to count with an nfacct object the kernel does not have. */
    private ProcessRunner refusingApisDnat() {
        return rewriting(l -> l.startsWith("-A KUBE-SEP-") && l.contains("demo/api:https") && l.contains("-j DNAT"),
                " -j DNAT", " -m nfacct --nfacct-name " + MISSING_COUNTER + " -j DNAT");
    }

    /** demo/api's dispatch to its endpoints, made to count with an nfacct object the kernel does not have. */
    private ProcessRunner refusingApisDispatch() {
        String svc = ChainNames.servicePort(API);
        return rewriting(l -> l.startsWith("-A " + svc + " ") && l.contains("-j KUBE-SEP-"),
                " -j KUBE-SEP-", " -m nfacct --nfacct-name " + MISSING_COUNTER + " -j KUBE-SEP-");
    }

    private ClusterObjects without(String service) {
        ClusterObjects all = harness.cluster;
        return new ClusterObjects(
                all.services().stream().filter(s -> !s.getMetadata().getName().equals(service)).toList(),
                all.endpointSlices().stream().filter(s -> !s.getMetadata().getName().startsWith(service + "-")).toList(),
                all.nodes());
    }

    private ClusterObjects withSlices(V1EndpointSlice... slices) {
        return new ClusterObjects(harness.cluster.services(), List.of(slices), harness.cluster.nodes());
    }

    /** api-1 with a second endpoint. */
    private V1EndpointSlice apiGrown() {
        V1EndpointSlice api = harness.slice("api-1");
        List<V1Endpoint> endpoints = new ArrayList<>(api.getEndpoints());
        endpoints.add(new V1Endpoint().addresses(List.of("10.244.2.22")).nodeName("node-b"));
        return new V1EndpointSlice().apiVersion(api.getApiVersion()).kind(api.getKind()).metadata(api.getMetadata())
                .addressType(api.getAddressType()).ports(api.getPorts()).endpoints(endpoints);
    }

    private SyncOutcome.Applied lastApplied() {
        SyncReport report = harness.reports.getLast();
        assertThat(report.outcome()).as("the sync is applied, not failed: %s", report.outcome())
                .isInstanceOf(SyncOutcome.Applied.class);
        return (SyncOutcome.Applied) report.outcome();
    }

    private static void assertRefusedApi(SyncOutcome.Applied applied, SyncOutcome.Stage stage) {
        assertThat(applied.refused()).singleElement().satisfies(failed -> {
            assertThat(failed.stage()).isEqualTo(stage);
            assertThat(failed.message()).contains("demo/api:https");
        });
    }

    @Test
    void aFullSyncProgramsEveryOtherServiceAndNamesTheRefusedOne() {
        harness.newProxier(refusingApisDnat(), Duration.ofSeconds(30), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).as("no retry loop: the sync counts as applied").isTrue();

        assertRefusedApi(lastApplied(), SyncOutcome.Stage.IPTABLES_RESTORE);
        assertThat(harness.kernelRules()).isEqualTo(ProxierHarness.expectedRules(without("api")));
    }

    @Test
    void aPartialSyncKeepsTheRefusedServicesRulesAndRetriesItLater() throws InterruptedException {
        harness.newProxier(refusingApisDnat(), Duration.ofSeconds(1), IptablesDataplane.MAX_TRANSACTION_LINES);
        refusing.set(false);
        harness.deliver(harness.cluster);
        assertThat(harness.proxier.syncProxyRules()).isTrue();

        V1EndpointSlice web = harness.slice("web-1");
        V1EndpointSlice webShrunk = ProxierHarness.withEndpoints(web, 2);
        V1EndpointSlice api = harness.slice("api-1");
        V1EndpointSlice apiGrown = apiGrown();
        refusing.set(true);
        harness.proxier.onEndpointSliceUpdate(web, webShrunk);
        harness.proxier.onEndpointSliceUpdate(api, apiGrown);
        assertThat(harness.proxier.syncProxyRules()).isTrue();

        assertRefusedApi(lastApplied(), SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE);
        String webNewApiOld = ProxierHarness.expectedRules(withSlices(webShrunk, api));
        assertThat(harness.kernelRules()).isEqualTo(webNewApiOld);

        // A sync within the sync period does not try it again.
        int before = restores.get();
        assertThat(harness.proxier.syncProxyRules()).isTrue();
        assertThat(lastApplied().refused()).isEmpty();
        assertThat(restores.get() - before).as("one restore: the shared chains, no retry").isEqualTo(1);

        // A sync period later it is tried again: still refused, still only its own rules.
        Thread.sleep(1100);
        assertThat(harness.proxier.syncProxyRules()).isTrue();
        assertRefusedApi(lastApplied(), SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE);
        assertThat(harness.kernelRules()).isEqualTo(webNewApiOld);

        // Fixed: the next retry programs it.
        refusing.set(false);
        Thread.sleep(1100);
        assertThat(harness.proxier.syncProxyRules()).isTrue();
        assertThat(lastApplied().refused()).isEmpty();
        assertThat(harness.kernelRules()).isEqualTo(ProxierHarness.expectedRules(withSlices(webShrunk, apiGrown)));
    }

    @Test
    void aRefusalInALaterStageOfASplitSyncPutsBackWhatEarlierStagesWroteForThatService() {
        // Four-line transactions: demo/api's new endpoint chain is written before its dispatch chain is refused.
        harness.newProxier(refusingApisDispatch(), Duration.ofSeconds(30), 4);
        refusing.set(false);
        harness.deliver(harness.cluster);
        assertThat(harness.proxier.syncProxyRules()).isTrue();

        V1EndpointSlice api = harness.slice("api-1");
        V1EndpointSlice web = harness.slice("web-1");
        refusing.set(true);
        harness.proxier.onEndpointSliceUpdate(api, apiGrown());
        assertThat(harness.proxier.syncProxyRules()).isTrue();

        assertRefusedApi(lastApplied(), SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE);
        assertThat(harness.kernelRules()).as("the new endpoint chain is gone again, the old dispatch kept")
                .isEqualTo(ProxierHarness.expectedRules(withSlices(web, api)));
    }

    @Test
    void aRefusalNamingAMissingChainIsTracedToTheRulesJumpingThereWithoutBisection() {
        // demo/api's endpoint chain never reaches iptables-restore: its dispatch chain jumps nowhere.
        String sep = ChainNames.endpoint(API, Endpoint.ready("10.244.1.21", 8443, "node-a", "zone-a"));
        ProcessRunner real = harness.runner();
        ProcessRunner dropping = (argv, stdin) -> {
            if (argv.getFirst().equals("iptables-restore") && stdin != null) {
                restores.incrementAndGet();
                stdin = String.join("\n", stdin.lines().map(l -> l.startsWith(":" + sep + " ")
                        || l.startsWith("-A " + sep + " ") ? "# left out by the test" : l).toList()) + "\n";
            }
            return real.run(argv, stdin);
        };
        harness.newProxier(dropping, Duration.ofSeconds(30), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).isTrue();

        assertRefusedApi(lastApplied(), SyncOutcome.Stage.IPTABLES_RESTORE);
        assertThat(lastApplied().refused().getFirst().message()).contains("Chain '" + sep + "' does not exist");
        assertThat(harness.kernelRules()).isEqualTo(ProxierHarness.expectedRules(without("api")));
        assertThat(restores.get()).as("refused, applied without demo/api, then the canaries and jumps").isEqualTo(3);
    }

    @Test
    void aRefusalThatNamesNoLineIsNarrowedByBisection() {
        ProcessRunner real = harness.runner();
        ProcessRunner silent = (argv, stdin) -> refusing.get() && argv.getFirst().equals("iptables-restore")
                && stdin != null && stdin.contains("demo/api:https")
                ? new ProcessRunner.Result(1, "", "iptables-restore: something went wrong\n")
                : real.run(argv, stdin);
        harness.newProxier(silent, Duration.ofSeconds(30), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).isTrue();

        assertRefusedApi(lastApplied(), SyncOutcome.Stage.IPTABLES_RESTORE);
        assertThat(harness.kernelRules()).isEqualTo(ProxierHarness.expectedRules(without("api")));
    }

    @Test
    void aRefusedRuleNoServiceOwnsFailsTheSync() {
        harness.newProxier(rewriting(l -> l.startsWith("-A KUBE-MARK-MASQ "), " -j MARK",
                " -m nfacct --nfacct-name " + MISSING_COUNTER + " -j MARK"), Duration.ofSeconds(30),
                IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);

        assertThat(harness.proxier.syncProxyRules()).isFalse();

        assertThat(harness.reports.getLast().outcome()).isInstanceOfSatisfying(SyncOutcome.Failed.class,
                failed -> assertThat(failed.stage()).isEqualTo(SyncOutcome.Stage.IPTABLES_RESTORE));
    }
}
