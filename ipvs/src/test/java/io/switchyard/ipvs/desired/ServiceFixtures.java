package io.switchyard.ipvs.desired;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** Terse builders for the service ports and endpoints the desired-state tests feed in. */
final class ServiceFixtures {

    static final String NODE = "node-a";
    static final String ZONE = "zone-a";

    private ServiceFixtures() {
    }

    /** A ServicePort with every optional feature off unless set. */
    static final class Svc {
        ServicePortName name;
        String clusterIp = "10.96.0.10";
        int port = 80;
        int nodePort;
        int healthCheckNodePort;
        List<String> externalIps = List.of();
        List<String> vips = List.of();
        List<Cidr> ranges = List.of();
        SessionAffinity affinity = SessionAffinity.NONE;
        boolean externalLocal;
        boolean internalLocal;

        Svc(String name, Protocol protocol) {
            this.name = new ServicePortName("ns", name, "p", protocol);
        }

        Svc clusterIp(String ip) { clusterIp = ip; return this; }
        Svc port(int value) { port = value; return this; }
        Svc nodePort(int value) { nodePort = value; return this; }
        Svc healthCheckNodePort(int value) { healthCheckNodePort = value; return this; }
        Svc externalIps(String... ips) { externalIps = List.of(ips); return this; }
        Svc vips(String... ips) { vips = List.of(ips); return this; }
        Svc ranges(String... cidrs) { ranges = Stream.of(cidrs).map(Cidr::parse).toList(); return this; }
        Svc affinity(int seconds) { affinity = new SessionAffinity.ClientIp(seconds); return this; }
        Svc externalLocal() { externalLocal = true; return this; }
        Svc internalLocal() { internalLocal = true; return this; }

        ServicePort build() {
            return new ServicePort(name, clusterIp, port, nodePort, externalIps, vips, ranges, healthCheckNodePort,
                    affinity, externalLocal && (nodePort != 0 || !vips.isEmpty() || !externalIps.isEmpty()),
                    internalLocal);
        }
    }

    static Svc svc(String name) {
        return new Svc(name, Protocol.TCP);
    }

    static Svc svc(String name, Protocol protocol) {
        return new Svc(name, protocol);
    }

    /** One cluster state from services and, per service, its endpoints. */
    static ClusterState state(Object... servicesAndEndpoints) {
        Map<ServicePortName, ServicePort> services = new HashMap<>();
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        for (int i = 0; i < servicesAndEndpoints.length; i += 2) {
            ServicePort port = ((Svc) servicesAndEndpoints[i]).build();
            services.put(port.name(), port);
            @SuppressWarnings("unchecked")
            List<Endpoint> list = (List<Endpoint>) servicesAndEndpoints[i + 1];
            endpoints.put(port.name(), list.stream().sorted((a, b) -> a.hostPort().compareTo(b.hostPort())).toList());
        }
        return ClusterState.of(services, endpoints);
    }

    static Endpoint ready(String ip, String node) {
        return new Endpoint(ip, 8080, node, node.equals(NODE) ? ZONE : "zone-b", true, true, false, Set.of(), Set.of());
    }

    static Endpoint notReady(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", false, false, false, Set.of(), Set.of());
    }

    static Endpoint servingTerminating(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", false, true, true, Set.of(), Set.of());
    }

    static Endpoint terminatingNotServing(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", false, false, true, Set.of(), Set.of());
    }

    static Endpoint hinted(Endpoint ep, Set<String> zones, Set<String> nodes) {
        return new Endpoint(ep.ip(), ep.port(), ep.nodeName(), ep.zone(), ep.ready(), ep.serving(), ep.terminating(),
                zones, nodes);
    }
}
