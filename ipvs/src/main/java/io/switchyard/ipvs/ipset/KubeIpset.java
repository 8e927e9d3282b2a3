package io.switchyard.ipvs.ipset;

import io.switchyard.rules.model.IpFamily;

/**
 * The ipsets kube-proxy's ipvs mode keeps, with their types and the comments its iptables
 * rules carry. The IPv6 proxier's sets are named with {@code KUBE-6-} instead of {@code KUBE-},
 * cut to the kernel's 31 characters.
 */
public enum KubeIpset {
    LOOP_BACK("KUBE-LOOP-BACK", IpsetType.HASH_IP_PORT_IP,
            "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose"),
    CLUSTER_IP("KUBE-CLUSTER-IP", IpsetType.HASH_IP_PORT,
            "Kubernetes service cluster ip + port for masquerade purpose"),
    EXTERNAL_IP("KUBE-EXTERNAL-IP", IpsetType.HASH_IP_PORT,
            "Kubernetes service external ip + port for masquerade and filter purpose"),
    EXTERNAL_IP_LOCAL("KUBE-EXTERNAL-IP-LOCAL", IpsetType.HASH_IP_PORT,
            "Kubernetes service external ip + port with externalTrafficPolicy=local"),
    LOAD_BALANCER("KUBE-LOAD-BALANCER", IpsetType.HASH_IP_PORT,
            "Kubernetes service lb portal"),
    LOAD_BALANCER_FW("KUBE-LOAD-BALANCER-FW", IpsetType.HASH_IP_PORT,
            "Kubernetes service load balancer ip + port for load balancer with sourceRange"),
    LOAD_BALANCER_LOCAL("KUBE-LOAD-BALANCER-LOCAL", IpsetType.HASH_IP_PORT,
            "Kubernetes service load balancer ip + port with externalTrafficPolicy=local"),
    LOAD_BALANCER_SOURCE_IP("KUBE-LOAD-BALANCER-SOURCE-IP", IpsetType.HASH_IP_PORT_IP,
            "Kubernetes service load balancer ip + port + source IP for packet filter purpose"),
    LOAD_BALANCER_SOURCE_CIDR("KUBE-LOAD-BALANCER-SOURCE-CIDR", IpsetType.HASH_IP_PORT_NET,
            "Kubernetes service load balancer ip + port + source cidr for packet filter purpose"),
    NODE_PORT_TCP("KUBE-NODE-PORT-TCP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport TCP port for masquerade purpose"),
    NODE_PORT_LOCAL_TCP("KUBE-NODE-PORT-LOCAL-TCP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport TCP port with externalTrafficPolicy=local"),
    NODE_PORT_UDP("KUBE-NODE-PORT-UDP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport UDP port for masquerade purpose"),
    NODE_PORT_LOCAL_UDP("KUBE-NODE-PORT-LOCAL-UDP", IpsetType.BITMAP_PORT,
            "Kubernetes nodeport UDP port with externalTrafficPolicy=local"),
    NODE_PORT_SCTP("KUBE-NODE-PORT-SCTP-HASH", IpsetType.HASH_IP_PORT,
            "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'"),
    NODE_PORT_LOCAL_SCTP("KUBE-NODE-PORT-LOCAL-SCTP-HASH", IpsetType.HASH_IP_PORT,
            "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'"),
    HEALTH_CHECK_NODE_PORT("KUBE-HEALTH-CHECK-NODE-PORT", IpsetType.BITMAP_PORT,
            "Kubernetes health check node port"),
    IPVS_IPS("KUBE-IPVS-IPS", IpsetType.HASH_IP,
            "Kubernetes service addresses bound to kube-ipvs0");

    private static final String PREFIX = "KUBE-";
    private static final String IPV6_PREFIX = "KUBE-6-";

    private final String baseName;
    private final IpsetType type;
    private final String comment;

    KubeIpset(String baseName, IpsetType type, String comment) {
        this.baseName = baseName;
        this.type = type;
        this.comment = comment;
    }

    public IpsetType type() {
        return type;
    }

    /** The comment of the iptables rules that match this set. */
    public String comment() {
        return comment;
    }

    /** The set's name for a family: {@code KUBE-6-...} cut to 31 characters for IPv6. */
    public String nameFor(IpFamily family) {
        if (family == IpFamily.IPV4) {
            return baseName;
        }
        String name = IPV6_PREFIX + baseName.substring(PREFIX.length());
        return name.length() > IpsetSpec.MAX_NAME_LENGTH ? name.substring(0, IpsetSpec.MAX_NAME_LENGTH) : name;
    }

    /** How the set is created for a family. */
    public IpsetSpec specFor(IpFamily family) {
        return new IpsetSpec(nameFor(family), type, family);
    }
}
