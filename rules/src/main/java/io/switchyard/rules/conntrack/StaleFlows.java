package io.switchyard.rules.conntrack;

import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which UDP conntrack flows are stale for a cluster state, as kube-proxy's conntrack reconciler
 * decides it: a flow addressed to a UDP service frontend (cluster IP, load-balancer IP or
 * external IP with the service port, or any address with the node port) whose reply comes from
 * an address that is not one of the service's serving endpoints. Such a flow would otherwise keep
 * a client's datagrams going to a removed endpoint, or to nowhere if it was created while the
 * service had no endpoints, for as long as the client keeps sending. Services without a serving
 * endpoint are left alone; traffic policies, topology and terminating state do not count, so UDP
 * flows live exactly as long as TCP connections would.
 */
public final class StaleFlows {

    /** One conntrack flow, reduced to what the decision reads. */
    public record Flow(Protocol protocol, String originalDestination, int originalDestinationPort, String replySource) {
    }

    private final Map<Frontend, Set<String>> frontends;
    private final Map<Integer, Set<String>> nodePorts;

    private StaleFlows(Map<Frontend, Set<String>> frontends, Map<Integer, Set<String>> nodePorts) {
        this.frontends = frontends;
        this.nodePorts = nodePorts;
    }

    private record Frontend(String ip, int port) {
    }

    /** The decision for one family's state (addresses are compared as canonical IP literals). */
    public static StaleFlows of(ClusterState state) {
        Map<Frontend, Set<String>> frontends = new HashMap<>();
        Map<Integer, Set<String>> nodePorts = new HashMap<>();
        for (ServicePort service : state.services().values()) {
            if (service.protocol() != Protocol.UDP) {
                continue;
            }
            Set<String> serving = new HashSet<>();
            for (Endpoint endpoint : state.endpointsOf(service.name())) {
                if (endpoint.serving()) {
                    serving.add(endpoint.ip());
                }
            }
            if (serving.isEmpty()) {
                continue;
            }
            frontends.put(new Frontend(service.clusterIP(), service.port()), serving);
            service.loadBalancerVIPs().forEach(ip -> frontends.put(new Frontend(ip, service.port()), serving));
            service.externalIPs().forEach(ip -> frontends.put(new Frontend(ip, service.port()), serving));
            if (service.nodePort() != 0) {
                nodePorts.put(service.nodePort(), serving);
            }
        }
        return new StaleFlows(frontends, nodePorts);
    }

    /** Whether there is any UDP frontend whose flows could be stale (if not, no need to look). */
    public boolean isEmpty() {
        return frontends.isEmpty() && nodePorts.isEmpty();
    }

    /** Whether the flow must be deleted. */
    public boolean isStale(Flow flow) {
        if (flow.protocol() != Protocol.UDP) {
            return false;
        }
        Set<String> serving = frontends.get(new Frontend(flow.originalDestination(), flow.originalDestinationPort()));
        if (serving != null && !serving.contains(flow.replySource())) {
            return true;
        }
        serving = nodePorts.get(flow.originalDestinationPort());
        return serving != null && !serving.contains(flow.replySource());
    }
}
