package io.switchyard.agent.traffic;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.agent.traffic.TrafficLab.Backend;
import io.switchyard.agent.traffic.TrafficLab.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;

import static io.switchyard.agent.traffic.TrafficLab.CLIENT;
import static io.switchyard.agent.traffic.TrafficLab.NODE;
import static io.switchyard.agent.traffic.TrafficLab.POD_GATEWAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: small manifests ({@code src/test/resources/traffic/}) are programmed into a node
 * namespace of a {@link TrafficLab} by Switchyard's iptables dataplane, as {@code switchyard run}
 * programs a node (the node's sysctls included: the lab sets no route_localnet of its own), and
 * real TCP and UDP traffic from a client namespace (or from the node itself) shows which backend
 * pods answer.
 *
 * <p>One lab serves the whole class: four pods with a TCP echo server on 8080 and a UDP one on
 * 5353 each. Every test programs its own scenario (a full sync, which replaces the previous
 * scenario's rules; then the node's conntrack table is flushed), and every scenario uses its own
 * cluster IPs and node ports.
 *
 * <p>Masquerading as the backends see it: the client (10.0.0.2) is outside the cluster CIDR, so
 * its traffic to cluster IPs and to node ports with externalTrafficPolicy Cluster arrives from the
 * node's address on the pod link ({@link TrafficLab#POD_GATEWAY}); with externalTrafficPolicy
 * Local it keeps the client's address.
 */
class TrafficTest {

    private static final String NODE_IP = "10.0.0.10";
    private static final String CLIENT_IP = "10.0.0.2";
    private static final String A1 = "pod-a1";
    private static final String A2 = "pod-a2";
    private static final String B1 = "pod-b1";
    private static final String B2 = "pod-b2";
    private static final int TCP_TARGET_PORT = 8080;
    private static final int UDP_TARGET_PORT = 5353;

    /** Chi-square critical values at p = 0.001, for 1 to 5 degrees of freedom. */
    private static final double[] CHI_SQUARE_P001 = {10.828, 13.816, 16.266, 18.467, 20.515};

    private static TrafficLab lab;

    @BeforeAll
    static void startLab() throws IOException, InterruptedException {
        KernelTestSupport.requireRootWithIptables();
        assertThat(new ProcessBuilder("sh", "-c", "command -v conntrack").start().waitFor())
                .as("conntrack is installed (.ci/run installs it)").isZero();
        lab = new TrafficLab(new Topology(NODE_IP, 24, CLIENT_IP, List.of(
                new Backend(A1, "10.244.1.11"),   // node-a, zone-a in the manifests
                new Backend(A2, "10.244.1.12"),   // node-a, zone-a
                new Backend(B1, "10.244.2.21"),   // node-b, zone-b
                new Backend(B2, "10.244.2.22")))); // node-b, zone-b
        lab.startServersOnAllBackends("tcp", TCP_TARGET_PORT);
        lab.startServersOnAllBackends("udp", UDP_TARGET_PORT);
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void clusterIpSpreadsNewConnectionsEvenlyOverEveryEndpoint() {
        load("clusterip-balance");

        TrafficResult result = tcp(CLIENT, "10.96.10.1", 80, 300);

        assertThat(result.failures()).as(context(result)).isZero();
        assertThat(result.answers()).as(context(result)).containsOnlyKeys(A1, A2, B1);
        assertThat(chiSquare(result, List.of(A1, A2, B1))).as(context(result))
                .isLessThan(CHI_SQUARE_P001[3 - 2]);
        assertThat(result.distinctSourcePorts()).as("every connection from a new source port").isEqualTo(300);
        assertThat(result.sources()).as("masqueraded: the client is outside the cluster CIDR")
                .isEqualTo(Map.of(POD_GATEWAY, 300));
    }

    @Test
    void podReachesItsOwnServiceIncludingItselfThroughHairpinMasquerade() {
        load("clusterip-balance");

        TrafficResult result = tcp(A1, "10.96.10.1", 80, 60);

        assertThat(result.failures()).as(context(result)).isZero();
        assertThat(result.answers()).as(context(result)).containsOnlyKeys(A1, A2, B1);
        // Pod traffic is not masqueraded, except when it hairpins back to the same pod.
        assertThat(result.sources()).as(context(result)).isEqualTo(Map.of(
                POD_GATEWAY, result.count(A1),
                "10.244.1.11", result.count(A2) + result.count(B1)));
    }

    @Test
    void topologyHintsKeepTrafficInTheNodesZone() {
        load("topology-hints");

        TrafficResult result = tcp(CLIENT, "10.96.10.2", 80, 100);

        assertThat(result.failures()).as(context(result)).isZero();
        assertThat(result.answers()).as("only the endpoints hinted for zone-a; " + context(result).get())
                .containsOnlyKeys(A1, A2);
    }

    @Test
    void nodePortIsAnsweredByEveryEndpointFromOutsideAndFromLocalhost() {
        load("nodeport");

        TrafficResult external = tcp(CLIENT, NODE_IP, 30080, 60);
        assertThat(external.failures()).as(context(external)).isZero();
        assertThat(external.answers()).as(context(external)).containsOnlyKeys(A1, B1);
        assertThat(external.sources()).as("externalTrafficPolicy Cluster masquerades")
                .isEqualTo(Map.of(POD_GATEWAY, 60));

        TrafficResult localhost = tcp(NODE, "127.0.0.1", 30080, 60);
        assertThat(localhost.failures()).as(context(localhost)).isZero();
        assertThat(localhost.answers()).as(context(localhost)).containsOnlyKeys(A1, B1);
    }

    @Test
    void externalTrafficPolicyLocalSendsExternalTrafficOnlyToLocalEndpoints() {
        load("nodeport");

        TrafficResult external = tcp(CLIENT, NODE_IP, 30081, 60);
        assertThat(external.failures()).as(context(external)).isZero();
        assertThat(external.answers()).as("only node-a's endpoint; " + context(external).get())
                .isEqualTo(Map.of(A1, 60));
        assertThat(external.sources()).as("externalTrafficPolicy Local keeps the client's address")
                .isEqualTo(Map.of(CLIENT_IP, 60));

        // Traffic from the node itself to the node port and traffic to the cluster IP may use
        // every endpoint.
        TrafficResult localhost = tcp(NODE, "127.0.0.1", 30081, 60);
        assertThat(localhost.failures()).as(context(localhost)).isZero();
        assertThat(localhost.answers()).as(context(localhost)).containsOnlyKeys(A1, B1);

        TrafficResult clusterIp = tcp(CLIENT, "10.96.10.4", 80, 60);
        assertThat(clusterIp.failures()).as(context(clusterIp)).isZero();
        assertThat(clusterIp.answers()).as(context(clusterIp)).containsOnlyKeys(A1, B1);
    }

    @Test
    void clientIpSessionAffinityPinsEveryConnectionOfAClientToOneEndpoint() {
        load("session-affinity");

        for (String from : List.of(CLIENT, NODE)) {
            TrafficResult result = tcp(from, "10.96.10.5", 80, 50);
            assertThat(result.failures()).as(context(result)).isZero();
            assertThat(result.answers()).as("one endpoint for every connection from " + from + "; "
                    + context(result).get()).hasSize(1);
            assertThat(result.answers().keySet()).isSubsetOf(A1, A2, B1);
            assertThat(result.distinctSourcePorts()).isEqualTo(50);
        }
    }

    @Test
    void serviceWithoutEndpointsRejectsConnectionsFastInsteadOfTimingOut() {
        load("no-endpoints");

        for (TrafficResult result : List.of(
                tcp(CLIENT, "10.96.10.6", 80, 5),
                udp(CLIENT, "10.96.10.6", 53, 5),
                tcp(CLIENT, "10.96.10.16", 80, 5),
                tcp(NODE, "10.96.10.6", 80, 5))) {
            assertThat(result.refused()).as(context(result)).isEqualTo(5);
            assertThat(result.failures()).as(context(result)).isEqualTo(5);
            assertThat(result.elapsedMillis()).as("REJECT answers at once; " + context(result).get())
                    .isLessThan(TrafficLab.DEFAULT_TIMEOUT.toMillis());
        }
    }

    @Test
    void udpServicePortIsAnsweredByEveryEndpoint() {
        load("udp");

        TrafficResult result = udp(CLIENT, "10.96.10.7", 53, 90);

        assertThat(result.failures()).as(context(result)).isZero();
        assertThat(result.answers()).as(context(result)).containsOnlyKeys(A1, A2, B1);
        assertThat(result.sources()).isEqualTo(Map.of(POD_GATEWAY, 90));
    }

    @Test
    void loadBalancerSourceRangesAdmitListedClientsAndDropTheRest() {
        load("loadbalancer-source-ranges");

        TrafficResult admitted = tcp(CLIENT, "192.0.2.10", 80, 40);
        assertThat(admitted.failures()).as(context(admitted)).isZero();
        assertThat(admitted.answers()).as(context(admitted)).containsOnlyKeys(A2, B2);

        TrafficResult dropped = tcp(CLIENT, "192.0.2.11", 80, 3);
        assertThat(dropped.answered()).as(context(dropped)).isZero();
        assertThat(dropped.timeouts()).as("DROP gives timeouts, not refusals; " + context(dropped).get())
                .isEqualTo(3);
    }

    private static TrafficResult tcp(String from, String ip, int port, int count) {
        return report("tcp", from, ip, port, lab.tcpRequests(from, ip, port, count));
    }

    private static TrafficResult udp(String from, String ip, int port, int count) {
        return report("udp", from, ip, port, lab.udpRequests(from, ip, port, count));
    }

    private static TrafficResult report(String protocol, String from, String ip, int port, TrafficResult result) {
        System.out.printf("traffic %s %s -> %s:%d: %s%n", protocol, from, ip, port, result);
        return result;
    }

    /**
     * Programs a scenario (with the lab's Node) into the node namespace as {@code switchyard run}
     * does — Switchyard's iptables dataplane, one full sync, which also replaces the previous
     * scenario's rules and sets the node's sysctls — then forgets the node's connections.
     */
    private static void load(String scenario) {
        ClusterObjects objects = manifests(scenario);
        HostProcessRunner inNode = HostProcessRunner.inNetworkNamespace(lab.namespace(NODE).name());
        ProxySettings settings = ProxySettings.defaults("node-a", List.of(Cidr.parse("10.244.0.0/16")));
        IptablesDataplane dataplane = new IptablesDataplane(IpFamily.IPV4, settings, new Iptables(IpFamily.IPV4, inNode),
                new NfacctCounters(inNode));
        try (Proxier proxier = new Proxier(dataplane, "node-a", settings.syncPeriod(), settings.minSyncPeriod(),
                List.of(), InstantSource.system())) {
            objects.nodes().forEach(proxier::onNodeAdd);
            objects.services().forEach(proxier::onServiceAdd);
            objects.endpointSlices().forEach(proxier::onEndpointSliceAdd);
            proxier.onServicesSynced();
            proxier.onEndpointSlicesSynced();
            assertThat(proxier.syncProxyRules()).as("the sync of %s", scenario).isTrue();
        }
    }

    private static ClusterObjects manifests(String scenario) {
        Path directory = null;
        try {
            directory = Files.createTempDirectory("traffic-" + scenario + "-");
            copyResource("node.yaml", directory);
            copyResource(scenario + ".yaml", directory);
            ManifestLoader.Result loaded = ManifestLoader.load(directory);
            assertThat(loaded.problems()).as("problems in %s", scenario).isEmpty();
            return loaded.objects();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stage manifests of " + scenario, e);
        } finally {
            deleteRecursively(directory);
        }
    }

    private static void copyResource(String name, Path directory) throws IOException {
        try (InputStream in = TrafficTest.class.getResourceAsStream("/traffic/" + name)) {
            assertThat(in).as("test resource traffic/%s", name).isNotNull();
            Files.copy(in, directory.resolve(name));
        }
    }

    private static void deleteRecursively(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory
        }
    }

    /** Pearson's chi-square of the answer counts against an even split over {@code backends}. */
    private static double chiSquare(TrafficResult result, List<String> backends) {
        double expected = (double) result.answered() / backends.size();
        double sum = 0;
        for (String backend : backends) {
            double delta = result.count(backend) - expected;
            sum += delta * delta / expected;
        }
        return sum;
    }

    /** The result, and the node's rules with their packet counters, for failure messages. */
    private static Supplier<String> context(TrafficResult result) {
        return () -> result + "\nnode rules (iptables-save -c):\n" + lab.nodeRules();
    }
}
