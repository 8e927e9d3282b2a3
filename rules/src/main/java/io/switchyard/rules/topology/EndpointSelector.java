package io.switchyard.rules.topology;

import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.ServicePort;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Decides which endpoints this node uses for a service port, from topology hints, traffic
 * policies and endpoint conditions — the behaviour of kube-proxy's CategorizeEndpoints.
 *
 * @param nodeName                    this node's name
 * @param zone                        this node's zone label, empty when it has none
 * @param preferSameNodeHints         whether {@code hints.forNodes} are honoured
 *                                    (kube-proxy's PreferSameTrafficDistribution gate)
 */
public record EndpointSelector(String nodeName, String zone, boolean preferSameNodeHints) {

    public EndpointSelector {
        nodeName = nodeName == null ? "" : nodeName;
        zone = zone == null ? "" : zone;
    }

    /** Selects the cluster, local and reachable endpoints of one service port. */
    public EndpointSelection select(ServicePort service, List<Endpoint> endpoints) {
        List<Endpoint> cluster = List.of();
        List<Endpoint> local = List.of();
        boolean hasAny = false;
        TopologyMode mode = TopologyMode.NONE;

        if (service.usesClusterEndpoints()) {
            mode = topologyMode(endpoints);
            TopologyMode chosen = mode;
            cluster = filter(endpoints, ep -> ep.ready() && availableForTopology(ep, chosen));
            if (cluster.isEmpty()) {
                // Topology is already all-or-nothing, so an empty list here means nothing is
                // ready anywhere: fall back to endpoints that still serve while terminating.
                cluster = filter(endpoints, ep -> ep.serving() && ep.terminating());
            }
            hasAny = !cluster.isEmpty();
        }

        if (!service.usesLocalEndpoints()) {
            return new EndpointSelection(cluster, List.of(), cluster, hasAny);
        }

        boolean localReady = false;
        boolean localServingTerminating = false;
        for (Endpoint ep : endpoints) {
            if (ep.ready()) {
                hasAny = true;
                localReady |= ep.isLocalTo(nodeName);
            } else if (ep.serving() && ep.terminating()) {
                hasAny = true;
                localServingTerminating |= ep.isLocalTo(nodeName);
            }
        }
        boolean usesTerminating = false;
        if (localReady) {
            local = filter(endpoints, ep -> ep.isLocalTo(nodeName) && ep.ready());
        } else if (localServingTerminating) {
            usesTerminating = true;
            local = filter(endpoints, ep -> ep.isLocalTo(nodeName) && ep.serving() && ep.terminating());
        }

        if (!service.usesClusterEndpoints()) {
            return new EndpointSelection(List.of(), local, local, hasAny);
        }
        if (mode == TopologyMode.NONE && !usesTerminating) {
            // Cluster holds every ready endpoint, so it already contains every local one.
            return new EndpointSelection(cluster, local, cluster, hasAny);
        }
        TreeMap<String, Endpoint> union = new TreeMap<>();
        for (Endpoint ep : cluster) {
            union.put(ep.hostPort(), ep);
        }
        for (Endpoint ep : local) {
            union.put(ep.hostPort(), ep);
        }
        return new EndpointSelection(cluster, local, new ArrayList<>(union.values()), hasAny);
    }

    /** The topology mode the ready endpoints' hints allow on this node (all-or-nothing). */
    public TopologyMode topologyMode(List<Endpoint> endpoints) {
        boolean allHaveNodeHints = true;
        boolean someForNode = false;
        boolean allHaveZoneHints = true;
        boolean someForZone = false;
        for (Endpoint ep : endpoints) {
            if (!ep.ready()) {
                continue;
            }
            if (ep.nodeHints().isEmpty()) {
                allHaveNodeHints = false;
            } else if (ep.nodeHints().contains(nodeName)) {
                someForNode = true;
            }
            if (ep.zoneHints().isEmpty()) {
                allHaveZoneHints = false;
            } else if (ep.zoneHints().contains(zone)) {
                someForZone = true;
            }
        }
        if (preferSameNodeHints && allHaveNodeHints && someForNode) {
            return TopologyMode.PREFER_SAME_NODE;
        }
        if (allHaveZoneHints && someForZone) {
            return TopologyMode.PREFER_SAME_ZONE;
        }
        return TopologyMode.NONE;
    }

    private boolean availableForTopology(Endpoint ep, TopologyMode mode) {
        return switch (mode) {
            case NONE -> true;
            case PREFER_SAME_ZONE -> ep.zoneHints().contains(zone);
            case PREFER_SAME_NODE -> ep.nodeHints().contains(nodeName);
        };
    }

    private static List<Endpoint> filter(List<Endpoint> endpoints, Predicate<Endpoint> keep) {
        List<Endpoint> out = new ArrayList<>(endpoints.size());
        for (Endpoint ep : endpoints) {
            if (keep.test(ep)) {
                out.add(ep);
            }
        }
        return out;
    }
}
