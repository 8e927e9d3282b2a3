package io.switchyard.rules.model;

import java.util.List;
import java.util.Objects;

/**
 * One port of one Service as this node's proxier sees it: already reduced to the proxier's IP
 * family, with the traffic policies resolved to booleans the way kube-proxy's ServicePort does.
 * Its addresses are canonical IP literals and its ports in range (checked on construction).
 *
 * @param clusterIP                 the cluster IP of the proxier's family
 * @param nodePort                  0 when the port has none
 * @param externalIPs               {@code spec.externalIPs} of this family
 * @param loadBalancerVIPs          ingress IPs of this family whose {@code ipMode} is VIP (or unset)
 * @param loadBalancerSourceRanges  {@code spec.loadBalancerSourceRanges} of this family
 * @param healthCheckNodePort       0 unless the Service is a LoadBalancer with eTP Local
 * @param externalPolicyLocal       eTP Local on an externally reachable Service
 * @param internalPolicyLocal       iTP Local
 */
public record ServicePort(
        ServicePortName name,
        String clusterIP,
        int port,
        int nodePort,
        List<String> externalIPs,
        List<String> loadBalancerVIPs,
        List<Cidr> loadBalancerSourceRanges,
        int healthCheckNodePort,
        SessionAffinity sessionAffinity,
        boolean externalPolicyLocal,
        boolean internalPolicyLocal) {

    public ServicePort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sessionAffinity, "sessionAffinity");
        requireCanonical("cluster IP", clusterIP);
        requirePort("port", port, false);
        requirePort("nodePort", nodePort, true);
        requirePort("healthCheckNodePort", healthCheckNodePort, true);
        externalIPs = List.copyOf(externalIPs);
        loadBalancerVIPs = List.copyOf(loadBalancerVIPs);
        loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges);
        externalIPs.forEach(ip -> requireCanonical("external IP", ip));
        loadBalancerVIPs.forEach(ip -> requireCanonical("load balancer IP", ip));
    }

    /** Every address is rendered into rules: only canonical IP literals may exist here. */
    private static void requireCanonical(String what, String ip) {
        if (!IpLiteral.isCanonical(ip)) {
            throw new IllegalArgumentException(what + " " + Printable.quote(ip) + " is not a canonical IP address");
        }
    }

    private static void requirePort(String what, int value, boolean zeroAllowed) {
        if ((value == 0 && !zeroAllowed) || value < 0 || value > 65535) {
            throw new IllegalArgumentException(what + " out of range: " + value);
        }
    }

    public Protocol protocol() {
        return name.protocol();
    }

    /** Reachable from outside the cluster: has a node port, LB VIPs or external IPs. */
    public boolean externallyAccessible() {
        return nodePort != 0 || !loadBalancerVIPs.isEmpty() || !externalIPs.isEmpty();
    }

    /** Needs the cluster-wide endpoint list (iTP Cluster, or external traffic to short-circuit). */
    public boolean usesClusterEndpoints() {
        return !internalPolicyLocal || externallyAccessible();
    }

    /** Needs the node-local endpoint list (iTP Local, or eTP Local on an external port). */
    public boolean usesLocalEndpoints() {
        return internalPolicyLocal || (externalPolicyLocal && externallyAccessible());
    }
}
