package io.switchyard.rules.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Slice merging decides which copy of a duplicated endpoint wins and the order chains are written in. */
class ServiceEndpointsTest {

    private static final EndpointSlice.Port HTTP = new EndpointSlice.Port("http", 8080, Protocol.TCP);
    private static final ServicePortName HTTP_NAME = new ServicePortName("ns", "web", "http", Protocol.TCP);

    private static EndpointSlice slice(String name, List<EndpointSlice.Port> ports, EndpointSlice.Member... members) {
        return new EndpointSlice("ns", name, "web", ports, List.of(members));
    }

    private static EndpointSlice.Member ready(String ip) {
        return new EndpointSlice.Member(ip, "node-a", "zone-a", true, true, false, Set.of(), Set.of());
    }

    private static EndpointSlice.Member terminating(String ip) {
        return new EndpointSlice.Member(ip, "node-a", "zone-a", false, true, true, Set.of(), Set.of());
    }

    private static List<String> hostPorts(List<Endpoint> endpoints) {
        return endpoints.stream().map(Endpoint::hostPort).toList();
    }

    @Test
    void duplicateEndpointKeepsTheNonTerminatingCopyWhateverTheSliceOrder() {
        // Covers the terminating copy arriving first and last, both by slice name and by collection order.
        EndpointSlice terminatingA = slice("web-a", List.of(HTTP), terminating("10.244.1.5"));
        EndpointSlice runningB = slice("web-b", List.of(HTTP), ready("10.244.1.5"));
        EndpointSlice runningA = slice("web-a", List.of(HTTP), ready("10.244.1.5"));
        EndpointSlice terminatingB = slice("web-b", List.of(HTTP), terminating("10.244.1.5"));

        for (List<EndpointSlice> slices : List.of(List.of(terminatingA, runningB), List.of(runningB, terminatingA),
                List.of(runningA, terminatingB), List.of(terminatingB, runningA))) {
            List<Endpoint> merged = ServiceEndpoints.merge("ns", "web", slices).get(HTTP_NAME);

            assertThat(merged).as("slices %s", slices.stream().map(EndpointSlice::name).toList()).singleElement()
                    .satisfies(ep -> {
                        assertThat(ep.terminating()).isFalse();
                        assertThat(ep.ready()).isTrue();
                    });
        }
    }

    @Test
    void sameAddressOnDifferentPortsIsNotADuplicate() {
        EndpointSlice a = slice("web-a", List.of(HTTP), ready("10.244.1.5"));
        EndpointSlice b = slice("web-b", List.of(new EndpointSlice.Port("http", 9090, Protocol.TCP)),
                ready("10.244.1.5"));

        List<Endpoint> merged = ServiceEndpoints.merge("ns", "web", List.of(a, b)).get(HTTP_NAME);

        assertThat(hostPorts(merged)).containsExactly("10.244.1.5:8080", "10.244.1.5:9090");
    }

    @Test
    void endpointsAreOrderedByTheirIpPortString() {
        EndpointSlice a = slice("web-a", List.of(HTTP), ready("10.244.1.9"), ready("10.244.1.10"));
        EndpointSlice b = slice("web-b", List.of(HTTP), ready("10.244.1.100"), ready("10.244.0.200"));

        List<Endpoint> merged = ServiceEndpoints.merge("ns", "web", List.of(b, a)).get(HTTP_NAME);

        assertThat(hostPorts(merged))
                .containsExactly("10.244.0.200:8080", "10.244.1.100:8080", "10.244.1.10:8080", "10.244.1.9:8080");
    }

    @Test
    void eachNamedPortGetsItsOwnServicePortNameAndPortNumber() {
        EndpointSlice.Port metrics = new EndpointSlice.Port("metrics", 9090, Protocol.TCP);
        EndpointSlice slice = slice("web-a", List.of(HTTP, metrics), ready("10.244.1.5"));

        Map<ServicePortName, List<Endpoint>> merged = ServiceEndpoints.merge("ns", "web", List.of(slice));

        ServicePortName metricsName = new ServicePortName("ns", "web", "metrics", Protocol.TCP);
        assertThat(merged).containsOnlyKeys(HTTP_NAME, metricsName);
        assertThat(hostPorts(merged.get(HTTP_NAME))).containsExactly("10.244.1.5:8080");
        assertThat(hostPorts(merged.get(metricsName))).containsExactly("10.244.1.5:9090");
    }

    @Test
    void sameNameWithDifferentProtocolsAreDifferentServicePorts() {
        EndpointSlice slice = slice("dns-a", List.of(new EndpointSlice.Port("dns", 53, Protocol.UDP),
                new EndpointSlice.Port("dns", 53, Protocol.TCP)), ready("10.244.1.5"));

        Map<ServicePortName, List<Endpoint>> merged = ServiceEndpoints.merge("ns", "web", List.of(slice));

        assertThat(merged).containsOnlyKeys(new ServicePortName("ns", "web", "dns", Protocol.UDP),
                new ServicePortName("ns", "web", "dns", Protocol.TCP));
    }

    @Test
    void unnamedPortKeysByServiceOnly() {
        EndpointSlice slice = slice("web-a", List.of(new EndpointSlice.Port(null, 80, Protocol.TCP)),
                ready("10.244.1.5"));

        Map<ServicePortName, List<Endpoint>> merged = ServiceEndpoints.merge("ns", "web", List.of(slice));

        assertThat(merged).containsOnlyKeys(new ServicePortName("ns", "web", "", Protocol.TCP));
        assertThat(merged.keySet().iterator().next().toString()).isEqualTo("ns/web");
    }

    @Test
    void memberConditionsPlacementAndHintsAreCarriedOver() {
        EndpointSlice.Member member = new EndpointSlice.Member("10.244.1.5", "node-b", "zone-b", false, true, true,
                Set.of("zone-b"), Set.of("node-b"));

        Endpoint endpoint = ServiceEndpoints.merge("ns", "web", List.of(slice("web-a", List.of(HTTP), member)))
                .get(HTTP_NAME).getFirst();

        assertThat(endpoint).isEqualTo(new Endpoint("10.244.1.5", 8080, "node-b", "zone-b", false, true, true,
                Set.of("zone-b"), Set.of("node-b")));
    }

    @Test
    void sliceWithoutEndpointsYieldsNoKey() {
        EndpointSlice empty = slice("web-a", List.of(HTTP));

        assertThat(ServiceEndpoints.merge("ns", "web", List.of(empty))).isEmpty();
    }

    @Test
    void emptySliceDoesNotHideAnotherSlicesEndpoints() {
        EndpointSlice empty = slice("web-a", List.of(HTTP));
        EndpointSlice full = slice("web-b", List.of(HTTP), ready("10.244.1.5"));

        assertThat(ServiceEndpoints.merge("ns", "web", List.of(empty, full))).containsOnlyKeys(HTTP_NAME);
    }

    @Test
    void noSlicesYieldNothing() {
        assertThat(ServiceEndpoints.merge("ns", "web", List.of())).isEmpty();
    }
}
