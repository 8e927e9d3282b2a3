package io.switchyard.rules.topology;

import io.switchyard.rules.model.Endpoint;

import java.util.List;

/**
 * The endpoints one node uses for one service port.
 *
 * @param cluster          endpoints for Cluster traffic policy (topology applied); empty if unused
 * @param local            node-local endpoints for Local traffic policy; empty if unused
 * @param allReachable     the union of the two: every endpoint this node may DNAT to
 * @param hasAnyEndpoints  whether the service has a usable endpoint anywhere in the cluster
 */
public record EndpointSelection(List<Endpoint> cluster, List<Endpoint> local, List<Endpoint> allReachable,
                                boolean hasAnyEndpoints) {

    public EndpointSelection {
        cluster = List.copyOf(cluster);
        local = List.copyOf(local);
        allReachable = List.copyOf(allReachable);
    }
}
