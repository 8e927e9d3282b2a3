package io.switchyard.rules.topology;

import io.switchyard.rules.model.Endpoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.switchyard.rules.topology.SelectorFixtures.NODE;
import static io.switchyard.rules.topology.SelectorFixtures.OTHER_NODE;
import static io.switchyard.rules.topology.SelectorFixtures.OTHER_ZONE;
import static io.switchyard.rules.topology.SelectorFixtures.ZONE;
import static io.switchyard.rules.topology.SelectorFixtures.clusterIp;
import static io.switchyard.rules.topology.SelectorFixtures.forNodes;
import static io.switchyard.rules.topology.SelectorFixtures.forZones;
import static io.switchyard.rules.topology.SelectorFixtures.ips;
import static io.switchyard.rules.topology.SelectorFixtures.notReady;
import static io.switchyard.rules.topology.SelectorFixtures.ready;
import static org.assertj.core.api.Assertions.assertThat;

/** Topology hints are all-or-nothing in kube-proxy; a partial or foreign set of hints must fall back to every endpoint. */
class EndpointSelectorTopologyTest {

    private final EndpointSelector zoneOnly = new EndpointSelector(NODE, ZONE, false);
    private final EndpointSelector withNodeHints = new EndpointSelector(NODE, ZONE, true);

    // --- Zone hints ---

    @Test
    void zoneHintsForThisZoneRestrictClusterEndpointsToThem() {
        List<Endpoint> endpoints = List.of(
                forZones(ready("10.0.0.1", NODE), ZONE),
                forZones(ready("10.0.0.2", OTHER_NODE), OTHER_ZONE),
                forZones(ready("10.0.0.3", OTHER_NODE), ZONE, OTHER_ZONE));

        assertThat(zoneOnly.topologyMode(endpoints)).isEqualTo(TopologyMode.PREFER_SAME_ZONE);
        EndpointSelection selection = zoneOnly.select(clusterIp(), endpoints);
        assertThat(ips(selection.cluster())).containsExactly("10.0.0.1", "10.0.0.3");
        assertThat(selection.allReachable()).isEqualTo(selection.cluster());
    }

    @Test
    void oneReadyEndpointWithoutHintsDisablesTopology() {
        List<Endpoint> endpoints = List.of(
                forZones(ready("10.0.0.1", NODE), ZONE),
                ready("10.0.0.2", OTHER_NODE),
                forZones(ready("10.0.0.3", OTHER_NODE), OTHER_ZONE));

        assertThat(zoneOnly.topologyMode(endpoints)).isEqualTo(TopologyMode.NONE);
        assertThat(ips(zoneOnly.select(clusterIp(), endpoints).cluster()))
                .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    }

    @Test
    void hintsThatNameNoEndpointForThisZoneAreIgnored() {
        List<Endpoint> endpoints = List.of(
                forZones(ready("10.0.0.1", NODE), OTHER_ZONE),
                forZones(ready("10.0.0.2", OTHER_NODE), "zone-c"));

        assertThat(zoneOnly.topologyMode(endpoints)).isEqualTo(TopologyMode.NONE);
        assertThat(ips(zoneOnly.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void nodeWithoutZoneLabelIgnoresZoneHints() {
        EndpointSelector unlabelled = new EndpointSelector(NODE, "", false);
        List<Endpoint> endpoints = List.of(
                forZones(ready("10.0.0.1", NODE), ZONE),
                forZones(ready("10.0.0.2", OTHER_NODE), OTHER_ZONE));

        assertThat(unlabelled.topologyMode(endpoints)).isEqualTo(TopologyMode.NONE);
        assertThat(ips(unlabelled.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void notReadyEndpointsWithoutHintsDoNotDisableTopology() {
        List<Endpoint> endpoints = List.of(
                forZones(ready("10.0.0.1", NODE), ZONE),
                notReady("10.0.0.2", OTHER_NODE),
                forZones(ready("10.0.0.3", OTHER_NODE), OTHER_ZONE));

        assertThat(zoneOnly.topologyMode(endpoints)).isEqualTo(TopologyMode.PREFER_SAME_ZONE);
        assertThat(ips(zoneOnly.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1");
    }

    @Test
    void noEndpointsMeansNoTopology() {
        assertThat(zoneOnly.topologyMode(List.of())).isEqualTo(TopologyMode.NONE);
        assertThat(withNodeHints.topologyMode(List.of())).isEqualTo(TopologyMode.NONE);
    }

    // --- Node hints (PreferSameTrafficDistribution) ---

    @Test
    void nodeHintsAreIgnoredWithoutTheGate() {
        List<Endpoint> endpoints = List.of(
                forNodes(ready("10.0.0.1", NODE), NODE),
                forNodes(ready("10.0.0.2", OTHER_NODE), OTHER_NODE));

        assertThat(zoneOnly.topologyMode(endpoints)).isEqualTo(TopologyMode.NONE);
        assertThat(ips(zoneOnly.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void nodeHintsForThisNodeRestrictClusterEndpointsWithTheGate() {
        List<Endpoint> endpoints = List.of(
                forNodes(ready("10.0.0.1", NODE), NODE),
                forNodes(ready("10.0.0.2", OTHER_NODE), OTHER_NODE));

        assertThat(withNodeHints.topologyMode(endpoints)).isEqualTo(TopologyMode.PREFER_SAME_NODE);
        assertThat(ips(withNodeHints.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1");
    }

    @Test
    void nodeHintsTakePrecedenceOverZoneHintsWithTheGate() {
        List<Endpoint> endpoints = List.of(
                forNodes(forZones(ready("10.0.0.1", NODE), ZONE), NODE),
                forNodes(forZones(ready("10.0.0.2", OTHER_NODE), ZONE), OTHER_NODE),
                forNodes(forZones(ready("10.0.0.3", "node-c"), OTHER_ZONE), "node-c"));

        assertThat(withNodeHints.topologyMode(endpoints)).isEqualTo(TopologyMode.PREFER_SAME_NODE);
        assertThat(ips(withNodeHints.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1");
        assertThat(zoneOnly.topologyMode(endpoints)).isEqualTo(TopologyMode.PREFER_SAME_ZONE);
        assertThat(ips(zoneOnly.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void incompleteNodeHintsFallBackToZoneHints() {
        List<Endpoint> endpoints = List.of(
                forNodes(forZones(ready("10.0.0.1", NODE), ZONE), NODE),
                forZones(ready("10.0.0.2", OTHER_NODE), ZONE),
                forNodes(forZones(ready("10.0.0.3", "node-c"), OTHER_ZONE), "node-c"));

        assertThat(withNodeHints.topologyMode(endpoints)).isEqualTo(TopologyMode.PREFER_SAME_ZONE);
        assertThat(ips(withNodeHints.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void nodeHintsNamingOnlyOtherNodesFallBackToZoneHints() {
        List<Endpoint> endpoints = List.of(
                forNodes(forZones(ready("10.0.0.1", OTHER_NODE), ZONE), OTHER_NODE),
                forNodes(forZones(ready("10.0.0.2", "node-c"), OTHER_ZONE), "node-c"));

        assertThat(withNodeHints.topologyMode(endpoints)).isEqualTo(TopologyMode.PREFER_SAME_ZONE);
        assertThat(ips(withNodeHints.select(clusterIp(), endpoints).cluster())).containsExactly("10.0.0.1");
    }
}
