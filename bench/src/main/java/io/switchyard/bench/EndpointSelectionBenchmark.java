package io.switchyard.bench;

import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.topology.EndpointSelector;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/** Tracks the cost of topology-aware endpoint selection over every service port (node-a, zone-a). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@State(Scope.Benchmark)
public class EndpointSelectionBenchmark {

    @Param({"1000", "10000", "50000"})
    int services;

    private ClusterState state;
    private EndpointSelector selector;

    @Setup(Level.Trial)
    public void setUp() {
        state = BenchClusters.build(BenchClusters.objects(services)).state();
        selector = new EndpointSelector(ClusterGenerator.NODE, "zone-a", false);
    }

    @Benchmark
    public void selectAll(Blackhole bh) {
        for (ServicePort svc : state.services().values()) {
            bh.consume(selector.select(svc, state.endpointsOf(svc.name())));
        }
    }
}
