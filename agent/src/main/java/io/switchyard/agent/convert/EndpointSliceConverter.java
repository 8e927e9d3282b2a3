package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ForNode;
import io.kubernetes.client.openapi.models.V1ForZone;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.Protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a V1EndpointSlice into the proxier's {@link EndpointSlice}, with kube-proxy's filtering:
 * slices of the other address family (or FQDN) and slices without a service-name label are
 * ignored, only {@code addresses[0]} of an endpoint counts, ports without a number are skipped.
 */
public final class EndpointSliceConverter {

    /** The label naming the Service a slice belongs to. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final IpFamily family;

    public EndpointSliceConverter(IpFamily family) {
        this.family = family;
    }

    /** The slice in proxier terms, or empty when this family's proxier does not use it. */
    public Optional<EndpointSlice> convert(V1EndpointSlice slice, List<Problem> problems) {
        if (slice.getMetadata() == null || slice.getMetadata().getName() == null) {
            problems.add(new Problem("EndpointSlice (unnamed)", "metadata.name is missing"));
            return Optional.empty();
        }
        String namespace = Objects.requireNonNullElse(slice.getMetadata().getNamespace(), "default");
        String object = "EndpointSlice " + namespace + "/" + slice.getMetadata().getName();
        if (!family.apiName().equals(slice.getAddressType())) {
            return Optional.empty();
        }
        Map<String, String> labels = Objects.requireNonNullElse(slice.getMetadata().getLabels(), Map.of());
        String serviceName = labels.get(SERVICE_NAME_LABEL);
        if (serviceName == null || serviceName.isEmpty()) {
            problems.add(new Problem(object, "no " + SERVICE_NAME_LABEL + " label; ignored"));
            return Optional.empty();
        }

        List<EndpointSlice.Port> ports = new ArrayList<>();
        for (var port : Objects.requireNonNullElse(slice.getPorts(), List.<io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort>of())) {
            String name = port.getName();
            if (name == null) {
                problems.add(new Problem(object, "port with no name; skipped"));
                continue;
            }
            Integer number = port.getPort();
            if (number == null || number == 0) {
                continue; // no port number: kube-proxy skips the port
            }
            if (number < 1 || number > 65535) {
                problems.add(new Problem(object, "port \"" + name + "\": " + number + " out of range 1-65535; skipped"));
                continue;
            }
            try {
                ports.add(new EndpointSlice.Port(name, number, Protocol.fromApi(port.getProtocol())));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(object, "port \"" + name + "\": " + e.getMessage() + "; skipped"));
            }
        }

        List<EndpointSlice.Member> members = new ArrayList<>();
        for (V1Endpoint endpoint : Objects.requireNonNullElse(slice.getEndpoints(), List.<V1Endpoint>of())) {
            if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                problems.add(new Problem(object, "endpoint with no addresses; skipped"));
                continue;
            }
            String address = endpoint.getAddresses().getFirst();
            IpFamily of = IpLiteral.familyOf(address);
            if (of != family) {
                problems.add(new Problem(object, "endpoint address \"" + address + "\" is not an " + family
                        + " address; skipped"));
                continue;
            }
            V1EndpointConditions conditions = endpoint.getConditions();
            Boolean ready = conditions == null ? null : conditions.getReady();
            Boolean serving = conditions == null ? null : conditions.getServing();
            Boolean terminating = conditions == null ? null : conditions.getTerminating();
            V1EndpointHints hints = endpoint.getHints();
            Set<String> zoneHints = hints == null || hints.getForZones() == null ? Set.of()
                    : hints.getForZones().stream().map(V1ForZone::getName).filter(Objects::nonNull).collect(Collectors.toSet());
            Set<String> nodeHints = hints == null || hints.getForNodes() == null ? Set.of()
                    : hints.getForNodes().stream().map(V1ForNode::getName).filter(Objects::nonNull).collect(Collectors.toSet());
            members.add(new EndpointSlice.Member(IpLiteral.canonical(address), endpoint.getNodeName(), endpoint.getZone(),
                    ready == null || ready, serving == null || serving, terminating != null && terminating,
                    zoneHints, nodeHints));
        }
        return Optional.of(new EndpointSlice(namespace, slice.getMetadata().getName(), serviceName, ports, members));
    }
}
