package io.switchyard.rules.iptables;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Renderer behaviour the golden fixtures do not pin down, checked rule by rule against kube-proxy's proxier.go. */
class IptablesRendererTest {

    private static final LocalTrafficDetector CLUSTER_CIDR = new LocalTrafficDetector.ByCidr("10.244.0.0/16");
    private static final LocalNode NODE = new LocalNode("node-a", Map.of(LocalNode.ZONE_LABEL, "zone-a"),
            List.of("10.0.0.10"), List.of());
    private static final ServicePortName NAME = new ServicePortName("ns1", "svc", "http", Protocol.TCP);
    private static final String SVC = ChainNames.servicePort(NAME);
    private static final String SVL = ChainNames.servicePortLocal(NAME);
    private static final String EXT = ChainNames.external(NAME);
    private static final String FW = ChainNames.firewall(NAME);
    private static final Endpoint REMOTE = Endpoint.ready("10.244.2.5", 8080, "node-b", "zone-b");
    private static final Endpoint LOCAL = Endpoint.ready("10.244.0.5", 8080, "node-a", "zone-a");

    /** A ServicePort with every optional feature off unless set. */
    private static final class Svc {
        ServicePortName name = NAME;
        String clusterIp = "10.96.0.10";
        int nodePort;
        List<String> externalIps = List.of(), vips = List.of();
        List<Cidr> ranges = List.of();
        SessionAffinity affinity = SessionAffinity.NONE;
        boolean externalLocal, internalLocal;

        Svc named(ServicePortName value) { name = value; return this; }
        Svc clusterIp(String ip) { clusterIp = ip; return this; }
        Svc nodePort(int port) { nodePort = port; return this; }
        Svc externalIps(String... ips) { externalIps = List.of(ips); return this; }
        Svc vips(String... ips) { vips = List.of(ips); return this; }
        Svc ranges(String... cidrs) { ranges = Stream.of(cidrs).map(Cidr::parse).toList(); return this; }
        Svc affinity(int seconds) { affinity = new SessionAffinity.ClientIp(seconds); return this; }
        Svc externalLocal() { externalLocal = true; return this; }
        Svc internalLocal() { internalLocal = true; return this; }

        ServicePort build() {
            return new ServicePort(name, clusterIp, 80, nodePort, externalIps, vips, ranges, 0, affinity,
                    externalLocal, internalLocal);
        }
    }

    private static IptablesConfig config(IpFamily family, boolean masqueradeAll, LocalTrafficDetector detector,
                                         boolean localhostNodePorts, NodePortAddresses addresses) {
        return new IptablesConfig(family, 14, masqueradeAll, detector, localhostNodePorts, addresses, false, true,
                true, false);
    }

    private static Ruleset render(IptablesConfig config, LocalNode node, Svc svc, Endpoint... endpoints) {
        return new IptablesRenderer(config).render(
                ClusterState.of(Map.of(svc.name, svc.build()), Map.of(svc.name, List.of(endpoints))), node);
    }

    private static Ruleset render(Svc svc, Endpoint... endpoints) {
        return render(IptablesConfig.defaults(IpFamily.IPV4, CLUSTER_CIDR), NODE, svc, endpoints);
    }

    /** {@code count} remote endpoints 10.245.x.y:8080. */
    private static List<Endpoint> many(int count) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Endpoint.ready("10.245." + i / 250 + "." + (i % 250 + 1), 8080, "node-b", "zone-b"));
        }
        return out;
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    private static Map<String, List<String>> chains(ServiceRules rules) {
        Map<String, List<String>> out = new HashMap<>();
        rules.chains().forEach(chain -> out.put(chain.name(), lines(chain.rules())));
        return out;
    }

    @Test
    void serviceWithoutEndpointsRejectsEveryAddressInFilterAndHasNoNatChains() {

        ServiceRules rules = render(new Svc().nodePort(30080).externalIps("198.51.100.7").vips("192.0.2.20"))
                .services().get(NAME);

        String comment = "-m comment --comment \"ns1/svc:http has no endpoints\"";
        assertThat(lines(rules.filterRules())).containsExactly(
                "-A KUBE-SERVICES " + comment + " -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES " + comment + " -m tcp -p tcp -d 198.51.100.7 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES " + comment + " -m tcp -p tcp -d 192.0.2.20 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES " + comment
                        + " -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT");
        assertThat(rules.chains()).isEmpty();
        assertThat(rules.natRules()).isEmpty();
        assertThat(rules.noLocalInternal()).isFalse();
    }

    @Test
    void internalLocalWithoutLocalEndpointsDropsClusterIpTrafficAndIsCounted() {

        Ruleset ruleset = render(new Svc().internalLocal(), REMOTE);
        ServiceRules rules = ruleset.services().get(NAME);

        assertThat(lines(rules.filterRules())).containsExactly("-A KUBE-SERVICES -m comment --comment "
                + "\"ns1/svc:http has no local endpoints\" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j DROP");
        assertThat(rules.natRules()).isEmpty();
        assertThat(rules.chains()).isEmpty();
        assertThat(rules.noLocalInternal()).isTrue();
        assertThat(ruleset.noLocalEndpointsInternal()).isOne();
        assertThat(ruleset.noLocalEndpointsExternal()).isZero();
    }

    @Test
    void externalLocalWithoutLocalEndpointsKeepsTheShortCircuitButDropsExternalTraffic() {

        Ruleset ruleset = render(new Svc().nodePort(30080).externalIps("198.51.100.7").vips("192.0.2.20")
                .externalLocal(), REMOTE);
        ServiceRules rules = ruleset.services().get(NAME);

        assertThat(chains(rules).get(EXT)).containsExactly(
                "-A " + EXT + " -m comment --comment \"pod traffic for ns1/svc:http external destinations\""
                        + " -s 10.244.0.0/16 -j " + SVC,
                "-A " + EXT + " -m comment --comment \"masquerade LOCAL traffic for ns1/svc:http external"
                        + " destinations\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
                "-A " + EXT + " -m comment --comment \"route LOCAL traffic for ns1/svc:http external destinations\""
                        + " -m addrtype --src-type LOCAL -j " + SVC);
        assertThat(chains(rules)).doesNotContainKey(SVL).containsKey(SVC);
        String comment = "-m comment --comment \"ns1/svc:http has no local endpoints\"";
        assertThat(lines(rules.filterRules())).containsExactly(
                "-A KUBE-EXTERNAL-SERVICES " + comment + " -m tcp -p tcp -d 198.51.100.7 --dport 80 -j DROP",
                "-A KUBE-EXTERNAL-SERVICES " + comment + " -m tcp -p tcp -d 192.0.2.20 --dport 80 -j DROP",
                "-A KUBE-EXTERNAL-SERVICES " + comment
                        + " -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP");
        assertThat(rules.natRules()).contains("-d 10.96.0.10 --dport 80 -j " + SVC + "\n",
                "-d 198.51.100.7 --dport 80 -j " + EXT + "\n", "--dport 30080 -j " + EXT + "\n");
        assertThat(ruleset.noLocalEndpointsExternal()).isOne();
    }

    @Test
    void loadBalancerSourceRangesGoThroughTheFirewallChain() {
        ServiceRules rules = render(new Svc().vips("192.0.2.20").ranges("203.0.113.0/24", "198.51.100.0/25"), REMOTE)
                .services().get(NAME);
        // A range holding the node's IP also admits the VIP as source: node traffic to the VIP loops back so.
        List<String> withNode = chains(render(new Svc().vips("192.0.2.20").ranges("10.0.0.0/8"), REMOTE)
                .services().get(NAME)).get(FW);

        String head = "-A " + FW + " -m comment --comment \"ns1/svc:http loadbalancer IP\"";
        String last = "-A " + FW + " -m comment --comment \"other traffic to ns1/svc:http will be dropped by"
                + " KUBE-PROXY-FIREWALL\"";
        assertThat(chains(rules).get(FW)).containsExactly(head + " -s 203.0.113.0/24 -j " + EXT,
                head + " -s 198.51.100.0/25 -j " + EXT, last);
        assertThat(withNode).containsExactly(head + " -s 10.0.0.0/8 -j " + EXT, head + " -s 192.0.2.20 -j " + EXT,
                last);
        assertThat(lines(rules.natRules())).contains("-A KUBE-SERVICES -m comment --comment"
                + " \"ns1/svc:http loadbalancer IP\" -m tcp -p tcp -d 192.0.2.20 --dport 80 -j " + FW);
        assertThat(lines(rules.filterRules())).containsExactly("-A KUBE-PROXY-FIREWALL -m comment --comment"
                + " \"ns1/svc:http traffic not accepted by " + FW + "\" -m tcp -p tcp -d 192.0.2.20 --dport 80"
                + " -j DROP");
    }

    @Test
    void externalIpsJumpToTheExternalChainWhichMasqueradesUnderClusterPolicy() {

        ServiceRules rules = render(new Svc().externalIps("198.51.100.7"), REMOTE).services().get(NAME);

        assertThat(lines(rules.natRules())).contains("-A KUBE-SERVICES -m comment --comment"
                + " \"ns1/svc:http external IP\" -m tcp -p tcp -d 198.51.100.7 --dport 80 -j " + EXT);
        assertThat(chains(rules).get(EXT)).containsExactly("-A " + EXT + " -m comment --comment"
                + " \"masquerade traffic for ns1/svc:http external destinations\" -j KUBE-MARK-MASQ", "-A " + EXT
                + " -j " + SVC);
        assertThat(rules.filterRules()).isEmpty();
    }

    @Test
    void masqueradeAllMarksEveryClusterIpPacketWithoutASourceMatch() {
        IptablesConfig config = config(IpFamily.IPV4, true, CLUSTER_CIDR, true, NodePortAddresses.all());

        ServiceRules rules = render(config, NODE, new Svc(), REMOTE).services().get(NAME);

        assertThat(chains(rules).get(SVC).getFirst()).isEqualTo("-A " + SVC + " -m comment --comment"
                + " \"ns1/svc:http cluster IP\" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j KUBE-MARK-MASQ");
        assertThat(chains(render(new Svc(), REMOTE).services().get(NAME)).get(SVC).getFirst())
                .endsWith("--dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ");
    }

    @Test
    void withoutLocalTrafficDetectionTheRulesThatNeedItAreLeftOut() {
        IptablesConfig config = config(IpFamily.IPV4, false, new LocalTrafficDetector.None(), true,
                NodePortAddresses.all());

        Map<String, List<String>> chains = chains(
                render(config, NODE, new Svc().nodePort(30080).externalLocal(), LOCAL, REMOTE).services().get(NAME));

        assertThat(chains.get(SVC)).noneMatch(rule -> rule.contains("KUBE-MARK-MASQ")).hasSize(2);
        assertThat(chains.get(EXT)).noneMatch(rule -> rule.contains("pod traffic"))
                .anyMatch(rule -> rule.contains("masquerade LOCAL traffic")).endsWith("-A " + EXT + " -j " + SVL);
    }

    @Test
    void largeClustersDropPerEndpointCommentsButKeepServiceComments() {
        List<Endpoint> many = many(1001);

        Ruleset ruleset = render(new Svc(), many.toArray(Endpoint[]::new));
        ServiceRules rules = ruleset.services().get(NAME);

        assertThat(ruleset.largeClusterMode()).isTrue();
        assertThat(ruleset.totalEndpoints()).isEqualTo(1001);
        Map<String, List<String>> chains = chains(rules);
        String sep = ChainNames.endpoint(NAME, many.getFirst());
        assertThat(chains.get(sep)).containsExactly("-A " + sep + " -s 10.245.0.1 -j KUBE-MARK-MASQ",
                "-A " + sep + " -m tcp -p tcp -j DNAT --to-destination 10.245.0.1:8080");
        assertThat(chains.get(SVC)).hasSize(1002);
        assertThat(chains.get(SVC).getFirst()).contains("\"ns1/svc:http cluster IP\"");
        assertThat(chains.get(SVC).subList(1, 1002)).noneMatch(rule -> rule.contains("--comment"));
        assertThat(rules.natRules()).contains("--comment \"ns1/svc:http cluster IP\"");
        assertThat(render(new Svc(), many.subList(0, 1000).toArray(Endpoint[]::new)).largeClusterMode())
                .isFalse();
    }

    @Test
    void clientIpAffinityChecksRecentListsBeforeBalancingAndSetsThemOnDnat() {

        Map<String, List<String>> chains = chains(render(new Svc().affinity(600), LOCAL, REMOTE).services().get(NAME));

        String sepLocal = ChainNames.endpoint(NAME, LOCAL);
        String sepRemote = ChainNames.endpoint(NAME, REMOTE);
        assertThat(chains.get(SVC).subList(1, 5)).containsExactly(
                "-A " + SVC + " -m comment --comment \"ns1/svc:http -> 10.244.0.5:8080\" -m recent --name "
                        + sepLocal + " --rcheck --seconds 600 --reap -j " + sepLocal,
                "-A " + SVC + " -m comment --comment \"ns1/svc:http -> 10.244.2.5:8080\" -m recent --name "
                        + sepRemote + " --rcheck --seconds 600 --reap -j " + sepRemote,
                "-A " + SVC + " -m comment --comment \"ns1/svc:http -> 10.244.0.5:8080\" -m statistic --mode random"
                        + " --probability 0.5000000000 -j " + sepLocal,
                "-A " + SVC + " -m comment --comment \"ns1/svc:http -> 10.244.2.5:8080\" -j " + sepRemote);
        assertThat(chains.get(sepLocal).getLast()).isEqualTo("-A " + sepLocal + " -m comment --comment ns1/svc:http"
                + " -m recent --name " + sepLocal + " --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.5:8080");
    }

    @Test
    void ipv6HasNoLocalhostNodePortsAndBracketsDnatTargets() {
        IptablesConfig config = IptablesConfig.defaults(IpFamily.IPV6,
                new LocalTrafficDetector.ByCidr("fd00:10:244::/48"));
        LocalNode node = new LocalNode("node-a", Map.of(), List.of("fd00::10"), List.of());
        Endpoint endpoint = Endpoint.ready("fd00:10:244:2::5", 8080, "node-b", "");

        Ruleset ruleset = render(config, node, new Svc().clusterIp("fd00:96::10").nodePort(30080), endpoint);
        ServiceRules rules = ruleset.services().get(NAME);

        String sep = ChainNames.endpoint(NAME, endpoint);
        assertThat(chains(rules).get(sep).getLast()).endsWith("-j DNAT --to-destination [fd00:10:244:2::5]:8080");
        assertThat(lines(ruleset.natTail())).containsExactly("-A KUBE-SERVICES -m comment --comment \"kubernetes"
                + " service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL"
                + " ! -d ::1/128 -j KUBE-NODEPORTS");
        assertThat(ruleset.filterChains()).doesNotContain(KubeChains.FIREWALL);
        assertThat(ruleset.filterHead()).isEmpty();
        assertThat(lines(rules.natRules())).filteredOn(r -> r.startsWith("-A KUBE-NODEPORTS")).containsExactly(
                "-A KUBE-NODEPORTS -m comment --comment ns1/svc:http -m tcp -p tcp --dport 30080 -j " + EXT);
    }

    @Test
    void withoutLocalhostNodePortsLoopbackIsExcludedFromNodePorts() {
        IptablesConfig config = config(IpFamily.IPV4, false, CLUSTER_CIDR, false, NodePortAddresses.all());

        Ruleset ruleset = render(config, NODE, new Svc().nodePort(30080), REMOTE);

        assertThat(ruleset.natTail()).endsWith("-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS\n");
        assertThat(ruleset.services().get(NAME).natRules()).doesNotContain("127.0.0.0/8").contains("--dport 30080");
        assertThat(ruleset.filterChains()).doesNotContain(KubeChains.FIREWALL);
        assertThat(render(new Svc(), REMOTE).natTail()).doesNotContain("127.0.0.0/8");
        assertThat(render(new Svc().nodePort(30080), REMOTE).services().get(NAME).natRules())
                .contains("-d 127.0.0.0/8 --dport 30080");
    }

    @Test
    void nodePortAddressesWithACidrJumpPerMatchingNodeAddress() {
        NodePortAddresses addresses = NodePortAddresses.of(IpFamily.IPV4, List.of(Cidr.parse("10.0.0.0/24")));
        IptablesConfig config = config(IpFamily.IPV4, false, CLUSTER_CIDR, true, addresses);
        LocalNode node = new LocalNode("node-a", Map.of(), List.of("10.0.0.10", "192.168.7.7", "10.0.0.11"),
                List.of());

        Ruleset ruleset = render(config, node, new Svc(), REMOTE);

        String comment = "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be"
                + " the last rule in this chain\"";
        assertThat(lines(ruleset.natTail())).containsExactly(comment + " -d 10.0.0.10 -j KUBE-NODEPORTS",
                comment + " -d 10.0.0.11 -j KUBE-NODEPORTS");
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"UDP", "SCTP"})
    void otherProtocolsMatchByTheirOwnName(Protocol protocol) {
        Svc svc = new Svc().named(new ServicePortName("ns1", "svc", "dns", protocol));
        String p = protocol.lowerCase();

        ServiceRules rules = render(svc, REMOTE).services().get(svc.name);

        assertThat(rules.natRules()).contains(" -m " + p + " -p " + p + " -d 10.96.0.10 --dport 80 -j ");
        String sep = ChainNames.endpoint(svc.name, REMOTE);
        assertThat(chains(rules).get(sep).getLast())
                .endsWith("-m " + p + " -p " + p + " -j DNAT --to-destination 10.244.2.5:8080");
        assertThat(rules.natRules() + rules.chains()).doesNotContain("tcp");
    }

    @Test
    void partialRenderReusesUnchangedServicesUnlessTheLargeClusterThresholdIsCrossed() {
        IptablesRenderer renderer = new IptablesRenderer(IptablesConfig.defaults(IpFamily.IPV4, CLUSTER_CIDR));
        Svc other = new Svc().named(new ServicePortName("ns1", "other", "http", Protocol.TCP)).clusterIp("10.96.0.11");
        Map<ServicePortName, ServicePort> services = Map.of(NAME, new Svc().build(), other.name, other.build());
        Ruleset previous = renderer.render(ClusterState.of(services,
                Map.of(NAME, List.of(REMOTE), other.name, List.of(REMOTE))), NODE);

        Ruleset next = renderer.render(ClusterState.of(services,
                Map.of(NAME, List.of(LOCAL, REMOTE), other.name, List.of(REMOTE))), NODE, previous, Set.of(NAME));
        Ruleset large = renderer.render(ClusterState.of(services,
                Map.of(NAME, many(1000), other.name, List.of(REMOTE))), NODE, previous, Set.of(NAME));

        assertThat(next.services().get(other.name)).isSameAs(previous.services().get(other.name));
        assertThat(next.services().get(NAME)).isNotSameAs(previous.services().get(NAME));
        assertThat(next.activeServiceChains()).contains(ChainNames.endpoint(NAME, LOCAL));
        assertThat(next.totalEndpoints()).isEqualTo(3);
        // 1001 endpoints: every service loses its endpoint comments, unchanged or not.
        assertThat(large.largeClusterMode()).isTrue();
        ServiceRules reRendered = large.services().get(other.name);
        assertThat(reRendered).isNotSameAs(previous.services().get(other.name));
        assertThat(chains(reRendered).get(ChainNames.endpoint(other.name, REMOTE)))
                .noneMatch(rule -> rule.contains("--comment"));
        assertThat(chains(reRendered).get(ChainNames.servicePort(other.name))).noneMatch(rule -> rule.contains(" -> "));
    }
}
