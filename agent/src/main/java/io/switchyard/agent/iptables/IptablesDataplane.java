package io.switchyard.agent.iptables;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.proxy.Dataplane;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.iptables.ServiceRules;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServicePortName;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * iptables mode for one IP family: renders the ruleset and brings the kernel to it with
 * {@code iptables-restore --noflush} — only the chains of changed Services on a partial sync,
 * everything on a full one, split into ordered transactions so that no packet meets a half-built
 * chain. Called by the shared {@link io.switchyard.agent.proxy.Proxier} on its sync thread only.
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
    private final int maxTransactionLines;

    // Owned by the sync thread.
    private LocalNode renderedNode;
    private IptablesRenderer renderer;
    private Ruleset lastRuleset;
    private List<RestorePlan.Transaction> lastTransactions = List.of();
    private Instant lastCleanup = Instant.MIN;
    private final Set<String> pendingStale = new HashSet<>();
    /** Set by the drift check (another thread): the next sync must be full. */
    private volatile boolean repairAll;

    public IptablesDataplane(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct) {
        this(family, settings, iptables, nfacct, MAX_TRANSACTION_LINES);
    }

    /** As above, with the largest iptables-restore transaction a sync may use. */
    public IptablesDataplane(IpFamily family, ProxySettings settings, Iptables iptables, NfacctCounters nfacct,
                             int maxTransactionLines) {
        this.family = family;
        this.settings = settings;
        this.iptables = iptables;
        this.baseChains = new BaseChains(iptables);
        this.nfacct = nfacct;
        this.maxTransactionLines = maxTransactionLines;
    }

    @Override
    public IpFamily family() {
        return family;
    }

    @Override
    public SyncOutcome sync(SyncRequest request) {
        boolean full = request instanceof SyncRequest.Full;
        LocalNode node = request.node();
        if (renderer == null || !node.equals(renderedNode) || lastRuleset == null || repairAll) {
            full = true;
            repairAll = false;
        }
        long start = System.nanoTime();
        if (renderer == null || !node.equals(renderedNode)) {
            renderer = new IptablesRenderer(rendererConfig(node));
            renderedNode = node;
        }
        Set<ServicePortName> changed = request instanceof SyncRequest.Partial partial ? partial.changedPorts() : Set.of();
        Ruleset ruleset = full ? renderer.render(request.state(), node)
                : renderer.render(request.state(), node, lastRuleset, changed);
        long afterRender = System.nanoTime();
        if (full) {
            pendingStale.clear();
            pendingStale.addAll(StaleChains.inKernel(iptables, ruleset));
        } else {
            pendingStale.addAll(RestorePlan.droppedChains(lastRuleset, ruleset, changed));
            for (ServicePortName name : changed) {
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
                : new RestorePlan.Scope.Partial(lastRuleset, changed);
        List<RestorePlan.Transaction> plan = RestorePlan.plan(ruleset, scope, stale, maxTransactionLines);
        long afterPlan = System.nanoTime();
        for (RestorePlan.Transaction transaction : plan) {
            try {
                iptables.restore(transaction.document());
            } catch (Iptables.RestoreException e) {
                LOG.log(System.Logger.Level.ERROR, "Failed to execute iptables-restore ({0}): {1}\n{2}",
                        transaction.stage(), e.getMessage(), RestoreErrors.context(transaction.document(), e.line(), 3));
                lastRuleset = null;
                return new SyncOutcome.Failed(full ? SyncOutcome.Stage.IPTABLES_RESTORE
                        : SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE, e.getMessage());
            }
        }
        lastRuleset = ruleset;
        lastTransactions = plan;
        if (cleanUp) {
            pendingStale.clear();
            lastCleanup = Instant.now();
        }
        long afterRestore = System.nanoTime();
        if (full && !baseChains.ensure(ruleset)) {
            lastRuleset = null;
            return new SyncOutcome.Failed(SyncOutcome.Stage.IPTABLES_RESTORE, "could not ensure the jumps from the builtin chains");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("numFilterRules", ruleset.filterRuleCount());
        details.put("numNATRules", ruleset.natRuleCount());
        details.put("staleChains", stale.size());
        details.put("transactions", plan.size());
        details.put("render", millis(start, afterRender) + "ms");
        details.put("restore", millis(afterPlan, afterRestore) + "ms");
        if (full) {
            details.put("jumps", millis(afterRestore, System.nanoTime()) + "ms");
        }
        return new SyncOutcome.Applied(full, ruleset.noLocalEndpointsInternal(), ruleset.noLocalEndpointsExternal(),
                Map.of(KubeChains.Table.FILTER.iptablesName(), ruleset.filterRuleCount(),
                        KubeChains.Table.NAT.iptablesName(), ruleset.natRuleCount()),
                rulesWritten(plan), details);
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

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private IptablesConfig rendererConfig(LocalNode node) {
        IptablesConfig config = settings.iptablesConfig(family, node);
        boolean invalidDrop = nfacct.ensure(IptablesConfig.INVALID_DROP_COUNTER);
        boolean localhost = nfacct.ensure(IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
        return config.withCounters(invalidDrop, localhost);
    }

    /** kube-proxy's canary check: if someone flushed our tables, the canaries are gone too. */
    @Override
    public DriftCheck checkDrift() {
        if (baseChains.canariesPresent()) {
            return DriftCheck.NONE;
        }
        repairAll = true;
        return new DriftCheck(List.of("iptables canary chain missing: rules were flushed"));
    }

    /** The ruleset of the last successful sync (null before one, or after a failure). */
    public Ruleset lastRuleset() {
        return lastRuleset;
    }

    /** What the last successful sync handed to iptables-restore, in order. */
    public List<RestorePlan.Transaction> lastTransactions() {
        return lastTransactions;
    }

    @Override
    public String toString() {
        return "IptablesDataplane[" + family + "]";
    }
}
