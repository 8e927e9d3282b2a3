package io.switchyard.agent.bench;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.iptables.RulesetGeneration;
import io.switchyard.agent.node.ProcessSysctls;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.netlink.nftables.NftGeneration;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The whole-process benchmark behind {@code switchyard bench}: in throwaway network namespaces,
 * for a generated cluster, how long the first full sync takes (events in, rules in the kernel),
 * one endpoint change, a burst of endpoint changes, peak RSS, and — as floors — what
 * iptables-restore alone takes for the same rules in one transaction (kube-proxy's way) and
 * in Switchyard's staged transactions.
 */
public final class ProcessBenchmark {

    /**
     * One benchmark run's figures; a floor is null when it was not measured, and
     * {@link #FLOOR_TIMED_OUT} when iptables-restore did not finish within the cap.
     */
    public record Result(int services, int endpointsPerService, int natRules, int filterRules,
                         Duration firstSync, int firstSyncTransactions, Duration firstChange, Duration oneChange,
                         int burstSize, Duration burst, long peakRssBytes,
                         Duration restoreOneTransaction, Duration restoreStaged, int stagedTransactions) {
    }

    /** Marks a floor whose iptables-restore was still running when the cap ran out. */
    public static final Duration FLOOR_TIMED_OUT = Duration.ofSeconds(-1);

    private static final int ONE_CHANGE_SAMPLES = 11;

    private final ProcessRunner host = new HostProcessRunner();
    private final Duration floorCap;

    /** @param floorCap how long a floor's iptables-restore may run; zero to skip the floors */
    public ProcessBenchmark(Duration floorCap) {
        this.floorCap = floorCap;
    }

    public Result run(ClusterGenerator generator, int burstSize, int maxTransactionLines) {
        ClusterObjects cluster = generator.generate();
        List<SyncReport> reports = new CopyOnWriteArrayList<>();
        String ns = "switchyard-bench-" + UUID.randomUUID().toString().substring(0, 8);
        createNamespace(ns);
        try {
            ProcessRunner inNs = HostProcessRunner.inNetworkNamespace(ns);
            ProxySettings settings = ProxySettings.defaults(ClusterGenerator.NODE,
                    List.of(Cidr.parse(ClusterGenerator.CLUSTER_CIDR)));
            // As the agent runs it, with the namespace's nf_tables generation.
            Iptables iptables = new Iptables(IpFamily.IPV4, inNs);
            IptablesDataplane dataplane = new IptablesDataplane(IpFamily.IPV4, settings, iptables,
                    new NfacctCounters(inNs), new ProcessSysctls(inNs), maxTransactionLines,
                    RulesetGeneration.of(iptables, () -> NftGeneration.open(Path.of("/var/run/netns", ns))));
            SyncListener recorder = new SyncListener() {
                @Override
                public void syncCompleted(SyncReport report) {
                    reports.add(report);
                }
            };
            try (Proxier proxier = new Proxier(dataplane, settings.hostname(), settings.syncPeriod(),
                    settings.minSyncPeriod(), List.of(recorder), InstantSource.system())) {
                long start = System.nanoTime();
                deliver(proxier, cluster);
                require(proxier.syncProxyRules(), "first sync");
                Duration firstSync = Duration.ofNanos(System.nanoTime() - start);
                SyncReport first = reports.getLast();
                List<RestorePlan.Transaction> staged = dataplane.lastTransactions();

                // One endpoint change, ten times over different services: the median is the
                // steady state of a running agent, the first includes JIT warm-up.
                List<Duration> singles = new ArrayList<>();
                int singleChanges = Math.min(ONE_CHANGE_SAMPLES, generator.services());
                for (int i = 0; i < singleChanges; i++) {
                    start = System.nanoTime();
                    proxier.onEndpointSliceUpdate(cluster.endpointSlices().get(i), generator.slice(i, 1));
                    require(proxier.syncProxyRules(), "one-change sync");
                    singles.add(Duration.ofNanos(System.nanoTime() - start));
                }
                Duration firstChange = singles.getFirst();
                singles.sort(null);
                Duration oneChange = singles.get(singles.size() / 2);

                int burst = Math.min(burstSize, generator.services() - singleChanges);
                start = System.nanoTime();
                for (int i = singleChanges; i < singleChanges + burst; i++) {
                    proxier.onEndpointSliceUpdate(cluster.endpointSlices().get(i), generator.slice(i, 1));
                }
                require(proxier.syncProxyRules(), "burst sync");
                Duration burstTime = Duration.ofNanos(System.nanoTime() - start);
                long rss = peakRss();

                String fullDocument = String.join("", RestorePlan.plan(dataplane.lastRuleset(), new RestorePlan.Scope.Full(),
                        List.of(), Integer.MAX_VALUE).stream().map(RestorePlan.Transaction::document).toList());
                Duration oneTransaction = floorCap.isZero() ? null : timeRestores(List.of(fullDocument));
                Duration stagedTime = floorCap.isZero() ? null
                        : timeRestores(staged.stream().map(RestorePlan.Transaction::document).toList());
                return new Result(generator.services(), generator.endpointsPerService(), first.iptablesRules("nat"),
                        first.iptablesRules("filter"), firstSync, staged.size(), firstChange, oneChange, burst,
                        burstTime, rss,
                        oneTransaction, stagedTime, staged.size());
            }
        } finally {
            host.run(List.of("ip", "netns", "del", ns), null);
        }
    }

    /** Restores the documents, in order, into a fresh namespace; the wall time of the restores alone. */
    private Duration timeRestores(List<String> documents) {
        String ns = "switchyard-floor-" + UUID.randomUUID().toString().substring(0, 8);
        createNamespace(ns);
        try {
            ProcessRunner inNs = new HostProcessRunner(List.of("ip", "netns", "exec", ns), floorCap.toSeconds());
            for (String counter : List.of(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER)) {
                inNs.run(List.of("nfacct", "add", counter), null);
            }
            long start = System.nanoTime();
            for (String document : documents) {
                ProcessRunner.Result result = inNs.run(List.of("iptables-restore", "-w", "5", "--noflush", "--counters"), document);
                if (result.exitCode() == 124) {
                    return FLOOR_TIMED_OUT;
                }
                if (!result.ok()) {
                    throw new IllegalStateException("iptables-restore failed: " + result.stderr().strip());
                }
            }
            return Duration.ofNanos(System.nanoTime() - start);
        } finally {
            host.run(List.of("ip", "netns", "del", ns), null);
        }
    }

    private void createNamespace(String ns) {
        ProcessRunner.Result result = host.run(List.of("ip", "netns", "add", ns), null);
        if (!result.ok()) {
            throw new IllegalStateException("cannot create network namespace " + ns + " (root needed): "
                    + result.stderr().strip());
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " failed; see the log");
        }
    }

    /** Hands a whole cluster to a proxier, as its informers would after their first LISTs. */
    static void deliver(Proxier proxier, ClusterObjects cluster) {
        cluster.nodes().forEach(proxier::onNodeAdd);
        cluster.services().forEach(proxier::onServiceAdd);
        cluster.endpointSlices().forEach(proxier::onEndpointSliceAdd);
        proxier.onServicesSynced();
        proxier.onEndpointSlicesSynced();
    }

    /** VmHWM: the peak resident set of this process, in bytes. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            // not Linux
        }
        return -1;
    }

}
