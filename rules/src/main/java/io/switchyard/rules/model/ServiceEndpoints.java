package io.switchyard.rules.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the EndpointSlices of one Service into per-service-port endpoint lists, as kube-proxy's
 * EndpointSlice cache does: slices are paired port by port, an {@code ip:port} listed twice keeps
 * a non-terminating copy, and every list is ordered by its {@code ip:port} string.
 */
public final class ServiceEndpoints {

    private ServiceEndpoints() {
    }

    /** The endpoints per service port of the Service the given slices belong to. */
    public static Map<ServicePortName, List<Endpoint>> merge(String namespace, String serviceName,
                                                             Collection<EndpointSlice> slices) {
        Map<ServicePortName, TreeMap<String, Endpoint>> byPort = new HashMap<>();
        List<EndpointSlice> ordered = new ArrayList<>(slices);
        ordered.sort(Comparator.comparing(EndpointSlice::name));
        for (EndpointSlice slice : ordered) {
            for (EndpointSlice.Port port : slice.ports()) {
                ServicePortName key = new ServicePortName(namespace, serviceName, port.name(), port.protocol());
                TreeMap<String, Endpoint> set = byPort.computeIfAbsent(key, k -> new TreeMap<>());
                for (EndpointSlice.Member member : slice.endpoints()) {
                    Endpoint endpoint = member.at(port.port());
                    String hostPort = endpoint.hostPort();
                    if (!set.containsKey(hostPort) || !endpoint.terminating()) {
                        set.put(hostPort, endpoint);
                    }
                }
            }
        }
        Map<ServicePortName, List<Endpoint>> out = new HashMap<>();
        byPort.forEach((key, set) -> {
            if (!set.isEmpty()) {
                out.put(key, List.copyOf(set.values()));
            }
        });
        return out;
    }
}
