package io.switchyard.bench;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.agent.convert.EndpointSliceConverter;
import io.switchyard.agent.convert.Problem;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServiceEndpoints;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Tracks the CPU latency of a one-endpoint sync: new state, partial render, dropped chains, plan. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@State(Scope.Benchmark)
public class PartialSyncBenchmark {

    @Param({"1000", "10000", "50000"})
    int services;

    private LocalNode node;
    private IptablesRenderer renderer;
    /** The ruleset the last (full) sync installed. */
    private Ruleset previous;
    /** The change tracker's maps after the change, with one service port's endpoints replaced. */
    private TreeMap<ServicePortName, ServicePort> servicePorts;
    private Map<ServicePortName, List<Endpoint>> endpoints;
    private Set<ServicePortName> changed;

    @Setup(Level.Trial)
    public void setUp() {
        ClusterGenerator generator = BenchClusters.generator(services);
        ClusterSnapshot built = BenchClusters.build(generator.generate());
        ClusterState before = built.state();
        node = built.node();
        renderer = BenchClusters.renderer(node);
        previous = renderer.render(before, node);

        // Service i after one rolling-update step: every one of its endpoints moved to a new pod IP.
        int i = services / 2;
        ServicePortName port = BenchClusters.portOf(i);
        List<Problem> problems = new ArrayList<>();
        V1EndpointSlice slice = generator.slice(i, 1);
        EndpointSlice converted = new EndpointSliceConverter(IpFamily.IPV4).convert(slice, problems).orElseThrow();
        Map<ServicePortName, List<Endpoint>> moved = ServiceEndpoints.merge(
                ClusterGenerator.namespace(i), ClusterGenerator.name(i), List.of(converted));
        if (!problems.isEmpty() || !moved.containsKey(port) || !before.services().containsKey(port)) {
            throw new IllegalStateException("cannot build the change of " + port + ": " + problems + " " + moved.keySet());
        }
        servicePorts = new TreeMap<>(before.services());
        endpoints = new HashMap<>(before.endpoints());
        endpoints.putAll(moved);
        changed = Set.of(port);

        List<RestorePlan.Transaction> plan = sync();
        if (plan.isEmpty() || plan.stream().noneMatch(t -> t.document().contains("-X "))) {
            throw new IllegalStateException("the change produced no restore, or no stale chain deletion: " + plan);
        }
    }

    @Benchmark
    public List<RestorePlan.Transaction> partialSync() {
        return sync();
    }

    private List<RestorePlan.Transaction> sync() {
        ClusterState state = new ClusterState(servicePorts, endpoints);
        Ruleset ruleset = renderer.render(state, node, previous, changed);
        Set<String> stale = RestorePlan.droppedChains(previous, ruleset, changed);
        return RestorePlan.plan(ruleset, new RestorePlan.Scope.Partial(previous, changed), stale,
                BenchClusters.MAX_TRANSACTION_LINES);
    }
}
