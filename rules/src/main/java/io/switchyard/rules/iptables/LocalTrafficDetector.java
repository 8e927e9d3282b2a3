package io.switchyard.rules.iptables;

/**
 * Tells pod traffic from other traffic in a rule, per kube-proxy's {@code detectLocalMode}:
 * by source CIDR (ClusterCIDR, NodeCIDR), by bridge, or by interface name prefix. With no
 * way to tell, the masquerade and short-circuit rules that depend on it are left out.
 */
public sealed interface LocalTrafficDetector {

    /** Whether this detector can tell at all. */
    default boolean isImplemented() {
        return true;
    }

    /** Match arguments for "comes from a local pod". */
    String ifLocal();

    /** Match arguments for "does not come from a local pod". */
    String ifNotLocal();

    /** No detection: the rules that need it are skipped. */
    record None() implements LocalTrafficDetector {
        @Override
        public boolean isImplemented() {
            return false;
        }

        @Override
        public String ifLocal() {
            throw new UnsupportedOperationException("no local traffic detection configured");
        }

        @Override
        public String ifNotLocal() {
            throw new UnsupportedOperationException("no local traffic detection configured");
        }
    }

    /** Pods are the sources inside a CIDR (the cluster CIDR, or this node's pod CIDR). */
    record ByCidr(String cidr) implements LocalTrafficDetector {
        @Override
        public String ifLocal() {
            return "-s " + cidr;
        }

        @Override
        public String ifNotLocal() {
            return "! -s " + cidr;
        }
    }

    /** Pods are whatever enters through one bridge interface. */
    record ByBridge(String bridge) implements LocalTrafficDetector {
        @Override
        public String ifLocal() {
            return "-i " + bridge;
        }

        @Override
        public String ifNotLocal() {
            return "! -i " + bridge;
        }
    }

    /** Pods are whatever enters through interfaces whose names start with a prefix. */
    record ByInterfacePrefix(String prefix) implements LocalTrafficDetector {
        @Override
        public String ifLocal() {
            return "-i " + prefix + "+";
        }

        @Override
        public String ifNotLocal() {
            return "! -i " + prefix + "+";
        }
    }
}
