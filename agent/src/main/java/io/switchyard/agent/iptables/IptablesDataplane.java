package io.switchyard.agent.iptables;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.node.ProcessSysctls;
import io.switchyard.agent.node.Sysctls;
import io.switchyard.agent.proxy.Dataplane;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.iptables.RestorePlan.Work;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.iptables.ServiceRules;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServicePortName;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * iptables mode for one IP family: renders the ruleset and brings the kernel to it with
 * {@code iptables-restore --noflush} — only the chains of changed Services on a partial sync,
 * everything on a full one, split into ordered transactions so that no packet meets a half-built
 * chain. Every sync also rewrites the filter table and the small nat chains, checks KUBE-SERVICES
 * and KUBE-NODEPORTS against what it wrote (rewriting them only when they differ: at 10k
 * Services that check costs a tenth of a rewrite) and checks the jumps from the builtin chains.
 * Between syncs, {@link #checkDrift()} compares the whole installed state with what was applied
 * and hands what it found to the next sync. A restore the kernel refuses is narrowed down to the
 * Service that caused it ({@link Applier}). Syncs come from the shared
 * {@link io.switchyard.agent.proxy.Proxier}'s sync thread; the drift check from another thread.
 */
public final class IptablesDataplane implements Dataplane {

    private static final System.Logger LOG = System.getLogger(IptablesDataplane.class.getName());
    /**
     * Lines of --noflush input above which a sync is split into ordered transactions. On the
     * nf_tables backend every transaction re-reads the table, and a large one costs far more than
     * its size: at 10k services × 10 endpoints, 1k–2.5k-line transactions load the rules in
     * ~7 s, 20k-line ones in ~29 s, a single one in minutes (see bench/RESULTS.md).
     */
    public static final int MAX_TRANSACTION_LINES = 1500;

    private final IpFamily family;
    private final ProxySettings settings;
    private final Iptables iptables;
    private final BaseChains baseChains;
    private final NfacctCounters nfacct;
    private final NodeSettings nodeSettings;
    private final EntryChains entryChains;
    private final RulesetGeneration generation;
    /** The ruleset generation the last successful sync left, or {@link #NOT_VERIFIED}. */
    private long verifiedGeneration = NOT_VERIFIED;
    private final Applier applier;
    private final DriftDetector detector = new DriftDetector();
    /** Runs the listings a sync reads side by side. */
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

    /** Held by a sync from start to end, and briefly by the drift check; guards {@link #ledger}. */
    private final ReentrantLock syncing = new ReentrantLock();
    private final Ledger ledger = new Ledger();

    // Owned by the sync thread.
    private LocalNode renderedNode;
    private IptablesRenderer renderer;
    private Instant lastCleanup = Instant.MIN;
    private final Set<String> pendingStale = new HashSet<>();
    /** Refused Services and when they were last tried. */
    private final Map<ServicePortName, Instant> refused = new HashMap<>();

    private volatile Ruleset lastRuleset;
    private volatile List<RestorePlan.Transaction> lastTransactions = List.of();

    private static final long NOT_VERIFIED = -1;
    private final AtomicLong driftChecks = new java.util.concurrent.atomic.AtomicLong();

    public IptablesDataplane(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct) {
        this(family, settings, iptables, nfacct, MAX_TRANSACTION_LINES);
    }

    /** As above, with the largest iptables-restore transaction a sync may use. */
    public IptablesDataplane(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct,
                             int maxTransactionLines) {
        this(family, settings, iptables, nfacct, new ProcessSysctls(iptables.processes()), maxTransactionLines);
    }

    /** As above, reading and writing kernel parameters through {@code sysctls}. */
    public IptablesDataplane(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct,
                             Sysctls sysctls, int maxTransactionLines) {
        this(family, settings, iptables, nfacct, sysctls, maxTransactionLines, RulesetGeneration.UNKNOWN);
    }

    /**
     * As above; a sync that finds the ruleset {@code generation} where the previous sync left it
     * knows nobody touched the tables since, and does not read back the entry chains.
     */
    public IptablesDataplane(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct,
                             Sysctls sysctls, int maxTransactionLines, RulesetGeneration generation) {
        this.generation = generation;
        this.family = family;
        this.settings = settings;
        this.iptables = iptables;
        this.baseChains = new BaseChains(iptables);
        this.nfacct = nfacct;
        this.nodeSettings = new NodeSettings(sysctls);
        this.entryChains = new EntryChains(iptables);
        this.applier = new Applier(iptables, maxTransactionLines);
    }

    @Override
    public IpFamily family() {
        return family;
    }

    @Override
    public SyncOutcome sync(SyncRequest request) {
        syncing.lock();
        try {
            return syncLocked(request);
        } finally {
            syncing.unlock();
        }
    }

    private SyncOutcome syncLocked(SyncRequest request) {
        long start = System.nanoTime();
        OptionalLong generationAtStart = generation.current();
        boolean untouched = generationAtStart.isPresent() && generationAtStart.getAsLong() == verifiedGeneration;
        LocalNode node = request.node();
        Ledger.Repairs repairs = ledger.takeRepairs();
        Ruleset previous = ledger.applied();
        boolean full = request instanceof SyncRequest.Full || renderer == null || !node.equals(renderedNode)
                || previous == null || repairs.full();
        if (renderer == null || !node.equals(renderedNode)) {
            renderer = new IptablesRenderer(rendererConfig(node));
            renderedNode = node;
        } else if (full) {
            nodeSettings.retry();
        }
        Set<ServicePortName> changed = new HashSet<>(request instanceof SyncRequest.Partial partial
                ? partial.changedPorts() : Set.of());
        Instant now = Instant.now();
        refused.keySet().retainAll(request.state().services().keySet());
        refused.forEach((name, tried) -> {
            if (Duration.between(tried, now).compareTo(settings.syncPeriod()) >= 0) {
                changed.add(name);
            }
        });
        Ruleset ruleset = full ? renderer.render(request.state(), node) : renderer.render(request.state(), node, previous, changed);
        long afterRender = System.nanoTime();

        // Every sync rewrites the filter table and the small nat chains, as kube-proxy does.
        Work work = (full ? Work.all(ruleset) : RestorePlan.work(ruleset, new RestorePlan.Scope.Partial(previous, changed))
                .withChains(repairs.chains())).and(new Work(Set.of(), true, true, repairs.natEntry()));
        Set<String> stale;
        try {
            stale = staleChains(full, previous, ruleset, changed, now);
        } catch (Iptables.ToolException e) {
            return failed(SyncOutcome.Stage.KERNEL, "cannot list the nat chains, so stale ones cannot be found: " + e.getMessage());
        }
        ledger.begin();
        SyncOutcome.Stage restoreStage = full ? SyncOutcome.Stage.IPTABLES_RESTORE : SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE;
        Applier.Result result = applier.apply(ruleset, previous, work, stale);
        if (!(result instanceof Applier.Result.Done done)) {
            return failed(restoreStage, ((Applier.Result.Stopped) result).message());
        }
        long afterRestore = System.nanoTime();

        // Once the changes are in, what every sync checks: the entry chains, unless just written,
        // and the builtin chains where the jumps are, listed side by side (at 10k Services the
        // entry chains take a quarter of a second to list; listed during the restore, they would
        // slow it down).
        List<String> repaired = new ArrayList<>(repairs.findings());
        // Nor when nothing in the kernel changed since the previous sync left the chains verified
        // (a change made while this sync runs is the periodic drift check's to find).
        CompletableFuture<EntryChains.Listing> entryListing = done.entry() || untouched ? null
                : CompletableFuture.supplyAsync(entryChains::list, readers);
        // The jumps from the builtin chains are checked on full syncs and when the drift check
        // (once per sync period) found one missing, as kube-proxy checks them on full syncs only:
        // listing six builtin chains would double the cost of a one-Service sync.
        CompletableFuture<Map<String, List<String>>> builtins = full || repairs.jumps()
                ? CompletableFuture.supplyAsync(this::listBuiltins, readers) : null;
        if (entryListing != null) {
            EntryChains.Verdict verdict = entryChains.judge(entryListing.join(), done.applied());
            if (verdict instanceof EntryChains.Verdict.Flushed) {
                full = true;
                restoreStage = SyncOutcome.Stage.IPTABLES_RESTORE;
                try {
                    stale = staleChains(true, previous, done.applied(), Set.of(), now);
                } catch (Iptables.ToolException e) {
                    return failed(SyncOutcome.Stage.KERNEL, "cannot list the nat chains: " + e.getMessage());
                }
            }
            result = repairEntry(verdict, done, stale, repaired);
            if (!(result instanceof Applier.Result.Done)) {
                return failed(restoreStage, ((Applier.Result.Stopped) result).message());
            }
            done = (Applier.Result.Done) result;
        }
        if (done.entry()) {
            entryChains.written();
        }
        long afterVerify = System.nanoTime();
        keepRefusedAndStale(done, full ? ruleset.services().keySet() : changed, now, stale);

        BaseChains.Ensured ensured;
        try {
            if (builtins == null && full) { // the entry chains were found flushed: a full sync after all
                builtins = CompletableFuture.completedFuture(baseChains.listBuiltins());
            }
            ensured = builtins == null ? BaseChains.Ensured.NOTHING
                    : baseChains.ensure(done.applied(), full || repairs.jumps(), builtins.join());
        } catch (CompletionException e) {
            return failed(SyncOutcome.Stage.KERNEL, "cannot list the builtin chains: " + e.getCause().getMessage());
        } catch (Iptables.ToolException e) {
            return failed(SyncOutcome.Stage.KERNEL, "cannot list the builtin chains: " + e.getMessage());
        } catch (Iptables.RestoreException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to ensure canary chains and chain jumps: {0}", e.getMessage());
            return failed(restoreStage, "could not ensure the jumps from the builtin chains: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (previous != null) {
            ensured.jumps().forEach(jump -> repaired.add("jump " + jump + " missing"));
        }
        ledger.applied(done.applied(), done.written(), done.entry(), ensured.wroteAnything());
        verifiedGeneration = generation.current().orElse(NOT_VERIFIED);
        lastRuleset = done.applied();
        lastTransactions = done.transactions();
        if (!repaired.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Repaired rules that drifted ipFamily={0}: {1}", family,
                    String.join("; ", repaired));
        }
        Map<String, Object> details = details(done, stale, repaired);
        details.put("render", millis(start, afterRender) + "ms");
        details.put("restore", millis(afterRender, afterRestore) + "ms");
        details.put("verify", millis(afterRestore, afterVerify) + "ms");
        details.put("jumps", millis(afterVerify, System.nanoTime()) + "ms");
        Ruleset applied = done.applied();
        SyncOutcome.Stage stage = restoreStage;
        List<SyncOutcome.Failed> refusals = new ArrayList<>();
        done.refused().forEach((name, message) -> refusals.add(new SyncOutcome.Failed(stage,
                "iptables-restore refused the rules of Service " + name + ": " + message)));
        return new SyncOutcome.Applied(full, applied.noLocalEndpointsInternal(), applied.noLocalEndpointsExternal(),
                Map.of(KubeChains.Table.FILTER.iptablesName(), applied.filterRuleCount(),
                        KubeChains.Table.NAT.iptablesName(), applied.natRuleCount()),
                rulesWritten(done.transactions()), details, refusals);
    }

    /** After the changes: the entry chains rewritten if they differ, everything if the nat table was flushed. */
    private Applier.Result repairEntry(EntryChains.Verdict verdict, Applier.Result.Done done, Set<String> stale,
                                       List<String> repaired) {
        return switch (verdict) {
            case EntryChains.Verdict.Intact() -> done;
            case EntryChains.Verdict.Differs(String what) -> {
                repaired.add(what);
                yield done.then(applier.apply(done.applied(), done.applied(), new Work(Set.of(), false, false, true), Set.of()));
            }
            case EntryChains.Verdict.Flushed(String what) -> {
                repaired.add(what + ": the nat table was flushed, everything is rewritten");
                yield done.then(applier.apply(done.applied(), done.applied(), Work.all(done.applied()), stale));
            }
        };
    }

    private Map<String, List<String>> listBuiltins() {
        try {
            return baseChains.listBuiltins();
        } catch (Iptables.ToolException e) {
            throw new CompletionException(e);
        }
    }

    /**
     * The stale chains this sync deletes. A full sync lists the kernel's; a partial one adds the
     * chains the changed Services dropped. Deleting a chain makes iptables read every rule of the
     * table; in a large cluster that dominates a small sync, so (as kube-proxy does) stale chains
     * — unreferenced and harmless — are removed at most once per sync period there.
     */
    private Set<String> staleChains(boolean full, Ruleset previous, Ruleset ruleset, Set<ServicePortName> changed,
                                    Instant now) throws Iptables.ToolException {
        if (full) {
            Set<String> inKernel = StaleChains.inKernel(iptables, ruleset);
            pendingStale.clear();
            pendingStale.addAll(inKernel);
        } else {
            pendingStale.addAll(RestorePlan.droppedChains(previous, ruleset, changed));
            for (ServicePortName name : changed) {
                ServiceRules rules = ruleset.services().get(name);
                if (rules != null) {
                    rules.chains().forEach(c -> pendingStale.remove(c.name()));
                }
            }
        }
        boolean cleanUp = full || !ruleset.largeClusterMode()
                || Duration.between(lastCleanup, now).compareTo(settings.syncPeriod()) > 0;
        if (!cleanUp) {
            return Set.of();
        }
        lastCleanup = now;
        return Set.copyOf(pendingStale);
    }

    /** After the restores: which Services stay refused, and which stale chains are left for later. */
    private void keepRefusedAndStale(Applier.Result.Done done, Set<ServicePortName> attempted, Instant now, Set<String> stale) {
        attempted.forEach(refused::remove);
        done.refused().keySet().forEach(name -> refused.put(name, now));
        pendingStale.removeAll(stale);
        pendingStale.addAll(done.keptStale());
        for (ServicePortName name : done.refused().keySet()) {
            // A refused Service keeps its previous chains: none of them is stale.
            ServiceRules kept = done.applied().services().get(name);
            if (kept != null) {
                kept.chains().forEach(c -> pendingStale.remove(c.name()));
            }
        }
    }

    private static Map<String, Object> details(Applier.Result.Done done, Set<String> stale, List<String> repaired) {
        Ruleset applied = done.applied();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("numFilterRules", applied.filterRuleCount());
        details.put("numNATRules", applied.natRuleCount());
        details.put("staleChains", stale.size() - done.keptStale().size());
        details.put("transactions", done.transactions().size());
        if (!repaired.isEmpty()) {
            details.put("repaired", String.join("; ", repaired.subList(0, Math.min(3, repaired.size())))
                    + (repaired.size() > 3 ? "; and " + (repaired.size() - 3) + " more" : ""));
        }
        if (!done.refused().isEmpty()) {
            details.put("refusedServices", String.join(",", done.refused().keySet().stream().map(Object::toString).toList()));
        }
        return details;
    }

    /** Rules per table the transactions append: kube-proxy's "rules written in the last sync". */
    static Map<String, Integer> rulesWritten(List<RestorePlan.Transaction> plan) {
        Map<String, Integer> written = new java.util.TreeMap<>();
        written.put(KubeChains.Table.FILTER.iptablesName(), 0);
        written.put(KubeChains.Table.NAT.iptablesName(), 0);
        for (RestorePlan.Transaction transaction : plan) {
            String table = null;
            for (String line : transaction.document().split("\n")) {
                if (line.startsWith("*")) {
                    table = line.substring(1);
                } else if (line.startsWith("-A ") && table != null) {
                    written.merge(table, 1, Integer::sum);
                }
            }
        }
        return written;
    }

    private SyncOutcome failed(SyncOutcome.Stage stage, String message) {
        ledger.forget();
        verifiedGeneration = NOT_VERIFIED;
        lastRuleset = null;
        return new SyncOutcome.Failed(stage, message);
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** The renderer's settings on this node: the flags, the kernel's parameters, the nfacct counters that exist. */
    private IptablesConfig rendererConfig(LocalNode node) {
        IptablesConfig config = nodeSettings.apply(settings.iptablesConfig(family, node));
        boolean invalidDrop = nfacct.ensure(IptablesConfig.INVALID_DROP_COUNTER);
        boolean localhost = nfacct.ensure(IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
        return config.withCounters(invalidDrop, localhost);
    }

    /**
     * Compares everything installed with what the syncs applied (one iptables-save), and hands
     * what drifted to the next sync. A sync that runs meanwhile is waited for at the start and
     * the end only; findings about anything it wrote are dropped.
     */
    @Override
    public synchronized DriftCheck checkDrift() {
        Ledger.Snapshot snapshot;
        syncing.lock();
        try {
            snapshot = ledger.snapshot();
        } finally {
            syncing.unlock();
        }
        if (snapshot.applied() == null) {
            return DriftCheck.NONE;
        }
        long start = System.nanoTime();
        SavedTables.Parser parser = detector.parser(snapshot);
        try {
            iptables.saveAll(parser);
        } catch (Iptables.ToolException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot check the rules for drift ipFamily={0}: {1}", family, e.getMessage());
            return DriftCheck.NONE;
        }
        DriftDetector.Report report = detector.compare(snapshot, parser.result());
        List<DriftDetector.Finding> findings;
        syncing.lock();
        try {
            findings = report.findings().stream().filter(f -> ledger.unchangedSince(f.part(), snapshot)).toList();
            detector.keep(report, part -> ledger.unchangedSince(part, snapshot));
            if (!findings.isEmpty()) {
                ledger.addRepairs(Ledger.Repairs.of(findings, snapshot.applied()));
            }
        } finally {
            syncing.unlock();
        }
        driftChecks.incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, "Checked the rules for drift ipFamily={0} findings={1} elapsed={2}ms",
                family, findings.size(), (System.nanoTime() - start) / 1_000_000);
        return findings.isEmpty() ? DriftCheck.NONE : new DriftCheck(DriftDetector.describe(findings));
    }

    /** The ruleset the kernel holds after the last successful sync (null before one, or after a failure). */
    public Ruleset lastRuleset() {
        return lastRuleset;
    }

    /** What the last successful sync handed to iptables-restore and it accepted, in order. */
    public List<RestorePlan.Transaction> lastTransactions() {
        return lastTransactions;
    }

    /** How many drift checks compared the kernel with what was applied. */
    public long driftChecks() {
        return driftChecks.get();
    }

    @Override
    public void close() {
        readers.close();
        generation.close();
    }

    @Override
    public String toString() {
        return "IptablesDataplane[" + family + "]";
    }
}
