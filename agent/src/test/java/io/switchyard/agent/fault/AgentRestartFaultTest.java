package io.switchyard.agent.fault;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.traffic.ProbeClient;
import io.switchyard.agent.traffic.TrafficLab;
import io.switchyard.agent.traffic.TrafficLab.Backend;
import io.switchyard.agent.traffic.TrafficLab.Topology;
import io.switchyard.agent.traffic.TrafficResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.switchyard.agent.traffic.TrafficLab.CLIENT;
import static io.switchyard.agent.traffic.TrafficLab.NODE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real agent restarted under live traffic: in a {@link TrafficLab}, the agent process runs in
 * the node's namespace (with {@value #GENERATED} generated Services besides the probe, so each
 * start's full sync is staged over many transactions), and a client keeps opening new TCP
 * connections to the probe Service's cluster IP ({@link ProbeClient}). The agent is SIGKILLed
 * and started again, then stopped with SIGTERM and started again. Not one connection may fail —
 * while no agent runs the rules the last one left keep serving, and a starting agent rewrites
 * every chain in place — and the rules at the end are exactly those before the first restart.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgentRestartFaultTest {

    private static final int GENERATED = 1000;
    private static final String CLIENT_IP = "10.0.0.2";
    private static final Map<String, String> PODS = Map.of("web-1", "10.200.0.11", "web-2", "10.200.0.12");
    private static final String PROBE_IP = "10.100.0.10";
    private static final int TARGET_PORT = 8080;
    /** Traffic with no agent running, and after each new agent's first sync. */
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final int MIN_CONNECTIONS_PER_RESTART = 50;

    /** One connection of the probe client (times from System.nanoTime, shared by every process). */
    record Connection(long start, long end, boolean ok, String outcome) {
    }

    @Test
    void restartingTheAgentBySigkillOrSigtermFailsNoConnection() throws Exception {
        KernelTestSupport.requireRootWithIptables();
        List<Backend> backends = PODS.entrySet().stream().map(e -> new Backend(e.getKey(), e.getValue())).sorted(
                Comparator.comparing(Backend::name)).toList();
        try (TrafficLab lab = new TrafficLab(new Topology(ClusterGenerator.NODE_IP, 24, CLIENT_IP, backends))) {
            for (String pod : PODS.keySet()) {
                // As in SyncSafetyTest: no TIME_WAIT on the pods, so reused source ports meet none.
                lab.namespace(pod).exec(null, "sysctl", "-q", "-w", "net.ipv4.tcp_max_tw_buckets=0")
                        .requireSuccess("sysctl in " + pod);
            }
            lab.startServersOnAllBackends("tcp", TARGET_PORT);
            ClusterObjects generated = new ClusterGenerator(GENERATED, 3, 17).generate();
            List<V1Service> services = new ArrayList<>(generated.services());
            services.add(probeService());
            List<V1EndpointSlice> slices = new ArrayList<>(generated.endpointSlices());
            slices.add(probeSlice());
            ClusterObjects cluster = new ClusterObjects(services, slices, generated.nodes());

            try (AgentFixture node = AgentFixture.in(lab.namespace(NODE), cluster)) {
                AgentProcess first = node.startAgent();
                String rules = NamespaceAccess.rules(node.ns);
                TrafficResult check = lab.tcpRequests(CLIENT, PROBE_IP, 80, 20);
                assertThat(check.failures()).as("the probe Service answers: %s", check).isZero();

                ConcurrentLinkedQueue<Connection> connections = new ConcurrentLinkedQueue<>();
                CountDownLatch ended = new CountDownLatch(1);
                Process client = startClient(lab);
                try {
                    follow(client, connections, ended);
                    assertThat(AgentFixture.await(() -> connections.stream().filter(Connection::ok).count() >= 50,
                            Duration.ofSeconds(30))).as("the client gets answers").isTrue();

                    long killedAt = System.nanoTime();
                    first.kill();
                    assertThat(first.awaitExit(Duration.ofSeconds(10))).as("SIGKILLed").isPresent();
                    Thread.sleep(SETTLE.toMillis());
                    AgentProcess second = node.startAgent();
                    long secondSynced = System.nanoTime();
                    Thread.sleep(SETTLE.toMillis());

                    long terminatedAt = System.nanoTime();
                    second.terminate();
                    OptionalInt exit = second.awaitExit(Duration.ofSeconds(10));
                    assertThat(exit).as("stopped by SIGTERM").isPresent();
                    assertThat(exit.getAsInt()).isZero();
                    Thread.sleep(SETTLE.toMillis());
                    node.startAgent();
                    long thirdSynced = System.nanoTime();
                    Thread.sleep(SETTLE.toMillis());

                    client.getOutputStream().close();
                    assertThat(ended.await(20, TimeUnit.SECONDS)).as("the client stopped").isTrue();

                    List<Connection> all = List.copyOf(connections);
                    List<Connection> failed = all.stream().filter(c -> !c.ok()).toList();
                    long duringKill = between(all, killedAt, secondSynced);
                    long duringTerm = between(all, terminatedAt, thirdSynced);
                    assertThat(failed).as("failed connections of %d: %s", all.size(), failed.stream().limit(10)
                            .map(Connection::outcome).collect(Collectors.joining("; "))).isEmpty();
                    assertThat(duringKill).as("connections from the SIGKILL to the new agent's first sync")
                            .isGreaterThanOrEqualTo(MIN_CONNECTIONS_PER_RESTART);
                    assertThat(duringTerm).as("connections from the SIGTERM to the new agent's first sync")
                            .isGreaterThanOrEqualTo(MIN_CONNECTIONS_PER_RESTART);
                    assertThat(NamespaceAccess.rules(node.ns)).as("the rules after two restarts").isEqualTo(rules);

                    FaultFigures.record("agent-restart", "connections_tried", all.size());
                    FaultFigures.record("agent-restart", "connections_failed", failed.size());
                    FaultFigures.record("agent-restart", "sigkill_to_new_agent_synced_ms", (secondSynced - killedAt) / 1_000_000);
                    FaultFigures.record("agent-restart", "connections_sigkill_to_first_sync", duringKill);
                    FaultFigures.record("agent-restart", "sigterm_to_new_agent_synced_ms", (thirdSynced - terminatedAt) / 1_000_000);
                    FaultFigures.record("agent-restart", "connections_sigterm_to_first_sync", duringTerm);
                } finally {
                    client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * {@link ProbeClient} in the client namespace; it runs until its standard input closes (which
     * {@link TrafficLab#startProgram} does at once, hence this launcher).
     */
    private static Process startClient(TrafficLab lab) throws IOException {
        String javaBinary = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classes;
        try {
            classes = Path.of(ProbeClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new ProcessBuilder("ip", "netns", "exec", lab.namespace(CLIENT).name(), javaBinary, "-XX:+UseSerialGC",
                "-Xmx48m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true", "-cp", classes,
                ProbeClient.class.getName(), PROBE_IP, "80", "1000", "200")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static long between(List<Connection> all, long from, long to) {
        return all.stream().filter(c -> c.start() >= from && c.end() <= to).count();
    }

    /** Reads the client's lines (see {@link ProbeClient}) into connections. */
    private static void follow(Process client, ConcurrentLinkedQueue<Connection> connections, CountDownLatch ended) {
        Thread.ofPlatform().name("probe-client-reader").daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] words = line.split(" ", 5);
                    if (words[0].equals("C")) {
                        connections.add(new Connection(Long.parseLong(words[1]), Long.parseLong(words[2]),
                                words[3].equals("OK"), line));
                    } else if (words[0].equals("END")) {
                        ended.countDown();
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("probe client reader: " + e);
            } finally {
                ended.countDown();
            }
        });
    }

    private static V1Service probeService() {
        return new V1Service().apiVersion("v1").kind("Service")
                .metadata(new V1ObjectMeta().namespace("probe").name("web"))
                .spec(new V1ServiceSpec().type("ClusterIP").clusterIP(PROBE_IP).clusterIPs(List.of(PROBE_IP))
                        .ipFamilies(List.of("IPv4")).ipFamilyPolicy("SingleStack")
                        .ports(List.of(new V1ServicePort().name("http").port(80).protocol("TCP")
                                .targetPort(new IntOrString(TARGET_PORT)))));
    }

    private static V1EndpointSlice probeSlice() {
        return new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice")
                .metadata(new V1ObjectMeta().namespace("probe").name("web-x7k2p")
                        .labels(Map.of("kubernetes.io/service-name", "web")))
                .addressType("IPv4")
                .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(TARGET_PORT).protocol("TCP")))
                .endpoints(PODS.values().stream().sorted().map(ip -> new V1Endpoint().addresses(List.of(ip))
                        .conditions(new V1EndpointConditions().ready(true).serving(true).terminating(false))
                        .nodeName("node-b")).toList());
    }
}
