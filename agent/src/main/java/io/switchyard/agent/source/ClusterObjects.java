package io.switchyard.agent.source;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;

import java.util.List;

/** The Kubernetes objects a proxier reads, as one snapshot from a source. */
public record ClusterObjects(List<V1Service> services, List<V1EndpointSlice> endpointSlices, List<V1Node> nodes) {

    public ClusterObjects {
        services = List.copyOf(services);
        endpointSlices = List.copyOf(endpointSlices);
        nodes = List.copyOf(nodes);
    }
}
