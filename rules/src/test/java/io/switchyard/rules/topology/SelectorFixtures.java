package io.switchyard.rules.topology;

import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;

import java.util.List;
import java.util.Set;

/** Terse builders for the services and endpoints the endpoint-selection tests feed in. */
final class SelectorFixtures {

    static final String NODE = "node-a";
    static final String ZONE = "zone-a";
    static final String OTHER_NODE = "node-b";
    static final String OTHER_ZONE = "zone-b";

    private static final ServicePortName NAME = new ServicePortName("ns", "svc", "http", Protocol.TCP);

    private SelectorFixtures() {
    }

    /** A plain ClusterIP service: iTP Cluster, no node port, no external addresses. */
    static ServicePort clusterIp() {
        return service(0, List.of(), false, false);
    }

    /** A ClusterIP service with internalTrafficPolicy Local. */
    static ServicePort internalLocal() {
        return service(0, List.of(), false, true);
    }

    /** A NodePort service with externalTrafficPolicy Local. */
    static ServicePort nodePortExternalLocal() {
        return service(30080, List.of(), true, false);
    }

    static ServicePort service(int nodePort, List<String> externalIPs, boolean externalPolicyLocal,
                               boolean internalPolicyLocal) {
        return new ServicePort(NAME, "10.96.0.10", 80, nodePort, externalIPs, List.of(), List.of(), 0,
                SessionAffinity.NONE, externalPolicyLocal, internalPolicyLocal);
    }

    static Endpoint ready(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", true, true, false, Set.of(), Set.of());
    }

    static Endpoint notReady(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", false, false, false, Set.of(), Set.of());
    }

    /** Terminating but still passing readiness: the fallback kube-proxy uses when nothing is ready. */
    static Endpoint servingTerminating(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", false, true, true, Set.of(), Set.of());
    }

    static Endpoint terminatingNotServing(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", false, false, true, Set.of(), Set.of());
    }

    static Endpoint forZones(Endpoint ep, String... zones) {
        return new Endpoint(ep.ip(), ep.port(), ep.nodeName(), ep.zone(), ep.ready(), ep.serving(),
                ep.terminating(), Set.of(zones), ep.nodeHints());
    }

    static Endpoint forNodes(Endpoint ep, String... nodes) {
        return new Endpoint(ep.ip(), ep.port(), ep.nodeName(), ep.zone(), ep.ready(), ep.serving(),
                ep.terminating(), ep.zoneHints(), Set.of(nodes));
    }

    /** The IPs of a selected list, in order: what the assertions compare. */
    static List<String> ips(List<Endpoint> endpoints) {
        return endpoints.stream().map(Endpoint::ip).toList();
    }
}
