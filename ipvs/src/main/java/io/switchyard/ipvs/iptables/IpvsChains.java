package io.switchyard.ipvs.iptables;

import io.switchyard.rules.iptables.KubeChains.Jump;
import io.switchyard.rules.iptables.KubeChains.Table;

import java.util.List;

/**
 * The chains kube-proxy's ipvs mode owns in each table and the jumps that hook them into the
 * builtin chains. The jumps are listed in the order kube-proxy ensures them; each is prepended,
 * so a builtin chain ends up holding them in reverse order.
 */
public final class IpvsChains {

    public static final String SERVICES = "KUBE-SERVICES";
    public static final String POSTROUTING = "KUBE-POSTROUTING";
    public static final String NODE_PORT = "KUBE-NODE-PORT";
    public static final String LOAD_BALANCER = "KUBE-LOAD-BALANCER";
    public static final String MARK_MASQ = "KUBE-MARK-MASQ";
    public static final String FORWARD = "KUBE-FORWARD";
    public static final String PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    public static final String SOURCE_RANGES_FIREWALL = "KUBE-SOURCE-RANGES-FIREWALL";
    public static final String IPVS_FILTER = "KUBE-IPVS-FILTER";
    public static final String IPVS_OUT_FILTER = "KUBE-IPVS-OUT-FILTER";

    /** The nat chains, in the order kube-proxy declares them. */
    public static final List<String> NAT = List.of(SERVICES, POSTROUTING, NODE_PORT, LOAD_BALANCER, MARK_MASQ);
    /** The filter chains, in the order kube-proxy declares them. */
    public static final List<String> FILTER = List.of(FORWARD, NODE_PORT, PROXY_FIREWALL, SOURCE_RANGES_FIREWALL,
            IPVS_FILTER, IPVS_OUT_FILTER);

    /** The builtin-chain jumps, in the order kube-proxy ensures (prepends) them. */
    public static final List<Jump> JUMPS = List.of(
            new Jump(Table.NAT, "OUTPUT", SERVICES, "", "kubernetes service portals"),
            new Jump(Table.NAT, "PREROUTING", SERVICES, "", "kubernetes service portals"),
            new Jump(Table.NAT, "POSTROUTING", POSTROUTING, "", "kubernetes postrouting rules"),
            new Jump(Table.FILTER, "FORWARD", FORWARD, "", "kubernetes forwarding rules"),
            new Jump(Table.FILTER, "INPUT", NODE_PORT, "", "kubernetes health check rules"),
            new Jump(Table.FILTER, "INPUT", PROXY_FIREWALL, "", "kube-proxy firewall rules"),
            new Jump(Table.FILTER, "FORWARD", PROXY_FIREWALL, "", "kube-proxy firewall rules"),
            new Jump(Table.FILTER, "INPUT", IPVS_FILTER, "", "kubernetes ipvs access filter"),
            new Jump(Table.FILTER, "OUTPUT", IPVS_OUT_FILTER, "", "kubernetes ipvs access filter"));

    private IpvsChains() {
    }

    /** The jumps of one table as they stand in the builtin chains once all were prepended. */
    public static List<Jump> jumpsAsInstalled(Table table) {
        return JUMPS.reversed().stream().filter(j -> j.table() == table).toList();
    }
}
