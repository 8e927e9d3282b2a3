package io.switchyard.agent.fault;

import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.switchyard.agent.bench.SimulatedApiServer;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.proxy.DualStackProxier;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ApiClients;
import io.switchyard.agent.source.InformerSource;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 objects — {@value #PAIRS} Services and their EndpointSlices, seeded, {@value #SHARE} of
 * them corrupted ({@link CorruptedCluster}) — through the agent's whole path: a simulated API
 * server lists half of them and sends the other half as watch events, client-java informers
 * with the agent's own decoders, conversion, the change trackers of both families, the renderer,
 * and {@code iptables-restore} / {@code ip6tables-restore} in a network namespace.
 *
 * <p>Nothing may crash (no error logged, no exception anywhere, every sync applied), every
 * restore document the agent produced must be accepted by the kernel and hold only printable
 * text, no hostile string may reach the rules, and every Service whose objects were left
 * intact must be programmed exactly: its cluster IP jumping to a chain that balances over its
 * two endpoints. {@code -Dswitchyard.fault.seed=N} replays another cluster.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CorruptedObjectsFaultTest {

    private static final int PAIRS = 5000;
    private static final double SHARE = 0.45;
    private static final long SEED = Long.getLong("switchyard.fault.seed", 20_261_128L);
    private static final String NODE = "node-a";
    private static final Duration CONVERGE_DEADLINE = Duration.ofSeconds(90);
    /** Strings of the corruptions that must never show up in the kernel's rules. */
    private static final List<String> INJECTED = List.of("reboot", "jndi", "rm -rf", "`id`", "IPv5", "10.96.0.256");

    /** What the agent handed to iptables-restore and what the kernel said. */
    private static final class RecordingRunner implements ProcessRunner {
        private final HostProcessRunner delegate;
        final AtomicInteger restores = new AtomicInteger();
        final AtomicInteger restoreLines = new AtomicInteger();
        final List<String> refused = new CopyOnWriteArrayList<>();
        final List<String> unprintable = new CopyOnWriteArrayList<>();

        RecordingRunner(String namespace) {
            delegate = HostProcessRunner.inNetworkNamespace(namespace);
        }

        @Override
        public Result run(List<String> argv, String stdin) {
            Result result = delegate.run(argv, stdin);
            if (argv.getFirst().endsWith("-restore")) {
                restores.incrementAndGet();
                restoreLines.addAndGet((int) stdin.lines().count());
                if (!result.ok()) {
                    refused.add(argv.getFirst() + " exit " + result.exitCode() + ": " + result.stderr().strip());
                }
                if (!stdin.chars().allMatch(c -> c == '\n' || (c >= ' ' && c <= '~'))) {
                    unprintable.add(stdin.lines().filter(l -> !l.chars().allMatch(c -> c >= ' ' && c <= '~'))
                            .findFirst().orElse("?"));
                }
            }
            return result;
        }

        @Override
        public Result runLines(List<String> argv, Consumer<String> lines) {
            return delegate.runLines(argv, lines);
        }
    }

    @Test
    void tenThousandCorruptedObjectsNeverCrashNorReachTheKernelAndIntactServicesStayProgrammed() throws Exception {
        KernelTestSupport.requireRootWithIptables();
        List<CorruptedCluster.Pair> pairs = new CorruptedCluster(SEED).generate(PAIRS, SHARE);
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        AtomicBoolean closing = new AtomicBoolean();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                // Stopping the informers interrupts client-java's threads, which log it as an
                // error: that is the test closing the source, not the agent failing.
                boolean shutdownNoise = closing.get() && record.getLoggerName().startsWith("io.kubernetes.client")
                        && String.valueOf(record.getMessage()).contains("interrupted");
                if (!shutdownNoise && (record.getLevel().intValue() >= Level.WARNING.intValue() || record.getThrown() != null)) {
                    logged.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        long started = System.nanoTime();
        List<SyncReport> reports = new CopyOnWriteArrayList<>();
        try (NetworkNamespace ns = new NetworkNamespace(); SimulatedApiServer server = new SimulatedApiServer()) {
            RecordingRunner runner = new RecordingRunner(ns.name());
            ProxySettings settings = ProxySettings.defaults(NODE, List.of(Cidr.parse("10.128.0.0/9")));
            SyncListener recorder = new SyncListener() {
                @Override
                public void syncCompleted(SyncReport report) {
                    reports.add(report);
                }
            };
            List<Proxier> proxiers = new ArrayList<>();
            for (IpFamily family : IpFamily.values()) {
                proxiers.add(new Proxier(new IptablesDataplane(family, settings, new Iptables(family, runner),
                        new NfacctCounters(runner)), NODE, settings.syncPeriod(), settings.minSyncPeriod(),
                        List.of(recorder), InstantSource.system()));
            }

            server.upsert(node());
            List<CorruptedCluster.Pair> listed = pairs.subList(0, PAIRS / 2);
            List<CorruptedCluster.Pair> watched = pairs.subList(PAIRS / 2, PAIRS);
            listed.forEach(p -> upsert(server, p));
            try (DualStackProxier proxy = new DualStackProxier(proxiers);
                 InformerSource source = new InformerSource(ApiClients.create(null, server.url()), NODE, "", proxy, proxy,
                         proxy)) {
                proxy.start();
                source.start();
                assertThat(AgentFixture.await(() -> reports.stream().anyMatch(r -> r.family() == IpFamily.IPV4
                        && r.success() && r.services() > 0), Duration.ofSeconds(60)))
                        .as("the listed half is programmed; logged: %s", describe(logged, 5)).isTrue();
                watched.forEach(p -> upsert(server, p));
                // Last in both streams: once both are in the kernel, everything before them was synced.
                CorruptedCluster.Pair marker = CorruptedCluster.intact(PAIRS);
                upsert(server, marker);
                assertThat(AgentFixture.await(() -> programmed(NamespaceAccess.save(ns), marker), CONVERGE_DEADLINE))
                        .as("everything delivered and synced; logged: %s", describe(logged, 5)).isTrue();
                closing.set(true);
            }
            long elapsed = FaultFigures.millisSince(started);
            String save = NamespaceAccess.save(ns);

            List<SyncReport> failed = reports.stream().filter(r -> !r.success()).toList();
            List<String> refusals = reports.stream().filter(r -> r.outcome() instanceof SyncOutcome.Applied)
                    .flatMap(r -> ((SyncOutcome.Applied) r.outcome()).refused().stream()).map(SyncOutcome.Failed::message)
                    .toList();
            assertThat(failed).as("failed syncs").isEmpty();
            assertThat(refusals).as("refused Services").isEmpty();
            assertThat(runner.refused).as("restore documents the kernel refused").isEmpty();
            assertThat(runner.unprintable).as("restore documents with unprintable text").isEmpty();
            assertThat(logged.stream().filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue()
                    || r.getThrown() != null).map(r -> r.getLevel() + " " + r.getMessage()).toList())
                    .as("errors and exceptions logged").isEmpty();
            assertThat(INJECTED.stream().filter(save::contains).toList()).as("hostile strings in the rules").isEmpty();

            List<CorruptedCluster.Pair> intact = pairs.stream().filter(CorruptedCluster.Pair::intact).toList();
            List<String> wrong = new ArrayList<>();
            Chains chains = Chains.parse(save);
            for (CorruptedCluster.Pair pair : intact) {
                String problem = check(chains, pair);
                if (problem != null) {
                    wrong.add(pair.namespace() + "/" + pair.name() + ": " + problem);
                }
            }
            assertThat(wrong).as("intact Services not programmed as they should be (%d intact)", intact.size()).isEmpty();
            long corrupted = pairs.stream().mapToLong(p -> (p.serviceDamage().isEmpty() ? 0 : 1)
                    + (p.sliceDamage().isEmpty() ? 0 : 1)).sum();
            long warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).count();
            assertThat(warnings).as("corrupted objects are reported").isGreaterThan(corrupted / 4);
            assertThat(intact.size()).as("enough intact Services to mean something").isGreaterThan(PAIRS / 5);

            FaultFigures.record("corrupted-objects", "objects", 2 * PAIRS);
            FaultFigures.record("corrupted-objects", "corrupted", corrupted);
            FaultFigures.record("corrupted-objects", "intact_services_checked", intact.size());
            FaultFigures.record("corrupted-objects", "warnings_logged", warnings);
            FaultFigures.record("corrupted-objects", "syncs", reports.size());
            FaultFigures.record("corrupted-objects", "restores_all_accepted", runner.restores.get());
            FaultFigures.record("corrupted-objects", "restore_lines", runner.restoreLines.get());
            FaultFigures.record("corrupted-objects", "elapsed_ms", elapsed);
        } finally {
            root.removeHandler(capture);
        }
    }

    private static void upsert(SimulatedApiServer server, CorruptedCluster.Pair pair) {
        server.upsertJson(pair.service());
        server.upsertJson(pair.slice());
    }

    /** Whether a pair's Service and both its endpoints are in the rules. */
    private static boolean programmed(String save, CorruptedCluster.Pair pair) {
        return save.contains("\"" + pair.namespace() + "/" + pair.name() + ":http cluster IP\"")
                && pair.endpoints().stream().allMatch(e -> save.contains("--to-destination " + e));
    }

    private static final Pattern JUMP = Pattern.compile(" -j (KUBE-[A-Z]+-[A-Z0-9]+)");
    private static final Pattern DNAT = Pattern.compile("--to-destination (\\S+)");

    /** Null when the Service's cluster IP leads, through its chains, to exactly its endpoints; else what is wrong. */
    private static String check(Chains chains, CorruptedCluster.Pair pair) {
        String comment = "\"" + pair.namespace() + "/" + pair.name() + ":http cluster IP\"";
        List<String> entry = chains.byName().getOrDefault("nat/KUBE-SERVICES", List.of()).stream()
                .filter(r -> r.contains(comment)).toList();
        if (entry.size() != 1) {
            return entry.size() + " cluster IP rules in KUBE-SERVICES";
        }
        String rule = entry.getFirst();
        if (!rule.contains("-d " + pair.clusterIp() + "/32") || !rule.contains("--dport 80")) {
            return "cluster IP rule " + rule;
        }
        Matcher svc = JUMP.matcher(rule);
        if (!svc.find()) {
            return "no jump in " + rule;
        }
        Set<String> destinations = new HashSet<>();
        for (String svcRule : chains.byName().getOrDefault("nat/" + svc.group(1), List.of())) {
            Matcher sep = JUMP.matcher(svcRule);
            if (sep.find() && sep.group(1).startsWith("KUBE-SEP-")) {
                for (String sepRule : chains.byName().getOrDefault("nat/" + sep.group(1), List.of())) {
                    Matcher to = DNAT.matcher(sepRule);
                    if (to.find()) {
                        destinations.add(to.group(1));
                    }
                }
            }
        }
        return destinations.equals(Set.copyOf(pair.endpoints())) ? null : "endpoints " + destinations;
    }

    private static V1Node node() {
        return new V1Node().apiVersion("v1").kind("Node")
                .metadata(new V1ObjectMeta().name(NODE).labels(Map.of("kubernetes.io/hostname", NODE)))
                .status(new V1NodeStatus().addresses(List.of(new V1NodeAddress().type("InternalIP").address("10.0.0.10"))));
    }

    private static String describe(List<LogRecord> records, int count) {
        return records.stream().limit(count).map(r -> r.getLevel() + " " + r.getMessage()).toList().toString();
    }
}
