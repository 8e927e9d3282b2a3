package io.switchyard.agent.fault;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.iptables.SavedRules;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code iptables-restore} killed mid-run, or failing, under a running proxier with the real
 * iptables dataplane in a network namespace. A cluster of {@value #SERVICES} Services is
 * installed; then, round after round, every endpoint moves (a partial sync of all Services,
 * staged over many small transactions) and one of that sync's restores — chosen at random, real
 * program and real document — is SIGKILLed a random fraction of a restore's usual run time after
 * it started, until {@code -Dswitchyard.fault.kills=N} (default 4) kills have landed while the
 * program ran ({@code -Dswitchyard.fault.seed=N} chooses other restores and moments).
 *
 * <p>After every restore of a sabotaged round (the kill, the bisection's attempts that follow it,
 * the retry), the kernel is read back: every chain it holds must be, whole, either as it was
 * before the round or as a fresh install of the round's cluster has it — no half-built chain for
 * traffic to meet. The sync fails, the next one is full and leaves the kernel exactly as the fresh
 * install; the time from the kill to that repair is the figure. Then every restore fails for
 * three seconds, as with the xtables lock held elsewhere: the kernel keeps the previous rules
 * untouched, and the first sync after the window repairs everything.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class RestoreFaultTest {

    private static final int SERVICES = 400;
    private static final int ENDPOINTS = 4;
    private static final int MAX_TRANSACTION_LINES = 300;
    private static final int KILLS = Integer.getInteger("switchyard.fault.kills", 4);
    private static final long SEED = Long.getLong("switchyard.fault.seed", 42);
    private static final Duration MIN_SYNC_PERIOD = Duration.ofSeconds(1);
    private static final Duration REPAIR_DEADLINE = Duration.ofSeconds(30);
    private static final Duration FAILURE_WINDOW = Duration.ofSeconds(3);

    /** A sync report and when the test heard of it. */
    private record Completed(long nanos, SyncReport report) {
    }

    private final ClusterGenerator generator = new ClusterGenerator(SERVICES, ENDPOINTS, SEED);
    private final List<Completed> reports = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private NetworkNamespace ns;
    private SabotagingRunner runner;
    private IptablesDataplane dataplane;
    private Proxier proxier;
    private ClusterObjects cluster;
    private List<V1EndpointSlice> slices;
    private int generation;

    @BeforeEach
    void install() throws InterruptedException {
        KernelTestSupport.requireRootWithIptables();
        ns = new NetworkNamespace();
        runner = new SabotagingRunner(ns.name());
        dataplane = dataplane(runner);
        SyncListener recorder = new SyncListener() {
            @Override
            public void syncCompleted(SyncReport report) {
                reports.add(new Completed(System.nanoTime(), report));
            }
        };
        ProxySettings settings = settings();
        proxier = new Proxier(dataplane, ClusterGenerator.NODE, settings.syncPeriod(), settings.minSyncPeriod(),
                List.of(recorder), InstantSource.system());
        cluster = generator.generate();
        slices = new ArrayList<>(cluster.endpointSlices());
        cluster.nodes().forEach(proxier::onNodeAdd);
        cluster.services().forEach(proxier::onServiceAdd);
        slices.forEach(proxier::onEndpointSliceAdd);
        proxier.onServicesSynced();
        proxier.onEndpointSlicesSynced();
        proxier.start();
        assertThat(awaitSuccessAfter(0)).as("first sync").isNotNull();
        assertThat(NamespaceAccess.rules(ns)).as("installed as a fresh install has it")
                .isEqualTo(SavedRules.normalise(reference(slices)));
    }

    @AfterEach
    void stop() {
        if (proxier != null) {
            proxier.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void aKilledRestoreLeavesOnlyWholeChainsAndTheNextSyncRepairsEverything() throws InterruptedException {
        Random random = new Random(SEED);
        List<Long> repairs = new ArrayList<>();
        int landed = 0;
        int rounds = 0;
        int observed = 0;
        while (landed < KILLS && rounds < 2 * KILLS) {
            rounds++;
            List<V1EndpointSlice> next = nextGeneration();
            String expected = reference(next);
            Chains before = Chains.parse(NamespaceAccess.save(ns));
            Chains after = Chains.parse(expected);
            int transactions = Math.max(1, dataplane.lastTransactions().size());
            long typical = medianRestoreMicros();
            SabotagingRunner.Kill kill = new SabotagingRunner.Kill(random.nextInt(Math.max(1, transactions * 3 / 4)),
                    (long) (typical * (0.1 + 0.6 * random.nextDouble())));
            int restoresBefore = runner.restores().size();
            watch(before, after);
            long start = System.nanoTime();
            runner.arm(kill);
            deliver(next);

            Completed repaired = awaitSuccessAfter(start);
            runner.observe(r -> {
            });
            assertThat(repaired).as("round %d: repaired within %s", rounds, REPAIR_DEADLINE).isNotNull();
            boolean unused = runner.disarm();
            List<SabotagingRunner.Restore> round = runner.restores().subList(restoresBefore, runner.restores().size());
            SabotagingRunner.Restore killed = round.stream().filter(SabotagingRunner.Restore::killed).findFirst().orElse(null);
            observed += round.size();
            assertThat(violations).as("round %d (%s): chains neither before nor after, seen after a restore", rounds, kill)
                    .isEmpty();
            assertThat(Chains.parse(NamespaceAccess.save(ns)).reachable().differingFrom(after.reachable()))
                    .as("round %d: chains packets reach that differ from a fresh install of the new cluster", rounds)
                    .isEmpty();
            if (killed == null) {
                // The sync went through as a partial one, which leaves stale chains for later in a
                // cluster this large: only what packets reach is compared.
                System.out.printf("round %d: %s %s%n", rounds, kill,
                        unused ? "was never reached (fewer restores)" : "came too late, the restore had ended");
                continue;
            }
            assertThat(NamespaceAccess.rules(ns)).as("round %d: the kernel exactly as a fresh install of the new cluster",
                    rounds).isEqualTo(SavedRules.normalise(expected));
            landed++;
            List<Completed> since = reports.stream().filter(c -> c.nanos() >= start).toList();
            assertThat(since.getFirst().report().success()).as("round %d: the sync with the killed restore failed", rounds)
                    .isFalse();
            assertThat(repaired.report().full()).as("round %d: the repair is a full sync", rounds).isTrue();
            // The test's own look at the kernel after every restore held the sync thread up: not counted.
            long observing = runner.observerNanos() - killed.observerNanosBefore();
            long repairMillis = (repaired.nanos() - killed.endNanos() - observing) / 1_000_000;
            repairs.add(repairMillis);
            System.out.printf("round %d: killed restore %d (the previous sync had %d) after %d µs (typical %d µs); repaired in %d ms%n",
                    rounds, kill.skip() + 1, transactions, kill.afterMicros(), typical, repairMillis);
        }
        assertThat(landed).as("kills that landed while iptables-restore ran").isEqualTo(KILLS);
        FaultFigures.record("restore-killed", "kills_landed", landed + "/" + rounds);
        FaultFigures.record("restore-killed", "kernel_states_checked", observed);
        FaultFigures.record("restore-killed", "repair_ms", repairs);
        FaultFigures.record("restore-killed", "repair_ms_max", repairs.stream().mapToLong(Long::longValue).max().orElse(0));
    }

    @Test
    void failingRestoresKeepThePreviousRulesAndTheFirstSyncAfterwardsRepairs() throws InterruptedException {
        List<V1EndpointSlice> next = nextGeneration();
        String expected = reference(next);
        String before = NamespaceAccess.rules(ns);
        int restoresBefore = runner.restores().size();

        long start = System.nanoTime();
        long windowEnd = start + FAILURE_WINDOW.toNanos();
        runner.failUntil(windowEnd);
        deliver(next);
        Thread.sleep(FAILURE_WINDOW.toMillis() - 500);
        assertThat(NamespaceAccess.rules(ns)).as("nothing changed while every restore failed").isEqualTo(before);
        long failedSyncs = reports.stream().filter(c -> c.nanos() >= start && !c.report().success()).count();
        assertThat(failedSyncs).as("syncs failed and were retried during the window").isGreaterThanOrEqualTo(2);
        assertThat(reports.stream().filter(c -> c.nanos() >= start).allMatch(c -> !c.report().success())).isTrue();

        Completed repaired = awaitSuccessAfter(windowEnd);
        assertThat(repaired).as("repaired within %s after the window", REPAIR_DEADLINE).isNotNull();
        assertThat(repaired.report().full()).as("the repair is a full sync").isTrue();
        assertThat(NamespaceAccess.rules(ns)).isEqualTo(SavedRules.normalise(expected));
        long failedRestores = runner.restores().subList(restoresBefore, runner.restores().size()).stream()
                .filter(SabotagingRunner.Restore::failedOnPurpose).count();
        FaultFigures.record("restore-failing", "window_ms", FAILURE_WINDOW.toMillis());
        FaultFigures.record("restore-failing", "failed_syncs", failedSyncs);
        FaultFigures.record("restore-failing", "failed_restores", failedRestores);
        FaultFigures.record("restore-failing", "repair_after_window_ms", (repaired.nanos() - windowEnd) / 1_000_000);
    }

    // ---- the cluster and its reference ---------------------------------------------------------

    private List<V1EndpointSlice> nextGeneration() {
        generation++;
        List<V1EndpointSlice> next = new ArrayList<>(SERVICES);
        for (int i = 0; i < SERVICES; i++) {
            next.add(generator.slice(i, generation));
        }
        return next;
    }

    /** Every endpoint moves: one partial sync rewrites every Service. */
    private void deliver(List<V1EndpointSlice> next) {
        try (Proxier.Batch batch = proxier.deferSyncs()) {
            for (int i = 0; i < SERVICES; i++) {
                proxier.onEndpointSliceUpdate(slices.get(i), next.get(i));
            }
        }
        slices = next;
    }

    /** What a fresh install of the cluster with these slices holds: iptables-save of a new namespace. */
    private String reference(List<V1EndpointSlice> withSlices) {
        try (NetworkNamespace fresh = new NetworkNamespace()) {
            ProcessRunner inFresh = new HostProcessRunner(List.of("ip", "netns", "exec", fresh.name()), 120);
            ProxySettings settings = settings();
            try (Proxier reference = new Proxier(dataplane(inFresh), ClusterGenerator.NODE, settings.syncPeriod(),
                    settings.minSyncPeriod(), List.of(), InstantSource.system())) {
                cluster.nodes().forEach(reference::onNodeAdd);
                cluster.services().forEach(reference::onServiceAdd);
                withSlices.forEach(reference::onEndpointSliceAdd);
                reference.onServicesSynced();
                reference.onEndpointSlicesSynced();
                assertThat(reference.syncProxyRules()).as("reference install").isTrue();
            }
            return NamespaceAccess.save(fresh);
        }
    }

    private static ProxySettings settings() {
        return ProxySettings.defaults(ClusterGenerator.NODE, List.of(Cidr.parse(ClusterGenerator.CLUSTER_CIDR)))
                .withSyncPeriods(Duration.ofSeconds(30), MIN_SYNC_PERIOD);
    }

    private static IptablesDataplane dataplane(ProcessRunner processes) {
        return new IptablesDataplane(IpFamily.IPV4, settings(), new Iptables(IpFamily.IPV4, processes),
                new NfacctCounters(processes), MAX_TRANSACTION_LINES);
    }

    // ---- watching the kernel -------------------------------------------------------------------

    /** After every restore from now on: every chain in the kernel is whole, as before or as after. */
    private void watch(Chains before, Chains after) {
        violations.clear();
        runner.observe(restore -> {
            List<String> wrong = Chains.parse(NamespaceAccess.save(ns)).neitherOf(before, after);
            if (!wrong.isEmpty()) {
                violations.add("after a restore (exit " + restore.exitCode() + (restore.killed() ? ", killed" : "")
                        + "): " + wrong);
            }
        });
    }

    private long medianRestoreMicros() {
        long[] durations = runner.restores().stream().filter(r -> r.exitCode() == 0)
                .mapToLong(r -> r.durationNanos() / 1000).sorted().toArray();
        return durations.length == 0 ? 20_000 : durations[durations.length / 2];
    }

    /** The first successful sync reported after {@code since}, waiting up to the repair deadline. */
    private Completed awaitSuccessAfter(long since) throws InterruptedException {
        long deadline = System.nanoTime() + REPAIR_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            for (Completed c : reports) {
                if (c.nanos() >= since && c.report().success()) {
                    return c;
                }
            }
            Thread.sleep(20);
        }
        return null;
    }
}
