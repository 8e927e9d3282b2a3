package io.switchyard.rules.iptables;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.Printable;

/**
 * Tells pod traffic from other traffic in a rule, per kube-proxy's {@code detectLocalMode}:
 * by source CIDR (ClusterCIDR, NodeCIDR), by bridge, or by interface name prefix. With no
 * way to tell, the masquerade and short-circuit rules that depend on it are left out.
 * Its CIDR or interface name is written into rules as one word, so each is checked on
 * construction: a canonical CIDR, or a name Linux and iptables accept as an interface.
 */
public sealed interface LocalTrafficDetector {

    /** Linux's IFNAMSIZ less the terminating NUL: the longest interface name. */
    int MAX_INTERFACE_NAME = 15;

    /**
     * Why a name cannot be a pod interface name (or, with {@code prefix}, the part before
     * iptables' {@code +} wildcard), or null when it can: 1 to 15 characters (14 for a prefix),
     * printable ASCII without whitespace, '/', ':', quotes, '\' or '+', not "." or "..", and not
     * starting with '!' or '-', which iptables would read as an option or an inversion.
     */
    static String interfaceNameProblem(String name, boolean prefix) {
        int max = prefix ? MAX_INTERFACE_NAME - 1 : MAX_INTERFACE_NAME;
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.length() > max) {
            return "is longer than " + max + " characters";
        }
        if (name.equals(".") || name.equals("..") || name.charAt(0) == '!' || name.charAt(0) == '-') {
            return "is not an interface name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || "/:\"'\\+".indexOf(c) >= 0) {
                return "holds a character an interface name cannot: " + Printable.quote(String.valueOf(c));
            }
        }
        return null;
    }

    private static String requireInterfaceName(String what, String name, boolean prefix) {
        String problem = interfaceNameProblem(name, prefix);
        if (problem != null) {
            throw new IllegalArgumentException(what + " " + Printable.quote(name) + " " + problem);
        }
        return name;
    }

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

    /** Pods are the sources inside a CIDR (the cluster CIDR, or this node's pod CIDR), in canonical form. */
    record ByCidr(String cidr) implements LocalTrafficDetector {
        public ByCidr {
            if (cidr == null || !Cidr.parse(cidr).toString().equals(cidr)) {
                throw new IllegalArgumentException("local traffic CIDR " + Printable.quote(cidr)
                        + " is not a CIDR in canonical form");
            }
        }

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
        public ByBridge {
            requireInterfaceName("pod bridge interface", bridge, false);
        }

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
        public ByInterfacePrefix {
            requireInterfaceName("pod interface name prefix", prefix, true);
        }

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
