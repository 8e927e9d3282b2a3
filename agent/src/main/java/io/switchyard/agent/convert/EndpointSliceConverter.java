package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ForNode;
import io.kubernetes.client.openapi.models.V1ForZone;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.KubeNames;
import io.switchyard.rules.model.Printable;
import io.switchyard.rules.model.Protocol;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static io.switchyard.agent.convert.FieldChecks.dnsLabel;
import static io.switchyard.agent.convert.FieldChecks.dnsSubdomain;
import static io.switchyard.agent.convert.FieldChecks.labelValue;
import static io.switchyard.agent.convert.FieldChecks.oneOf;
import static io.switchyard.agent.convert.FieldChecks.required;

/**
 * Turns a V1EndpointSlice into the proxier's {@link EndpointSlice}. First it checks the fields
 * the proxy reads as the API server checks them: a slice the API server would refuse is skipped
 * whole, with one {@link Problem} naming it and its first bad field, whichever family it is of.
 * Then it applies kube-proxy's filtering: slices of the other address family (or FQDN) and
 * slices without a service-name label are ignored, only {@code addresses[0]} of an endpoint
 * counts, and a port without a number is left out (with a problem, as kube-proxy logs one).
 * An absent port name or protocol takes the API server's default ({@code ""}, TCP).
 */
public final class EndpointSliceConverter {

    /** The label naming the Service a slice belongs to. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** The annotation the EndpointSlice controller stamps with the time of the triggering change. */
    public static final String TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

    private static final List<String> ADDRESS_TYPES = List.of("IPv4", "IPv6", "FQDN");
    private static final String LABEL_PATH = "metadata.labels[" + SERVICE_NAME_LABEL + "]";

    private final IpFamily family;

    public EndpointSliceConverter(IpFamily family) {
        this.family = family;
    }

    /** The slice in proxier terms, or empty when this family's proxier does not use it. */
    public Optional<EndpointSlice> convert(V1EndpointSlice slice, List<Problem> problems) {
        try {
            return convert(slice, problems, describe(slice));
        } catch (InvalidField e) {
            problems.add(new Problem(describe(slice), e.describe() + "; EndpointSlice ignored"));
            return Optional.empty();
        }
    }

    /** {@code EndpointSlice namespace/name}, quoting either part when it is not a plain name. */
    static String describe(V1EndpointSlice slice) {
        V1ObjectMeta metadata = slice.getMetadata();
        String namespace = metadata == null ? null : metadata.getNamespace();
        return Problem.describe("EndpointSlice", namespace == null || namespace.isEmpty() ? "default" : namespace,
                metadata == null ? null : metadata.getName());
    }

    private Optional<EndpointSlice> convert(V1EndpointSlice slice, List<Problem> problems, String object) {
        V1ObjectMeta metadata = slice.getMetadata();
        if (metadata == null) {
            throw required("metadata");
        }
        String name = dnsSubdomain("metadata.name", metadata.getName(), "EndpointSlice name");
        String namespace = metadata.getNamespace() == null || metadata.getNamespace().isEmpty() ? "default"
                : dnsLabel("metadata.namespace", metadata.getNamespace(), "namespace");
        Map<String, String> labels = Objects.requireNonNullElse(metadata.getLabels(), Map.of());
        String serviceName = labels.get(SERVICE_NAME_LABEL);
        if (serviceName != null && !serviceName.isEmpty() && !KubeNames.isDnsLabel(serviceName)) {
            throw new InvalidField(LABEL_PATH, Printable.quote(serviceName) + " is not a valid Service name");
        }
        String addressType = oneOf("addressType", slice.getAddressType(), null, ADDRESS_TYPES);
        if (addressType.equals("FQDN")) {
            return Optional.empty(); // kube-proxy never reads FQDN slices
        }
        IpFamily sliceFamily = IpFamily.fromApiName(addressType);
        SkippedPorts skipped = new SkippedPorts();
        List<EndpointSlice.Port> ports = ports(slice.getPorts(), skipped);
        List<EndpointSlice.Member> members = members(slice.getEndpoints(), sliceFamily);

        if (serviceName == null || serviceName.isEmpty()) {
            problems.add(new Problem(object, "no " + SERVICE_NAME_LABEL + " label; EndpointSlice ignored"));
            return Optional.empty();
        }
        skipped.report(object, problems);
        if (sliceFamily != family) {
            return Optional.empty();
        }
        return Optional.of(new EndpointSlice(namespace, name, serviceName, ports, members));
    }

    /** Ports without a number: valid to the API server, left out by kube-proxy with a log line. */
    private static final class SkippedPorts {
        private String first;
        private int count;

        void add(String path) {
            if (first == null) {
                first = path;
            }
            count++;
        }

        void report(String object, List<Problem> problems) {
            if (first != null) {
                problems.add(new Problem(object, first + ": no port number; "
                        + (count == 1 ? "that port is" : count + " such ports are") + " ignored, as kube-proxy ignores them"));
            }
        }
    }

    private static List<EndpointSlice.Port> ports(List<DiscoveryV1EndpointPort> slicePorts, SkippedPorts skipped) {
        List<DiscoveryV1EndpointPort> all = Objects.requireNonNullElse(slicePorts, List.of());
        List<EndpointSlice.Port> out = new ArrayList<>(all.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            DiscoveryV1EndpointPort port = all.get(i);
            String path = "ports[" + i + "]";
            String name = Objects.requireNonNullElse(port.getName(), "");
            if (!name.isEmpty()) {
                dnsLabel(path + ".name", name, "port name");
            }
            if (!names.add(name)) {
                throw new InvalidField(path + ".name", "duplicate value " + Printable.quote(name));
            }
            Protocol protocol = FieldChecks.protocol(path + ".protocol", port.getProtocol());
            Integer number = port.getPort();
            if (number == null || number == 0) {
                skipped.add(path + ".port");
                continue;
            }
            out.add(new EndpointSlice.Port(name, FieldChecks.portInRange(path + ".port", number), protocol));
        }
        return out;
    }

    private static List<EndpointSlice.Member> members(List<V1Endpoint> endpoints, IpFamily sliceFamily) {
        List<V1Endpoint> all = Objects.requireNonNullElse(endpoints, List.of());
        List<EndpointSlice.Member> out = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            V1Endpoint endpoint = all.get(i);
            String path = "endpoints[" + i + "]";
            List<String> addresses = Objects.requireNonNullElse(endpoint.getAddresses(), List.of());
            if (addresses.isEmpty()) {
                throw new InvalidField(path + ".addresses", "must hold at least one address");
            }
            String first = null;
            for (int j = 0; j < addresses.size(); j++) {
                String addressPath = path + ".addresses[" + j + "]";
                byte[] ip = FieldChecks.nonSpecialIp(addressPath, addresses.get(j));
                if ((ip.length == 4) != (sliceFamily == IpFamily.IPV4)) {
                    throw new InvalidField(addressPath, Printable.quote(addresses.get(j)) + " is not an "
                            + sliceFamily.apiName() + " address, as addressType says");
                }
                if (j == 0) {
                    first = IpLiteral.format(ip);
                }
            }
            String nodeName = endpoint.getNodeName();
            if (nodeName != null) {
                dnsSubdomain(path + ".nodeName", nodeName, "node name");
            }
            String zone = endpoint.getZone();
            if (zone != null) {
                labelValue(path + ".zone", zone);
            }
            V1EndpointHints hints = endpoint.getHints();
            Set<String> zoneHints = hints == null ? Set.of() : zoneHints(hints.getForZones(), path + ".hints.forZones");
            Set<String> nodeHints = hints == null ? Set.of() : nodeHints(hints.getForNodes(), path + ".hints.forNodes");
            V1EndpointConditions conditions = endpoint.getConditions();
            Boolean ready = conditions == null ? null : conditions.getReady();
            Boolean serving = conditions == null ? null : conditions.getServing();
            Boolean terminating = conditions == null ? null : conditions.getTerminating();
            out.add(new EndpointSlice.Member(first, nodeName, zone, ready == null || ready, serving == null || serving,
                    terminating != null && terminating, zoneHints, nodeHints));
        }
        return out;
    }

    private static Set<String> zoneHints(List<V1ForZone> zones, String path) {
        if (zones == null || zones.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        for (int i = 0; i < zones.size(); i++) {
            String name = zones.get(i).getName();
            if (name == null || name.isEmpty()) {
                throw required(path + "[" + i + "].name");
            }
            out.add(labelValue(path + "[" + i + "].name", name));
        }
        return out;
    }

    private static Set<String> nodeHints(List<V1ForNode> nodes, String path) {
        if (nodes == null || nodes.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.add(dnsSubdomain(path + "[" + i + "].name", nodes.get(i).getName(), "node name"));
        }
        return out;
    }
}
