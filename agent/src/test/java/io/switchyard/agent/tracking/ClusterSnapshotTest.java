package io.switchyard.agent.tracking;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.convert.Problem;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static io.switchyard.agent.convert.KubeObjects.endpoint;
import static io.switchyard.agent.convert.KubeObjects.port;
import static io.switchyard.agent.convert.KubeObjects.service;
import static io.switchyard.agent.convert.KubeObjects.slice;
import static io.switchyard.agent.convert.KubeObjects.slicePort;
import static io.switchyard.agent.convert.KubeObjects.terminating;
import static org.assertj.core.api.Assertions.assertThat;

/** ClusterSnapshot: label selection, slice merging, endpoint order and the local Node, through the tracker. */
class ClusterSnapshotTest {

    private static final ServicePortName WEB_HTTP = new ServicePortName("demo", "web", "http", Protocol.TCP);
    private static final ServicePortName OTHER_HTTP = new ServicePortName("demo", "other", "http", Protocol.TCP);

    private static ClusterSnapshot build(String proxyName, List<V1Service> services,
                                         List<V1EndpointSlice> slices, List<V1Node> nodes) {
        return ClusterSnapshot.of(IpFamily.IPV4, "node-a", new ProxySelection(proxyName),
                new ClusterObjects(services, slices, nodes));
    }

    private static V1EndpointSlice webSlice(String name, io.kubernetes.client.openapi.models.V1Endpoint... endpoints) {
        return slice("demo", name, "web", "IPv4", List.of(slicePort("http", 8080)), endpoints);
    }

    private static <T extends io.kubernetes.client.common.KubernetesObject> T labelled(T object, String key, String value) {
        object.getMetadata().putLabelsItem(key, value);
        return object;
    }

    @Test
    void buildsServicesAndTheirEndpoints() {
        ClusterSnapshot result = build("", List.of(service("demo", "web", "10.96.0.10", port("http", 80))),
                List.of(webSlice("web-1", endpoint("10.244.1.11", "node-a"))), List.of());

        assertThat(result.problems()).isEmpty();
        assertThat(result.state().services()).containsOnlyKeys(WEB_HTTP);
        assertThat(result.state().endpointsOf(WEB_HTTP)).singleElement()
                .satisfies(e -> assertThat(e.hostPort()).isEqualTo("10.244.1.11:8080"));
    }

    @Test
    void withoutAProxyNameObjectsLabelledForAnotherProxyAreIgnored() {
        V1Service web = service("demo", "web", "10.96.0.10", port("http", 80));
        V1Service other = labelled(service("demo", "other", "10.96.0.11", port("http", 80)),
                io.switchyard.agent.source.ProxySelection.SERVICE_PROXY_NAME_LABEL, "my-proxy");
        V1EndpointSlice webSlice = labelled(webSlice("web-1", endpoint("10.244.1.11", "node-a")),
                io.switchyard.agent.source.ProxySelection.SERVICE_PROXY_NAME_LABEL, "my-proxy");

        ClusterSnapshot result = build("", List.of(web, other), List.of(webSlice), List.of());

        assertThat(result.state().services()).containsOnlyKeys(WEB_HTTP);
        assertThat(result.state().endpointsOf(WEB_HTTP)).isEmpty();
    }

    @Test
    void withAProxyNameOnlyObjectsLabelledWithThatNameAreUsed() {
        V1Service web = service("demo", "web", "10.96.0.10", port("http", 80));
        V1Service mine = labelled(service("demo", "other", "10.96.0.11", port("http", 80)),
                io.switchyard.agent.source.ProxySelection.SERVICE_PROXY_NAME_LABEL, "my-proxy");
        V1Service theirs = labelled(service("demo", "third", "10.96.0.12", port("http", 80)),
                io.switchyard.agent.source.ProxySelection.SERVICE_PROXY_NAME_LABEL, "their-proxy");
        V1EndpointSlice mySlice = labelled(slice("demo", "other-1", "other", "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.1.21", "node-a")), io.switchyard.agent.source.ProxySelection.SERVICE_PROXY_NAME_LABEL, "my-proxy");
        V1EndpointSlice unlabelledSlice = slice("demo", "other-2", "other", "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.1.22", "node-a"));

        ClusterSnapshot result = build("my-proxy", List.of(web, mine, theirs),
                List.of(mySlice, unlabelledSlice), List.of());

        assertThat(result.state().services()).containsOnlyKeys(OTHER_HTTP);
        assertThat(result.state().endpointsOf(OTHER_HTTP)).extracting(Endpoint::ip).containsExactly("10.244.1.21");
    }

    @Test
    void slicesLabelledHeadlessAreIgnored() {
        V1EndpointSlice headless = labelled(webSlice("web-1", endpoint("10.244.1.11", "node-a")),
                io.switchyard.agent.source.ProxySelection.HEADLESS_LABEL, "");

        ClusterSnapshot result = build("", List.of(service("demo", "web", "10.96.0.10", port("http", 80))),
                List.of(headless), List.of());

        assertThat(result.state().services()).containsOnlyKeys(WEB_HTTP);
        assertThat(result.state().endpointsOf(WEB_HTTP)).isEmpty();
    }

    @ParameterizedTest(name = "terminating copy in slice {0}, ready copy in slice {1}")
    @CsvSource({"web-a, web-b", "web-b, web-a"})
    void aDuplicateAcrossSlicesKeepsTheNonTerminatingCopy(String terminatingSlice, String readySlice) {
        V1EndpointSlice withTerminating = webSlice(terminatingSlice, terminating("10.244.1.11", "node-a"));
        V1EndpointSlice withReady = webSlice(readySlice, endpoint("10.244.1.11", "node-a"));

        for (List<V1EndpointSlice> order : List.of(List.of(withTerminating, withReady), List.of(withReady, withTerminating))) {
            ClusterSnapshot result = build("", List.of(service("demo", "web", "10.96.0.10", port("http", 80))),
                    order, List.of());

            assertThat(result.state().endpointsOf(WEB_HTTP)).singleElement().satisfies(e -> {
                assertThat(e.terminating()).isFalse();
                assertThat(e.ready()).isTrue();
            });
        }
    }

    @Test
    void endpointsAreSortedByTheirIpPortString() {
        V1EndpointSlice first = webSlice("web-1", endpoint("10.244.10.1", "node-b"), endpoint("10.244.1.9", "node-a"));
        V1EndpointSlice second = webSlice("web-2", endpoint("10.244.1.10", "node-a"));

        ClusterSnapshot result = build("", List.of(service("demo", "web", "10.96.0.10", port("http", 80))),
                List.of(first, second), List.of());

        assertThat(result.state().endpointsOf(WEB_HTTP)).extracting(Endpoint::hostPort)
                .containsExactly("10.244.1.10:8080", "10.244.1.9:8080", "10.244.10.1:8080");
    }

    @Test
    void slicesAreMergedPerServiceAndPortName() {
        V1EndpointSlice http = webSlice("web-1", endpoint("10.244.1.11", "node-a"));
        V1EndpointSlice metrics = slice("demo", "web-2", "web", "IPv4", List.of(slicePort("metrics", 9090)),
                endpoint("10.244.1.12", "node-a"));
        V1EndpointSlice otherNamespace = slice("prod", "web-3", "web", "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.1.13", "node-a"));
        V1Service web = service("demo", "web", "10.96.0.10", port("http", 80), port("metrics", 9090));

        ClusterSnapshot result = build("", List.of(web), List.of(http, metrics, otherNamespace), List.of());

        ServicePortName webMetrics = new ServicePortName("demo", "web", "metrics", Protocol.TCP);
        assertThat(result.state().services()).containsOnlyKeys(WEB_HTTP, webMetrics);
        assertThat(result.state().endpointsOf(WEB_HTTP)).extracting(Endpoint::hostPort).containsExactly("10.244.1.11:8080");
        assertThat(result.state().endpointsOf(webMetrics)).extracting(Endpoint::hostPort).containsExactly("10.244.1.12:9090");
    }

    @Test
    void theMatchingNodeGivesLabelsAddressesAndPodCidrs() {
        V1Node nodeA = new V1Node()
                .metadata(new V1ObjectMeta().name("node-a").labels(Map.of(LocalNode.ZONE_LABEL, "zone-a")))
                .spec(new V1NodeSpec().podCIDRs(List.of("10.244.1.0/24", "fd00:10:244:1::/64")))
                .status(new V1NodeStatus().addresses(List.of(
                        new V1NodeAddress().type("ExternalIP").address("203.0.113.10"),
                        new V1NodeAddress().type("Hostname").address("node-a"),
                        new V1NodeAddress().type("InternalIP").address("10.0.0.10"),
                        new V1NodeAddress().type("InternalIP").address("fd00::10"))));
        V1Node nodeB = new V1Node()
                .metadata(new V1ObjectMeta().name("node-b").labels(Map.of(LocalNode.ZONE_LABEL, "zone-b")))
                .status(new V1NodeStatus().addresses(List.of(new V1NodeAddress().type("InternalIP").address("10.0.0.11"))));

        LocalNode node = build("", List.of(), List.of(), List.of(nodeB, nodeA)).node();

        assertThat(node.name()).isEqualTo("node-a");
        assertThat(node.zone()).isEqualTo("zone-a");
        assertThat(node.addresses()).containsExactly("10.0.0.10", "fd00::10", "203.0.113.10");
        assertThat(node.primaryAddress(IpFamily.IPV4)).isEqualTo("10.0.0.10");
        assertThat(node.podCidrs()).containsExactly("10.244.1.0/24", "fd00:10:244:1::/64");
    }

    @Test
    void aNodeWithOnlyTheLegacyPodCidrAndRepeatedAddressesIsReadOnce() {
        V1Node nodeA = new V1Node()
                .metadata(new V1ObjectMeta().name("node-a"))
                .spec(new V1NodeSpec().podCIDRs(null).podCIDR("10.244.1.0/24"))
                .status(new V1NodeStatus().addresses(List.of(
                        new V1NodeAddress().type("InternalIP").address("10.0.0.10"),
                        new V1NodeAddress().type("ExternalIP").address("10.0.0.10"),
                        new V1NodeAddress().type("InternalIP").address("10.0.0.10"))));

        LocalNode node = build("", List.of(), List.of(), List.of(nodeA)).node();

        assertThat(node.addresses()).containsExactly("10.0.0.10");
        assertThat(node.podCidrs()).containsExactly("10.244.1.0/24");
        assertThat(node.zone()).isEmpty();
    }

    @Test
    void withoutItsNodeTheLocalNodeIsKnownOnlyByName() {
        V1Node nodeB = new V1Node().metadata(new V1ObjectMeta().name("node-b"));

        assertThat(build("", List.of(), List.of(), List.of(nodeB)).node()).isEqualTo(LocalNode.named("node-a"));
    }

    @Test
    void problemsFromServicesAndSlicesAreCollected() {
        V1Service bad = service("demo", "bad", "10.96.0.20", port("http", 70000));
        V1EndpointSlice orphan = slice("demo", "orphan", null, "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.1.11", "node-a"));

        ClusterSnapshot result = build("", List.of(bad), List.of(orphan), List.of());

        assertThat(result.problems()).extracting(Problem::object)
                .containsExactlyInAnyOrder("Service demo/bad", "EndpointSlice demo/orphan");
        assertThat(result.state().services()).isEmpty();
    }
}
