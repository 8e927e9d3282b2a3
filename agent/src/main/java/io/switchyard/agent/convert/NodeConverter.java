package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.LocalNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the local V1Node into a {@link LocalNode}: labels, IPs (InternalIP first), pod CIDRs.
 * A Node is the proxy's own host, not something to ignore: a bad value in it (an address that
 * is not an IP, a pod CIDR that is not a CIDR, an invalid zone label) is left out and the rest
 * kept, with one {@link Problem} for the Node naming the first such field.
 */
public final class NodeConverter {

    private static final System.Logger LOG = System.getLogger(NodeConverter.class.getName());
    private static final String LEFT_OUT = "; left out";

    private NodeConverter() {
    }

    /** The node, logging what had to be left out; for callers that keep no list of problems. */
    public static LocalNode convert(V1Node node) {
        List<Problem> problems = new ArrayList<>();
        LocalNode converted = convert(node, problems);
        problems.forEach(p -> LOG.log(System.Logger.Level.WARNING, p.toString()));
        return converted;
    }

    /** The node, adding at most one problem (the first bad field, and how many others) to {@code problems}. */
    public static LocalNode convert(V1Node node, List<Problem> problems) {
        List<String> bad = new ArrayList<>();
        String name = node.getMetadata() == null || node.getMetadata().getName() == null ? ""
                : node.getMetadata().getName();
        if (!name.isEmpty()) {
            check(bad, "", () -> FieldChecks.dnsSubdomain("metadata.name", name, "node name"));
        }
        Map<String, String> labels = new HashMap<>();
        if (node.getMetadata() != null && node.getMetadata().getLabels() != null) {
            labels.putAll(node.getMetadata().getLabels());
        }
        String zone = labels.get(LocalNode.ZONE_LABEL);
        if (zone != null && !check(bad, LEFT_OUT, () -> FieldChecks.labelValue("metadata.labels[" + LocalNode.ZONE_LABEL + "]", zone))) {
            labels.remove(LocalNode.ZONE_LABEL);
        }
        List<String> addresses = addresses(node, bad);
        List<String> podCidrs = podCidrs(node, bad);
        if (!bad.isEmpty()) {
            String more = bad.size() == 1 ? "" : " (and " + (bad.size() - 1) + " more)";
            problems.add(new Problem(Problem.describe("Node", null, name), bad.getFirst() + more));
        }
        return new LocalNode(name, labels, addresses, podCidrs);
    }

    /** Runs one field check; on failure records what was wrong (and what follows from it) and answers false. */
    private static boolean check(List<String> bad, String consequence, Runnable fieldCheck) {
        try {
            fieldCheck.run();
            return true;
        } catch (InvalidField e) {
            bad.add(e.describe() + consequence);
            return false;
        }
    }

    private static List<String> addresses(V1Node node, List<String> bad) {
        List<String> internal = new ArrayList<>();
        List<String> external = new ArrayList<>();
        List<V1NodeAddress> all = node.getStatus() == null || node.getStatus().getAddresses() == null
                ? List.of() : node.getStatus().getAddresses();
        for (int i = 0; i < all.size(); i++) {
            V1NodeAddress address = all.get(i);
            boolean isInternal = "InternalIP".equals(address.getType());
            if (!isInternal && !"ExternalIP".equals(address.getType())) {
                continue; // Hostname, InternalDNS, ExternalDNS: not addresses the proxy uses
            }
            String path = "status.addresses[" + i + "].address";
            String text = address.getAddress();
            if (!check(bad, LEFT_OUT, () -> FieldChecks.ip(path, text))) {
                continue;
            }
            String canonical = IpLiteral.format(IpLiteral.parse(text));
            List<String> list = isInternal ? internal : external;
            if (!list.contains(canonical)) {
                list.add(canonical);
            }
        }
        List<String> addresses = new ArrayList<>(internal);
        external.stream().filter(ip -> !addresses.contains(ip)).forEach(addresses::add);
        return addresses;
    }

    private static List<String> podCidrs(V1Node node, List<String> bad) {
        List<String> texts = new ArrayList<>();
        String path = "spec.podCIDRs";
        if (node.getSpec() != null) {
            if (node.getSpec().getPodCIDRs() != null && !node.getSpec().getPodCIDRs().isEmpty()) {
                texts.addAll(node.getSpec().getPodCIDRs());
            } else if (node.getSpec().getPodCIDR() != null && !node.getSpec().getPodCIDR().isEmpty()) {
                texts.add(node.getSpec().getPodCIDR());
                path = "spec.podCIDR";
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            String at = path.equals("spec.podCIDR") ? path : path + "[" + i + "]";
            if (check(bad, LEFT_OUT, () -> FieldChecks.cidr(at, text))) {
                out.add(text);
            }
        }
        return out;
    }
}
