package io.switchyard.agent.fault;

import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.bench.SimulatedApiServer;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.source.ClusterObjects;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.switchyard.agent.bench.SimulatedApiServer.ENDPOINT_SLICES;
import static io.switchyard.agent.bench.SimulatedApiServer.NODES;
import static io.switchyard.agent.bench.SimulatedApiServer.SERVICES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node for the process-level fault tests: a network namespace (its own, or a traffic lab's
 * node), a simulated API server listening inside it and holding a cluster, and the agent
 * processes started there one after another.
 */
final class AgentFixture implements AutoCloseable {

    private static final Duration FIRST_SYNC_DEADLINE = Duration.ofSeconds(90);

    final NetworkNamespace ns;
    final SimulatedApiServer server;
    private final boolean ownsNamespace;
    private final int services;
    private final List<AgentProcess> agents = new ArrayList<>();

    private AgentFixture(NetworkNamespace ns, boolean ownsNamespace, ClusterObjects cluster) throws IOException {
        this.ns = ns;
        this.ownsNamespace = ownsNamespace;
        NamespaceAccess.loopbackUp(ns);
        this.server = NamespaceAccess.apiServer(ns);
        this.services = cluster.services().size();
        cluster.nodes().forEach(server::upsert);
        cluster.services().forEach(server::upsert);
        cluster.endpointSlices().forEach(server::upsert);
    }

    /** A fixture in a namespace of its own. */
    static AgentFixture create(ClusterObjects cluster) throws IOException {
        NetworkNamespace ns = new NetworkNamespace();
        try {
            return new AgentFixture(ns, true, cluster);
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** A fixture in someone else's namespace (a traffic lab's node), which it leaves in place. */
    static AgentFixture in(NetworkNamespace ns, ClusterObjects cluster) throws IOException {
        return new AgentFixture(ns, false, cluster);
    }

    /**
     * Starts an agent and waits until its first IPv4 sync has programmed every Service, its
     * watches are open and /healthz answers 200.
     */
    AgentProcess startAgent(String... extra) throws InterruptedException {
        List<Integer> watchesBefore = List.of(server.watches(SERVICES), server.watches(ENDPOINT_SLICES), server.watches(NODES));
        AgentProcess agent = AgentProcess.start(ns, server.url(), ClusterGenerator.CLUSTER_CIDR, extra);
        agents.add(agent);
        assertThat(agent.await(l -> AgentProcess.IPV4_SYNC.test(l) && l.contains("numServices=" + services), 1,
                FIRST_SYNC_DEADLINE)).as("first sync of the whole cluster; log:%s", agent.tail(20)).isNotNull();
        assertThat(await(() -> server.watches(SERVICES) > watchesBefore.get(0)
                && server.watches(ENDPOINT_SLICES) > watchesBefore.get(1)
                && server.watches(NODES) > watchesBefore.get(2), Duration.ofSeconds(20)))
                .as("the agent watches every resource").isTrue();
        assertThat(await(() -> healthz() == 200, Duration.ofSeconds(10))).as("/healthz answers 200").isTrue();
        return agent;
    }

    int healthz() {
        return NamespaceAccess.httpStatus(ns, 10256, "/healthz");
    }

    int metrics() {
        return NamespaceAccess.httpStatus(ns, 10249, "/metrics");
    }

    /** Polls every 100 ms; whether the condition came true in time. */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            for (AgentProcess agent : agents) {
                agent.close();
            }
        } finally {
            server.close();
            if (ownsNamespace) {
                ns.close();
            }
        }
    }

    /** Closes {@code node} (when there is one) and fails when the agent's log held a stack trace. */
    static void closeWithoutStackTraces(AgentFixture node, AgentProcess agent) throws Exception {
        if (node != null) {
            List<String> traces = agent == null ? List.of() : agent.stackTraces();
            node.close();
            assertThat(traces).as("stack traces in the agent's log").isEmpty();
        }
    }
}
