package io.switchyard.agent.kernel;

import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.desired.IpvsConfig;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.ipvs.desired.IpvsRenderer;
import io.switchyard.ipvs.ipset.IpsetPlan;
import io.switchyard.ipvs.ipset.IpsetSnapshot;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything ipvs mode writes besides IPVS itself, for a cluster that uses every feature, loaded
 * into a real kernel: the ipset plan creates and fills the sets, the iptables rules of both
 * families restore against them, and a second sync's plan changes only what changed and leaves
 * the kernel exactly as desired (so the members are spelled as the kernel prints them).
 */
class IpvsKernelLoadTest {

    private static final LocalNode NODE = new LocalNode("node-a", Map.of(), List.of("10.0.2.15", "fd00:2::15"), List.of());

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
        assertThat(NetworkNamespace.run(null, "sh", "-c", "command -v ipset").exitCode())
                .as("ipset is installed").isZero();
    }

    @Test
    void everyFeatureLoadsAndASecondSyncChangesOnlyWhatChanged() {
        try (NetworkNamespace ns = new NetworkNamespace()) {
            IpvsDesiredState v4 = render(IpFamily.IPV4, false);
            IpvsDesiredState v6 = render(IpFamily.IPV6, false);
            assertThat(v4.problems()).isEmpty();
            assertThat(v6.problems()).isEmpty();

            apply(ns, v4, true);
            apply(ns, v6, true);
            ns.exec(v4.rules().forEmptyNamespace(), "iptables-restore", "--noflush").requireSuccess("iptables-restore");
            ns.exec(v6.rules().forEmptyNamespace(), "ip6tables-restore", "--noflush").requireSuccess("ip6tables-restore");
            assertKernelHolds(ns, v4, v6);

            IpvsDesiredState v4Next = render(IpFamily.IPV4, true);
            IpvsDesiredState v6Next = render(IpFamily.IPV6, true);
            IpsetPlan plan = apply(ns, v4Next, false);
            assertThat(plan.creates()).isZero();
            assertThat(plan.additions()).isPositive();
            assertThat(plan.deletions()).isPositive();
            apply(ns, v6Next, false);
            ns.exec(v4Next.rules().restoreDocument(), "iptables-restore", "--noflush").requireSuccess("iptables-restore");
            ns.exec(v6Next.rules().restoreDocument(), "ip6tables-restore", "--noflush").requireSuccess("ip6tables-restore");
            assertKernelHolds(ns, v4Next, v6Next);

            // What the kernel lists now needs nothing more: members read back exactly as desired.
            String listed = ns.exec(null, "ipset", "list").requireSuccess("ipset list").stdout();
            assertThat(IpsetPlan.compute(v4Next.ipsets(), IpsetSnapshot.parse(listed)).isEmpty()).isTrue();
            assertThat(IpsetPlan.compute(v6Next.ipsets(), IpsetSnapshot.parse(listed)).isEmpty()).isTrue();
            String rules = ns.exec(null, "iptables-save").requireSuccess("iptables-save").stdout();
            assertThat(rules).doesNotContain("KUBE-NODE-PORT-UDP").contains("KUBE-EXTERNAL-IP-LOCAL");
        }
    }

    private static IpsetPlan apply(NetworkNamespace ns, IpvsDesiredState state, boolean fresh) {
        String listed = ns.exec(null, "ipset", "save").requireSuccess("ipset save").stdout();
        IpsetPlan plan = IpsetPlan.compute(state.ipsets(), IpsetSnapshot.parse(listed));
        assertThat(plan.conflicts()).isEmpty();
        assertThat(plan.creates()).isEqualTo(fresh ? 17 : 0);
        ns.exec(plan.script(), "ipset", "restore").requireSuccess("ipset restore");
        return plan;
    }

    private static void assertKernelHolds(NetworkNamespace ns, IpvsDesiredState v4, IpvsDesiredState v6) {
        String saved = ns.exec(null, "ipset", "save").requireSuccess("ipset save").stdout();
        assertThat(GoldenIpvsTest.normaliseIpsets(saved))
                .isEqualTo(GoldenIpvsTest.normaliseIpsets(v4.ipsets().saveText() + v6.ipsets().saveText()));
    }

    /** A cluster with every ipvs-mode feature; {@code next} is the same cluster a sync later. */
    private static IpvsDesiredState render(IpFamily family, boolean next) {
        boolean v4 = family == IpFamily.IPV4;
        String prefix = v4 ? "10.96.0." : "fd00:96::";
        String pod = v4 ? "10.244.1." : "fd00:244::";
        String remote = v4 ? "10.244.2." : "fd00:245::";
        String ext = v4 ? "198.51.100." : "2001:db8:51::";
        String lb = v4 ? "192.0.2." : "2001:db8:2::";
        String nodeIp = v4 ? "10.0.2.15" : "fd00:2::15";
        String hostOther = v4 ? "192.168.1.4" : "fd00:3::4";
        List<Cidr> ranges = next
                ? List.of(Cidr.parse(v4 ? "203.0.113.0/24" : "2001:db8:113::/48"), Cidr.parse(v4 ? "10.0.2.0/24" : "fd00:2::/64"))
                : List.of(Cidr.parse(v4 ? "203.0.113.7/32" : "2001:db8:113::7/128"), Cidr.parse(v4 ? "10.0.0.0/8" : "fd00::/8"));

        Map<ServicePortName, ServicePort> services = new HashMap<>();
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        add(services, endpoints, port("web", Protocol.TCP, prefix + "10", 80, 30080, List.of(ext + "7", nodeIp),
                List.of(), List.of(), 0, new SessionAffinity.ClientIp(600), false),
                List.of(ep(pod + "5", "node-a"), ep(remote + "5", "node-b")));
        add(services, endpoints, port("lb-local", Protocol.TCP, prefix + "11", 443, 30443, List.of(ext + "8"),
                List.of(lb + "30"), ranges, 32000, SessionAffinity.NONE, true),
                next ? List.of(ep(pod + "6", "node-a"), ep(pod + "7", "node-a")) : List.of(ep(pod + "6", "node-a")));
        if (!next) {
            add(services, endpoints, port("dns", Protocol.UDP, prefix + "12", 53, 30053, List.of(), List.of(),
                    List.of(), 0, SessionAffinity.NONE, true), List.of(ep(remote + "53", "node-b")));
        }
        add(services, endpoints, port("sctp", Protocol.SCTP, prefix + "13", 9, 30099, List.of(), List.of(lb + "31"),
                List.of(), 0, SessionAffinity.NONE, true), List.of(ep(pod + "9", "node-a")));

        LocalTrafficDetector detector = new LocalTrafficDetector.ByCidr(v4 ? "10.244.0.0/16" : "fd00:244::/32");
        HostAddresses host = new HostAddresses(family, new TreeSet<>(Set.of(nodeIp, hostOther)),
                new TreeSet<>(Set.of(nodeIp, hostOther)));
        return new IpvsRenderer(IpvsConfig.defaults(family, detector)).render(ClusterState.of(services, endpoints), NODE, host);
    }

    private static ServicePort port(String name, Protocol protocol, String clusterIp, int port, int nodePort,
                                    List<String> externalIps, List<String> vips, List<Cidr> ranges, int healthCheck,
                                    SessionAffinity affinity, boolean externalLocal) {
        return new ServicePort(new ServicePortName("default", name, "p", protocol), clusterIp, port, nodePort,
                externalIps, vips, ranges, healthCheck, affinity, externalLocal, false);
    }

    private static void add(Map<ServicePortName, ServicePort> services, Map<ServicePortName, List<Endpoint>> endpoints,
                            ServicePort port, List<Endpoint> list) {
        services.put(port.name(), port);
        List<Endpoint> sorted = new ArrayList<>(list);
        sorted.sort((a, b) -> a.hostPort().compareTo(b.hostPort()));
        endpoints.put(port.name(), sorted);
    }

    private static Endpoint ep(String ip, String node) {
        return new Endpoint(ip, 8080, node, "", true, true, false, Set.of(), Set.of());
    }
}
