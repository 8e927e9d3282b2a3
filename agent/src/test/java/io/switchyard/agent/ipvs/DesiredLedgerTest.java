package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.desired.IpvsConfig;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.ipvs.desired.IpvsRenderer;
import io.switchyard.ipvs.ipset.IpsetEntry;
import io.switchyard.ipvs.ipset.KubeIpset;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger against the full render, over random histories of a cluster: after every partial
 * update, what the ledger holds is what rendering everything gives, and its delta is exactly the
 * difference from before (the servers that differ, the members and addresses that came and went,
 * new rules when and only when they changed). Services share addresses, clash over virtual
 * servers, gain and lose local endpoints, source ranges and node ports along the way.
 */
class DesiredLedgerTest {

    private static final LocalNode NODE = new LocalNode("node-a", Map.of(LocalNode.ZONE_LABEL, "zone-a"),
            List.of("10.0.2.15"), List.of());
    private static final HostAddresses HOST = new HostAddresses(IpFamily.IPV4, new TreeSet<>(Set.of("10.0.2.15")),
            new TreeSet<>(Set.of("10.0.2.15", "198.51.100.250")));
    private static final IpvsRenderer RENDERER = new IpvsRenderer(
            IpvsConfig.defaults(IpFamily.IPV4, new LocalTrafficDetector.ByCidr("10.244.0.0/16")));

    private final Map<ServicePortName, ServicePort> services = new TreeMap<>();
    private final Map<ServicePortName, List<Endpoint>> endpoints = new TreeMap<>();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void everyPartialUpdateEndsWhereAFullRenderIsAndSaysWhatChanged(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 12; i++) {
            change(random, random.nextInt(16));
        }
        DesiredLedger ledger = new DesiredLedger(RENDERER, IpFamily.IPV4);
        IpvsDesiredState before = ledger.rebuild(state(), NODE, HOST);
        assertSame(ledger, before);

        for (int step = 0; step < 60; step++) {
            Set<ServicePortName> changed = new HashSet<>();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                changed.add(change(random, random.nextInt(16)));
            }
            DesiredLedger.Delta delta = ledger.update(changed, state(), NODE, HOST);
            IpvsDesiredState after = RENDERER.render(state(), NODE, HOST);

            assertSame(ledger, after);
            assertDelta(delta, before, after);
            before = after;
        }
    }

    private static void assertSame(DesiredLedger ledger, IpvsDesiredState full) {
        assertThat(ledger.servers()).isEqualTo(full.servers());
        assertThat(ledger.bound()).isEqualTo(full.boundAddresses());
        assertThat(ledger.ipsets()).isEqualTo(full.ipsets());
        assertThat(ledger.rules()).isEqualTo(full.rules());
        assertThat(ledger.noLocalInternal()).isEqualTo(full.noLocalEndpointsInternal().size());
        assertThat(ledger.noLocalExternal()).isEqualTo(full.noLocalEndpointsExternal().size());
        assertThat(ledger.virtualServers()).isEqualTo(full.servers().size());
        assertThat(ledger.realServers()).isEqualTo(full.servers().values().stream()
                .mapToInt(s -> s.destinations().size()).sum());
    }

    private static void assertDelta(DesiredLedger.Delta delta, IpvsDesiredState before, IpvsDesiredState after) {
        Set<VirtualServer.Key> differing = new TreeSet<>();
        Set<VirtualServer.Key> all = new HashSet<>(before.servers().keySet());
        all.addAll(after.servers().keySet());
        for (VirtualServer.Key key : all) {
            DesiredServer was = before.servers().get(key);
            DesiredServer is = after.servers().get(key);
            if (was == null ? is != null : !was.equals(is)) {
                differing.add(key);
            }
        }
        assertThat(delta.servers()).containsAll(differing);
        for (VirtualServer.Key key : delta.servers()) {
            assertThat(delta.before().get(key)).isEqualTo(before.servers().get(key));
            assertThat(delta.after().get(key)).isEqualTo(after.servers().get(key));
        }
        for (KubeIpset set : KubeIpset.values()) {
            Set<IpsetEntry> was = new TreeSet<>(before.ipsets().get(set).entries());
            Set<IpsetEntry> is = after.ipsets().get(set).entries();
            Set<IpsetEntry> gone = new TreeSet<>(was);
            gone.removeAll(is);
            Set<IpsetEntry> come = new TreeSet<>(is);
            come.removeAll(was);
            assertThat(new TreeSet<>(delta.removed().getOrDefault(set, List.of()))).as("%s removed", set).isEqualTo(gone);
            assertThat(new TreeSet<>(delta.added().getOrDefault(set, List.of()))).as("%s added", set).isEqualTo(come);
            assertThat(delta.removed().getOrDefault(set, List.of())).doesNotHaveDuplicates();
        }
        Set<String> unbind = new TreeSet<>(before.boundAddresses());
        unbind.removeAll(after.boundAddresses());
        Set<String> bind = new TreeSet<>(after.boundAddresses());
        bind.removeAll(before.boundAddresses());
        assertThat(delta.bind()).isEqualTo(bind);
        assertThat(delta.unbind()).isEqualTo(unbind);
        if (before.rules().equals(after.rules())) {
            assertThat(delta.rules()).isNull();
        } else {
            assertThat(delta.rules()).isEqualTo(after.rules());
        }
    }

    /** Changes service {@code i} at random (or creates or deletes it); returns its port name. */
    private ServicePortName change(SplittableRandom random, int i) {
        Protocol protocol = i % 5 == 4 ? Protocol.UDP : Protocol.TCP;
        ServicePortName name = new ServicePortName("ns", "svc-" + i, "p", protocol);
        if (random.nextInt(6) == 0) {
            services.remove(name);
            endpoints.remove(name);
            return name;
        }
        // Few addresses, so services share them (bound addresses, set members) and clash.
        String clusterIp = "10.96.0." + (1 + random.nextInt(12));
        int port = random.nextBoolean() ? 80 : 443;
        int nodePort = random.nextInt(3) == 0 ? 30000 + random.nextInt(4) : 0;
        List<String> external = random.nextInt(4) == 0 ? List.of("198.51.100." + (random.nextInt(3) + 248)) : List.of();
        List<String> vips = random.nextInt(4) == 0 ? List.of("192.0.2." + random.nextInt(4)) : List.of();
        List<Cidr> ranges = !vips.isEmpty() && random.nextBoolean()
                ? List.of(Cidr.parse(random.nextBoolean() ? "10.0.2.0/24" : "203.0.113.0/24")) : List.of();
        boolean local = random.nextInt(3) == 0;
        SessionAffinity affinity = random.nextInt(4) == 0 ? new SessionAffinity.ClientIp(600) : SessionAffinity.NONE;
        services.put(name, new ServicePort(name, clusterIp, port, nodePort, external, vips, ranges,
                local && !vips.isEmpty() ? 32000 + i : 0, affinity, local, random.nextInt(5) == 0));
        List<Endpoint> list = new ArrayList<>();
        for (int e = random.nextInt(4); e > 0; e--) {
            String node = random.nextBoolean() ? "node-a" : "node-b";
            String ip = "10.244." + (node.equals("node-a") ? 1 : 2) + "." + random.nextInt(8);
            if (list.stream().noneMatch(x -> x.ip().equals(ip))) {
                list.add(new Endpoint(ip, 8080, node, "zone-a", true, true, false, Set.of(), Set.of()));
            }
        }
        list.sort(Comparator.comparing(Endpoint::hostPort));
        endpoints.put(name, list);
        return name;
    }

    private ClusterState state() {
        return ClusterState.of(services, endpoints);
    }
}
