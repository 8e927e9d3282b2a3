package io.switchyard.agent.iptables;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.node.ProcessSysctls;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.RestoreDocument;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.netlink.nftables.NftGeneration;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A proxier with the real iptables dataplane in a throwaway network namespace, for kernel tests:
 * it records every sync report and drift finding, and reads the namespace's rules back.
 */
final class ProxierHarness implements AutoCloseable {

    static final String NODE = "node-a";

    final NetworkNamespace ns = new NetworkNamespace();
    final List<SyncReport> reports = new CopyOnWriteArrayList<>();
    final List<String> findings = new CopyOnWriteArrayList<>();
    final ClusterObjects cluster;
    IptablesDataplane dataplane;
    Proxier proxier;

    ProxierHarness() {
        try {
            cluster = ManifestLoader.load(Path.of(getClass().getResource("/proxier/cluster.yaml").toURI())).objects();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    HostProcessRunner runner() {
        return HostProcessRunner.inNetworkNamespace(ns.name());
    }

    static ProxySettings settings(Duration syncPeriod) {
        return ProxySettings.defaults(NODE, List.of(Cidr.parse("10.244.0.0/16"))).withSyncPeriods(syncPeriod, Duration.ZERO);
    }

    /** A proxier (not started) whose dataplane runs its programs through {@code runner}. */
    Proxier newProxier(ProcessRunner runner, Duration syncPeriod, int maxTransactionLines) {
        ProxySettings settings = settings(syncPeriod);
        // As the agent runs it: the nf_tables generation of the namespace tells a sync whether
        // anything changed since the previous one.
        Iptables iptables = new Iptables(IpFamily.IPV4, runner);
        dataplane = new IptablesDataplane(IpFamily.IPV4, settings, iptables, new NfacctCounters(runner),
                new ProcessSysctls(runner), maxTransactionLines,
                RulesetGeneration.of(iptables, () -> NftGeneration.open(Path.of("/var/run/netns", ns.name()))));
        SyncListener recorder = new SyncListener() {
            @Override
            public void syncCompleted(SyncReport report) {
                reports.add(report);
            }

            @Override
            public void driftDetected(IpFamily family, DriftCheck check) {
                findings.addAll(check.findings());
            }
        };
        proxier = new Proxier(dataplane, NODE, syncPeriod, Duration.ZERO, List.of(recorder), InstantSource.system());
        return proxier;
    }

    void deliver(ClusterObjects objects) {
        objects.nodes().forEach(proxier::onNodeAdd);
        objects.services().forEach(proxier::onServiceAdd);
        objects.endpointSlices().forEach(proxier::onEndpointSliceAdd);
        proxier.onServicesSynced();
        proxier.onEndpointSlicesSynced();
    }

    /** The namespace's whole ruleset, normalised. */
    String kernelRules() {
        return SavedRules.normalise(ns.exec(null, "iptables-save").requireSuccess("iptables-save").stdout());
    }

    /** Runs an iptables command in the namespace: the sabotage of a test. */
    void iptables(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "iptables";
        System.arraycopy(args, 0, argv, 1, args.length);
        ns.exec(null, argv).requireSuccess(String.join(" ", argv));
    }

    /** What dump-rules prints for the objects, loaded into a fresh namespace and normalised. */
    static String expectedRules(ClusterObjects objects) {
        ClusterSnapshot built = ClusterSnapshot.of(IpFamily.IPV4, NODE, new ProxySelection(""), objects);
        IptablesConfig config = settings(Duration.ofSeconds(30)).iptablesConfig(IpFamily.IPV4, built.node());
        String document = RestoreDocument.forEmptyNamespace(new IptablesRenderer(config).render(built.state(), built.node()));
        try (NetworkNamespace reference = new NetworkNamespace()) {
            reference.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
            reference.exec(document, "iptables-restore").requireSuccess("iptables-restore");
            return SavedRules.normalise(reference.exec(null, "iptables-save").requireSuccess("iptables-save").stdout());
        }
    }

    V1EndpointSlice slice(String name) {
        return cluster.endpointSlices().stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    /** A copy of a slice keeping only its first {@code count} endpoints. */
    static V1EndpointSlice withEndpoints(V1EndpointSlice slice, int count) {
        return new V1EndpointSlice().apiVersion(slice.getApiVersion()).kind(slice.getKind())
                .metadata(slice.getMetadata()).addressType(slice.getAddressType()).ports(slice.getPorts())
                .endpoints(List.copyOf(slice.getEndpoints().subList(0, count)));
    }

    /** Waits until the condition holds or the timeout passes; whether it held. */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Override
    public void close() {
        if (proxier != null) {
            proxier.close();
        }
        ns.close();
    }
}
