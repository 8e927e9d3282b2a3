package io.switchyard.rules.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An EndpointSlice reduced to what a proxier reads, already filtered to one address family:
 * its ports and, for each endpoint, the first address, placement, conditions and hints.
 *
 * @param serviceName the Service named by the {@code kubernetes.io/service-name} label
 */
public record EndpointSlice(String namespace, String name, String serviceName, List<Port> ports,
                            List<Member> endpoints) {

    public EndpointSlice {
        require(KubeNames.isDnsLabel(namespace), "namespace", namespace, "a DNS label");
        require(KubeNames.isDnsSubdomain(name), "name", name, "a DNS subdomain");
        require(KubeNames.isDnsLabel(serviceName), "service name", serviceName, "a DNS label");
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }

    private static void require(boolean valid, String what, String value, String form) {
        if (!valid) {
            throw new IllegalArgumentException("EndpointSlice " + what + " " + Printable.quote(value) + " is not " + form);
        }
    }

    /** One port of the slice; its name matches the Service port's name (empty, or a DNS label). */
    public record Port(String name, int port, Protocol protocol) {
        public Port {
            name = name == null ? "" : name;
            Objects.requireNonNull(protocol, "protocol");
            require(name.isEmpty() || KubeNames.isDnsLabel(name), "port name", name, "a DNS label");
            require(port >= 1 && port <= 65535, "port", Integer.toString(port), "in 1-65535");
        }
    }

    /** One endpoint of the slice, before it is paired with a port number. */
    public record Member(String ip, String nodeName, String zone, boolean ready, boolean serving,
                         boolean terminating, Set<String> zoneHints, Set<String> nodeHints) {
        public Member {
            require(IpLiteral.isCanonical(ip), "endpoint IP", ip, "a canonical IP address");
            zoneHints = Set.copyOf(zoneHints);
            nodeHints = Set.copyOf(nodeHints);
        }

        Endpoint at(int port) {
            return new Endpoint(ip, port, nodeName, zone, ready, serving, terminating, zoneHints, nodeHints);
        }
    }
}
