package io.switchyard.agent.ipvs;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.proxy.Dataplane;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.desired.IpvsConfig;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.ipvs.desired.IpvsRenderer;
import io.switchyard.ipvs.ipset.IpsetEntry;
import io.switchyard.ipvs.ipset.IpsetPlan;
import io.switchyard.ipvs.ipset.IpsetSnapshot;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.ipvs.iptables.IpvsRules;
import io.switchyard.ipvs.plan.AddressPlan;
import io.switchyard.ipvs.plan.IpvsDiff;
import io.switchyard.ipvs.plan.IpvsPlan;
import io.switchyard.ipvs.plan.PendingTerminations;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * ipvs mode for one IP family, as kube-proxy v1.32's ipvs proxier programs a node: a virtual
 * server per service address and port with the chosen endpoints as real servers, the service
 * addresses bound to {@code kube-ipvs0}, the ipsets, and the iptables rules that match them.
 *
 * <p>Each sync reads the host's addresses, renders the desired state, and then, in kube-proxy's
 * order: ensures kube-ipvs0; adds and updates virtual and real servers and binds new addresses;
 * applies the ipset changes in one {@code ipset restore}; rewrites our chains (and any missing
 * builtin-chain jump) in one {@code iptables-restore --noflush}; unbinds addresses no longer
 * wanted; deletes virtual servers no longer wanted. A full sync renders every service port and
 * compares with everything the kernel holds. A partial sync renders only the changed service
 * ports ({@link DesiredLedger}), reads from the kernel only the real servers of the virtual
 * servers they touch, and writes only the set members and addresses that change (and the rules,
 * only when they change); anything it could not do makes the next sync full.
 *
 * <p>Real servers that are no longer wanted drain: weight 0 while a TCP one holds connections,
 * deleted once it holds none (UDP and SCTP ones at once). A background sweep, sharing a lock
 * with syncs, deletes those that finished draining. After a full sync that succeeds, whatever
 * iptables mode left behind is removed.
 */
public final class IpvsDataplane implements Dataplane {

    private static final System.Logger LOG = System.getLogger(IpvsDataplane.class.getName());
    /** How often the background sweep looks at draining real servers (kube-proxy: a minute). */
    public static final Duration SWEEP_PERIOD = Duration.ofMinutes(1);
    private static final int MAX_LOGGED_ERRORS = 10;

    private final IpFamily family;
    private final ProxySettings settings;
    private final Ipvs ipvs;
    private final NetworkInterfaces interfaces;
    private final IpsetCommands ipsets;
    private final Iptables iptables;
    private final IpvsDiff diff;
    private final IpvsApplier applier;
    private final VirtualServerReader reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService sweeper;
    private final DrainingServers draining;

    // Guarded by lock.
    private LocalNode renderedNode;
    private DesiredLedger ledger;
    private NodePortAddresses nodePorts;
    /** Whether the kernel holds the ledger's state (a partial sync may build on it). */
    private boolean inStep;
    private HostAddresses syncedHost;
    private boolean leftoversRemoved;
    private Set<String> reportedProblems = Set.of();
    /** Set by the drift check (another thread) and by syncs that could not do everything: the next sync is full. */
    private volatile boolean repairAll;

    /**
     * @param sweepPeriod how often draining real servers are looked at in the background; zero
     *                    for never (tests call {@link #sweep()})
     */
    public IpvsDataplane(IpFamily family, ProxySettings settings, Ipvs ipvs, NetworkInterfaces interfaces,
                         IpsetCommands ipsets, Iptables iptables, Duration sweepPeriod) {
        this.family = family;
        this.settings = settings;
        this.ipvs = ipvs;
        this.interfaces = interfaces;
        this.ipsets = ipsets;
        this.iptables = iptables;
        this.diff = new IpvsDiff(family, settings.ipvs().excludeCidrs());
        this.applier = new IpvsApplier(ipvs);
        this.reader = new VirtualServerReader(ipvs, family);
        this.draining = new DrainingServers(ipvs, applier, family);
        if (sweepPeriod.isPositive()) {
            sweeper = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("ipvs-sweep-" + family).daemon().factory());
            long period = sweepPeriod.toMillis();
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
        } else {
            sweeper = null;
        }
    }

    /** The renderer's settings for a family, from the proxy settings and that family's iptables settings. */
    static IpvsConfig config(ProxySettings settings, IptablesConfig iptablesConfig) {
        return new IpvsConfig(iptablesConfig.family(), settings.ipvs().scheduler(), settings.masqueradeBit(),
                settings.masqueradeAll(), iptablesConfig.localDetector(), settings.preferSameNodeHints());
    }

    @Override
    public IpFamily family() {
        return family;
    }

    @Override
    public SyncOutcome sync(SyncRequest request) {
        lock.lock();
        try {
            Steps steps = new Steps();
            LocalNode node = request.node();
            if (!node.equals(renderedNode)) {
                IptablesConfig iptablesConfig = settings.iptablesConfig(family, node);
                ledger = new DesiredLedger(new IpvsRenderer(config(settings, iptablesConfig)), family);
                nodePorts = iptablesConfig.nodePortAddresses();
                renderedNode = node;
                inStep = false;
            }
            HostView host;
            try {
                host = HostView.read(interfaces, family, nodePorts);
            } catch (NetlinkException e) {
                inStep = false;
                return new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, "cannot read the host's addresses: " + e.getMessage());
            }
            // New addresses on the host move node ports: every port is rendered again.
            boolean full = !(request instanceof SyncRequest.Partial) || !inStep || repairAll
                    || !host.addresses().equals(syncedHost);
            repairAll = false;
            inStep = false;
            SyncOutcome outcome = full ? fullSync(request, node, host, steps)
                    : partialSync((SyncRequest.Partial) request, node, host, steps);
            if (outcome instanceof SyncOutcome.Applied) {
                inStep = true;
                syncedHost = host.addresses();
            }
            return outcome;
        } finally {
            lock.unlock();
        }
    }

    // ---- full sync -----------------------------------------------------------------------------

    private SyncOutcome fullSync(SyncRequest request, LocalNode node, HostView host, Steps steps) {
        IpvsDesiredState desired = ledger.rebuild(request.state(), node, host.addresses());
        reportProblems(desired.problems());
        steps.mark("render");
        if (!ensureDummy()) {
            return new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, "cannot create " + HostAddresses.DUMMY_INTERFACE);
        }

        Map<VirtualServer.Key, DesiredServer> wanted = desired.servers();
        IpvsPlan plan;
        try {
            plan = diff.plan(wanted.values(), reader.all(wanted));
        } catch (NetlinkException e) {
            return new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, "cannot list IPVS: " + e.getMessage());
        }
        KernelChanges applying = new KernelChanges(applier, interfaces);
        applying.changes(plan);
        AddressPlan addresses = AddressPlan.of(desired.boundAddresses(), host.bound());
        applying.bind(addresses.bind());
        steps.mark("ipvs");

        IpsetPlan ipsetPlan;
        try {
            ipsetPlan = IpsetPlan.compute(desired.ipsets(), IpsetSnapshot.parse(ipsets.save()));
            ipsetPlan.conflicts().forEach(c -> LOG.log(System.Logger.Level.WARNING, c));
            ipsets.restore(ipsetPlan.script());
        } catch (IpsetCommands.IpsetException | IllegalArgumentException e) {
            return new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, e.getMessage());
        }
        steps.mark("ipset");

        SavedIptables saved;
        try {
            saved = SavedIptables.parse(iptables.saveAll());
        } catch (Iptables.ToolException | IllegalStateException e) {
            return new SyncOutcome.Failed(SyncOutcome.Stage.IPTABLES_RESTORE, e.getMessage());
        }
        SyncOutcome.Failed refused = restore(IpvsGlue.document(desired.rules(), saved));
        if (refused != null) {
            return refused;
        }
        steps.mark("iptables");

        applying.unbind(addresses.unbind());
        applying.deletions(plan);
        draining.replace(plan.pending());
        steps.mark("cleanup");
        int leftovers = 0;
        if (!leftoversRemoved) {
            IptablesModeLeftovers.Removed removed = IptablesModeLeftovers.remove(iptables, saved, family);
            leftoversRemoved = removed.complete();
            leftovers = removed.count();
        }

        Map<String, Object> details = finish(applying, ipsetPlan.additions() + ipsetPlan.deletions(),
                addresses.bind().size(), addresses.unbind().size());
        if (leftovers > 0) {
            details.put("iptablesModeLeftovers", leftovers);
        }
        return applied(true, desired.rules(), details, steps);
    }

    // ---- partial sync --------------------------------------------------------------------------

    private SyncOutcome partialSync(SyncRequest.Partial request, LocalNode node, HostView host, Steps steps) {
        DesiredLedger.Delta delta = ledger.update(request.changedPorts(), request.state(), node, host.addresses());
        delta.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, "Left out of ipvs rules ipFamily={0}: {1}",
                family, p));
        steps.mark("render");
        if (!ensureDummy()) {
            return new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, "cannot create " + HostAddresses.DUMMY_INTERFACE);
        }

        IpvsPlan plan;
        try {
            plan = diff.plan(delta.after().values(), reader.some(delta.servers(), delta.before(), delta.after()));
        } catch (NetlinkException e) {
            return new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, "cannot list IPVS: " + e.getMessage());
        }
        KernelChanges applying = new KernelChanges(applier, interfaces);
        applying.changes(plan);
        applying.bind(delta.bind());
        steps.mark("ipvs");

        try {
            ipsets.restore(memberScript(delta.added(), delta.removed()));
        } catch (IpsetCommands.IpsetException e) {
            return new SyncOutcome.Failed(SyncOutcome.Stage.KERNEL, e.getMessage());
        }
        steps.mark("ipset");

        if (delta.rules() != null) {
            SyncOutcome.Failed refused = restore(IpvsGlue.document(delta.rules(), null));
            if (refused != null) {
                return refused;
            }
        }
        steps.mark("iptables");

        applying.unbind(delta.unbind());
        applying.deletions(plan);
        draining.replace(delta.servers(), plan.pending());
        steps.mark("cleanup");
        return applied(false, ledger.rules(),
                finish(applying, delta.memberChanges(), delta.bind().size(), delta.unbind().size()), steps);
    }

    /** The ipset restore script of members that came and went (sets all exist after a full sync). */
    private String memberScript(Map<KubeIpset, List<IpsetEntry>> added, Map<KubeIpset, List<IpsetEntry>> removed) {
        StringBuilder script = new StringBuilder();
        removed.forEach((set, entries) -> entries.forEach(e -> script.append("del ").append(set.nameFor(family))
                .append(' ').append(e.text()).append(" -exist\n")));
        added.forEach((set, entries) -> entries.forEach(e -> script.append("add ").append(set.nameFor(family))
                .append(' ').append(e.text()).append(" -exist\n")));
        return script.toString();
    }

    // ---- shared steps --------------------------------------------------------------------------

    private boolean ensureDummy() {
        try {
            interfaces.ensureDummy(HostAddresses.DUMMY_INTERFACE);
            return true;
        } catch (NetlinkException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to create dummy interface {0}: {1}",
                    HostAddresses.DUMMY_INTERFACE, e.getMessage());
            return false;
        }
    }

    /** Applies an iptables-restore document; the failure to return, or null. */
    private SyncOutcome.Failed restore(String document) {
        try {
            iptables.restore(document);
            return null;
        } catch (Iptables.RestoreException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to execute iptables-restore: {0}\n{1}", e.getMessage(),
                    IpvsGlue.context(document, e.line()));
            return new SyncOutcome.Failed(SyncOutcome.Stage.IPTABLES_RESTORE, e.getMessage());
        }
    }

    /**
     * The sync's figures. An operation the kernel refused is logged and left to the next sync,
     * which is full: as kube-proxy, one refused virtual server does not fail the others.
     */
    private Map<String, Object> finish(KernelChanges applying, int memberChanges, int bound, int unbound) {
        List<String> errors = applying.errors();
        logErrors(errors);
        if (!errors.isEmpty()) {
            repairAll = true;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("virtualServers", ledger.virtualServers());
        details.put("realServers", ledger.realServers());
        details.put("ipvsChanges", applying.applied());
        details.put("draining", draining.size());
        details.put("ipsetMembersChanged", memberChanges);
        details.put("bound", bound);
        details.put("unbound", unbound);
        if (!errors.isEmpty()) {
            details.put("errors", errors.size());
        }
        return details;
    }

    private SyncOutcome.Applied applied(boolean full, IpvsRules rules, Map<String, Object> details, Steps steps) {
        int nat = IpvsGlue.ruleCount(rules.natRules());
        int filter = IpvsGlue.ruleCount(rules.filterRules());
        details.put("numNATRules", nat);
        details.put("numFilterRules", filter);
        details.putAll(steps.elapsed());
        return new SyncOutcome.Applied(full, ledger.noLocalInternal(), ledger.noLocalExternal(),
                Map.of("nat", nat, "filter", filter), Map.of(), details);
    }

    private void reportProblems(List<String> problems) {
        Set<String> now = new HashSet<>(problems);
        for (String problem : problems) {
            if (!reportedProblems.contains(problem)) {
                LOG.log(System.Logger.Level.WARNING, "Left out of ipvs rules ipFamily={0}: {1}", family, problem);
            }
        }
        reportedProblems = now;
    }

    private void logErrors(List<String> errors) {
        for (int i = 0; i < Math.min(errors.size(), MAX_LOGGED_ERRORS); i++) {
            LOG.log(System.Logger.Level.WARNING, "IPVS sync error ipFamily={0}: {1}", family, errors.get(i));
        }
        if (errors.size() > MAX_LOGGED_ERRORS) {
            LOG.log(System.Logger.Level.WARNING, "{0} more IPVS sync errors ipFamily={1}",
                    errors.size() - MAX_LOGGED_ERRORS, family);
        }
    }

    // ---- graceful termination ------------------------------------------------------------------

    /**
     * Deletes the draining real servers that hold no connection any more (kube-proxy's graceful
     * termination check); returns how many went. Runs in the background every sweep period.
     */
    public int sweep() {
        lock.lock();
        try {
            return draining.sweep();
        } finally {
            lock.unlock();
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Sweep of draining real servers failed ipFamily=" + family, e);
        }
    }

    /** The real servers draining now. */
    public PendingTerminations draining() {
        lock.lock();
        try {
            return draining.pending();
        } finally {
            lock.unlock();
        }
    }

    // ---- drift ---------------------------------------------------------------------------------

    /**
     * Whether the kernel still holds what the last sync applied: the family's virtual servers,
     * the addresses on kube-ipvs0, our ipsets, our chains and the jumps to them. Skipped while a
     * sync or a sweep runs (the next check looks again).
     */
    @Override
    public DriftCheck checkDrift() {
        if (!lock.tryLock()) {
            return DriftCheck.NONE;
        }
        try {
            if (!inStep) {
                return DriftCheck.NONE;
            }
            List<String> findings = DriftFinder.find(family, ledger.servers().keySet(), ledger.bound(), ipvs,
                    interfaces, ipsets, iptables, settings.ipvs().excludeCidrs(), draining.pending());
            if (!findings.isEmpty()) {
                repairAll = true;
            }
            return new DriftCheck(findings);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        ipvs.close();
        interfaces.close();
    }

    @Override
    public String toString() {
        return "IpvsDataplane[" + family + "]";
    }

    /** Elapsed time per step of a sync, for the log line. */
    private static final class Steps {
        private final Map<String, Object> elapsed = new LinkedHashMap<>();
        private long last = System.nanoTime();

        void mark(String step) {
            long now = System.nanoTime();
            elapsed.put(step, (now - last) / 1_000_000 + "ms");
            last = now;
        }

        Map<String, Object> elapsed() {
            return elapsed;
        }
    }
}
