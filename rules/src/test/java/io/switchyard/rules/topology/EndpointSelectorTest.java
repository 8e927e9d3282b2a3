package io.switchyard.rules.topology;

import io.switchyard.rules.model.Endpoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.switchyard.rules.topology.SelectorFixtures.NODE;
import static io.switchyard.rules.topology.SelectorFixtures.OTHER_NODE;
import static io.switchyard.rules.topology.SelectorFixtures.OTHER_ZONE;
import static io.switchyard.rules.topology.SelectorFixtures.ZONE;
import static io.switchyard.rules.topology.SelectorFixtures.clusterIp;
import static io.switchyard.rules.topology.SelectorFixtures.forZones;
import static io.switchyard.rules.topology.SelectorFixtures.internalLocal;
import static io.switchyard.rules.topology.SelectorFixtures.ips;
import static io.switchyard.rules.topology.SelectorFixtures.nodePortExternalLocal;
import static io.switchyard.rules.topology.SelectorFixtures.notReady;
import static io.switchyard.rules.topology.SelectorFixtures.ready;
import static io.switchyard.rules.topology.SelectorFixtures.service;
import static io.switchyard.rules.topology.SelectorFixtures.servingTerminating;
import static io.switchyard.rules.topology.SelectorFixtures.terminatingNotServing;
import static org.assertj.core.api.Assertions.assertThat;

/** Endpoint conditions and traffic policies must pick the same endpoints kube-proxy's CategorizeEndpoints does. */
class EndpointSelectorTest {

    private final EndpointSelector selector = new EndpointSelector(NODE, ZONE, false);

    // --- Cluster traffic policy: endpoint conditions ---

    @Test
    void clusterPolicyUsesEveryReadyEndpoint() {
        List<Endpoint> endpoints = List.of(ready("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE),
                ready("10.0.0.3", ""));

        EndpointSelection selection = selector.select(clusterIp(), endpoints);

        assertThat(ips(selection.cluster())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(selection.local()).isEmpty();
        assertThat(selection.allReachable()).isEqualTo(selection.cluster());
        assertThat(selection.hasAnyEndpoints()).isTrue();
    }

    @Test
    void notReadyEndpointsAreLeftOut() {
        List<Endpoint> endpoints = List.of(notReady("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE));

        EndpointSelection selection = selector.select(clusterIp(), endpoints);

        assertThat(ips(selection.cluster())).containsExactly("10.0.0.2");
    }

    @Test
    void servingTerminatingEndpointsAreIgnoredWhileAnyEndpointIsReady() {
        List<Endpoint> endpoints = List.of(servingTerminating("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE));

        EndpointSelection selection = selector.select(clusterIp(), endpoints);

        assertThat(ips(selection.cluster())).containsExactly("10.0.0.2");
    }

    @Test
    void withNothingReadyAnywhereFallsBackToServingTerminatingEndpoints() {
        List<Endpoint> endpoints = List.of(servingTerminating("10.0.0.1", OTHER_NODE),
                terminatingNotServing("10.0.0.2", OTHER_NODE), notReady("10.0.0.3", NODE),
                servingTerminating("10.0.0.4", NODE));

        EndpointSelection selection = selector.select(clusterIp(), endpoints);

        assertThat(ips(selection.cluster())).containsExactly("10.0.0.1", "10.0.0.4");
        assertThat(selection.allReachable()).isEqualTo(selection.cluster());
        assertThat(selection.hasAnyEndpoints()).isTrue();
    }

    @Test
    void terminatingEndpointsThatStoppedServingAreNeverUsed() {
        List<Endpoint> endpoints = List.of(terminatingNotServing("10.0.0.1", NODE), notReady("10.0.0.2", NODE));

        EndpointSelection selection = selector.select(clusterIp(), endpoints);

        assertThat(selection.cluster()).isEmpty();
        assertThat(selection.allReachable()).isEmpty();
        assertThat(selection.hasAnyEndpoints()).isFalse();
    }

    @Test
    void serviceWithoutEndpointsHasNone() {
        EndpointSelection selection = selector.select(clusterIp(), List.of());

        assertThat(selection.cluster()).isEmpty();
        assertThat(selection.local()).isEmpty();
        assertThat(selection.allReachable()).isEmpty();
        assertThat(selection.hasAnyEndpoints()).isFalse();
    }

    // --- internalTrafficPolicy Local ---

    @Test
    void internalLocalUsesOnlyThisNodesReadyEndpoints() {
        List<Endpoint> endpoints = List.of(ready("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE),
                notReady("10.0.0.3", NODE), ready("10.0.0.4", NODE), ready("10.0.0.5", ""));

        EndpointSelection selection = selector.select(internalLocal(), endpoints);

        assertThat(selection.cluster()).isEmpty();
        assertThat(ips(selection.local())).containsExactly("10.0.0.1", "10.0.0.4");
        assertThat(selection.allReachable()).isEqualTo(selection.local());
        assertThat(selection.hasAnyEndpoints()).isTrue();
    }

    @Test
    void internalLocalWithOnlyRemoteEndpointsStillReportsThatEndpointsExist() {
        List<Endpoint> endpoints = List.of(ready("10.0.0.1", OTHER_NODE), servingTerminating("10.0.0.2", OTHER_NODE));

        EndpointSelection selection = selector.select(internalLocal(), endpoints);

        assertThat(selection.local()).isEmpty();
        assertThat(selection.allReachable()).isEmpty();
        assertThat(selection.hasAnyEndpoints()).isTrue();
    }

    @Test
    void internalLocalWithOnlyRemoteServingTerminatingEndpointsStillReportsThatEndpointsExist() {
        EndpointSelection selection = selector.select(internalLocal(),
                List.of(servingTerminating("10.0.0.1", OTHER_NODE)));

        assertThat(selection.local()).isEmpty();
        assertThat(selection.hasAnyEndpoints()).isTrue();
    }

    @Test
    void internalLocalWithNoUsableEndpointAnywhereHasNone() {
        List<Endpoint> endpoints = List.of(notReady("10.0.0.1", NODE), terminatingNotServing("10.0.0.2", NODE));

        EndpointSelection selection = selector.select(internalLocal(), endpoints);

        assertThat(selection.local()).isEmpty();
        assertThat(selection.hasAnyEndpoints()).isFalse();
    }

    @Test
    void internalLocalFallsBackToLocalServingTerminatingEndpointsWhenNoLocalOneIsReady() {
        List<Endpoint> endpoints = List.of(servingTerminating("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE),
                servingTerminating("10.0.0.3", OTHER_NODE));

        EndpointSelection selection = selector.select(internalLocal(), endpoints);

        assertThat(ips(selection.local())).containsExactly("10.0.0.1");
        assertThat(selection.allReachable()).isEqualTo(selection.local());
    }

    // --- externalTrafficPolicy Local ---

    @Test
    void externalLocalNodePortKeepsAllReadyForClusterAndLocalReadyForLocal() {
        List<Endpoint> endpoints = List.of(ready("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE),
                notReady("10.0.0.3", NODE), ready("10.0.0.4", NODE));

        EndpointSelection selection = selector.select(nodePortExternalLocal(), endpoints);

        assertThat(ips(selection.cluster())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.4");
        assertThat(ips(selection.local())).containsExactly("10.0.0.1", "10.0.0.4");
        assertThat(selection.allReachable()).isEqualTo(selection.cluster());
        assertThat(selection.hasAnyEndpoints()).isTrue();
    }

    @Test
    void externalLocalWithTopologyReachesTheUnionSortedByHostPort() {
        // The local endpoint is hinted for another zone, so zone topology drops it from the cluster list;
        // external traffic must still reach it. "10.0.0.20:8080" sorts before "10.0.0.3:8080".
        List<Endpoint> endpoints = List.of(
                forZones(ready("10.0.0.20", NODE), OTHER_ZONE),
                forZones(ready("10.0.0.3", OTHER_NODE), ZONE),
                forZones(ready("10.0.0.4", OTHER_NODE), OTHER_ZONE));

        EndpointSelection selection = selector.select(nodePortExternalLocal(), endpoints);

        assertThat(ips(selection.cluster())).containsExactly("10.0.0.3");
        assertThat(ips(selection.local())).containsExactly("10.0.0.20");
        assertThat(ips(selection.allReachable())).containsExactly("10.0.0.20", "10.0.0.3");
    }

    @Test
    void externalLocalWithOnlyServingTerminatingLocalEndpointsReachesTheUnion() {
        List<Endpoint> endpoints = List.of(ready("10.0.0.1", OTHER_NODE), servingTerminating("10.0.0.2", NODE),
                notReady("10.0.0.3", NODE));

        EndpointSelection selection = selector.select(nodePortExternalLocal(), endpoints);

        assertThat(ips(selection.cluster())).containsExactly("10.0.0.1");
        assertThat(ips(selection.local())).containsExactly("10.0.0.2");
        assertThat(ips(selection.allReachable())).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(selection.hasAnyEndpoints()).isTrue();
    }

    @Test
    void externalLocalOnExternalIpsWithoutNodePortStillUsesLocalEndpoints() {
        List<Endpoint> endpoints = List.of(ready("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE));

        EndpointSelection selection = selector.select(service(0, List.of("192.0.2.10"), true, false), endpoints);

        assertThat(ips(selection.local())).containsExactly("10.0.0.1");
        assertThat(ips(selection.cluster())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void externalLocalOnAClusterIpOnlyServiceIgnoresLocality() {
        List<Endpoint> endpoints = List.of(ready("10.0.0.1", NODE), ready("10.0.0.2", OTHER_NODE));
        var service = service(0, List.of(), true, false);

        EndpointSelection selection = selector.select(service, endpoints);

        assertThat(service.usesLocalEndpoints()).isFalse();
        assertThat(selection.local()).isEmpty();
        assertThat(ips(selection.cluster())).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(selection.allReachable()).isEqualTo(selection.cluster());
    }
}
