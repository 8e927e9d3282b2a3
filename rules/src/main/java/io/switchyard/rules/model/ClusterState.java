package io.switchyard.rules.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything one proxier knows about the cluster at one instant: the service ports of its
 * family and, for each, the endpoints the EndpointSlices list (sorted by {@code ip:port}, as
 * kube-proxy sorts them). Service ports iterate in name order so rendering is deterministic.
 */
public record ClusterState(SortedMap<ServicePortName, ServicePort> services,
                           Map<ServicePortName, List<Endpoint>> endpoints) {

    public ClusterState {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        endpoints = Map.copyOf(endpoints);
    }

    public static ClusterState of(Map<ServicePortName, ServicePort> services,
                                  Map<ServicePortName, List<Endpoint>> endpoints) {
        return new ClusterState(new TreeMap<>(services), endpoints);
    }

    /** The endpoints listed for a service port, empty when there are none. */
    public List<Endpoint> endpointsOf(ServicePortName name) {
        return endpoints.getOrDefault(name, List.of());
    }

    /** Endpoints counted over all known service ports: kube-proxy's measure of cluster size. */
    public int totalEndpoints() {
        int total = 0;
        for (ServicePortName name : services.keySet()) {
            total += endpointsOf(name).size();
        }
        return total;
    }
}
