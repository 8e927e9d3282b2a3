package io.switchyard.rules.conntrack;

import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The conntrack reconciler's decision, flow by flow. */
class StaleFlowsTest {

    private static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "dns", Protocol.UDP);
    private static final ServicePortName WEB = new ServicePortName("demo", "web", "http", Protocol.TCP);
    private static final ServicePortName EMPTY = new ServicePortName("demo", "empty", "", Protocol.UDP);

    private static ServicePort port(ServicePortName name, String clusterIp, int port, int nodePort) {
        return new ServicePort(name, clusterIp, port, nodePort, List.of("192.0.2.10"), List.of("198.51.100.7"),
                List.of(), 0, SessionAffinity.NONE, false, false);
    }

    private static Endpoint endpoint(String ip, boolean ready, boolean serving, boolean terminating) {
        return new Endpoint(ip, 53, "node-b", "", ready, serving, terminating, Set.of(), Set.of());
    }

    private final StaleFlows flows = StaleFlows.of(ClusterState.of(
            Map.of(DNS, port(DNS, "10.96.0.10", 53, 30053),
                    WEB, port(WEB, "10.96.0.20", 80, 30080),
                    EMPTY, port(EMPTY, "10.96.0.30", 53, 30054)),
            Map.of(DNS, List.of(endpoint("10.244.1.5", true, true, false),
                            endpoint("10.244.2.6", false, true, true),
                            endpoint("10.244.3.7", false, false, false)),
                    WEB, List.of(endpoint("10.244.1.8", true, true, false)))));

    private static StaleFlows.Flow udp(String dst, int port, String replySrc) {
        return new StaleFlows.Flow(Protocol.UDP, dst, port, replySrc);
    }

    @Test
    void aFlowToAServingEndpointStays() {
        assertThat(flows.isStale(udp("10.96.0.10", 53, "10.244.1.5"))).isFalse();
        assertThat(flows.isStale(udp("10.96.0.10", 53, "10.244.2.6"))).as("terminating but serving").isFalse();
    }

    @Test
    void aFlowToAnEndpointThatStoppedServingIsStaleOnEveryFrontend() {
        assertThat(flows.isStale(udp("10.96.0.10", 53, "10.244.3.7"))).as("cluster IP").isTrue();
        assertThat(flows.isStale(udp("198.51.100.7", 53, "10.244.9.9"))).as("load-balancer IP").isTrue();
        assertThat(flows.isStale(udp("192.0.2.10", 53, "10.244.9.9"))).as("external IP").isTrue();
        assertThat(flows.isStale(udp("172.18.0.2", 30053, "10.244.9.9"))).as("node port, any address").isTrue();
    }

    @Test
    void aFlowCreatedWhileTheServiceHadNoEndpointsIsStaleOnceItHasOne() {
        // Not DNATed: the reply comes from the cluster IP itself.
        assertThat(flows.isStale(udp("10.96.0.10", 53, "10.96.0.10"))).isTrue();
    }

    @Test
    void servicesWithoutServingEndpointsOtherProtocolsAndOtherPortsAreLeftAlone() {
        assertThat(flows.isStale(udp("10.96.0.30", 53, "10.96.0.30"))).as("no serving endpoint").isFalse();
        assertThat(flows.isStale(new StaleFlows.Flow(Protocol.TCP, "10.96.0.20", 80, "10.96.0.20"))).isFalse();
        assertThat(flows.isStale(udp("10.96.0.20", 80, "10.96.0.20"))).as("a TCP service's address").isFalse();
        assertThat(flows.isStale(udp("10.96.0.10", 5353, "10.244.9.9"))).as("another port").isFalse();
        assertThat(flows.isEmpty()).isFalse();
        assertThat(StaleFlows.of(ClusterState.of(Map.of(), Map.of())).isEmpty()).isTrue();
    }
}
