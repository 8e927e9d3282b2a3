package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.ipset.IpsetEntry;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.ipvs.iptables.NodeAccessBlock;
import io.switchyard.rules.model.ServicePortName;

import java.util.List;
import java.util.Objects;

/**
 * What one service port contributes to a family's desired state, on its own: merging the
 * contributions of every port in name order ({@link IpvsRenderer#combine}) gives the state, and
 * keeping them lets a proxier redo only the ports that changed.
 *
 * @param servers           its virtual servers, owned by it (another port may have one of them first)
 * @param bound             addresses to bind to kube-ipvs0
 * @param blocked           load-balancer VIPs the node must not reach
 * @param members           its ipset members (KUBE-IPVS-IPS aside: that set follows the bound addresses)
 * @param endpointProblems  endpoints left out, one line each
 * @param problems          why the port was left out, or what of it was
 */
public record PortRender(ServicePortName name, List<DesiredServer> servers, List<String> bound,
                         List<NodeAccessBlock> blocked, List<Member> members, boolean noLocalInternal,
                         boolean noLocalExternal, List<String> endpointProblems, List<String> problems) {

    /** One member of one of the sets. */
    public record Member(KubeIpset set, IpsetEntry entry) {
        public Member {
            Objects.requireNonNull(set, "set");
            Objects.requireNonNull(entry, "entry");
        }
    }

    public PortRender {
        Objects.requireNonNull(name, "name");
        servers = List.copyOf(servers);
        bound = List.copyOf(bound);
        blocked = List.copyOf(blocked);
        members = List.copyOf(members);
        endpointProblems = List.copyOf(endpointProblems);
        problems = List.copyOf(problems);
    }

    /** The {@code namespace/name} of the Service, as the no-local-endpoints metrics count it. */
    public String service() {
        return name.namespace() + "/" + name.name();
    }
}
