package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.ForwardMethod;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.ipset.IpsetEntry;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.switchyard.ipvs.desired.ServiceFixtures.NODE;
import static io.switchyard.ipvs.desired.ServiceFixtures.hinted;
import static io.switchyard.ipvs.desired.ServiceFixtures.notReady;
import static io.switchyard.ipvs.desired.ServiceFixtures.ready;
import static io.switchyard.ipvs.desired.ServiceFixtures.servingTerminating;
import static io.switchyard.ipvs.desired.ServiceFixtures.state;
import static io.switchyard.ipvs.desired.ServiceFixtures.svc;
import static io.switchyard.ipvs.desired.ServiceFixtures.terminatingNotServing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ipvs proxier's choices, branch by branch, checked against kube-proxy v1.32's proxier.go. */
class IpvsRendererTest {

    private static final LocalTrafficDetector CLUSTER_CIDR = new LocalTrafficDetector.ByCidr("10.244.0.0/16");
    private static final LocalNode NODE_A = new LocalNode(NODE, Map.of(LocalNode.ZONE_LABEL, "zone-a"),
            List.of("169.254.123.2"), List.of());
    private static final HostAddresses HOST = new HostAddresses(IpFamily.IPV4, new TreeSet<>(Set.of("10.0.2.15")),
            new TreeSet<>(Set.of("10.0.2.15")));

    private static IpvsDesiredState render(ClusterState state) {
        return render(IpvsConfig.defaults(IpFamily.IPV4, CLUSTER_CIDR), state, HOST);
    }

    private static IpvsDesiredState render(IpvsConfig config, ClusterState state, HostAddresses host) {
        return new IpvsRenderer(config).render(state, NODE_A, host);
    }

    /** The real servers of one virtual server as {@code ip:port} strings, or null if there is no such server. */
    private static List<String> destinations(IpvsDesiredState state, String address, int port) {
        return state.servers().values().stream()
                .filter(s -> s.server().address().equals(address) && s.server().port() == port).findFirst()
                .map(s -> s.destinations().stream().map(d -> d.key().toString()).toList()).orElse(null);
    }

    private static VirtualServer server(IpvsDesiredState state, String address, int port) {
        return state.servers().values().stream()
                .filter(s -> s.server().address().equals(address) && s.server().port() == port)
                .findFirst().orElseThrow().server();
    }

    private static List<String> members(IpvsDesiredState state, KubeIpset set) {
        return state.ipsets().get(set).entries().stream().map(IpsetEntry::text).toList();
    }

    @Test
    void aClusterIpGetsAVirtualServerWithItsReadyEndpointsAtWeightOne() {
        IpvsDesiredState state = render(state(svc("web"), List.of(ready("10.244.2.5", "node-b"),
                ready("10.244.1.5", NODE), notReady("10.244.1.6", NODE))));
        VirtualServer server = server(state, "10.96.0.10", 80);
        assertThat(server).isEqualTo(VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.10", 80, "rr", 0));
        DesiredServer desired = state.servers().get(server.key());
        assertThat(desired.destinations()).containsExactly(
                new Destination("10.244.1.5", 8080, 1, ForwardMethod.MASQ, 0, 0, 0, 0),
                new Destination("10.244.2.5", 8080, 1, ForwardMethod.MASQ, 0, 0, 0, 0));
        assertThat(desired.owner().toString()).isEqualTo("ns/web:p");
        assertThat(state.servers()).hasSize(1);
        assertThat(members(state, KubeIpset.CLUSTER_IP)).containsExactly("10.96.0.10,tcp:80");
        assertThat(state.boundAddresses()).containsExactly("10.96.0.10");
        assertThat(members(state, KubeIpset.IPVS_IPS)).containsExactly("10.96.0.10");
        // Every endpoint on this node is a hairpin candidate, ready or not.
        assertThat(members(state, KubeIpset.LOOP_BACK))
                .containsExactly("10.244.1.5,tcp:8080,10.244.1.5", "10.244.1.6,tcp:8080,10.244.1.6");
        assertThat(state.problems()).isEmpty();
    }

    @Test
    void aServiceWithoutEndpointsIsAnEmptyVirtualServerNotARejectRule() {
        IpvsDesiredState state = render(state(svc("empty"), List.of()));
        assertThat(destinations(state, "10.96.0.10", 80)).isEmpty();
        assertThat(state.rules().filterRules()).doesNotContain("has no endpoints");
        assertThat(state.rules().restoreDocument()).doesNotContain("REJECT --reject-with");
    }

    @Test
    void externalTrafficPolicyLocalUsesLocalEndpointsForExternalServersOnly() {
        IpvsDesiredState state = render(state(
                svc("lb").nodePort(30080).vips("192.0.2.30").externalIps("198.51.100.7").externalLocal()
                        .healthCheckNodePort(32000),
                List.of(ready("10.244.1.5", NODE), ready("10.244.2.5", "node-b"))));
        assertThat(destinations(state, "10.96.0.10", 80)).containsExactly("10.244.1.5:8080", "10.244.2.5:8080");
        assertThat(destinations(state, "192.0.2.30", 80)).containsExactly("10.244.1.5:8080");
        assertThat(destinations(state, "198.51.100.7", 80)).containsExactly("10.244.1.5:8080");
        assertThat(destinations(state, "10.0.2.15", 30080)).containsExactly("10.244.1.5:8080");
        assertThat(members(state, KubeIpset.LOAD_BALANCER)).containsExactly("192.0.2.30,tcp:80");
        assertThat(members(state, KubeIpset.LOAD_BALANCER_LOCAL)).containsExactly("192.0.2.30,tcp:80");
        assertThat(members(state, KubeIpset.EXTERNAL_IP_LOCAL)).containsExactly("198.51.100.7,tcp:80");
        assertThat(members(state, KubeIpset.EXTERNAL_IP)).isEmpty();
        assertThat(members(state, KubeIpset.NODE_PORT_TCP)).containsExactly("30080");
        assertThat(members(state, KubeIpset.NODE_PORT_LOCAL_TCP)).containsExactly("30080");
        assertThat(members(state, KubeIpset.HEALTH_CHECK_NODE_PORT)).containsExactly("32000");
        assertThat(state.noLocalEndpointsExternal()).isEmpty();
    }

    @Test
    void externalTrafficPolicyLocalWithoutLocalEndpointsFallsBackToTheClusterEndpoints() {
        IpvsDesiredState state = render(state(svc("lb").nodePort(30080).vips("192.0.2.30").externalLocal(),
                List.of(ready("10.244.2.5", "node-b"), ready("10.244.3.5", "node-c"))));
        assertThat(destinations(state, "192.0.2.30", 80)).containsExactly("10.244.2.5:8080", "10.244.3.5:8080");
        assertThat(destinations(state, "10.0.2.15", 30080)).containsExactly("10.244.2.5:8080", "10.244.3.5:8080");
        assertThat(state.noLocalEndpointsExternal()).containsExactly("ns/lb");
        assertThat(state.noLocalEndpointsInternal()).isEmpty();
    }

    @Test
    void internalTrafficPolicyLocalClusterIpOnlyWithoutLocalEndpointsIsAnEmptyServer() {
        IpvsDesiredState state = render(state(svc("itp").internalLocal(), List.of(ready("10.244.2.5", "node-b"))));
        assertThat(destinations(state, "10.96.0.10", 80)).isEmpty();
        assertThat(state.noLocalEndpointsInternal()).containsExactly("ns/itp");
    }

    @Test
    void internalTrafficPolicyLocalUsesOnlyLocalEndpointsWhenThereAreSome() {
        IpvsDesiredState state = render(state(svc("itp").internalLocal(),
                List.of(ready("10.244.2.5", "node-b"), ready("10.244.1.5", NODE))));
        assertThat(destinations(state, "10.96.0.10", 80)).containsExactly("10.244.1.5:8080");
        assertThat(state.noLocalEndpointsInternal()).isEmpty();
    }

    @Test
    void internalTrafficPolicyLocalOnAnExternallyReachableServiceFallsBackToTheClusterEndpoints() {
        IpvsDesiredState state = render(state(svc("itp").internalLocal().nodePort(30080),
                List.of(ready("10.244.2.5", "node-b"))));
        assertThat(destinations(state, "10.96.0.10", 80)).containsExactly("10.244.2.5:8080");
        assertThat(destinations(state, "10.0.2.15", 30080)).containsExactly("10.244.2.5:8080");
        assertThat(state.noLocalEndpointsInternal()).containsExactly("ns/itp");
    }

    @Test
    void servingTerminatingEndpointsServeOnlyWhenNothingIsReady() {
        IpvsDesiredState fallback = render(state(svc("t"), List.of(servingTerminating("10.244.2.5", "node-b"),
                terminatingNotServing("10.244.2.6", "node-b"))));
        assertThat(destinations(fallback, "10.96.0.10", 80)).containsExactly("10.244.2.5:8080");
        IpvsDesiredState mixed = render(state(svc("t"), List.of(servingTerminating("10.244.2.5", "node-b"),
                ready("10.244.2.7", "node-b"))));
        assertThat(destinations(mixed, "10.96.0.10", 80)).containsExactly("10.244.2.7:8080");
    }

    @Test
    void zoneHintsNarrowTheClusterEndpoints() {
        IpvsDesiredState state = render(state(svc("zoned"), List.of(
                hinted(ready("10.244.1.5", NODE), Set.of("zone-a"), Set.of()),
                hinted(ready("10.244.2.5", "node-b"), Set.of("zone-b"), Set.of()),
                hinted(ready("10.244.3.5", "node-c"), Set.of("zone-a"), Set.of()))));
        assertThat(destinations(state, "10.96.0.10", 80)).containsExactly("10.244.1.5:8080", "10.244.3.5:8080");
    }

    @Test
    void nodeHintsCountOnlyWhenTheyAreHonoured() {
        ClusterState state = state(svc("noded"), List.of(
                hinted(ready("10.244.1.5", NODE), Set.of(), Set.of(NODE)),
                hinted(ready("10.244.2.5", "node-b"), Set.of(), Set.of("node-b"))));
        assertThat(destinations(render(state), "10.96.0.10", 80)).containsExactly("10.244.1.5:8080", "10.244.2.5:8080");
        IpvsConfig honoured = new IpvsConfig(IpFamily.IPV4, "rr", 14, false, CLUSTER_CIDR, true);
        assertThat(destinations(render(honoured, state, HOST), "10.96.0.10", 80)).containsExactly("10.244.1.5:8080");
    }

    @Test
    void clientIpAffinityMakesEveryServerOfThePortPersistent() {
        IpvsDesiredState state = render(state(svc("sticky").affinity(600).nodePort(30080).vips("192.0.2.30")
                .externalIps("198.51.100.7"), List.of(ready("10.244.2.5", "node-b"))));
        assertThat(state.servers()).hasSize(4);
        for (DesiredServer server : state.servers().values()) {
            assertThat(server.server().flags()).isEqualTo(VirtualServer.PERSISTENT);
            assertThat(server.server().timeoutSeconds()).isEqualTo(600);
            assertThat(server.server().netmask()).isEqualTo(0xffffffff);
        }
    }

    @Test
    void theSchedulerIsConfiguredAndMhAlsoHashesSourcePorts() {
        IpvsConfig mh = new IpvsConfig(IpFamily.IPV4, "mh", 14, false, CLUSTER_CIDR, false);
        VirtualServer server = server(render(mh, state(svc("a").affinity(60), List.of()), HOST), "10.96.0.10", 80);
        assertThat(server.scheduler()).isEqualTo("mh");
        assertThat(server.flags()).isEqualTo(VirtualServer.PERSISTENT | IpvsConfig.SOURCE_HASH_FLAG);
        IpvsConfig unset = new IpvsConfig(IpFamily.IPV4, "", 14, false, CLUSTER_CIDR, false);
        assertThat(server(render(unset, state(svc("a"), List.of()), HOST), "10.96.0.10", 80).scheduler()).isEqualTo("rr");
    }

    @Test
    void externalIpsAreMasqueradedUnlessLocalAndBoundUnlessTheHostHasThem() {
        IpvsDesiredState state = render(state(svc("ext").externalIps("198.51.100.7", "10.0.2.15"),
                List.of(ready("10.244.2.5", "node-b"))));
        assertThat(members(state, KubeIpset.EXTERNAL_IP)).containsExactly("10.0.2.15,tcp:80", "198.51.100.7,tcp:80");
        assertThat(destinations(state, "198.51.100.7", 80)).containsExactly("10.244.2.5:8080");
        assertThat(destinations(state, "10.0.2.15", 80)).containsExactly("10.244.2.5:8080");
        assertThat(state.boundAddresses()).containsExactly("10.96.0.10", "198.51.100.7");
        assertThat(state.rules().natRules()).contains("--match-set KUBE-EXTERNAL-IP dst,dst -j KUBE-MARK-MASQ");
    }

    @Test
    void sourceRangesThatHoldTheNodeIpLetTheNodeReachTheLoadBalancer() {
        IpvsDesiredState state = render(state(svc("fw").vips("192.0.2.30").ranges("203.0.113.0/24", "169.254.0.0/16"),
                List.of(ready("10.244.2.5", "node-b"))));
        assertThat(members(state, KubeIpset.LOAD_BALANCER_FW)).containsExactly("192.0.2.30,tcp:80");
        assertThat(members(state, KubeIpset.LOAD_BALANCER_SOURCE_CIDR))
                .containsExactly("192.0.2.30,tcp:80,169.254.0.0/16", "192.0.2.30,tcp:80,203.0.113.0/24");
        assertThat(members(state, KubeIpset.LOAD_BALANCER_SOURCE_IP)).containsExactly("192.0.2.30,tcp:80,192.0.2.30");
        assertThat(state.rules().filterRules()).doesNotContain("KUBE-IPVS-OUT-FILTER -s");
        assertThat(state.rules().filterRules()).contains("-m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL");
    }

    @Test
    void sourceRangesWithoutTheNodeIpBlockTheNodeFromTheLoadBalancer() {
        IpvsDesiredState state = render(state(svc("fw").vips("192.0.2.30").ranges("203.0.113.0/24"),
                List.of(ready("10.244.2.5", "node-b"))));
        assertThat(members(state, KubeIpset.LOAD_BALANCER_SOURCE_IP)).isEmpty();
        assertThat(state.rules().filterRules()).contains(
                "-A KUBE-IPVS-OUT-FILTER -s 192.0.2.30 -m ipvs --vaddr 192.0.2.30 --vproto tcp --vport 80 -j DROP\n");
    }

    @Test
    void aZeroSourceRangeCannotBeAnIpsetMemberAndIsReported() {
        IpvsDesiredState state = render(state(svc("fw").vips("192.0.2.30").ranges("0.0.0.0/0"),
                List.of(ready("10.244.2.5", "node-b"))));
        assertThat(members(state, KubeIpset.LOAD_BALANCER_FW)).containsExactly("192.0.2.30,tcp:80");
        assertThat(members(state, KubeIpset.LOAD_BALANCER_SOURCE_CIDR)).isEmpty();
        assertThat(members(state, KubeIpset.LOAD_BALANCER_SOURCE_IP)).containsExactly("192.0.2.30,tcp:80,192.0.2.30");
        assertThat(state.problems()).containsExactly(
                "ns/fw:p: source range 0.0.0.0/0 cannot be held by an ipset and is left out");
    }

    @Test
    void aLoadBalancerIpTheHostHoldsIsNotBound() {
        IpvsDesiredState state = render(state(svc("lb").vips("10.0.2.15", "192.0.2.30"), List.of()));
        assertThat(state.boundAddresses()).containsExactly("10.96.0.10", "192.0.2.30");
    }

    @Test
    void nodePortsGetAServerOnEveryNodePortAddress() {
        HostAddresses two = new HostAddresses(IpFamily.IPV4, new TreeSet<>(Set.of("10.0.2.15", "192.168.1.4")),
                new TreeSet<>(Set.of("10.0.2.15", "192.168.1.4")));
        IpvsDesiredState state = render(IpvsConfig.defaults(IpFamily.IPV4, CLUSTER_CIDR), state(
                svc("tcp").nodePort(30080), List.of(ready("10.244.2.5", "node-b")),
                svc("udp", Protocol.UDP).clusterIp("10.96.0.11").nodePort(30053).externalLocal(), List.of(),
                svc("sctp", Protocol.SCTP).clusterIp("10.96.0.12").nodePort(30099).externalLocal(), List.of()), two);
        assertThat(destinations(state, "10.0.2.15", 30080)).containsExactly("10.244.2.5:8080");
        assertThat(destinations(state, "192.168.1.4", 30080)).containsExactly("10.244.2.5:8080");
        assertThat(server(state, "192.168.1.4", 30053).protocol()).isEqualTo(Protocol.UDP);
        assertThat(server(state, "192.168.1.4", 30099).protocol()).isEqualTo(Protocol.SCTP);
        assertThat(members(state, KubeIpset.NODE_PORT_TCP)).containsExactly("30080");
        assertThat(members(state, KubeIpset.NODE_PORT_LOCAL_TCP)).isEmpty();
        assertThat(members(state, KubeIpset.NODE_PORT_UDP)).containsExactly("30053");
        assertThat(members(state, KubeIpset.NODE_PORT_LOCAL_UDP)).containsExactly("30053");
        assertThat(members(state, KubeIpset.NODE_PORT_SCTP))
                .containsExactly("10.0.2.15,sctp:30099", "192.168.1.4,sctp:30099");
        assertThat(members(state, KubeIpset.NODE_PORT_LOCAL_SCTP))
                .containsExactly("10.0.2.15,sctp:30099", "192.168.1.4,sctp:30099");
        assertThat(state.boundAddresses()).doesNotContain("10.0.2.15", "192.168.1.4");
    }

    @Test
    void withoutNodePortAddressesTheNodePortAndTheHealthCheckPortAreSkipped() {
        IpvsDesiredState state = render(IpvsConfig.defaults(IpFamily.IPV4, CLUSTER_CIDR),
                state(svc("lb").nodePort(30080).vips("192.0.2.30").externalLocal().healthCheckNodePort(32000),
                        List.of()), HostAddresses.none(IpFamily.IPV4));
        assertThat(state.servers()).hasSize(2);
        assertThat(members(state, KubeIpset.NODE_PORT_TCP)).isEmpty();
        assertThat(members(state, KubeIpset.HEALTH_CHECK_NODE_PORT)).isEmpty();
        assertThat(members(state, KubeIpset.LOAD_BALANCER)).containsExactly("192.0.2.30,tcp:80");
    }

    @Test
    void ipv6UsesItsSetNamesAndAddresses() {
        HostAddresses host = new HostAddresses(IpFamily.IPV6, new TreeSet<>(Set.of("2001:db8::15")),
                new TreeSet<>(Set.of("2001:db8::15")));
        ClusterState state = state(svc("v6").clusterIp("fd00::10").nodePort(30080).affinity(10800),
                List.of(new io.switchyard.rules.model.Endpoint("fd00:244::5", 8080, NODE, "", true, true, false,
                        Set.of(), Set.of())));
        IpvsDesiredState desired = render(IpvsConfig.defaults(IpFamily.IPV6, new LocalTrafficDetector.None()), state, host);
        assertThat(server(desired, "fd00::10", 80).netmask()).isEqualTo(128);
        assertThat(destinations(desired, "2001:db8::15", 30080)).containsExactly("[fd00:244::5]:8080");
        assertThat(desired.ipsets().get(KubeIpset.CLUSTER_IP).name()).isEqualTo("KUBE-6-CLUSTER-IP");
        assertThat(members(desired, KubeIpset.LOOP_BACK)).containsExactly("fd00:244::5,tcp:8080,fd00:244::5");
        assertThat(IpvsadmText.save(desired)).contains("-A -t [fd00::10]:80 -s rr -p 10800\n",
                "-a -t [2001:db8::15]:30080 -r [fd00:244::5]:8080 -m -w 1\n");
    }

    @Test
    void aMalformedAddressCannotReachTheRenderer() {
        assertThatThrownBy(() -> state(
                svc("bad").externalIps("198.51.100.007"), List.of(ready("10.244.2.5", "node-b"))))
                .as("the model refuses it before any renderer sees it").hasMessageContaining("not a canonical");
    }

    @Test
    void anEndpointOfTheWrongFamilyIsLeftOutAndReported() {
        IpvsDesiredState state = render(state(svc("web"), List.of(ready("10.244.2.5", "node-b"),
                ready("fd00::5", NODE))));
        assertThat(destinations(state, "10.96.0.10", 80)).containsExactly("10.244.2.5:8080");
        assertThat(members(state, KubeIpset.LOOP_BACK)).isEmpty();
        assertThat(state.problems()).containsExactly(
                "ns/web:p: endpoint address \"fd00::5\" is not a canonical IPv4 address; endpoint left out");
    }

    @Test
    void aVirtualServerClaimedTwiceStaysWithTheFirstServicePort() {
        IpvsDesiredState state = render(state(
                svc("a").externalIps("198.51.100.7"), List.of(ready("10.244.2.5", "node-b")),
                svc("b").clusterIp("10.96.0.11").externalIps("198.51.100.7"), List.of(ready("10.244.2.6", "node-b"))));
        assertThat(destinations(state, "198.51.100.7", 80)).containsExactly("10.244.2.5:8080");
        assertThat(state.servers().get(server(state, "198.51.100.7", 80).key()).owner().name()).isEqualTo("a");
        assertThat(state.problems()).containsExactly("ns/b:p: virtual server 198.51.100.7:80/tcp is already ns/a:p's; left to it");
    }

    @Test
    void theStateDoesNotDependOnTheOrderServicesArriveIn() {
        ClusterState one = state(svc("a").nodePort(30001), List.of(ready("10.244.2.5", "node-b")),
                svc("b").clusterIp("10.96.0.11").vips("192.0.2.1"), List.of(ready("10.244.1.5", NODE)));
        ClusterState two = state(svc("b").clusterIp("10.96.0.11").vips("192.0.2.1"), List.of(ready("10.244.1.5", NODE)),
                svc("a").nodePort(30001), List.of(ready("10.244.2.5", "node-b")));
        assertThat(render(two)).isEqualTo(render(one));
        assertThat(IpvsadmText.save(render(two))).isEqualTo(IpvsadmText.save(render(one)));
    }

    @Test
    void hostAddressesOfTheOtherFamilyAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> render(IpvsConfig.defaults(IpFamily.IPV4, CLUSTER_CIDR),
                state(), HostAddresses.none(IpFamily.IPV6))).hasMessageContaining("host addresses are IPv6");
    }
}
