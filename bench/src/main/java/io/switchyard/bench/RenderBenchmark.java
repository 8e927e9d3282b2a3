package io.switchyard.bench;

import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.LocalNode;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Tracks a full sync's CPU work before iptables-restore runs: full render, full restore plan, and both. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@State(Scope.Benchmark)
public class RenderBenchmark {

    @Param({"1000", "10000", "50000"})
    int services;

    private ClusterState state;
    private LocalNode node;
    private IptablesRenderer renderer;
    private Ruleset rendered;

    @Setup(Level.Trial)
    public void setUp() {
        var built = BenchClusters.build(BenchClusters.objects(services));
        state = built.state();
        node = built.node();
        renderer = BenchClusters.renderer(node);
        rendered = renderer.render(state, node);
    }

    @Benchmark
    public Ruleset render() {
        return renderer.render(state, node);
    }

    @Benchmark
    public void plan(Blackhole bh) {
        bh.consume(documentLength(rendered));
    }

    @Benchmark
    public void renderAndPlan(Blackhole bh) {
        bh.consume(documentLength(renderer.render(state, node)));
    }

    /** Plans the full restore and sums its documents: the length of the whole restore input. */
    private static long documentLength(Ruleset ruleset) {
        List<RestorePlan.Transaction> plan = RestorePlan.plan(ruleset, new RestorePlan.Scope.Full(), List.of(),
                BenchClusters.MAX_TRANSACTION_LINES);
        long length = 0;
        for (RestorePlan.Transaction transaction : plan) {
            length += transaction.document().length();
        }
        return length;
    }
}
