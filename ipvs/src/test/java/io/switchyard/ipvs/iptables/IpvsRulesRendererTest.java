package io.switchyard.ipvs.iptables;

import io.switchyard.ipvs.ipset.IpsetEntry;
import io.switchyard.ipvs.ipset.Ipsets;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ipvs-mode iptables rules, rule by rule and in order, checked against kube-proxy's proxier.go. */
class IpvsRulesRendererTest {

    private static final IpFamily V4 = IpFamily.IPV4;
    private static final LocalTrafficDetector CLUSTER_CIDR = new LocalTrafficDetector.ByCidr("10.244.0.0/16");

    private static IpvsRules render(Ipsets sets, List<NodeAccessBlock> blocked) {
        return new IpvsRulesRenderer(V4, 14, false, CLUSTER_CIDR).render(sets, blocked);
    }

    /** Every set that can have a member has one. */
    private static Ipsets everything() {
        return new Ipsets.Builder(V4)
                .add(KubeIpset.LOOP_BACK, IpsetEntry.ipPortIp(V4, "10.244.0.5", Protocol.TCP, 8080, "10.244.0.5"))
                .add(KubeIpset.CLUSTER_IP, IpsetEntry.ipPort(V4, "10.96.0.10", Protocol.TCP, 80))
                .add(KubeIpset.EXTERNAL_IP, IpsetEntry.ipPort(V4, "192.0.2.10", Protocol.TCP, 80))
                .add(KubeIpset.EXTERNAL_IP_LOCAL, IpsetEntry.ipPort(V4, "192.0.2.11", Protocol.TCP, 80))
                .add(KubeIpset.LOAD_BALANCER, IpsetEntry.ipPort(V4, "192.0.2.20", Protocol.TCP, 80))
                .add(KubeIpset.LOAD_BALANCER_FW, IpsetEntry.ipPort(V4, "192.0.2.20", Protocol.TCP, 80))
                .add(KubeIpset.LOAD_BALANCER_LOCAL, IpsetEntry.ipPort(V4, "192.0.2.20", Protocol.TCP, 80))
                .add(KubeIpset.LOAD_BALANCER_SOURCE_IP,
                        IpsetEntry.ipPortIp(V4, "192.0.2.20", Protocol.TCP, 80, "192.0.2.20"))
                .add(KubeIpset.LOAD_BALANCER_SOURCE_CIDR,
                        IpsetEntry.ipPortNet(V4, "192.0.2.20", Protocol.TCP, 80, Cidr.parse("203.0.113.0/24")))
                .add(KubeIpset.NODE_PORT_TCP, IpsetEntry.port(30080))
                .add(KubeIpset.NODE_PORT_LOCAL_TCP, IpsetEntry.port(30080))
                .add(KubeIpset.NODE_PORT_UDP, IpsetEntry.port(30053))
                .add(KubeIpset.NODE_PORT_LOCAL_UDP, IpsetEntry.port(30053))
                .add(KubeIpset.NODE_PORT_SCTP, IpsetEntry.ipPort(V4, "10.0.2.15", Protocol.SCTP, 30099))
                .add(KubeIpset.NODE_PORT_LOCAL_SCTP, IpsetEntry.ipPort(V4, "10.0.2.15", Protocol.SCTP, 30099))
                .add(KubeIpset.HEALTH_CHECK_NODE_PORT, IpsetEntry.port(32000))
                .add(KubeIpset.IPVS_IPS, IpsetEntry.ip(V4, "10.96.0.10"))
                .build();
    }

    @Test
    void withNoServicesOnlyTheFixedRulesAreWritten() {
        assertThat(render(new Ipsets.Builder(V4).build(), List.of()).restoreDocument()).isEqualTo("""
                *nat
                :KUBE-SERVICES - [0:0]
                :KUBE-POSTROUTING - [0:0]
                :KUBE-NODE-PORT - [0:0]
                :KUBE-LOAD-BALANCER - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
                -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
                -A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
                -A KUBE-POSTROUTING -m mark ! --mark 0x004000/0x004000 -j RETURN
                -A KUBE-POSTROUTING -j MARK --xor-mark 0x004000
                -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
                -A KUBE-MARK-MASQ -j MARK --or-mark 0x004000
                COMMIT
                *filter
                :KUBE-FORWARD - [0:0]
                :KUBE-NODE-PORT - [0:0]
                :KUBE-PROXY-FIREWALL - [0:0]
                :KUBE-SOURCE-RANGES-FIREWALL - [0:0]
                :KUBE-IPVS-FILTER - [0:0]
                :KUBE-IPVS-OUT-FILTER - [0:0]
                -A KUBE-SOURCE-RANGES-FIREWALL -j DROP
                -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x004000/0x004000 -j ACCEPT
                -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                -A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT
                -A KUBE-IPVS-FILTER -m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN
                -A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN
                -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN
                -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN
                -A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN
                -A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT
                COMMIT
                """);
    }

    @Test
    void everySetWithMembersGetsItsRulesInKubeProxysOrder() {
        IpvsRules rules = render(everything(), List.of());
        assertThat(rules.natRules()).isEqualTo("""
                -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
                -A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE
                -A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER
                -A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN
                -A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN
                -A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ
                -A KUBE-NODE-PORT -p udp -m comment --comment "Kubernetes nodeport UDP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-UDP dst -j RETURN
                -A KUBE-NODE-PORT -p udp -m comment --comment "Kubernetes nodeport UDP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-UDP dst -j KUBE-MARK-MASQ
                -A KUBE-NODE-PORT -p sctp -m comment --comment "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" -m set --match-set KUBE-NODE-PORT-LOCAL-SCTP-HASH dst,dst -j RETURN
                -A KUBE-NODE-PORT -p sctp -m comment --comment "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" -m set --match-set KUBE-NODE-PORT-SCTP-HASH dst,dst -j KUBE-MARK-MASQ
                -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
                -A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -j KUBE-MARK-MASQ
                -A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT
                -A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -m addrtype --dst-type LOCAL -j ACCEPT
                -A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT
                -A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -m addrtype --dst-type LOCAL -j ACCEPT
                -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
                -A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
                -A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT
                -A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT
                -A KUBE-POSTROUTING -m mark ! --mark 0x004000/0x004000 -j RETURN
                -A KUBE-POSTROUTING -j MARK --xor-mark 0x004000
                -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
                -A KUBE-MARK-MASQ -j MARK --or-mark 0x004000
                """);
        assertThat(rules.filterRules()).startsWith("""
                -A KUBE-PROXY-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL
                -A KUBE-SOURCE-RANGES-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source cidr for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src -j RETURN
                -A KUBE-SOURCE-RANGES-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source IP for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-IP dst,dst,src -j RETURN
                -A KUBE-SOURCE-RANGES-FIREWALL -j DROP
                -A KUBE-FORWARD """);
    }

    @Test
    void clusterIpMasqueradeFollowsMasqueradeAllAndTheDetector() {
        Ipsets sets = everything();
        String all = new IpvsRulesRenderer(V4, 14, true, CLUSTER_CIDR).render(sets, List.of()).natRules();
        assertThat(all).contains("--match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ\n")
                .doesNotContain("! -s 10.244.0.0/16");
        String bridge = new IpvsRulesRenderer(V4, 14, false, new LocalTrafficDetector.ByBridge("cbr0"))
                .render(sets, List.of()).natRules();
        assertThat(bridge).contains("--match-set KUBE-CLUSTER-IP dst,dst ! -i cbr0 -j KUBE-MARK-MASQ\n");
        String none = new IpvsRulesRenderer(V4, 14, false, new LocalTrafficDetector.None())
                .render(sets, List.of()).natRules();
        assertThat(none).contains("--match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ\n");
    }

    @Test
    void loadBalancersTheNodeMayNotReachAreDroppedOnTheWayOutInAStableOrder() {
        List<NodeAccessBlock> blocked = List.of(new NodeAccessBlock("192.0.2.30", Protocol.UDP, 53),
                new NodeAccessBlock("192.0.2.20", Protocol.TCP, 443), new NodeAccessBlock("192.0.2.20", Protocol.TCP, 80));
        assertThat(render(everything(), blocked).filterRules()).contains("""
                -A KUBE-SOURCE-RANGES-FIREWALL -j DROP
                -A KUBE-IPVS-OUT-FILTER -s 192.0.2.20 -m ipvs --vaddr 192.0.2.20 --vproto tcp --vport 80 -j DROP
                -A KUBE-IPVS-OUT-FILTER -s 192.0.2.20 -m ipvs --vaddr 192.0.2.20 --vproto tcp --vport 443 -j DROP
                -A KUBE-IPVS-OUT-FILTER -s 192.0.2.30 -m ipvs --vaddr 192.0.2.30 --vproto udp --vport 53 -j DROP
                -A KUBE-FORWARD""");
    }

    @Test
    void ipv6UsesItsLoopbackAndItsSetNames() {
        IpvsRules rules = new IpvsRulesRenderer(IpFamily.IPV6, 14, false, new LocalTrafficDetector.ByCidr("fd00:10::/64"))
                .render(new Ipsets.Builder(IpFamily.IPV6)
                        .add(KubeIpset.CLUSTER_IP, IpsetEntry.ipPort(IpFamily.IPV6, "fd00::10", Protocol.TCP, 80))
                        .build(), List.of());
        assertThat(rules.natRules()).startsWith("-A KUBE-SERVICES -s ::1/128 -j RETURN\n")
                .contains("--match-set KUBE-6-CLUSTER-IP dst,dst ! -s fd00:10::/64 -j KUBE-MARK-MASQ\n");
        assertThat(rules.filterRules()).contains("--match-set KUBE-6-IPVS-IPS dst -j REJECT\n");
    }

    @Test
    void theMarkFollowsTheMasqueradeBit() {
        IpvsRules rules = new IpvsRulesRenderer(V4, 0, false, CLUSTER_CIDR).render(new Ipsets.Builder(V4).build(), List.of());
        assertThat(rules.natRules()).contains("-A KUBE-MARK-MASQ -j MARK --or-mark 0x000001\n");
        assertThat(IpvsRulesRenderer.masqueradeMark(31)).isEqualTo("0x80000000");
        assertThatThrownBy(() -> new IpvsRulesRenderer(V4, 32, false, CLUSTER_CIDR)).hasMessageContaining("0..31");
    }

    @Test
    void aDocumentForAnEmptyNamespaceCarriesTheBuiltinJumpsAsKubeProxyLeavesThem() {
        String document = render(new Ipsets.Builder(V4).build(), List.of()).forEmptyNamespace();
        assertThat(document).contains("""
                :KUBE-MARK-MASQ - [0:0]
                -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
                -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A KUBE-SERVICES -s 127.0.0.0/8""", """
                :KUBE-IPVS-OUT-FILTER - [0:0]
                -A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER
                -A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER
                -A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
                -A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
                -A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT
                -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
                -A KUBE-SOURCE-RANGES-FIREWALL -j DROP""");
        assertThat(IpvsRules.jumps()).hasSize(9);
    }

    @Test
    void whatADetectorWritesIntoARuleIsChecked() {
        assertThatThrownBy(() -> new IpvsRulesRenderer(V4, 14, false, new LocalTrafficDetector.ByCidr("fd00::/64")))
                .hasMessageContaining("is not an IPv4 CIDR");
        assertThatThrownBy(() -> new IpvsRulesRenderer(V4, 14, false, new LocalTrafficDetector.ByCidr("10.0.0.0/8 -j ACCEPT")))
                .as("the detector itself refuses what is not a CIDR").hasMessageContaining("not a CIDR");
        assertThatThrownBy(() -> new IpvsRulesRenderer(V4, 14, false, new LocalTrafficDetector.ByBridge("br0 -j DROP")))
                .hasMessageContaining("cannot");
        assertThatThrownBy(() -> new IpvsRulesRenderer(V4, 14, false, new LocalTrafficDetector.ByInterfacePrefix("v".repeat(15))))
                .hasMessageContaining("longer than");
    }

    @Test
    void blockedAddressesAreCheckedBeforeTheyReachARule() {
        assertThatThrownBy(() -> render(everything(), List.of(new NodeAccessBlock("fd00::1", Protocol.TCP, 80))))
                .hasMessageContaining("is not a canonical IPv4 address");
        assertThatThrownBy(() -> render(everything(), List.of(new NodeAccessBlock("192.0.2.1", Protocol.TCP, 0))))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> render(new Ipsets.Builder(IpFamily.IPV6).build(), List.of()))
                .hasMessageContaining("ipsets are IPv6, rules are IPv4");
    }
}
