package io.switchyard.agent.ipvs;

import io.switchyard.agent.config.IpvsSettings;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.InMemoryIpvs;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.IpvsInfo;
import io.switchyard.ipvs.IpvsTimeouts;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.netlink.rtnl.InMemoryNetworkInterfaces;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ipvs dataplane's logic against IPVS and links in memory and ipset/iptables faked as
 * programs: what a first sync installs, what a partial sync reads and changes, graceful
 * termination across syncs and sweeps, exclude CIDRs, failures and drift.
 */
class IpvsDataplaneTest {

    private static final String NODE_NAME = "node-a";
    private static final LocalNode NODE = new LocalNode(NODE_NAME, Map.of(), List.of("10.0.2.15"), List.of());
    private static final ServicePortName WEB = new ServicePortName("demo", "web", "http", Protocol.TCP);
    private static final ServicePortName DNS = new ServicePortName("demo", "dns", "dns", Protocol.UDP);
    private static final ServicePortName API = new ServicePortName("demo", "api", "https", Protocol.TCP);
    private static final VirtualServer.Key WEB_VIP = new VirtualServer.Key(IpFamily.IPV4, Protocol.TCP, "10.96.0.10", 80);
    private static final VirtualServer.Key WEB_NODE_PORT =
            new VirtualServer.Key(IpFamily.IPV4, Protocol.TCP, "10.0.2.15", 30080);
    private static final VirtualServer.Key DNS_VIP = new VirtualServer.Key(IpFamily.IPV4, Protocol.UDP, "10.96.0.53", 53);
    private static final VirtualServer.Key API_VIP = new VirtualServer.Key(IpFamily.IPV4, Protocol.TCP, "10.96.0.20", 443);

    private final CountingIpvs ipvs = new CountingIpvs();
    private final InMemoryNetworkInterfaces links = new InMemoryNetworkInterfaces();
    private final FakeTools tools = new FakeTools();
    private IpvsDataplane dataplane;

    @BeforeEach
    void setUp() {
        links.createVethPair("eth0", "peer0");
        links.addAddress("eth0", new LinkAddress("10.0.2.15", 24, LinkAddress.SCOPE_UNIVERSE, 0));
        links.addAddress("lo", new LinkAddress("127.0.0.1", 8, LinkAddress.SCOPE_HOST, 0));
        dataplane = newDataplane(List.of());
    }

    @AfterEach
    void tearDown() {
        dataplane.close();
    }

    private IpvsDataplane newDataplane(List<Cidr> excludeCidrs) {
        ProxySettings defaults = ProxySettings.defaults(NODE_NAME, List.of(Cidr.parse("10.244.0.0/16")));
        ProxySettings settings = new ProxySettings(defaults.hostname(), defaults.mode(), defaults.clusterCidrs(),
                defaults.masqueradeAll(), defaults.masqueradeBit(), defaults.localhostNodePorts(),
                defaults.nodePortAddresses(), defaults.detectLocalMode(), defaults.bridgeInterface(),
                defaults.interfaceNamePrefix(), defaults.featureGates(), defaults.serviceProxyName(),
                defaults.syncPeriod(), defaults.minSyncPeriod(), defaults.kubeconfig(), defaults.master(),
                defaults.healthzBindAddress(), defaults.metricsBindAddress(), defaults.bindAddressHardFail(),
                new IpvsSettings("rr", excludeCidrs, false, Duration.ZERO, Duration.ZERO, Duration.ZERO),
                defaults.conntrack(), defaults.oomScoreAdj(), defaults.configSyncPeriod(), defaults.logging());
        return new IpvsDataplane(IpFamily.IPV4, settings, ipvs, links, new IpsetCommands(tools),
                new Iptables(IpFamily.IPV4, tools), Duration.ZERO);
    }

    // ---- the cluster ---------------------------------------------------------------------------

    private final Map<ServicePortName, ServicePort> services = new TreeMap<>();
    private final Map<ServicePortName, List<Endpoint>> endpoints = new TreeMap<>();

    private void service(ServicePortName name, String clusterIp, int port, int nodePort, SessionAffinity affinity,
                         String... endpointIps) {
        services.put(name, new ServicePort(name, clusterIp, port, nodePort, List.of(), List.of(), List.of(), 0,
                affinity, false, false));
        endpoints(name, endpointIps);
    }

    private void endpoints(ServicePortName name, String... ips) {
        List<Endpoint> list = new ArrayList<>();
        for (String ip : ips) {
            list.add(new Endpoint(ip, 8080, "node-b", "", true, true, false, Set.of(), Set.of()));
        }
        list.sort(Comparator.comparing(Endpoint::hostPort));
        endpoints.put(name, list);
    }

    private ClusterState state() {
        return ClusterState.of(services, endpoints);
    }

    private SyncOutcome.Applied full() {
        return applied(dataplane.sync(new SyncRequest.Full(state(), NODE)));
    }

    private SyncOutcome.Applied partial(ServicePortName... changed) {
        return applied(dataplane.sync(new SyncRequest.Partial(state(), NODE, Set.of(changed))));
    }

    private static SyncOutcome.Applied applied(SyncOutcome outcome) {
        assertThat(outcome).isInstanceOf(SyncOutcome.Applied.class);
        return (SyncOutcome.Applied) outcome;
    }

    private void threeServices() {
        service(WEB, "10.96.0.10", 80, 30080, SessionAffinity.NONE, "10.244.1.5", "10.244.2.5");
        service(DNS, "10.96.0.53", 53, 0, SessionAffinity.NONE, "10.244.1.53", "10.244.2.53");
        service(API, "10.96.0.20", 443, 0, new SessionAffinity.ClientIp(10800), "10.244.3.7");
    }

    private List<String> weights(VirtualServer.Key key) {
        return ipvs.destinations(key).stream().map(d -> d.key() + " w" + d.weight()).sorted().toList();
    }

    private List<String> bound() {
        return links.addresses("kube-ipvs0").stream().map(LinkAddress::address).sorted().toList();
    }

    // ---- tests ---------------------------------------------------------------------------------

    @Test
    void firstSyncInstallsServersAddressesSetsAndRules() {
        threeServices();

        SyncOutcome.Applied outcome = full();

        assertThat(outcome.full()).isTrue();
        assertThat(ipvs.virtualServers()).extracting(VirtualServer::key)
                .containsExactlyInAnyOrder(WEB_VIP, WEB_NODE_PORT, DNS_VIP, API_VIP);
        VirtualServer api = ipvs.virtualServers().stream().filter(s -> s.key().equals(API_VIP)).findFirst().orElseThrow();
        assertThat(api.flags() & VirtualServer.PERSISTENT).isNotZero();
        assertThat(api.timeoutSeconds()).isEqualTo(10800);
        assertThat(api.scheduler()).isEqualTo("rr");
        assertThat(weights(WEB_VIP)).containsExactly("10.244.1.5:8080 w1", "10.244.2.5:8080 w1");
        assertThat(weights(WEB_NODE_PORT)).containsExactly("10.244.1.5:8080 w1", "10.244.2.5:8080 w1");

        assertThat(links.link("kube-ipvs0")).get().satisfies(l -> {
            assertThat(l.kind()).isEqualTo("dummy");
            assertThat(l.isUp()).isFalse();
        });
        assertThat(bound()).containsExactly("10.96.0.10", "10.96.0.20", "10.96.0.53");

        assertThat(tools.sets.get("KUBE-CLUSTER-IP"))
                .containsExactlyInAnyOrder("10.96.0.10,tcp:80", "10.96.0.53,udp:53", "10.96.0.20,tcp:443");
        assertThat(tools.sets.get("KUBE-NODE-PORT-TCP")).containsExactly("30080");
        assertThat(tools.rules("nat", "PREROUTING"))
                .containsExactly("-m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        assertThat(tools.rules("filter", "INPUT")).containsExactly(
                "-m comment --comment \"kubernetes ipvs access filter\" -j KUBE-IPVS-FILTER",
                "-m comment --comment \"kube-proxy firewall rules\" -j KUBE-PROXY-FIREWALL",
                "-m comment --comment \"kubernetes health check rules\" -j KUBE-NODE-PORT");
        assertThat(tools.rules("nat", "KUBE-SERVICES")).last()
                .isEqualTo("-m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT");

        assertThat(outcome.details()).containsEntry("virtualServers", 4).containsEntry("realServers", 7)
                .containsEntry("bound", 3).containsEntry("unbound", 0).containsKeys("render", "ipvs", "ipset", "iptables");
        assertThat(outcome.iptablesRules().get("nat")).isPositive();
    }

    @Test
    void aSecondFullSyncChangesNothing() {
        threeServices();
        full();
        int writes = ipvs.writes.get();
        long ipsetRestores = tools.runs("ipset");

        SyncOutcome.Applied again = full();

        assertThat(ipvs.writes.get()).isEqualTo(writes);
        assertThat(again.details()).containsEntry("ipvsChanges", 0).containsEntry("ipsetMembersChanged", 0);
        // ipset save is read; nothing restored.
        assertThat(tools.runs("ipset")).isEqualTo(ipsetRestores + 1);
    }

    @Test
    void aPartialSyncReadsAndChangesOnlyTheServiceThatChanged() {
        threeServices();
        full();
        ipvs.reads.set(0);
        ipvs.listings.set(0);
        long iptablesRuns = tools.runs("iptables-restore") + tools.runs("iptables-save");

        endpoints(WEB, "10.244.1.5", "10.244.2.5", "10.244.3.5");
        SyncOutcome.Applied outcome = partial(WEB);

        assertThat(outcome.full()).isFalse();
        // The two virtual servers of web: their real servers, nothing else, and no full listing.
        assertThat(ipvs.reads.get()).isEqualTo(2);
        assertThat(ipvs.listings.get()).isZero();
        assertThat(weights(WEB_VIP)).containsExactly("10.244.1.5:8080 w1", "10.244.2.5:8080 w1", "10.244.3.5:8080 w1");
        assertThat(weights(WEB_NODE_PORT)).hasSize(3);
        assertThat(outcome.details()).containsEntry("ipvsChanges", 2).containsEntry("ipsetMembersChanged", 0);
        // The ipset and iptables state did not change: no program ran for them.
        assertThat(tools.runs("iptables-restore") + tools.runs("iptables-save")).isEqualTo(iptablesRuns);
    }

    @Test
    void aRemovedTcpEndpointDrainsUntilItsConnectionsAreGoneAndTheSweepDeletesIt() {
        threeServices();
        full();
        ipvs.memory.setConnections(WEB_VIP, new Destination.Key("10.244.2.5", 8080), 1, 0);

        endpoints(WEB, "10.244.1.5");
        SyncOutcome.Applied outcome = partial(WEB);

        assertThat(weights(WEB_VIP)).containsExactly("10.244.1.5:8080 w1", "10.244.2.5:8080 w0");
        // Without connections, the node port's copy went at once.
        assertThat(weights(WEB_NODE_PORT)).containsExactly("10.244.1.5:8080 w1");
        assertThat(outcome.details()).containsEntry("draining", 1);
        assertThat(dataplane.sweep()).isZero();
        assertThat(weights(WEB_VIP)).hasSize(2);

        // Later syncs that do not touch web keep it draining.
        endpoints(API, "10.244.3.8");
        partial(API);
        assertThat(dataplane.draining().size()).isEqualTo(1);
        assertThat(weights(WEB_VIP)).contains("10.244.2.5:8080 w0");

        ipvs.memory.setConnections(WEB_VIP, new Destination.Key("10.244.2.5", 8080), 0, 1);
        assertThat(dataplane.sweep()).isZero();
        ipvs.memory.setConnections(WEB_VIP, new Destination.Key("10.244.2.5", 8080), 0, 0);
        assertThat(dataplane.sweep()).isEqualTo(1);
        assertThat(weights(WEB_VIP)).containsExactly("10.244.1.5:8080 w1");
        assertThat(dataplane.draining().isEmpty()).isTrue();
    }

    @Test
    void aRemovedUdpEndpointGoesAtOnceEvenWithConnections() {
        threeServices();
        full();
        ipvs.memory.setConnections(DNS_VIP, new Destination.Key("10.244.2.53", 8080), 0, 3);

        endpoints(DNS, "10.244.1.53");
        partial(DNS);

        assertThat(weights(DNS_VIP)).containsExactly("10.244.1.53:8080 w1");
        assertThat(dataplane.draining().isEmpty()).isTrue();
    }

    @Test
    void aDrainingEndpointThatComesBackGetsItsWeightBack() {
        threeServices();
        full();
        ipvs.memory.setConnections(WEB_VIP, new Destination.Key("10.244.2.5", 8080), 2, 0);
        endpoints(WEB, "10.244.1.5");
        partial(WEB);
        assertThat(weights(WEB_VIP)).contains("10.244.2.5:8080 w0");

        endpoints(WEB, "10.244.1.5", "10.244.2.5");
        partial(WEB);

        assertThat(weights(WEB_VIP)).containsExactly("10.244.1.5:8080 w1", "10.244.2.5:8080 w1");
        assertThat(dataplane.draining().isEmpty()).isTrue();
        assertThat(dataplane.sweep()).isZero();
        assertThat(weights(WEB_VIP)).hasSize(2);
    }

    @Test
    void aDeletedServiceLosesItsServersItsAddressAndItsSetMembers() {
        threeServices();
        full();

        services.remove(API);
        endpoints.remove(API);
        SyncOutcome.Applied outcome = partial(API);

        assertThat(ipvs.virtualServers()).extracting(VirtualServer::key).doesNotContain(API_VIP);
        assertThat(bound()).containsExactly("10.96.0.10", "10.96.0.53");
        assertThat(tools.sets.get("KUBE-CLUSTER-IP")).doesNotContain("10.96.0.20,tcp:443");
        assertThat(tools.sets.get("KUBE-IPVS-IPS")).doesNotContain("10.96.0.20");
        assertThat(outcome.details()).containsEntry("unbound", 1);
    }

    @Test
    void virtualServersInExcludedRangesAreLeftAloneAndOthersNobodyWantsGo() {
        dataplane.close();
        dataplane = newDataplane(List.of(Cidr.parse("192.0.2.0/24")));
        VirtualServer kept = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "192.0.2.9", 80, "wrr", 0);
        VirtualServer stale = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "198.51.100.9", 80, "rr", 0);
        VirtualServer otherFamily = VirtualServer.of(IpFamily.IPV6, Protocol.TCP, "2001:db8::9", 80, "rr", 0);
        ipvs.addVirtualServer(kept);
        ipvs.addVirtualServer(stale);
        ipvs.addVirtualServer(otherFamily);
        threeServices();

        full();

        assertThat(ipvs.virtualServers()).extracting(VirtualServer::key)
                .contains(kept.key(), otherFamily.key()).doesNotContain(stale.key());
    }

    @Test
    void aKernelFailureFailsTheSyncAndTheNextSyncIsFull() {
        threeServices();
        full();

        tools.failNext("ipset");
        endpoints(WEB, "10.244.1.5");
        SyncOutcome failed = dataplane.sync(new SyncRequest.Full(state(), NODE));
        assertThat(failed).isInstanceOfSatisfying(SyncOutcome.Failed.class, f -> {
            assertThat(f.stage()).isEqualTo(SyncOutcome.Stage.KERNEL);
            assertThat(f.message()).contains("ipset save failed");
        });

        SyncOutcome.Applied next = partial(WEB);
        assertThat(next.full()).isTrue();

        tools.failNext("iptables-restore");
        endpoints(WEB, "10.244.1.5", "10.244.2.5");
        assertThat(dataplane.sync(new SyncRequest.Full(state(), NODE)))
                .isInstanceOfSatisfying(SyncOutcome.Failed.class,
                        f -> assertThat(f.stage()).isEqualTo(SyncOutcome.Stage.IPTABLES_RESTORE));
        assertThat(partial(WEB).full()).isTrue();
        assertThat(weights(WEB_VIP)).hasSize(2);
    }

    @Test
    void anOperationTheKernelRefusesIsRetriedByTheNextSync() {
        threeServices();
        ipvs.refuseAdd = API_VIP;

        SyncOutcome.Applied first = full();
        assertThat(first.details()).containsEntry("errors", 1);
        assertThat(ipvs.virtualServers()).extracting(VirtualServer::key).doesNotContain(API_VIP);

        ipvs.refuseAdd = null;
        partial();
        assertThat(weights(API_VIP)).containsExactly("10.244.3.7:8080 w1");
    }

    @Test
    void driftIsFoundAndTheNextSyncRepairsIt() {
        threeServices();
        full();
        assertThat(dataplane.checkDrift().drifted()).isFalse();

        ipvs.deleteVirtualServer(WEB_VIP);
        links.deleteAddress("kube-ipvs0", LinkAddress.host("10.96.0.53"));
        tools.tables.get("filter").get("INPUT").clear();
        DriftCheck drift = dataplane.checkDrift();

        assertThat(drift.findings()).contains("1 IPVS virtual servers missing",
                "1 service addresses missing from kube-ipvs0", "filter jump INPUT -> KUBE-IPVS-FILTER missing");
        SyncOutcome.Applied repaired = partial();
        assertThat(repaired.full()).isTrue();
        assertThat(weights(WEB_VIP)).hasSize(2);
        assertThat(bound()).contains("10.96.0.53");
        assertThat(tools.rules("filter", "INPUT")).hasSize(3);
        assertThat(dataplane.checkDrift().drifted()).isFalse();
    }

    @Test
    void aNodePortFollowsTheHostsAddresses() {
        threeServices();
        full();

        links.addAddress("eth0", new LinkAddress("192.168.7.2", 24, LinkAddress.SCOPE_UNIVERSE, 0));
        partial();

        assertThat(ipvs.virtualServers()).extracting(VirtualServer::key)
                .contains(new VirtualServer.Key(IpFamily.IPV4, Protocol.TCP, "192.168.7.2", 30080));
    }

    /** IPVS in memory, counting what a sync reads and writes, and refusing one add when asked. */
    static final class CountingIpvs implements Ipvs {
        final InMemoryIpvs memory = new InMemoryIpvs();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger listings = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        volatile VirtualServer.Key refuseAdd;

        @Override
        public IpvsInfo info() {
            return memory.info();
        }

        @Override
        public List<VirtualServer> virtualServers() {
            listings.incrementAndGet();
            return memory.virtualServers();
        }

        @Override
        public void addVirtualServer(VirtualServer service) {
            if (service.key().equals(refuseAdd)) {
                throw new io.switchyard.netlink.NetlinkException("add IPVS virtual server " + service.key(),
                        io.switchyard.netlink.Errno.EINVAL, null);
            }
            writes.incrementAndGet();
            memory.addVirtualServer(service);
        }

        @Override
        public void updateVirtualServer(VirtualServer service) {
            writes.incrementAndGet();
            memory.updateVirtualServer(service);
        }

        @Override
        public void deleteVirtualServer(VirtualServer.Key service) {
            writes.incrementAndGet();
            memory.deleteVirtualServer(service);
        }

        @Override
        public List<Destination> destinations(VirtualServer.Key service) {
            reads.incrementAndGet();
            return memory.destinations(service);
        }

        @Override
        public void addDestination(VirtualServer.Key service, Destination destination) {
            writes.incrementAndGet();
            memory.addDestination(service, destination);
        }

        @Override
        public void updateDestination(VirtualServer.Key service, Destination destination) {
            writes.incrementAndGet();
            memory.updateDestination(service, destination);
        }

        @Override
        public void deleteDestination(VirtualServer.Key service, Destination.Key destination) {
            writes.incrementAndGet();
            memory.deleteDestination(service, destination);
        }

        @Override
        public void flush() {
            memory.flush();
        }

        @Override
        public IpvsTimeouts timeouts() {
            return memory.timeouts();
        }

        @Override
        public void setTimeouts(IpvsTimeouts timeouts) {
            memory.setTimeouts(timeouts);
        }

        @Override
        public void close() {
        }
    }
}
