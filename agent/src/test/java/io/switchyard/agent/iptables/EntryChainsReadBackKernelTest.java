package io.switchyard.agent.iptables;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ClusterObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sync reads the entry chains back only when something may have changed them: with the
 * nf_tables generation where the previous sync left it, a one-Service sync lists nothing; after
 * someone else's change, the very next sync reads them back and repairs them. The sync period
 * is an hour here, so no periodic drift check can be what repairs.
 */
class EntryChainsReadBackKernelTest {

    private ProxierHarness harness;
    private final AtomicInteger listings = new AtomicInteger();

    @BeforeAll
    static void requireKernel() {
        KernelTestSupport.requireRootWithIptables();
    }

    @BeforeEach
    void start() throws InterruptedException {
        harness = new ProxierHarness();
        ProcessRunner inner = harness.runner();
        ProcessRunner counting = (argv, stdin) -> {
            if (argv.contains("-S") && argv.contains("KUBE-SERVICES")) {
                listings.incrementAndGet();
            }
            return inner.run(argv, stdin);
        };
        harness.newProxier(counting, Duration.ofHours(1), IptablesDataplane.MAX_TRANSACTION_LINES);
        harness.deliver(harness.cluster);
        harness.proxier.start();
        awaitSyncs(1);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void awaitSyncs(int count) throws InterruptedException {
        assertThat(ProxierHarness.await(() -> harness.reports.stream().filter(SyncReport::success).count() >= count,
                Duration.ofSeconds(20))).as("%d successful syncs", count).isTrue();
    }

    /** Cuts the first slice of the cluster down to one endpoint; returns the cluster as it is then. */
    private ClusterObjects changeOneService() {
        V1EndpointSlice before = harness.cluster.endpointSlices().getFirst();
        V1EndpointSlice after = ProxierHarness.withEndpoints(before, 1);
        harness.proxier.onEndpointSliceUpdate(before, after);
        List<V1EndpointSlice> slices = new java.util.ArrayList<>(harness.cluster.endpointSlices());
        slices.set(0, after);
        return new ClusterObjects(harness.cluster.services(), slices, harness.cluster.nodes());
    }

    @Test
    void onAnUntouchedKernelASyncDoesNotReadTheEntryChainsBack() throws InterruptedException {
        int before = listings.get();

        ClusterObjects changed = changeOneService();
        awaitSyncs(2);

        assertThat(listings.get()).as("KUBE-SERVICES listings by the second sync").isEqualTo(before);
        assertThat(harness.kernelRules()).isEqualTo(ProxierHarness.expectedRules(changed));
    }

    @Test
    void afterSomeoneElsesChangeTheNextSyncReadsThemBackAndRepairs() throws InterruptedException {
        harness.iptables("-t", "nat", "-I", "KUBE-SERVICES", "1", "-j", "RETURN");
        int before = listings.get();

        ClusterObjects changed = changeOneService();
        awaitSyncs(2);

        assertThat(listings.get()).as("KUBE-SERVICES listings by the second sync").isGreaterThan(before);
        assertThat(harness.kernelRules()).isEqualTo(ProxierHarness.expectedRules(changed));
    }
}
