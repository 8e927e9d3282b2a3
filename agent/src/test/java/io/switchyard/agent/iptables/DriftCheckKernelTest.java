package io.switchyard.agent.iptables;

import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No false drift, whatever the rules look like: for every golden cluster (the rules kube-proxy
 * writes, as iptables-save prints them back), IPv6 Services of every kind (as ip6tables-save
 * prints them) and a generated cluster (NodePorts, load balancers, eTP Local, ClientIP
 * affinity), the drift check of a freshly synced
 * kernel finds nothing — judged by shape, then against its baselines, after a partial sync and
 * after a full one.
 */
class DriftCheckKernelTest {

    @BeforeAll
    static void requireKernel() {
        KernelTestSupport.requireRootWithIptables();
    }

    static Stream<Arguments> clusters() throws IOException, URISyntaxException {
        Path golden = Path.of(DriftCheckKernelTest.class.getResource("/golden/kube-proxy-v1.32").toURI());
        List<Path> manifests;
        try (Stream<Path> files = Files.list(golden)) {
            manifests = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        Stream<Arguments> goldens = manifests.stream().map(p ->
                Arguments.of(p.getFileName().toString(), IpFamily.IPV4, ManifestLoader.load(p).objects()));
        Path ipv6 = Path.of(DriftCheckKernelTest.class.getResource("/drift/ipv6.yaml").toURI());
        return Stream.concat(goldens, Stream.of(
                Arguments.of("ipv6.yaml", IpFamily.IPV6, ManifestLoader.load(ipv6).objects()),
                Arguments.of("generated 120 × 4", IpFamily.IPV4, new ClusterGenerator(120, 4, 7).generate())));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("clusters")
    void aFreshlySyncedKernelHasNoDrift(String name, IpFamily family, ClusterObjects objects) {
        try (NetworkNamespace ns = new NetworkNamespace()) {
            HostProcessRunner runner = HostProcessRunner.inNetworkNamespace(ns.name());
            String node = objects.nodes().isEmpty() ? "node-a" : objects.nodes().getFirst().getMetadata().getName();
            ProxySettings settings = ProxySettings.defaults(node, List.of(Cidr.parse("10.244.0.0/16")));
            IptablesDataplane dataplane = new IptablesDataplane(family, settings, new Iptables(family, runner),
                    new NfacctCounters(runner));
            try (Proxier proxier = new Proxier(dataplane, node, Duration.ofSeconds(30), Duration.ZERO, List.of(),
                    InstantSource.system())) {
                objects.nodes().forEach(proxier::onNodeAdd);
                objects.services().forEach(proxier::onServiceAdd);
                objects.endpointSlices().forEach(proxier::onEndpointSliceAdd);
                proxier.onServicesSynced();
                proxier.onEndpointSlicesSynced();
                assertThat(proxier.syncProxyRules()).isTrue();
                assertThat(dataplane.lastRuleset().services()).as("the cluster has services").isNotEmpty();

                assertThat(dataplane.checkDrift().findings()).as("by shape").isEmpty();
                assertThat(dataplane.checkDrift().findings()).as("against the baselines").isEmpty();
                assertThat(proxier.syncProxyRules()).isTrue();
                assertThat(dataplane.checkDrift().findings()).as("after a partial sync").isEmpty();
                proxier.forceFullSync();
                assertThat(proxier.syncProxyRules()).isTrue();
                assertThat(dataplane.checkDrift().findings()).as("after a full sync").isEmpty();
                assertThat(dataplane.checkDrift()).isEqualTo(DriftCheck.NONE);
                assertThat(dataplane.driftChecks()).isEqualTo(5);
            }
        }
    }
}
