package io.switchyard.agent.bench;

import com.google.gson.JsonObject;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.netlink.NetworkNamespaces;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code switchyard bench --api}: the whole process on the real API path. A simulated API server
 * serves the generated cluster over HTTP inside a throwaway network namespace, and a separate
 * {@code switchyard run} process (this JVM's binary, flags and jar) follows it through its
 * informers and programs that namespace. Measured: process start to the first complete IPv4
 * sync, one changed EndpointSlice to its sync, a burst of changed slices to the sync that
 * completes them, and the process's peak RSS — the figures an operator sees.
 */
public final class ApiPathBenchmark {

    /**
     * The figures of one run; {@code startup} is the agent's own start-up breakdown line, and
     * {@code churn} the agent's memory sampled each minute of the churn phase (empty without one).
     */
    public record Result(int services, int endpointsPerService, Duration firstSync, Duration oneChange,
                         Duration firstChange, int burstSize, Duration burst, long peakRssBytes, String startup,
                         List<ChurnSample> churn) {
        public Result {
            churn = List.copyOf(churn);
        }
    }

    /**
     * The agent's memory after {@code elapsed} of churn: resident now, peak so far, and the changed
     * slices and Service re-creations sent and syncs completed up to then.
     */
    public record ChurnSample(Duration elapsed, long rssBytes, long peakRssBytes, long slicesChanged,
                              long servicesRecreated, long syncs) {
    }

    /**
     * A churn phase after the burst: for {@code duration}, {@code slicesPerSecond} slices get new
     * endpoints every second, and every ten seconds a Service and its slice are deleted and made
     * again, as in a cluster where Deployments roll and Services come and go.
     */
    public record Churn(Duration duration, int slicesPerSecond) {
        public static final Churn NONE = new Churn(Duration.ZERO, 0);
    }

    private static final Pattern SYNC = Pattern.compile(
            "SyncProxyRules complete ipFamily=IPv4 fullSync=(true|false) numServices=(\\d+) numEndpoints=\\d+ changedServices=(\\d+)");
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);
    /** Longer than kube-proxy's default minimum sync period (1 s). */
    private static final Duration MIN_SYNC_GAP = Duration.ofMillis(1200);

    private final ProcessRunner host = new HostProcessRunner();
    private final List<String> agentJvmOptions;
    private final List<String> agentArgs;

    /**
     * @param agentJvmOptions JVM options for the agent besides this JVM's own
     * @param agentArgs       extra arguments for {@code switchyard run} (e.g. {@code --v 2})
     */
    public ApiPathBenchmark(List<String> agentJvmOptions, List<String> agentArgs) {
        this.agentJvmOptions = List.copyOf(agentJvmOptions);
        this.agentArgs = List.copyOf(agentArgs);
    }

    public Result run(ClusterGenerator generator, int changes, int burstSize, Churn churn)
            throws IOException, InterruptedException {
        ClusterObjects cluster = generator.generate();
        String ns = "switchyard-api-" + UUID.randomUUID().toString().substring(0, 8);
        require(host.run(List.of("ip", "netns", "add", ns), null), "ip netns add (root needed)");
        Process agent = null;
        try {
            require(host.run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"), null), "lo up");
            // The server's socket is opened inside the namespace, where the agent will look for it.
            SimulatedApiServer server = NetworkNamespaces.callIn(Path.of("/var/run/netns", ns), SimulatedApiServer::new);
            try (server) {
                cluster.nodes().forEach(server::upsert);
                cluster.services().forEach(server::upsert);
                cluster.endpointSlices().forEach(server::upsert);

                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                long start = System.nanoTime();
                agent = startAgent(ns, server.url(), lines);
                awaitSync(lines, s -> s.full() && s.services() == generator.services(), "first sync");
                Duration firstSync = Duration.ofNanos(System.nanoTime() - start);
                String startup = drainStartup(lines);

                List<Duration> singles = new ArrayList<>();
                int samples = Math.max(1, Math.min(changes, generator.services()));
                for (int i = 0; i < samples; i++) {
                    // Apart by more than the minimum sync period, so each change is one sync's.
                    JsonObject slice = server.encode(generator.slice(i, 1));
                    Thread.sleep(MIN_SYNC_GAP.toMillis());
                    lines.clear();
                    long changed = System.nanoTime();
                    server.upsertJson(slice);
                    awaitChanged(lines, 1);
                    singles.add(Duration.ofNanos(System.nanoTime() - changed));
                }
                Duration firstChange = singles.getFirst();
                singles.sort(null);
                int burst = Math.min(burstSize, generator.services() - samples);
                List<JsonObject> slices = new ArrayList<>(burst);
                for (int i = samples; i < samples + burst; i++) {
                    slices.add(server.encode(generator.slice(i, 1)));
                }
                Thread.sleep(MIN_SYNC_GAP.toMillis());
                lines.clear();
                long burstStart = System.nanoTime();
                slices.forEach(server::upsertJson);
                awaitChanged(lines, burst);
                Duration burstTime = Duration.ofNanos(System.nanoTime() - burstStart);
                long rss = memory(agent.pid(), "VmHWM:");
                List<ChurnSample> memory = churn(server, cluster, generator, churn, agent.pid(), lines);
                return new Result(generator.services(), generator.endpointsPerService(), firstSync,
                        singles.get(singles.size() / 2), firstChange, burst, burstTime, rss, startup, memory);
            }
        } finally {
            if (agent != null) {
                agent.destroy();
                if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            }
            host.run(List.of("ip", "netns", "del", ns), null);
        }
    }

    private Process startAgent(String ns, String url, BlockingQueue<String> lines) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        argv.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-XX:AOTCacheOutput") && !a.startsWith("-agentlib")).toList());
        argv.addAll(agentJvmOptions);
        argv.addAll(List.of("-jar", jar().toString(), "run", "--master", url, "--hostname-override", ClusterGenerator.NODE,
                "--cluster-cidr", ClusterGenerator.CLUSTER_CIDR, "--metrics-bind-address", "", "--healthz-bind-address", ""));
        argv.addAll(agentArgs);
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        process.getOutputStream().close();
        Thread.ofPlatform().daemon().name("agent-log").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (Boolean.getBoolean("switchyard.bench.echo")) {
                        System.err.println("agent: " + line);
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                // the agent ended
            }
        });
        return process;
    }

    /** The jar this code runs from: the agent is started from the same one. */
    private static Path jar() {
        try {
            Path path = Path.of(ApiPathBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException("switchyard bench --api runs from the switchyard jar (./switchyard bench --api)");
            }
            return path;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Sync(boolean full, int services, int changed) {
    }

    private static Sync awaitSync(BlockingQueue<String> lines, java.util.function.Predicate<Sync> wanted, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            if (line.contains("Sync failed") || line.startsWith("E")) {
                System.err.println("agent: " + line);
            }
            Matcher m = SYNC.matcher(line);
            if (m.find()) {
                Sync sync = new Sync(Boolean.parseBoolean(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)));
                if (wanted.test(sync)) {
                    return sync;
                }
            }
        }
        throw new IllegalStateException(what + " did not happen within " + SYNC_TIMEOUT);
    }

    /** Waits for the syncs that together program {@code services} changed Services. */
    private static void awaitChanged(BlockingQueue<String> lines, int services) throws InterruptedException {
        int seen = 0;
        while (seen < services) {
            seen += awaitSync(lines, s -> s.changed() > 0, "sync of " + services + " changed Services").changed();
        }
    }

    private static String drainStartup(BlockingQueue<String> lines) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains("Startup")) {
                return line.substring(line.indexOf("Startup"));
            }
        }
        return "";
    }

    /** Runs the churn phase, sampling the agent's memory at its start and each minute. */
    private static List<ChurnSample> churn(SimulatedApiServer server, ClusterObjects cluster, ClusterGenerator generator,
                                           Churn churn, long pid, BlockingQueue<String> lines) throws InterruptedException {
        List<ChurnSample> samples = new ArrayList<>();
        if (churn.duration().isZero()) {
            return samples;
        }
        long start = System.nanoTime();
        long end = start + churn.duration().toNanos();
        long nextSample = start;
        long slices = 0;
        long recreated = 0;
        long syncs = 0;
        int generation = 2;
        int next = 0;
        int removed = -1;
        for (long tick = 0; ; tick++) {
            long now = System.nanoTime();
            for (String line; (line = lines.poll()) != null; ) {
                syncs += SYNC.matcher(line).find() ? 1 : 0;
            }
            if (now >= nextSample) {
                samples.add(new ChurnSample(Duration.ofNanos(now - start), memory(pid, "VmRSS:"), memory(pid, "VmHWM:"),
                        slices, recreated, syncs));
                nextSample += TimeUnit.MINUTES.toNanos(1);
            }
            if (now >= end) {
                return samples;
            }
            for (int k = 0; k < churn.slicesPerSecond(); k++) {
                if (next == removed) {
                    next = (next + 1) % generator.services();
                }
                server.upsert(generator.slice(next, generation));
                slices++;
                next = (next + 1) % generator.services();
                generation += next == 0 ? 1 : 0;
            }
            if (removed >= 0) {
                server.upsert(cluster.services().get(removed));
                server.upsert(generator.slice(removed, generation));
                removed = -1;
                recreated++;
            } else if (tick % 10 == 9) {
                removed = (int) ((tick / 10 * 7919) % generator.services());
                server.delete(generator.slice(removed, generation));
                server.delete(cluster.services().get(removed));
            }
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(start + (tick + 1) * 1_000_000_000L - System.nanoTime())));
        }
    }

    /** A memory figure of the process from /proc (VmRSS, VmHWM), in bytes; -1 once it is gone. */
    private static long memory(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    private static void require(ProcessRunner.Result result, String what) {
        if (!result.ok()) {
            throw new IllegalStateException(what + " failed: " + result.stderr().strip());
        }
    }
}
