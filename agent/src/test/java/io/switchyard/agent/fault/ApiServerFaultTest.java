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
import io.switchyard.agent.bench.SimulatedApiServer;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.source.ClusterObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.switchyard.agent.bench.SimulatedApiServer.ENDPOINT_SLICES;
import static io.switchyard.agent.bench.SimulatedApiServer.NODES;
import static io.switchyard.agent.bench.SimulatedApiServer.SERVICES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real agent process ({@code switchyard run} with informers, in a network namespace) while
 * its API server misbehaves. The {@link SimulatedApiServer} runs in the test JVM with its
 * listening socket opened inside the agent's namespace, so the agent reaches it on its own
 * loopback exactly as it would reach a real one, and the test can take it away and bring it back.
 *
 * <ul>
 * <li>Away for {@code -Dswitchyard.fault.outage=SECONDS} (default 60): the rules stay exactly as
 *     they were, the agent keeps syncing and /healthz keeps answering 200 (kube-proxy's health
 *     is about its sync loop, not about the API server); changes made meanwhile (a Service added,
 *     one deleted, one's endpoints moved) reach the kernel after the server is back — the catch-up
 *     time is mostly the informers' backoff (client-go's: 0.8 s doubling to 30 s).</li>
 * <li>Watches expired (410 Gone): the watches end, their renewals are parked while the cluster
 *     changes and the server compacts its history, then answered with 410; the agent relists and
 *     programs what changed in the gap.</li>
 * </ul>
 */
class ApiServerFaultTest {

    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("switchyard.fault.outage", 60));
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);
    /** The informers back off up to 30 s between attempts; then a relist and a sync. */
    private static final Duration CATCH_UP_DEADLINE = Duration.ofSeconds(60);
    private static final int SERVICES_COUNT = 200;
    private static final String SYNC_PERIOD = "5s";

    private static final String ADDED_IP = "10.100.0.50";
    private static final List<String> ADDED_PODS = List.of("10.200.0.50", "10.200.0.51");

    private AgentFixture node;
    private NetworkNamespace ns;
    private SimulatedApiServer server;
    private AgentProcess agent;
    private ClusterGenerator generator;
    private ClusterObjects cluster;

    @BeforeEach
    void startAgent() throws Exception {
        KernelTestSupport.requireRootWithIptables();
        generator = new ClusterGenerator(SERVICES_COUNT, 3, 11);
        cluster = generator.generate();
        node = AgentFixture.create(cluster);
        ns = node.ns;
        server = node.server;
        agent = node.startAgent("--iptables-sync-period", SYNC_PERIOD);
        assertThat(changesApplied(NamespaceAccess.save(ns))).as("the changes are not there before they are made").isFalse();
    }

    @AfterEach
    void stop() throws Exception {
        AgentFixture.closeWithoutStackTraces(node, agent);
    }

    /** No @Timeout: the outage's length is a property; every wait in here is bounded. */
    @Test
    void apiServerAwayKeepsTheRulesAndHealthThenTheAgentCatchesUp() throws Exception {
        String before = NamespaceAccess.rules(ns);
        long syncsBefore = agent.count(AgentProcess.IPV4_SYNC);

        long awayAt = System.nanoTime();
        server.goAway();
        makeChanges();
        int samples = 0;
        int healthy = 0;
        while (System.nanoTime() - awayAt < OUTAGE.toNanos()) {
            Thread.sleep(SAMPLE_EVERY.toMillis());
            assertThat(agent.alive()).as("the agent runs on; log:%s", agent.tail(20)).isTrue();
            assertThat(NamespaceAccess.rules(ns)).as("rules %d s into the outage", FaultFigures.millisSince(awayAt) / 1000)
                    .isEqualTo(before);
            samples++;
            if (healthz() == 200) {
                healthy++;
            }
        }
        long syncsDuringOutage = agent.count(AgentProcess.IPV4_SYNC) - syncsBefore;
        assertThat(healthy).as("/healthz answered 200 at every sample of the outage").isEqualTo(samples);
        assertThat(syncsDuringOutage).as("periodic syncs went on during the outage (sync period %s)", SYNC_PERIOD)
                .isGreaterThanOrEqualTo(OUTAGE.toSeconds() / 5 - 2);
        assertThat(agent.linesSince(awayAt).stream().map(AgentProcess.Line::text)
                .filter(l -> l.startsWith("W") && (l.contains("will retry") || l.contains("will relist"))).count())
                .as("warnings about the unreachable server, at most one per resource per 30 s")
                .isBetween(1L, 3 * (OUTAGE.toSeconds() / 30 + 1));

        long backAt = System.nanoTime();
        server.comeBack();
        boolean caughtUp = AgentFixture.await(() -> changesApplied(NamespaceAccess.save(ns)),
                CATCH_UP_DEADLINE);
        long catchUp = FaultFigures.millisSince(backAt);
        assertThat(caughtUp).as("caught up within %s; log:%s", CATCH_UP_DEADLINE, agent.tail(20)).isTrue();
        assertThat(healthz()).isEqualTo(200);

        FaultFigures.record("api-server-away", "outage_s", OUTAGE.toSeconds());
        FaultFigures.record("api-server-away", "rule_samples_unchanged", samples);
        FaultFigures.record("api-server-away", "healthz_200_samples", healthy + "/" + samples);
        FaultFigures.record("api-server-away", "syncs_during_outage", syncsDuringOutage);
        FaultFigures.record("api-server-away", "catch_up_ms", catchUp);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void expiredWatchesRelistAndTheChangesMadeInTheGapAreProgrammed() throws Exception {
        List<String> resources = List.of(SERVICES, ENDPOINT_SLICES, NODES);
        Map<String, Integer> listsBefore = Map.of(SERVICES, server.lists(SERVICES),
                ENDPOINT_SLICES, server.lists(ENDPOINT_SLICES), NODES, server.lists(NODES));
        String before = NamespaceAccess.rules(ns);

        // The watches end; their renewals are parked while the cluster moves on and compacts.
        server.holdWatches();
        server.endWatches();
        assertThat(AgentFixture.await(() -> resources.stream().allMatch(r -> server.held(r) == 1),
                Duration.ofSeconds(20))).as("every watch renewal parked").isTrue();
        makeChanges();
        server.compact();
        Thread.sleep(1000);
        assertThat(NamespaceAccess.rules(ns)).as("nothing changes while the watches are parked").isEqualTo(before);

        long releasedAt = System.nanoTime();
        server.releaseWatches();
        boolean caughtUp = AgentFixture.await(() -> changesApplied(NamespaceAccess.save(ns)),
                Duration.ofSeconds(30));
        long relist = FaultFigures.millisSince(releasedAt);
        assertThat(caughtUp).as("caught up; log:%s", agent.tail(20)).isTrue();
        for (String resource : resources) {
            assertThat(server.expired(resource)).as("410 Gone for %s", resource).isEqualTo(1);
            assertThat(server.lists(resource)).as("relists of %s", resource).isGreaterThan(listsBefore.get(resource));
        }
        FaultFigures.record("watch-expired", "relist_to_programmed_ms", relist);
    }

    // ---- the changes made while the agent cannot see them ------------------------------------------

    /** A Service added, one deleted, one's endpoints all moved. */
    private void makeChanges() {
        server.upsert(addedService());
        server.upsert(addedSlice());
        server.delete(cluster.services().get(0));
        server.delete(cluster.endpointSlices().get(0));
        server.upsert(generator.slice(1, 1));
    }

    /** Whether the kernel (iptables-save text) holds all three changes. */
    private boolean changesApplied(String save) {
        String movedOld = zoneAPodOf(cluster.endpointSlices().get(1));
        String movedNew = zoneAPodOf(generator.slice(1, 1));
        Predicate<String> has = save::contains;
        return has.test("\"fault/added:http cluster IP\"")
                && ADDED_PODS.stream().allMatch(ip -> has.test("--to-destination " + ip + ":8080"))
                && !has.test("\"" + ClusterGenerator.namespace(0) + "/" + ClusterGenerator.name(0) + ":http cluster IP\"")
                && has.test("--to-destination " + movedNew + ":8080")
                && !has.test("--to-destination " + movedOld + ":8080");
    }

    /** The generator gives every endpoint a zone hint; node-a (zone-a) uses the first, zone-a's. */
    private static String zoneAPodOf(V1EndpointSlice slice) {
        return slice.getEndpoints().getFirst().getAddresses().getFirst();
    }

    private static V1Service addedService() {
        return new V1Service().apiVersion("v1").kind("Service")
                .metadata(new V1ObjectMeta().namespace("fault").name("added"))
                .spec(new V1ServiceSpec().type("ClusterIP").clusterIP(ADDED_IP).clusterIPs(List.of(ADDED_IP))
                        .ipFamilies(List.of("IPv4")).ipFamilyPolicy("SingleStack")
                        .ports(List.of(new V1ServicePort().name("http").port(80).protocol("TCP")
                                .targetPort(new IntOrString(8080)))));
    }

    private static V1EndpointSlice addedSlice() {
        return new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice")
                .metadata(new V1ObjectMeta().namespace("fault").name("added-x1")
                        .labels(Map.of("kubernetes.io/service-name", "added")))
                .addressType("IPv4")
                .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
                .endpoints(ADDED_PODS.stream().map(ip -> new V1Endpoint().addresses(List.of(ip))
                        .conditions(new V1EndpointConditions().ready(true).serving(true).terminating(false))).toList());
    }

    private int healthz() {
        return node.healthz();
    }

}
