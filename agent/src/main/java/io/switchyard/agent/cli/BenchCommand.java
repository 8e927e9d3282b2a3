package io.switchyard.agent.cli;

import io.kubernetes.client.util.Yaml;
import io.switchyard.agent.bench.ApiPathBenchmark;
import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.bench.CostCurve;
import io.switchyard.agent.bench.CurvePlot;
import io.switchyard.agent.bench.ProcessBenchmark;
import io.switchyard.agent.config.GoDuration;
import io.switchyard.agent.logging.Logging;
import io.switchyard.agent.source.ClusterObjects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code switchyard bench}: generates a synthetic cluster, and measures Switchyard on it (root). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Switchyard on a generated cluster, inside throwaway network namespaces (root).",
                "With --write-manifests, only write the generated cluster as manifests."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--services", defaultValue = "1000", description = "Services to generate (default ${DEFAULT-VALUE}).")
    int services;

    @Option(names = "--endpoints-per-service", defaultValue = "10", description = "Endpoints per Service (default ${DEFAULT-VALUE}).")
    int endpointsPerService;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generator (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--changes", defaultValue = "11",
            description = "Single endpoint changes measured one by one; the median is reported (default ${DEFAULT-VALUE}).")
    int changes;

    @Option(names = "--burst", defaultValue = "1000", description = "Endpoint changes in the burst (default ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--max-transaction-lines", defaultValue = "1500",
            description = "Largest iptables-restore transaction a sync may use (default ${DEFAULT-VALUE}).")
    int maxTransactionLines;

    @Option(names = "--write-manifests", paramLabel = "DIR", description = "Write the cluster as manifests into DIR and exit.")
    Path manifests;

    @Option(names = "--floor-cap", defaultValue = "300s", paramLabel = "DURATION",
            description = "How long a floor's iptables-restore may run; 0 skips the floors (default ${DEFAULT-VALUE}).")
    String floorCap;

    @Option(names = "--api", description = "Measure the whole process on the API path: a simulated API server "
            + "serves the cluster and a separate 'switchyard run' follows it through its informers.")
    boolean api;

    @Option(names = "--agent-jvm-option", paramLabel = "OPTION",
            description = "With --api: an extra JVM option for the measured agent (repeatable).")
    List<String> agentJvmOptions = new ArrayList<>();

    @Option(names = "--churn", defaultValue = "0s", paramLabel = "DURATION",
            description = "With --api: after the burst, keep changing slices (and re-creating a Service every 10 s) "
                    + "for DURATION, sampling the agent's RSS each minute (default none).")
    String churn;

    @Option(names = "--churn-rate", defaultValue = "20", paramLabel = "N",
            description = "With --churn: changed EndpointSlices per second (default ${DEFAULT-VALUE}).")
    int churnRate;

    @Option(names = "--curve", split = ",", paramLabel = "N,N,...",
            description = "Measure each size in its own process and print the cost curve as a table.")
    List<Integer> curve;

    @Option(names = "--svg", paramLabel = "FILE", description = "With --curve: also draw the curve into FILE.")
    Path svg;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = {"-v", "--v"}, defaultValue = "0", description = "Log verbosity.")
    int verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbosity);
        ClusterGenerator generator = new ClusterGenerator(services, endpointsPerService, seed);
        PrintWriter out = spec.commandLine().getOut();
        if (manifests != null) {
            write(generator.generate(), manifests);
            out.printf("wrote %d Services and %d EndpointSlices to %s%n", services, services, manifests);
            return 0;
        }
        if (curve != null && !curve.isEmpty()) {
            List<CostCurve.Point> points = new CostCurve(endpointsPerService, burst, floorCap)
                    .measure(curve.stream().sorted().toList(), p -> System.err.printf(Locale.ROOT,
                            "measured %d services: first sync %.2f s, one change %.3f s, peak RSS %.0f MB%n",
                            p.services(), p.firstSync(), p.oneChange(), p.peakRssBytes() / 1e6));
            out.print(CostCurve.table(points));
            if (svg != null) {
                Files.writeString(svg, CurvePlot.svg(points, "switchyard bench: cost curve (" + endpointsPerService
                        + " endpoints per service)"));
            }
            out.flush();
            return 0;
        }
        if (api) {
            ApiPathBenchmark.Result r = new ApiPathBenchmark(agentJvmOptions,
                    verbosity > 0 ? List.of("--v", Integer.toString(verbosity)) : List.of())
                    .run(generator, changes, burst, new ApiPathBenchmark.Churn(GoDuration.parse(churn), churnRate));
            out.print(json ? toJson(r) : toTable(r));
            out.flush();
            return 0;
        }
        ProcessBenchmark.Result r = new ProcessBenchmark(GoDuration.parse(floorCap)).run(generator, burst, maxTransactionLines);
        out.print(json ? toJson(r) : toTable(r));
        out.flush();
        return 0;
    }

    private static void write(ClusterObjects objects, Path dir) throws IOException {
        Files.createDirectories(dir);
        writeAll(dir.resolve("node.yaml"), objects.nodes());
        writeAll(dir.resolve("services.yaml"), objects.services());
        writeAll(dir.resolve("endpointslices.yaml"), objects.endpointSlices());
    }

    private static void writeAll(Path file, List<?> objects) throws IOException {
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Object object : objects) {
                writer.write("---\n");
                writer.write(Yaml.dump(object));
            }
        }
    }

    private String toTable(ProcessBenchmark.Result r) {
        return String.format(Locale.ROOT, """
                switchyard bench: %d services x %d endpoints (%d nat rules, %d filter rules)
                  first full sync (events in -> rules in kernel)   %8.3f s  (%d transactions)
                  one endpoint change -> kernel (median of 11)     %8.3f s  (first: %.3f s)
                  burst of %5d endpoint changes -> kernel          %8.3f s
                  peak RSS                                         %8.1f MB
                  floor: iptables-restore, one --noflush transaction %s  (kube-proxy's way)
                  floor: iptables-restore, staged transactions       %s  (%d transactions)
                """, r.services(), r.endpointsPerService(), r.natRules(), r.filterRules(),
                seconds(r.firstSync()), r.firstSyncTransactions(), seconds(r.oneChange()), seconds(r.firstChange()),
                r.burstSize(), seconds(r.burst()), r.peakRssBytes() / 1e6, floor(r.restoreOneTransaction()),
                floor(r.restoreStaged()), r.stagedTransactions());
    }

    private static String toTable(ApiPathBenchmark.Result r) {
        return String.format(Locale.ROOT, """
                switchyard bench --api: %d services x %d endpoints, through a simulated API server
                  process start -> every rule in the kernel        %8.3f s
                  one changed EndpointSlice -> kernel (median)     %8.3f s  (first: %.3f s)
                  burst of %5d changed slices -> kernel            %8.3f s
                  peak RSS                                         %8.1f MB
                  %s
                """, r.services(), r.endpointsPerService(), seconds(r.firstSync()), seconds(r.oneChange()),
                seconds(r.firstChange()), r.burstSize(), seconds(r.burst()), r.peakRssBytes() / 1e6, r.startup())
                + churnTable(r.churn());
    }

    private static String churnTable(List<ApiPathBenchmark.ChurnSample> samples) {
        StringBuilder out = new StringBuilder();
        if (!samples.isEmpty()) {
            out.append("  churn: minute  RSS now  peak RSS  slices changed  Services re-created  syncs\n");
        }
        for (ApiPathBenchmark.ChurnSample s : samples) {
            out.append(String.format(Locale.ROOT, "         %6d  %5.0f MB  %5.0f MB  %14d  %19d  %5d%n",
                    s.elapsed().toMinutes(), s.rssBytes() / 1e6, s.peakRssBytes() / 1e6, s.slicesChanged(),
                    s.servicesRecreated(), s.syncs()));
        }
        return out.toString();
    }

    private static String toJson(ApiPathBenchmark.Result r) {
        return String.format(Locale.ROOT, """
                {"services":%d,"endpointsPerService":%d,"api":true,"firstSyncSeconds":%.3f,"oneChangeSeconds":%.3f,\
                "firstChangeSeconds":%.3f,"burstSize":%d,"burstSeconds":%.3f,"peakRssBytes":%d}
                """, r.services(), r.endpointsPerService(), seconds(r.firstSync()), seconds(r.oneChange()),
                seconds(r.firstChange()), r.burstSize(), seconds(r.burst()), r.peakRssBytes());
    }

    private static String toJson(ProcessBenchmark.Result r) {
        return String.format(Locale.ROOT, """
                {"services":%d,"endpointsPerService":%d,"natRules":%d,"filterRules":%d,\
                "firstSyncSeconds":%.3f,"firstSyncTransactions":%d,"oneChangeSeconds":%.3f,"firstChangeSeconds":%.3f,\
                "burstSize":%d,"burstSeconds":%.3f,"peakRssBytes":%d,\
                "restoreOneTransactionSeconds":%s,"restoreStagedSeconds":%s,"stagedTransactions":%d}
                """, r.services(), r.endpointsPerService(), r.natRules(), r.filterRules(), seconds(r.firstSync()),
                r.firstSyncTransactions(), seconds(r.oneChange()), seconds(r.firstChange()), r.burstSize(),
                seconds(r.burst()), r.peakRssBytes(),
                jsonFloor(r.restoreOneTransaction()), jsonFloor(r.restoreStaged()), r.stagedTransactions());
    }

    private String floor(Duration d) {
        if (d == null) {
            return "  (skipped)";
        }
        return d == ProcessBenchmark.FLOOR_TIMED_OUT ? "> " + floorCap : String.format(Locale.ROOT, "%6.3f s", seconds(d));
    }

    private static String jsonFloor(Duration d) {
        return d == null || d == ProcessBenchmark.FLOOR_TIMED_OUT ? "null" : String.format(Locale.ROOT, "%.3f", seconds(d));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
