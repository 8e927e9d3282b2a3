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
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(serviceName, "serviceName");
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }

    /** One port of the slice; its name matches the Service port's name. */
    public record Port(String name, int port, Protocol protocol) {
        public Port {
            name = name == null ? "" : name;
            Objects.requireNonNull(protocol, "protocol");
        }
    }

    /** One endpoint of the slice, before it is paired with a port number. */
    public record Member(String ip, String nodeName, String zone, boolean ready, boolean serving,
                         boolean terminating, Set<String> zoneHints, Set<String> nodeHints) {
        public Member {
            Objects.requireNonNull(ip, "ip");
            zoneHints = Set.copyOf(zoneHints);
            nodeHints = Set.copyOf(nodeHints);
        }

        Endpoint at(int port) {
            return new Endpoint(ip, port, nodeName, zone, ready, serving, terminating, zoneHints, nodeHints);
        }
    }
}
