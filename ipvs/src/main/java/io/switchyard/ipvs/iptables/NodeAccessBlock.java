package io.switchyard.ipvs.iptables;

import io.switchyard.rules.model.Protocol;

import java.util.Comparator;
import java.util.Objects;

/**
 * A load-balancer VIP and port the node itself must not reach because none of the service's
 * loadBalancerSourceRanges holds the node IP (kubernetes#119656): IPVS would otherwise accept the
 * node's own connections, whose source is the VIP on kube-ipvs0.
 */
public record NodeAccessBlock(String vip, Protocol protocol, int port) implements Comparable<NodeAccessBlock> {

    private static final Comparator<NodeAccessBlock> ORDER = Comparator.comparing(NodeAccessBlock::vip)
            .thenComparing(NodeAccessBlock::protocol).thenComparingInt(NodeAccessBlock::port);

    public NodeAccessBlock {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public int compareTo(NodeAccessBlock other) {
        return ORDER.compare(this, other);
    }
}
