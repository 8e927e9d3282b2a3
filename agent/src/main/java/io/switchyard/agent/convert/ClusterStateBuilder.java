package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServiceEndpoints;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds one family's {@link ClusterState} and the {@link LocalNode} from a snapshot of
 * Kubernetes objects, keeping only what kube-proxy's label selectors would have let through.
 */
public final class ClusterStateBuilder {

    /** The converted state, plus everything that was wrong with the input. */
    public record Result(ClusterState state, LocalNode node, List<Problem> problems) {
    }

    private final IpFamily family;
    private final String nodeName;
    private final ProxySelection selection;

    /**
     * @param serviceProxyName the {@code --service-proxy-name}, or empty for the default proxy
     */
    public ClusterStateBuilder(IpFamily family, String nodeName, String serviceProxyName) {
        this.family = family;
        this.nodeName = nodeName;
        this.selection = new ProxySelection(serviceProxyName);
    }

    public Result build(ClusterObjects objects) {
        List<Problem> problems = new ArrayList<>();
        ServiceConverter services = new ServiceConverter(family);
        TreeMap<ServicePortName, ServicePort> ports = new TreeMap<>();
        for (V1Service service : objects.services()) {
            if (selection.selects(service)) {
                for (ServicePort port : services.convert(service, problems)) {
                    ports.put(port.name(), port);
                }
            }
        }

        EndpointSliceConverter slices = new EndpointSliceConverter(family);
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (V1EndpointSlice slice : objects.endpointSlices()) {
            if (!selection.selects(slice)) {
                continue;
            }
            Optional<EndpointSlice> converted = slices.convert(slice, problems);
            converted.ifPresent(s -> slicesByService
                    .computeIfAbsent(s.namespace() + "/" + s.serviceName(), k -> new ArrayList<>()).add(s));
        }
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        slicesByService.forEach((key, list) -> endpoints.putAll(
                ServiceEndpoints.merge(list.getFirst().namespace(), list.getFirst().serviceName(), list)));

        LocalNode node = LocalNode.named(nodeName);
        for (V1Node candidate : objects.nodes()) {
            if (candidate.getMetadata() != null && nodeName.equals(candidate.getMetadata().getName())) {
                node = NodeConverter.convert(candidate);
            }
        }
        return new Result(ClusterState.of(ports, endpoints), node, problems);
    }
}
