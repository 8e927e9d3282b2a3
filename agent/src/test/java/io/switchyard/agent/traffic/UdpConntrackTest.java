package io.switchyard.agent.traffic;

import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.conntrack.ConntrackReconciler;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.netlink.conntrack.CtnetlinkConntrack;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.switchyard.agent.convert.KubeObjects.endpoint;
import static io.switchyard.agent.convert.KubeObjects.service;
import static io.switchyard.agent.convert.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP conntrack cleanup with real flows: a client keeps one UDP flow to a ClusterIP going (as a
 * resolver does with DNS) while the service's only endpoint is replaced. The kernel keeps the
 * flow's conntrack entry — DNATed to the old endpoint — for as long as datagrams keep coming, so
 * without cleanup the client would never reach the new endpoint. Switchyard's proxier, with its
 * conntrack reconciler, must move the flow within one sync; the lab itself never touches
 * conntrack.
 */
class UdpConntrackTest {

    private static final String CLUSTER_IP = "10.96.53.53";
    private static final int PORT = 53;
    private static final int TARGET_PORT = 5353;
    private static final String OLD = "dns-old";
    private static final String NEW = "dns-new";

    private static TrafficLab lab;

    @BeforeAll
    static void startLab() {
        KernelTestSupport.requireRootWithIptables();
        lab = new TrafficLab(new TrafficLab.Topology("192.168.77.1", 24, "192.168.77.2",
                List.of(new TrafficLab.Backend(OLD, "10.244.1.53"), new TrafficLab.Backend(NEW, "10.244.2.53"))));
        lab.startServersOnAllBackends("udp", TARGET_PORT);
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    private static V1Service dns() {
        V1Service service = service("kube-system", "dns", CLUSTER_IP, new V1ServicePort().name("dns").port(PORT).protocol("UDP"));
        return service;
    }

    private static V1EndpointSlice endpoints(String backendIp) {
        return slice("kube-system", "dns-1", "dns", "IPv4",
                List.of(new DiscoveryV1EndpointPort().name("dns").port(TARGET_PORT).protocol("UDP")),
                endpoint(backendIp, "node-b"));
    }

    private static V1Node node() {
        return new V1Node().metadata(new V1ObjectMeta().name("node-a"))
                .status(new V1NodeStatus().addresses(List.of(new V1NodeAddress().type("InternalIP").address("192.168.77.1"))));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aUdpFlowMovesToTheNewEndpointWithinOneSync() throws Exception {
        String nodeNs = lab.namespace(TrafficLab.NODE).name();
        HostProcessRunner inNode = HostProcessRunner.inNetworkNamespace(nodeNs);
        ProxySettings settings = ProxySettings.defaults("node-a", List.of(Cidr.parse("10.244.0.0/16")));
        try (CtnetlinkConntrack conntrack = CtnetlinkConntrack.open(Path.of("/var/run/netns", nodeNs));
             Proxier proxier = new Proxier(new IptablesDataplane(IpFamily.IPV4, settings,
                     new Iptables(IpFamily.IPV4, inNode), new NfacctCounters(inNode)), "node-a",
                     settings.syncPeriod(), settings.minSyncPeriod(), List.of(new ConntrackReconciler(conntrack)),
                     InstantSource.system())) {
            proxier.onNodeAdd(node());
            proxier.onServiceAdd(dns());
            V1EndpointSlice before = endpoints("10.244.1.53");
            proxier.onEndpointSliceAdd(before);
            proxier.onServicesSynced();
            proxier.onEndpointSlicesSynced();
            assertThat(proxier.syncProxyRules()).isTrue();

            Process client = lab.startProgram(TrafficLab.CLIENT, StickyUdpClient.class, CLUSTER_IP,
                    Integer.toString(PORT), "80", "100");
            List<String[]> answers = new CopyOnWriteArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> read(client, answers));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answers.stream().filter(a -> a[1].equals(OLD)).count() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(answers).as("the flow first reaches the old endpoint: %s", show(answers))
                    .anyMatch(a -> a[1].equals(OLD));

            proxier.onEndpointSliceUpdate(before, endpoints("10.244.2.53"));
            assertThat(proxier.syncProxyRules()).isTrue();
            long synced = System.nanoTime() / 1_000_000;

            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("the client ends").isTrue();
            reader.join(5_000);
            List<String[]> after = answers.stream().filter(a -> Long.parseLong(a[0]) > synced + 150).toList();
            assertThat(after).as("datagrams sent after the sync: %s", show(answers)).hasSizeGreaterThan(10);
            assertThat(after).as("every datagram after the sync reaches the new endpoint: %s", show(answers))
                    .allMatch(a -> a[1].equals(NEW));
        }
    }

    private static void read(Process client, List<String[]> answers) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("READY")) {
                    answers.add(line.split(" ", 2));
                }
            }
        } catch (IOException e) {
            // the client ended
        }
    }

    private static String show(List<String[]> answers) {
        List<String> out = new ArrayList<>();
        answers.forEach(a -> out.add(a[1]));
        return String.join(",", out);
    }
}
