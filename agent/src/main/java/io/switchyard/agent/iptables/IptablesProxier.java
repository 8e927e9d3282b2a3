package io.switchyard.agent.iptables;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.convert.NodeConverter;
import io.switchyard.agent.source.EndpointSliceHandler;
import io.switchyard.agent.source.NodeHandler;
import io.switchyard.agent.source.ServiceHandler;
import io.switchyard.agent.sync.BoundedFrequencyRunner;
import io.switchyard.agent.sync.SyncSchedule;
import io.switchyard.agent.tracking.ChangeTracker;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.iptables.ServiceRules;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The iptables proxier of one IP family: follows cluster events, and on each sync renders the
 * ruleset and brings the kernel to it with {@code iptables-restore --noflush} — only the chains
 * of changed Services on a partial sync, everything on a full one. Any failure makes the next
 * sync full. The tracker's lock is never held while iptables runs.
 */
public final class IptablesProxier implements ServiceHandler, EndpointSliceHandler, NodeHandler, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(IptablesProxier.class.getName());
    /** A full sync is forced at least this often even when nothing failed (kube-proxy: 1h). */
    static final Duration FULL_SYNC_PERIOD = Duration.ofHours(1);
    /**
     * Lines of --noflush input above which a sync is split into ordered transactions. On the
     * nf_tables backend every transaction re-reads the table, and a large one costs far more than
     * its size: at 10k services × 10 endpoints, 1k–2.5k-line transactions load the rules in
     * ~7 s, 20k-line ones in ~29 s, a single one in minutes (see bench/RESULTS.md).
     */
    static final int MAX_TRANSACTION_LINES = 1500;

    private final int maxTransactionLines;

    private final IpFamily family;
    private final ProxySettings settings;
    private final Iptables iptables;
    private final BaseChains baseChains;
    private final NfacctCounters nfacct;
    private final Consumer<SyncReport> reports;
    private final ChangeTracker tracker;
    private final BoundedFrequencyRunner runner;
    private final ScheduledExecutorService monitor;

    private final Object lock = new Object();
    private boolean servicesSynced;
    private boolean endpointSlicesSynced;
    private LocalNode node;
    private boolean needFullSync = true;

    // Owned by the sync thread.
    private LocalNode renderedNode;
    private IptablesRenderer renderer;
    private Ruleset lastRuleset;
    private Instant lastFullSync = Instant.MIN;
    private Instant lastCleanup = Instant.MIN;
    private final Set<String> pendingStale = new HashSet<>();

    public IptablesProxier(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct,
                           Consumer<SyncReport> reports) {
        this(family, settings, iptables, nfacct, reports, MAX_TRANSACTION_LINES);
    }

    /** As above, with the largest iptables-restore transaction a sync may use. */
    public IptablesProxier(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct,
                           Consumer<SyncReport> reports, int maxTransactionLines) {
        this.maxTransactionLines = maxTransactionLines;
        this.family = family;
        this.settings = settings;
        this.iptables = iptables;
        this.baseChains = new BaseChains(iptables);
        this.nfacct = nfacct;
        this.reports = reports;
        this.tracker = new ChangeTracker(family);
        this.node = LocalNode.named(settings.hostname());
        this.runner = new BoundedFrequencyRunner("sync-" + family, this::syncProxyRules,
                new SyncSchedule(settings.minSyncPeriod(), settings.syncPeriod(), settings.minSyncPeriod()));
        this.monitor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("canary-" + family).daemon().factory());
    }

    public IpFamily family() {
        return family;
    }

    /** Starts the sync loop and the canary monitor. */
    public void start() {
        runner.start();
        long period = settings.syncPeriod().toMillis();
        monitor.scheduleWithFixedDelay(this::checkCanaries, period, period, TimeUnit.MILLISECONDS);
    }

    /** Asks for a sync soon (bounded by the minimum sync period). */
    public void sync() {
        runner.run();
    }

    /** Forces the next sync to be full and asks for it. */
    public void forceFullSync() {
        synchronized (lock) {
            needFullSync = true;
        }
        runner.run();
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void onServiceAdd(V1Service service) {
        onServiceUpdate(null, service);
    }

    @Override
    public void onServiceUpdate(V1Service oldService, V1Service service) {
        if (tracker.serviceUpdate(oldService, service) && isInitialized()) {
            sync();
        }
    }

    @Override
    public void onServiceDelete(V1Service service) {
        onServiceUpdate(service, null);
    }

    @Override
    public void onServicesSynced() {
        synchronized (lock) {
            servicesSynced = true;
        }
        sync();
    }

    @Override
    public void onEndpointSliceAdd(V1EndpointSlice slice) {
        if (tracker.endpointSliceUpdate(slice, false) && isInitialized()) {
            sync();
        }
    }

    @Override
    public void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice) {
        onEndpointSliceAdd(slice);
    }

    @Override
    public void onEndpointSliceDelete(V1EndpointSlice slice) {
        if (tracker.endpointSliceUpdate(slice, true) && isInitialized()) {
            sync();
        }
    }

    @Override
    public void onEndpointSlicesSynced() {
        synchronized (lock) {
            endpointSlicesSynced = true;
        }
        sync();
    }

    @Override
    public void onNodeAdd(V1Node v1Node) {
        onNodeUpdate(null, v1Node);
    }

    @Override
    public void onNodeUpdate(V1Node oldNode, V1Node v1Node) {
        LocalNode updated = NodeConverter.convert(v1Node);
        if (!updated.name().equals(settings.hostname())) {
            return;
        }
        boolean changed;
        synchronized (lock) {
            changed = !updated.equals(node);
            node = updated;
            if (changed) {
                // Topology labels or addresses changed: every service's rules may differ.
                needFullSync = true;
            }
        }
        if (changed) {
            LOG.log(System.Logger.Level.DEBUG, "Updated proxier node topology labels: {0}", updated.labels());
            sync();
        }
    }

    @Override
    public void onNodeDelete(V1Node v1Node) {
        // kube-proxy keeps programming with the last known node.
    }

    @Override
    public void onNodeSynced() {
    }

    private boolean isInitialized() {
        synchronized (lock) {
            return servicesSynced && endpointSlicesSynced;
        }
    }

    // ---- sync ----------------------------------------------------------------------------------

    /** One sync; returns false when it failed (the runner retries, and the next one is full). */
    public boolean syncProxyRules() {
        if (!isInitialized()) {
            LOG.log(System.Logger.Level.DEBUG, "Not syncing iptables until Services and EndpointSlices have been received");
            return true;
        }
        long start = System.nanoTime();
        boolean full;
        LocalNode currentNode;
        synchronized (lock) {
            full = needFullSync || Duration.between(lastFullSync, Instant.now()).compareTo(FULL_SYNC_PERIOD) > 0;
            needFullSync = false;
            currentNode = node;
        }
        ChangeTracker.Changes changes = tracker.takeChanges();

        if (renderer == null || !currentNode.equals(renderedNode)) {
            full = true;
            renderedNode = currentNode;
            renderer = null;
        }
        long afterTake = System.nanoTime();
        if (renderer == null) {
            renderer = new IptablesRenderer(rendererConfig(currentNode));
        }

        Ruleset ruleset = full ? renderer.render(changes.state(), currentNode)
                : renderer.render(changes.state(), currentNode, lastRuleset, changes.changedPorts());
        long afterRender = System.nanoTime();
        if (full) {
            pendingStale.clear();
            pendingStale.addAll(StaleChains.inKernel(iptables, ruleset));
        } else {
            pendingStale.addAll(RestorePlan.droppedChains(lastRuleset, ruleset, changes.changedPorts()));
            for (ServicePortName name : changes.changedPorts()) {
                ServiceRules now = ruleset.services().get(name);
                if (now != null) {
                    now.chains().forEach(c -> pendingStale.remove(c.name()));
                }
            }
        }
        // Deleting a chain makes iptables read every rule of the table; in a large cluster that
        // dominates a small sync, so (as kube-proxy does) stale chains — unreferenced and
        // harmless — are removed at most once per sync period there.
        boolean cleanUp = full || !ruleset.largeClusterMode()
                || Duration.between(lastCleanup, Instant.now()).compareTo(settings.syncPeriod()) > 0;
        Set<String> stale = cleanUp ? Set.copyOf(pendingStale) : Set.of();
        RestorePlan.Scope scope = full ? new RestorePlan.Scope.Full()
                : new RestorePlan.Scope.Partial(lastRuleset, changes.changedPorts());
        List<RestorePlan.Transaction> plan = RestorePlan.plan(ruleset, scope, stale, maxTransactionLines);

        long afterPlan = System.nanoTime();
        for (RestorePlan.Transaction transaction : plan) {
            try {
                iptables.restore(transaction.document());
            } catch (Iptables.RestoreException e) {
                LOG.log(System.Logger.Level.ERROR, "Failed to execute iptables-restore ({0}): {1}\n{2}",
                        transaction.stage(), e.getMessage(), RestoreErrors.context(transaction.document(), e.line(), 3));
                return failed(full, start, changes);
            }
        }
        lastRuleset = ruleset;
        if (cleanUp) {
            pendingStale.clear();
            lastCleanup = Instant.now();
        }
        long afterRestore = System.nanoTime();
        if (full && !baseChains.ensure(ruleset)) {
            return failed(full, start, changes);
        }
        if (full) {
            lastFullSync = Instant.now();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        SyncReport report = new SyncReport(family, full, true, elapsed, ruleset.services().size(),
                ruleset.totalEndpoints(), changes.changedServices().size(), ruleset.filterRuleCount(),
                ruleset.natRuleCount(), stale.size(), plan, changes.triggerTimes(),
                ruleset.noLocalEndpointsInternal(), ruleset.noLocalEndpointsExternal());
        LOG.log(System.Logger.Level.INFO, "SyncProxyRules complete ipFamily={0} fullSync={1} numServices={2} "
                        + "numEndpoints={3} changedServices={4} numFilterRules={5} numNATRules={6} staleChains={7} "
                        + "transactions={8} elapsed={9}ms (changes {10}ms, render {11}ms, plan {12}ms, "
                        + "restore {13}ms, jumps {14}ms)",
                family, full, str(report.services()), str(report.endpoints()), str(report.changedServices()),
                str(report.filterRules()), str(report.natRules()), str(stale.size()), str(plan.size()),
                str(elapsed.toMillis()), str(millis(start, afterTake)), str(millis(afterTake, afterRender)),
                str(millis(afterRender, afterPlan)), str(millis(afterPlan, afterRestore)),
                str(millis(afterRestore, System.nanoTime())));
        reports.accept(report);
        return true;
    }

    /** Numbers as kube-proxy logs them: no digit grouping. */
    private static String str(long n) {
        return Long.toString(n);
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private boolean failed(boolean full, long start, ChangeTracker.Changes changes) {
        synchronized (lock) {
            // The pending changes were taken: only a full sync can restore a known state now.
            needFullSync = true;
        }
        lastRuleset = null;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        LOG.log(System.Logger.Level.WARNING, "Sync failed ipFamily={0} fullSync={1}; next sync is full, retrying in {2}s",
                family, full, settings.minSyncPeriod().toSeconds());
        reports.accept(new SyncReport(family, full, false, elapsed, changes.state().services().size(),
                changes.state().totalEndpoints(), changes.changedServices().size(), 0, 0, 0, List.of(),
                Map.of(), 0, 0));
        return false;
    }

    private IptablesConfig rendererConfig(LocalNode currentNode) {
        IptablesConfig config = settings.iptablesConfig(family, currentNode);
        boolean invalidDrop = nfacct.ensure(IptablesConfig.INVALID_DROP_COUNTER);
        boolean localhost = nfacct.ensure(IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
        return config.withCounters(invalidDrop, localhost);
    }

    /** kube-proxy's monitor: if someone flushed our tables, the canaries are gone too. */
    private void checkCanaries() {
        try {
            if (!baseChains.canariesPresent()) {
                LOG.log(System.Logger.Level.WARNING, "iptables canary chain missing: rules were flushed, forcing a full resync");
                forceFullSync();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "canary check failed", e);
        }
    }

    /** The ruleset of the last successful sync (null before one): for benchmarks and diagnostics. */
    public Ruleset lastRuleset() {
        return lastRuleset;
    }

    @Override
    public void close() {
        monitor.shutdownNow();
        runner.close();
    }

    @Override
    public String toString() {
        return "IptablesProxier[" + family + ", node " + Objects.requireNonNullElse(renderedNode, node).name() + "]";
    }
}
