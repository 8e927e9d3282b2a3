package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.LocalNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Turns the local V1Node into a {@link LocalNode}: labels, IPs (InternalIP first), pod CIDRs. */
public final class NodeConverter {

    private NodeConverter() {
    }

    public static LocalNode convert(V1Node node) {
        String name = node.getMetadata() == null ? "" : Objects.requireNonNullElse(node.getMetadata().getName(), "");
        Map<String, String> labels = node.getMetadata() == null || node.getMetadata().getLabels() == null
                ? Map.of() : node.getMetadata().getLabels();
        List<String> internal = new ArrayList<>();
        List<String> external = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (V1NodeAddress address : node.getStatus().getAddresses()) {
                if (IpLiteral.familyOf(address.getAddress()) == null) {
                    continue;
                }
                String ip = IpLiteral.canonical(address.getAddress());
                if ("InternalIP".equals(address.getType()) && !internal.contains(ip)) {
                    internal.add(ip);
                } else if ("ExternalIP".equals(address.getType()) && !external.contains(ip)) {
                    external.add(ip);
                }
            }
        }
        List<String> addresses = new ArrayList<>(internal);
        external.stream().filter(ip -> !addresses.contains(ip)).forEach(addresses::add);
        List<String> podCidrs = new ArrayList<>();
        if (node.getSpec() != null) {
            if (node.getSpec().getPodCIDRs() != null) {
                podCidrs.addAll(node.getSpec().getPodCIDRs());
            } else if (node.getSpec().getPodCIDR() != null) {
                podCidrs.add(node.getSpec().getPodCIDR());
            }
        }
        return new LocalNode(name, labels, addresses, podCidrs);
    }
}
