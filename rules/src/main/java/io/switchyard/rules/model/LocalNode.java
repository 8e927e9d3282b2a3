package io.switchyard.rules.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The node this proxy runs on: its name, the labels that drive topology, its addresses
 * (from {@code status.addresses}, canonical IP literals) and the pod CIDRs assigned to it
 * (each a valid CIDR). The name is only compared, never rendered.
 */
public record LocalNode(String name, Map<String, String> labels, List<String> addresses, List<String> podCidrs) {

    /** The label carrying the node's zone, matched against {@code hints.forZones}. */
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    public LocalNode {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        addresses = List.copyOf(addresses);
        podCidrs = List.copyOf(podCidrs);
        for (String address : addresses) {
            if (!IpLiteral.isCanonical(address)) {
                throw new IllegalArgumentException("node address " + Printable.quote(address)
                        + " is not a canonical IP address");
            }
        }
        podCidrs.forEach(Cidr::parse);
    }

    /** A node known only by name, as before its Node object has been seen. */
    public static LocalNode named(String name) {
        return new LocalNode(name, Map.of(), List.of(), List.of());
    }

    /** The node's zone, or empty when it has no zone label. */
    public String zone() {
        return labels.getOrDefault(ZONE_LABEL, "");
    }

    /** The node's first address of the family, the one kube-proxy treats as "the node IP". */
    public String primaryAddress(IpFamily family) {
        for (String address : addresses) {
            if (IpLiteral.familyOf(address) == family) {
                return address;
            }
        }
        return "";
    }

    /** All of the node's addresses of one family. */
    public List<String> addresses(IpFamily family) {
        return addresses.stream().filter(a -> IpLiteral.familyOf(a) == family).toList();
    }
}
