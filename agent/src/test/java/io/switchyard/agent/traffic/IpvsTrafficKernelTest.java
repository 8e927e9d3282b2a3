package io.switchyard.agent.traffic;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.ipvs.IpvsDataplane;
import io.switchyard.agent.ipvs.IpvsMode;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.ipvs.KernelTestTag;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real packets through the ipvs dataplane (in the VM, whose kernel has IPVS): a client namespace,
 * the node namespace the dataplane programs, and three backend pods serving TCP and UDP. Cluster
 * IPs and node ports reach every backend in turn, ClientIP affinity pins a client, a removed
 * endpoint keeps serving the connection it has (weight 0) and goes once that connection is gone,
 * and a removed UDP endpoint goes at once.
 */
@Tag(KernelTestTag.IPVS_KERNEL)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IpvsTrafficKernelTest {

    private static final String NODE_IP = "192.168.50.1";
    private static final String WEB_VIP = "10.96.0.10";
    private static final String STICKY_VIP = "10.96.0.11";
    private static final String DNS_VIP = "10.96.0.53";
    private static final ServicePortName WEB = new ServicePortName("demo", "web", "http", Protocol.TCP);
    private static final ServicePortName STICKY = new ServicePortName("demo", "sticky", "http", Protocol.TCP);
    private static final ServicePortName DNS = new ServicePortName("demo", "dns", "dns", Protocol.UDP);
    private static final Map<String, String> PODS = Map.of("b1", "10.244.1.5", "b2", "10.244.2.5", "b3", "10.244.3.5");
    private static final LocalNode NODE = new LocalNode("node-a", Map.of(), List.of(NODE_IP), List.of());

    private TrafficLab lab;
    private final InProcessTraffic traffic = new InProcessTraffic();
    private IpvsDataplane dataplane;
    private String client;
    private String node;

    @BeforeAll
    void startLab() {
        lab = new TrafficLab(new TrafficLab.Topology(NODE_IP, 24, "192.168.50.2",
                PODS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> new TrafficLab.Backend(e.getKey(), e.getValue())).toList()));
        client = lab.namespace(TrafficLab.CLIENT).name();
        node = lab.namespace(TrafficLab.NODE).name();
        for (String backend : PODS.keySet()) {
            traffic.tcpServer(lab.namespace(backend).name(), backend, 8080);
            traffic.udpServer(lab.namespace(backend).name(), backend, 5353);
        }
        ProxySettings settings = ProxySettings.defaults("node-a", List.of(Cidr.parse("10.244.0.0/16")));
        dataplane = IpvsMode.start(settings, List.of(IpFamily.IPV4), IpvsMode.Kernel.inNamespace(node), Duration.ZERO)
                .getFirst();
    }

    @AfterAll
    void stopLab() {
        traffic.close();
        if (dataplane != null) {
            dataplane.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void everyBackendServes() {
        sync(true, Map.of(WEB, List.of("b1", "b2", "b3"), STICKY, List.of("b1", "b2", "b3"), DNS, List.of("b1", "b2")));
    }

    /** The backends of each service port as the last sync had them. */
    private final Map<ServicePortName, List<String>> current = new TreeMap<>();

    /** Syncs with some service ports' backends changed (all of them for a full sync). */
    private void sync(boolean full, Map<ServicePortName, List<String>> changed) {
        if (full) {
            current.clear();
        }
        current.putAll(changed);
        Map<ServicePortName, ServicePort> services = new TreeMap<>();
        services.put(WEB, port(WEB, WEB_VIP, 80, 30080, SessionAffinity.NONE));
        services.put(STICKY, port(STICKY, STICKY_VIP, 80, 0, new SessionAffinity.ClientIp(600)));
        services.put(DNS, port(DNS, DNS_VIP, 53, 0, SessionAffinity.NONE));
        Map<ServicePortName, List<Endpoint>> endpoints = new TreeMap<>();
        current.forEach((name, pods) -> {
            List<Endpoint> list = new ArrayList<>();
            for (String pod : pods) {
                list.add(new Endpoint(PODS.get(pod), name.protocol() == Protocol.UDP ? 5353 : 8080, "node-b", "",
                        true, true, false, Set.of(), Set.of()));
            }
            list.sort(Comparator.comparing(Endpoint::hostPort));
            endpoints.put(name, list);
        });
        ClusterState state = ClusterState.of(services, endpoints);
        SyncOutcome outcome = dataplane.sync(full ? new SyncRequest.Full(state, NODE)
                : new SyncRequest.Partial(state, NODE, changed.keySet()));
        assertThat(outcome).isInstanceOf(SyncOutcome.Applied.class);
    }

    private static ServicePort port(ServicePortName name, String vip, int port, int nodePort, SessionAffinity affinity) {
        return new ServicePort(name, vip, port, nodePort, List.of(), List.of(), List.of(), 0, affinity, false, false);
    }

    private List<String> realServers(String vip, int port) {
        String save = lab.namespace(TrafficLab.NODE).exec(null, "ipvsadm", "-Sn").requireSuccess("ipvsadm -Sn").stdout();
        String prefix = " " + vip + ":" + port + " -r ";
        return save.lines().filter(l -> l.startsWith("-a") && l.contains(prefix))
                .map(l -> l.substring(l.indexOf(" -r ") + 4).replace(" -m", "")).sorted().toList();
    }

    @Test
    void clusterIpsAndNodePortsReachEveryBackendInTurnOverTcpAndUdp() {
        assertThat(traffic.tcp(client, WEB_VIP, 80, 30)).isEqualTo(Map.of("b1", 10, "b2", 10, "b3", 10));
        assertThat(traffic.tcp(client, NODE_IP, 30080, 30)).isEqualTo(Map.of("b1", 10, "b2", 10, "b3", 10));
        assertThat(traffic.udp(client, DNS_VIP, 53, 20)).isEqualTo(Map.of("b1", 10, "b2", 10));
    }

    @Test
    void clientIpAffinityPinsTheClientToOneBackend() {
        Map<String, Integer> answers = traffic.tcp(client, STICKY_VIP, 80, 20);

        assertThat(answers).hasSize(1).doesNotContainKey("failed");
        assertThat(answers.values()).containsExactly(20);
    }

    @Test
    void aRemovedEndpointKeepsItsConnectionThenGoesOnceTheConnectionIsGone() throws IOException, InterruptedException {
        InProcessTraffic.Connection held = traffic.connect(client, WEB_VIP, 80);
        String serving = held.ask();
        List<String> others = new ArrayList<>(List.of("b1", "b2", "b3"));
        others.remove(serving);

        sync(false, Map.of(WEB, others));

        assertThat(realServers(WEB_VIP, 80)).contains(PODS.get(serving) + ":8080 -w 0").hasSize(3);
        assertThat(held.ask()).as("the open connection still reaches its backend").isEqualTo(serving);
        Map<String, Integer> fresh = traffic.tcp(client, WEB_VIP, 80, 10);
        assertThat(fresh).doesNotContainKeys(serving, "failed");
        assertThat(dataplane.sweep()).isZero();
        assertThat(realServers(WEB_VIP, 80)).hasSize(3);

        held.abort();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (realServers(WEB_VIP, 80).size() == 3 && System.nanoTime() < deadline) {
            dataplane.sweep();
            Thread.sleep(1000);
        }
        assertThat(realServers(WEB_VIP, 80)).as("the drained real server is deleted")
                .containsExactlyElementsOf(others.stream().map(b -> PODS.get(b) + ":8080 -w 1").sorted().toList());
        assertThat(dataplane.draining().isEmpty()).isTrue();
    }

    @Test
    void aRemovedUdpEndpointGoesAtOnce() {
        assertThat(traffic.udp(client, DNS_VIP, 53, 4)).isEqualTo(Map.of("b1", 2, "b2", 2));

        sync(false, Map.of(DNS, List.of("b1")));

        assertThat(realServers(DNS_VIP, 53)).containsExactly(PODS.get("b1") + ":5353 -w 1");
        assertThat(traffic.udp(client, DNS_VIP, 53, 4)).isEqualTo(Map.of("b1", 4));
    }
}
