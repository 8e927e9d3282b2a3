package io.switchyard.agent.iptables;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.RestoreDocument;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IPv4 proxier against a real kernel (in a throwaway namespace): it installs what dump-rules
 * prints, rewrites only changed services' chains on a partial sync, repairs an externally
 * flushed table within a sync period, falls back to a full sync after a failed restore, and
 * takes over a node that already holds kube-proxy's rules.
 */
class ProxierKernelTest {

    private static final String NODE = "node-a";
    private static final ServicePortName WEB = new ServicePortName("demo", "web", "http", Protocol.TCP);
    private static final ServicePortName API = new ServicePortName("demo", "api", "https", Protocol.TCP);

    private NetworkNamespace ns;
    private Proxier proxier;
    private IptablesDataplane dataplane;
    private final List<SyncReport> reports = new CopyOnWriteArrayList<>();
    private ClusterObjects cluster;

    @BeforeAll
    static void requireKernel() {
        KernelTestSupport.requireRootWithIptables();
    }

    @BeforeEach
    void setUp() throws URISyntaxException {
        ns = new NetworkNamespace();
        cluster = ManifestLoader.load(Path.of(getClass().getResource("/proxier/cluster.yaml").toURI())).objects();
    }

    @AfterEach
    void tearDown() {
        if (proxier != null) {
            proxier.close();
        }
        ns.close();
    }

    private Proxier newProxier(ProcessRunner runner, Duration syncPeriod) {
        ProxySettings settings = ProxySettings.defaults(NODE, List.of(Cidr.parse("10.244.0.0/16")))
                .withSyncPeriods(syncPeriod, Duration.ZERO);
        dataplane = new IptablesDataplane(IpFamily.IPV4, settings, new Iptables(IpFamily.IPV4, runner),
                new NfacctCounters(runner));
        SyncListener recorder = new SyncListener() {
            @Override
            public void syncCompleted(SyncReport report) {
                reports.add(report);
            }
        };
        return new Proxier(dataplane, NODE, syncPeriod, Duration.ZERO, List.of(recorder), InstantSource.system());
    }

    /** The stale chains the sync of a report deleted. */
    private static int staleChains(SyncReport report) {
        return (Integer) ((SyncOutcome.Applied) report.outcome()).details().get("staleChains");
    }

    private void deliverCluster(Proxier target) {
        cluster.nodes().forEach(target::onNodeAdd);
        cluster.services().forEach(target::onServiceAdd);
        cluster.endpointSlices().forEach(target::onEndpointSliceAdd);
        target.onServicesSynced();
        target.onEndpointSlicesSynced();
    }

    private String kernelRules() {
        return SavedRules.normalise(ns.exec(null, "iptables-save").requireSuccess("iptables-save").stdout());
    }

    /** What dump-rules prints for the same objects, loaded into a fresh namespace. */
    private static String expectedRules(ClusterObjects objects) {
        ClusterSnapshot built = ClusterSnapshot.of(IpFamily.IPV4, NODE, new ProxySelection(""), objects);
        ProxySettings settings = ProxySettings.defaults(NODE, List.of(Cidr.parse("10.244.0.0/16")));
        IptablesConfig config = settings.iptablesConfig(IpFamily.IPV4, built.node());
        String document = RestoreDocument.forEmptyNamespace(new IptablesRenderer(config).render(built.state(), built.node()));
        try (NetworkNamespace reference = new NetworkNamespace()) {
            reference.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
            reference.exec(document, "iptables-restore").requireSuccess("iptables-restore");
            return SavedRules.normalise(reference.exec(null, "iptables-save").requireSuccess("iptables-save").stdout());
        }
    }

    @Test
    void firstSyncInstallsExactlyWhatDumpRulesPrints() {
        proxier = newProxier(HostProcessRunner.inNetworkNamespace(ns.name()), Duration.ofSeconds(30));
        deliverCluster(proxier);

        assertThat(proxier.syncProxyRules()).isTrue();

        assertThat(reports.getLast().full()).isTrue();
        assertThat(kernelRules()).isEqualTo(expectedRules(cluster));
    }

    @Test
    void partialSyncRewritesOnlyTheChangedServicesChains() {
        proxier = newProxier(HostProcessRunner.inNetworkNamespace(ns.name()), Duration.ofSeconds(30));
        deliverCluster(proxier);
        assertThat(proxier.syncProxyRules()).isTrue();

        V1EndpointSlice webSlice = cluster.endpointSlices().stream()
                .filter(s -> s.getMetadata().getName().equals("web-1")).findFirst().orElseThrow();
        V1EndpointSlice shrunk = withEndpoints(webSlice, 2);
        proxier.onEndpointSliceUpdate(webSlice, shrunk);
        assertThat(proxier.syncProxyRules()).isTrue();

        SyncReport partial = reports.getLast();
        assertThat(partial.full()).isFalse();
        assertThat(partial.changedServices()).isEqualTo(1);
        String restored = String.join("", dataplane.lastTransactions().stream().map(t -> t.document()).toList());
        assertThat(restored).contains(":" + ChainNames.servicePort(WEB) + " ");
        assertThat(restored).doesNotContain(":" + ChainNames.servicePort(API) + " ");
        // The removed endpoint's chain is flushed and deleted.
        assertThat(restored).contains("-X KUBE-SEP-");
        assertThat(staleChains(partial)).isEqualTo(1);

        ClusterObjects after = new ClusterObjects(cluster.services(),
                List.of(shrunk, cluster.endpointSlices().stream()
                        .filter(s -> s.getMetadata().getName().equals("api-1")).findFirst().orElseThrow()),
                cluster.nodes());
        assertThat(kernelRules()).isEqualTo(expectedRules(after));
    }

    @Test
    void externallyFlushedTablesAreRestoredWithinOneSyncPeriod() throws InterruptedException {
        proxier = newProxier(HostProcessRunner.inNetworkNamespace(ns.name()), Duration.ofSeconds(1));
        deliverCluster(proxier);
        proxier.start();
        awaitSyncs(1);
        String installed = kernelRules();

        ns.exec(null, "iptables", "-t", "nat", "-F").requireSuccess("flush nat");
        ns.exec(null, "iptables", "-t", "nat", "-X").requireSuccess("delete nat chains");
        ns.exec(null, "iptables", "-t", "mangle", "-X").requireSuccess("delete mangle chains");
        assertThat(kernelRules()).isNotEqualTo(installed);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!kernelRules().equals(installed) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(kernelRules()).isEqualTo(installed);
        assertThat(reports.getLast().full()).isTrue();
    }

    @Test
    void aFailedRestoreIsFollowedByAFullSync() {
        AtomicInteger failuresLeft = new AtomicInteger(0);
        ProcessRunner real = HostProcessRunner.inNetworkNamespace(ns.name());
        ProcessRunner flaky = (argv, stdin) -> argv.getFirst().endsWith("-restore") && failuresLeft.getAndDecrement() > 0
                ? new ProcessRunner.Result(2, "", "iptables-restore: line 3 failed")
                : real.run(argv, stdin);
        proxier = newProxier(flaky, Duration.ofSeconds(30));
        deliverCluster(proxier);
        assertThat(proxier.syncProxyRules()).isTrue();

        V1EndpointSlice webSlice = cluster.endpointSlices().getFirst();
        V1EndpointSlice shrunk = withEndpoints(webSlice, 1);
        proxier.onEndpointSliceUpdate(webSlice, shrunk);
        failuresLeft.set(1);
        assertThat(proxier.syncProxyRules()).isFalse();
        assertThat(reports.getLast().success()).isFalse();

        assertThat(proxier.syncProxyRules()).isTrue();
        assertThat(reports.getLast().full()).as("the sync after a failure is full").isTrue();
        ClusterObjects after = new ClusterObjects(cluster.services(),
                List.of(shrunk, cluster.endpointSlices().get(1)), cluster.nodes());
        assertThat(kernelRules()).isEqualTo(expectedRules(after));
    }

    @Test
    void takesOverANodeThatHoldsKubeProxysRules() throws URISyntaxException {
        Path golden = Path.of(getClass().getResource("/golden/kube-proxy-v1.32/12-etp-local.iptables-save").toURI());
        ns.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
        String kubeProxyRules;
        try {
            kubeProxyRules = java.nio.file.Files.readString(golden);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        ns.exec(kubeProxyRules, "iptables-restore").requireSuccess("load kube-proxy's rules");

        proxier = newProxier(HostProcessRunner.inNetworkNamespace(ns.name()), Duration.ofSeconds(30));
        deliverCluster(proxier);
        assertThat(proxier.syncProxyRules()).isTrue();

        // kube-proxy's services are gone from the cluster: their chains are stale and removed,
        // and the jumps from the builtin chains are not duplicated.
        assertThat(staleChains(reports.getLast())).isGreaterThan(0);
        assertThat(kernelRules()).isEqualTo(expectedRules(cluster));
    }

    @Test
    void cleanupRemovesEverythingButKubeletsFirewallChain() throws Iptables.ToolException {
        proxier = newProxier(HostProcessRunner.inNetworkNamespace(ns.name()), Duration.ofSeconds(30));
        deliverCluster(proxier);
        assertThat(proxier.syncProxyRules()).isTrue();

        assertThat(Cleanup.run(new Iptables(IpFamily.IPV4, HostProcessRunner.inNetworkNamespace(ns.name())))).isTrue();

        String left = ns.exec(null, "iptables-save").requireSuccess("iptables-save").stdout();
        assertThat(left.lines().filter(l -> l.contains("KUBE-")))
                .allMatch(l -> l.contains("KUBE-FIREWALL"), "only kubelet's KUBE-FIREWALL survives");
    }

    @Test
    void liveRulesDiffIsEmptyAfterASyncAndNamesWhatAnOperatorChanged() throws Iptables.ToolException {
        HostProcessRunner runner = HostProcessRunner.inNetworkNamespace(ns.name());
        proxier = newProxier(runner, Duration.ofSeconds(30));
        deliverCluster(proxier);
        assertThat(proxier.syncProxyRules()).isTrue();
        String desired = RestoreDocument.forEmptyNamespace(dataplane.lastRuleset());
        LiveRules live = new LiveRules(IpFamily.IPV4, runner, new HostProcessRunner());

        assertThat(live.diff(desired)).isEmpty();
        assertThat(live.ownRules()).contains(":KUBE-SERVICES").contains("-A KUBE-SVC-").doesNotContain("-A INPUT -j ACCEPT");

        ns.exec(null, "iptables", "-t", "nat", "-D", ChainNames.servicePort(API), "1").requireSuccess("delete a rule");
        assertThat(live.diff(desired)).anyMatch(line -> line.startsWith("+ ") && line.contains(ChainNames.servicePort(API)));
    }

    /** A copy of a slice keeping only its first {@code count} endpoints. */
    private static V1EndpointSlice withEndpoints(V1EndpointSlice slice, int count) {
        return new V1EndpointSlice().apiVersion(slice.getApiVersion()).kind(slice.getKind())
                .metadata(slice.getMetadata()).addressType(slice.getAddressType()).ports(slice.getPorts())
                .endpoints(List.copyOf(slice.getEndpoints().subList(0, count)));
    }

    private void awaitSyncs(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reports.stream().filter(SyncReport::success).count() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(reports.stream().filter(SyncReport::success).count()).isGreaterThanOrEqualTo(count);
    }

}
