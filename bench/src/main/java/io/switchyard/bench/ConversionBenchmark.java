package io.switchyard.bench;

import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.agent.source.ClusterObjects;
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

import java.util.concurrent.TimeUnit;

/** Tracks the cost of converting a whole cluster's Kubernetes objects into the rules model. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@State(Scope.Benchmark)
public class ConversionBenchmark {

    @Param({"1000", "10000", "50000"})
    int services;

    private ClusterObjects objects;

    @Setup(Level.Trial)
    public void setUp() {
        objects = BenchClusters.objects(services);
        BenchClusters.build(objects); // fails the trial if the generated cluster does not convert cleanly
    }

    @Benchmark
    public ClusterSnapshot build() {
        return BenchClusters.snapshot(objects);
    }
}
