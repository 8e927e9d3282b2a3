package io.switchyard.ipvs.iptables;

import io.switchyard.ipvs.ipset.Ipset;
import io.switchyard.ipvs.ipset.Ipsets;
import io.switchyard.ipvs.ipset.IpsetType;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.rules.iptables.LineBuffer;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.Protocol;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Writes the iptables rules kube-proxy's ipvs mode installs for one family, rule for rule and in
 * its order: they match packets against the ipsets and only mark, masquerade, accept, reject or
 * drop; IPVS does the load balancing. Which rules exist depends on which sets have members.
 */
public final class IpvsRulesRenderer {

    /** A set matched from a chain, with the match direction and the rule's target. */
    private record SetJump(KubeIpset set, boolean nat, String chain, String target, String match, Protocol protocol) {
    }

    /** kube-proxy's table of set-matching rules, in its order (local node-port sets before the others). */
    private static final List<SetJump> SET_JUMPS = List.of(
            new SetJump(KubeIpset.LOOP_BACK, true, IpvsChains.POSTROUTING, "MASQUERADE", "dst,dst,src", null),
            new SetJump(KubeIpset.LOAD_BALANCER, true, IpvsChains.SERVICES, IpvsChains.LOAD_BALANCER, "dst,dst", null),
            new SetJump(KubeIpset.LOAD_BALANCER_LOCAL, true, IpvsChains.LOAD_BALANCER, "RETURN", "dst,dst", null),
            new SetJump(KubeIpset.NODE_PORT_LOCAL_TCP, true, IpvsChains.NODE_PORT, "RETURN", "dst", Protocol.TCP),
            new SetJump(KubeIpset.NODE_PORT_TCP, true, IpvsChains.NODE_PORT, IpvsChains.MARK_MASQ, "dst", Protocol.TCP),
            new SetJump(KubeIpset.NODE_PORT_LOCAL_UDP, true, IpvsChains.NODE_PORT, "RETURN", "dst", Protocol.UDP),
            new SetJump(KubeIpset.NODE_PORT_UDP, true, IpvsChains.NODE_PORT, IpvsChains.MARK_MASQ, "dst", Protocol.UDP),
            new SetJump(KubeIpset.NODE_PORT_LOCAL_SCTP, true, IpvsChains.NODE_PORT, "RETURN", "dst,dst", Protocol.SCTP),
            new SetJump(KubeIpset.NODE_PORT_SCTP, true, IpvsChains.NODE_PORT, IpvsChains.MARK_MASQ, "dst,dst",
                    Protocol.SCTP),
            new SetJump(KubeIpset.LOAD_BALANCER_FW, false, IpvsChains.PROXY_FIREWALL,
                    IpvsChains.SOURCE_RANGES_FIREWALL, "dst,dst", null),
            new SetJump(KubeIpset.LOAD_BALANCER_SOURCE_CIDR, false, IpvsChains.SOURCE_RANGES_FIREWALL, "RETURN",
                    "dst,dst,src", null),
            new SetJump(KubeIpset.LOAD_BALANCER_SOURCE_IP, false, IpvsChains.SOURCE_RANGES_FIREWALL, "RETURN",
                    "dst,dst,src", null));

    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]+");

    private final IpFamily family;
    private final String mark;
    private final boolean masqueradeAll;
    private final LocalTrafficDetector localDetector;

    /**
     * @param masqueradeBit  the fwmark bit that asks for SNAT
     * @param masqueradeAll  SNAT all traffic to cluster IPs, not only off-cluster sources
     * @param localDetector  how pod-originated traffic is recognised
     */
    public IpvsRulesRenderer(IpFamily family, int masqueradeBit, boolean masqueradeAll,
                             LocalTrafficDetector localDetector) {
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masquerade bit must be in 0..31, got " + masqueradeBit);
        }
        this.family = Objects.requireNonNull(family, "family");
        this.mark = masqueradeMark(masqueradeBit);
        this.masqueradeAll = masqueradeAll;
        this.localDetector = checkDetector(family, Objects.requireNonNull(localDetector, "localDetector"));
    }

    /** What a detector puts into a rule must be a CIDR of the family or an interface name. */
    private static LocalTrafficDetector checkDetector(IpFamily family, LocalTrafficDetector detector) {
        switch (detector) {
            case LocalTrafficDetector.ByCidr(String cidr) -> {
                Cidr parsed;
                try {
                    parsed = Cidr.parse(cidr);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("local traffic CIDR: " + e.getMessage());
                }
                if (parsed.family() != family || !cidr.equals(cidr.strip())) {
                    throw new IllegalArgumentException("local traffic CIDR \"" + cidr + "\" is not an " + family
                            + " CIDR");
                }
            }
            case LocalTrafficDetector.ByBridge(String bridge) -> checkInterface(bridge, 15);
            case LocalTrafficDetector.ByInterfacePrefix(String prefix) -> checkInterface(prefix, 14);
            case LocalTrafficDetector.None none -> {
            }
        }
        return detector;
    }

    private static void checkInterface(String name, int maxLength) {
        if (name == null || !INTERFACE.matcher(name).matches() || name.length() > maxLength) {
            throw new IllegalArgumentException("\"" + name + "\" is not an interface name");
        }
    }

    /** The mark as kube-proxy prints it ({@code %#08x}: {@code 0x004000} for bit 14). */
    public static String masqueradeMark(int bit) {
        String hex = Long.toHexString(1L << bit);
        return "0x" + "0".repeat(Math.max(0, 6 - hex.length())) + hex;
    }

    /** The rules for the given set contents and the load-balancer VIPs the node must not reach. */
    public IpvsRules render(Ipsets sets, List<NodeAccessBlock> blocked) {
        if (sets.family() != family) {
            throw new IllegalArgumentException("ipsets are " + sets.family() + ", rules are " + family);
        }
        LineBuffer nat = new LineBuffer(2048);
        LineBuffer filter = new LineBuffer(2048);

        nat.write("-A", IpvsChains.SERVICES, "-s", family == IpFamily.IPV4 ? "127.0.0.0/8" : "::1/128", "-j RETURN");

        for (SetJump jump : SET_JUMPS) {
            Ipset set = sets.get(jump.set());
            if (set.isEmpty()) {
                continue;
            }
            (jump.nat() ? nat : filter).write("-A", jump.chain(),
                    jump.protocol() == null ? null : "-p " + jump.protocol().lowerCase(),
                    comment(jump.set()), "-m set --match-set", set.name(), jump.match(), "-j", jump.target());
        }

        Ipset clusterIps = sets.get(KubeIpset.CLUSTER_IP);
        if (!clusterIps.isEmpty()) {
            String head = "-A " + IpvsChains.SERVICES + " " + comment(KubeIpset.CLUSTER_IP)
                    + " -m set --match-set " + clusterIps.name();
            if (masqueradeAll) {
                nat.write(head, "dst,dst -j", IpvsChains.MARK_MASQ);
            } else if (localDetector.isImplemented()) {
                // Off-cluster sources reaching a service VIP may be bounced off-node: SNAT them.
                nat.write(head, "dst,dst", localDetector.ifNotLocal(), "-j", IpvsChains.MARK_MASQ);
            } else {
                // Node-originated traffic picks a VIP on kube-ipvs0 as its source: SNAT that.
                nat.write(head, "src,dst -j", IpvsChains.MARK_MASQ);
            }
        }

        Ipset externalIps = sets.get(KubeIpset.EXTERNAL_IP);
        if (!externalIps.isEmpty()) {
            String head = "-A " + IpvsChains.SERVICES + " " + comment(KubeIpset.EXTERNAL_IP)
                    + " -m set --match-set " + externalIps.name() + " dst,dst";
            nat.write(head, "-j", IpvsChains.MARK_MASQ);
            writeExternalAccepts(nat, head);
        }
        Ipset externalLocalIps = sets.get(KubeIpset.EXTERNAL_IP_LOCAL);
        if (!externalLocalIps.isEmpty()) {
            writeExternalAccepts(nat, "-A " + IpvsChains.SERVICES + " " + comment(KubeIpset.EXTERNAL_IP_LOCAL)
                    + " -m set --match-set " + externalLocalIps.name() + " dst,dst");
        }

        nat.write("-A", IpvsChains.SERVICES, "-m addrtype --dst-type LOCAL -j", IpvsChains.NODE_PORT);
        nat.write("-A", IpvsChains.LOAD_BALANCER, "-j", IpvsChains.MARK_MASQ);
        filter.write("-A", IpvsChains.SOURCE_RANGES_FIREWALL, "-j DROP");

        for (NodeAccessBlock block : blocked.stream().sorted().toList()) {
            String vip = checkAddress(block.vip());
            filter.write("-A", IpvsChains.IPVS_OUT_FILTER, "-s", vip, "-m ipvs --vaddr", vip,
                    "--vproto", block.protocol().lowerCase(), "--vport", checkPort(block.port()), "-j DROP");
        }

        // Accept whatever IPVS is to handle, in case later rules would drop it. Must stay last.
        for (KubeIpset accepted : List.of(KubeIpset.CLUSTER_IP, KubeIpset.LOAD_BALANCER)) {
            Ipset set = sets.get(accepted);
            if (!set.isEmpty()) {
                nat.write("-A", IpvsChains.SERVICES, "-m set --match-set", set.name(),
                        set.spec().type() == IpsetType.BITMAP_PORT ? "dst" : "dst,dst", "-j ACCEPT");
            }
        }

        String markMatch = mark + "/" + mark;
        filter.write("-A", IpvsChains.FORWARD, "-m comment --comment \"kubernetes forwarding rules\"",
                "-m mark --mark", markMatch, "-j ACCEPT");
        filter.write("-A", IpvsChains.FORWARD, "-m comment --comment \"kubernetes forwarding conntrack rule\"",
                "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");

        String healthChecks = sets.get(KubeIpset.HEALTH_CHECK_NODE_PORT).name();
        filter.write("-A", IpvsChains.NODE_PORT, comment(KubeIpset.HEALTH_CHECK_NODE_PORT),
                "-m set --match-set", healthChecks, "dst -j ACCEPT");

        // Only service addresses and ports may be reached through a VIP (kubernetes#72236).
        for (KubeIpset allowed : List.of(KubeIpset.LOAD_BALANCER, KubeIpset.CLUSTER_IP, KubeIpset.EXTERNAL_IP,
                KubeIpset.EXTERNAL_IP_LOCAL)) {
            filter.write("-A", IpvsChains.IPVS_FILTER, "-m set --match-set", sets.get(allowed).name(),
                    "dst,dst -j RETURN");
        }
        filter.write("-A", IpvsChains.IPVS_FILTER, "-m set --match-set", healthChecks, "dst -j RETURN");
        filter.write("-A", IpvsChains.IPVS_FILTER, "-m conntrack --ctstate NEW -m set --match-set",
                sets.get(KubeIpset.IPVS_IPS).name(), "dst -j REJECT");

        nat.write("-A", IpvsChains.POSTROUTING, "-m mark ! --mark", markMatch, "-j RETURN");
        nat.write("-A", IpvsChains.POSTROUTING, "-j MARK --xor-mark", mark);
        nat.write("-A", IpvsChains.POSTROUTING,
                "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        nat.write("-A", IpvsChains.MARK_MASQ, "-j MARK --or-mark", mark);

        return new IpvsRules(family, nat.toString(), filter.toString());
    }

    /** External IPs: accept what comes from off the machine, and what is addressed to a local address. */
    private static void writeExternalAccepts(LineBuffer nat, String head) {
        nat.write(head, "-m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT");
        nat.write(head, "-m addrtype --dst-type LOCAL -j ACCEPT");
    }

    private static String comment(KubeIpset set) {
        return "-m comment --comment \"" + set.comment() + "\"";
    }

    private String checkAddress(String ip) {
        if (IpLiteral.familyOf(ip) != family || !IpLiteral.canonical(ip).equals(ip)) {
            throw new IllegalArgumentException("\"" + ip + "\" is not a canonical " + family + " address");
        }
        return ip;
    }

    private static String checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
        return Integer.toString(port);
    }
}
