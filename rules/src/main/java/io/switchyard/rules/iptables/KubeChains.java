package io.switchyard.rules.iptables;

import java.util.List;

/**
 * The fixed chains kube-proxy owns and the jump rules that hook them into the builtin chains.
 * The jumps are listed in the order kube-proxy ensures them; each is prepended, so a builtin
 * chain ends up holding them in reverse order, ahead of whatever else it has.
 */
public final class KubeChains {

    public static final String SERVICES = "KUBE-SERVICES";
    public static final String EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
    public static final String NODE_PORTS = "KUBE-NODEPORTS";
    public static final String POSTROUTING = "KUBE-POSTROUTING";
    public static final String MARK_MASQ = "KUBE-MARK-MASQ";
    public static final String FORWARD = "KUBE-FORWARD";
    public static final String PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    public static final String CANARY = "KUBE-PROXY-CANARY";
    /** kubelet's anti-martian chain, which kube-proxy also ensures but never deletes. */
    public static final String FIREWALL = "KUBE-FIREWALL";

    /** Tables kube-proxy keeps a canary chain in, to notice when someone flushed them. */
    public static final List<Table> CANARY_TABLES = List.of(Table.MANGLE, Table.NAT, Table.FILTER);

    /** The filter chains every sync rewrites whole. */
    public static final List<String> FILTER_CHAINS = List.of(SERVICES, EXTERNAL_SERVICES, FORWARD, NODE_PORTS, PROXY_FIREWALL);
    /** The top-level nat chains every sync rewrites whole. */
    public static final List<String> NAT_CHAINS = List.of(SERVICES, NODE_PORTS, POSTROUTING, MARK_MASQ);

    /** An iptables table Switchyard writes to. */
    public enum Table {
        MANGLE, FILTER, NAT;

        public String iptablesName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A rule in a builtin chain that jumps to one of ours.
     *
     * @param matches match arguments before the comment (may be empty)
     * @param comment rule comment, empty for none
     */
    public record Jump(Table table, String builtin, String target, String matches, String comment) {

        /** The rule's arguments after {@code -A CHAIN} / {@code -I CHAIN}, in kube-proxy's order. */
        public String ruleSpec() {
            StringBuilder spec = new StringBuilder();
            if (!matches.isEmpty()) {
                spec.append(matches).append(' ');
            }
            if (!comment.isEmpty()) {
                spec.append("-m comment --comment \"").append(comment).append("\" ");
            }
            return spec.append("-j ").append(target).toString();
        }
    }

    private static final String NEW = "-m conntrack --ctstate NEW";

    /** The jumps, in the order kube-proxy ensures (prepends) them. */
    public static final List<Jump> JUMPS = List.of(
            new Jump(Table.FILTER, "INPUT", EXTERNAL_SERVICES, NEW, "kubernetes externally-visible service portals"),
            new Jump(Table.FILTER, "FORWARD", EXTERNAL_SERVICES, NEW, "kubernetes externally-visible service portals"),
            new Jump(Table.FILTER, "INPUT", NODE_PORTS, "", "kubernetes health check service ports"),
            new Jump(Table.FILTER, "FORWARD", SERVICES, NEW, "kubernetes service portals"),
            new Jump(Table.FILTER, "OUTPUT", SERVICES, NEW, "kubernetes service portals"),
            new Jump(Table.FILTER, "FORWARD", FORWARD, "", "kubernetes forwarding rules"),
            new Jump(Table.FILTER, "INPUT", PROXY_FIREWALL, NEW, "kubernetes load balancer firewall"),
            new Jump(Table.FILTER, "OUTPUT", PROXY_FIREWALL, NEW, "kubernetes load balancer firewall"),
            new Jump(Table.FILTER, "FORWARD", PROXY_FIREWALL, NEW, "kubernetes load balancer firewall"),
            new Jump(Table.NAT, "OUTPUT", SERVICES, "", "kubernetes service portals"),
            new Jump(Table.NAT, "PREROUTING", SERVICES, "", "kubernetes service portals"),
            new Jump(Table.NAT, "POSTROUTING", POSTROUTING, "", "kubernetes postrouting rules"),
            new Jump(Table.FILTER, "INPUT", FIREWALL, "", ""),
            new Jump(Table.FILTER, "OUTPUT", FIREWALL, "", ""));

    private KubeChains() {
    }

    /** The jumps of one table as they stand in the builtin chains after all were prepended. */
    public static List<Jump> jumpsAsInstalled(Table table) {
        return JUMPS.reversed().stream().filter(j -> j.table() == table).toList();
    }
}
