package io.switchyard.agent.ipvs;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.proxy.Dataplane;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.desired.IpvsConfig;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.ipvs.desired.IpvsRenderer;
import io.switchyard.ipvs.ipset.IpsetPlan;
import io.switchyard.ipvs.ipset.IpsetSnapshot;
import io.switchyard.ipvs.plan.AddressPlan;
import io.switchyard.ipvs.plan.InstalledServer;
import io.switchyard.ipvs.plan.IpvsDiff;
import io.switchyard.ipvs.plan.IpvsPlan;
import io.switchyard.ipvs.plan.PendingTerminations;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * wanted; deletes virtual servers no longer wanted. A full sync compares with everything the
 * kernel holds; a partial sync compares only the virtual servers whose desired state changed,
 * and the ipsets with what the last sync applied.
 *
 * <p>Real servers that are no longer wanted drain: weight 0 while a TCP one holds connections,
 * deleted once it holds none (UDP and SCTP ones at once). A background sweep, sharing a lock
 * with syncs, deletes those that finished draining. After the first full sync that succeeds,
 * whatever iptables mode left behind is removed.
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

    // Guarded by lock.
    private LocalNode renderedNode;
    private IpvsRenderer renderer;
    private NodePortAddresses nodePorts;
    private AppliedState applied;
    private PendingTerminations pending = PendingTerminations.empty();
    private boolean leftoversRemoved;
    private Set<String> reportedProblems = Set.of();
    /** Set by the drift check (another thread): the next sync must be full. */
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
        if (sweepPeriod.isPositive()) {
            sweeper = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("ipvs-sweep-" + family).daemon().factory());
            long period = sweepPeriod.toMillis();
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
        } else {
            sweeper = null;
        }
    }

    @Override
    public IpFamily family() {
        return family;
    }

    @Override
    public SyncOutcome sync(SyncRequest request) {
        lock.lock();
        try {
            SyncOutcome outcome = syncLocked(request);
            if (outcome instanceof SyncOutcome.Failed) {
                applied = null;
            }
            return outcome;
        } finally {
            lock.unlock();
        }
    }

    private SyncOutcome syncLocked(SyncRequest request) {
        Steps steps = new Steps();
        LocalNode node = request.node();
        boolean full = request instanceof SyncRequest.Full || applied == null || repairAll
                || !node.equals(renderedNode);
        repairAll = false;
        if (!node.equals(renderedNode)) {
            IptablesConfig iptablesConfig = settings.iptablesConfig(family, node);
            renderer = new IpvsRenderer(config(settings, iptablesConfig));
            nodePorts = iptablesConfig.nodePortAddresses();
            renderedNode = node;
        }

        HostView host;
        try {
            host = HostView.read(interfaces, family, nodePorts);
        } catch (NetlinkException e) {
            return failed(SyncOutcome.Stage.KERNEL, "cannot read the host's addresses: " + e.getMessage());
        }
        IpvsDesiredState desired = renderer.render(request.state(), node, host.addresses());
        reportProblems(desired.problems());
        steps.mark("render");

        try {
            interfaces.ensureDummy(HostAddresses.DUMMY_INTERFACE);
        } catch (NetlinkException e) {
            return failed(SyncOutcome.Stage.KERNEL, "cannot create " + HostAddresses.DUMMY_INTERFACE + ": " + e.getMessage());
        }

        // IPVS: adds and updates, then the addresses that go with them.
        Map<VirtualServer.Key, DesiredServer> wanted = desired.servers();
        Set<VirtualServer.Key> compared;
        IpvsPlan plan;
        try {
            List<InstalledServer> installed;
            Map<VirtualServer.Key, DesiredServer> planned;
            if (full) {
                installed = reader.all(wanted);
                planned = wanted;
                compared = null;
            } else {
                compared = VirtualServerReader.changed(wanted, applied.servers());
                installed = reader.some(compared, applied.servers(), wanted);
                planned = new TreeMap<>();
                compared.stream().filter(wanted::containsKey).forEach(k -> planned.put(k, wanted.get(k)));
            }
            plan = diff.plan(planned.values(), installed);
        } catch (NetlinkException e) {
            return failed(SyncOutcome.Stage.KERNEL, "cannot list IPVS: " + e.getMessage());
        }
        IpvsApplier.Outcome changes = applier.apply(plan.changes());
        AddressPlan addresses = AddressPlan.of(desired.boundAddresses(), host.bound());
        List<String> addressErrors = new ArrayList<>();
        for (String address : addresses.bind()) {
            try {
                interfaces.addAddress(HostAddresses.DUMMY_INTERFACE, LinkAddress.host(address));
            } catch (NetlinkException e) {
                addressErrors.add(e.getMessage());
            }
        }
        steps.mark("ipvs");

        IpsetPlan ipsetPlan;
        try {
            IpsetSnapshot snapshot = full ? IpsetSnapshot.parse(ipsets.save()) : applied.ipsetSnapshot();
            ipsetPlan = IpsetPlan.compute(desired.ipsets(), snapshot);
            ipsetPlan.conflicts().forEach(c -> LOG.log(System.Logger.Level.WARNING, c));
            ipsets.restore(ipsetPlan.script());
        } catch (IpsetCommands.IpsetException | IllegalArgumentException e) {
            return failed(SyncOutcome.Stage.KERNEL, e.getMessage());
        }
        steps.mark("ipset");

        SavedIptables saved = null;
        String rules = desired.rules().restoreDocument();
        try {
            if (full) {
                saved = SavedIptables.parse(iptables.saveAll());
            }
            if (full || !rules.equals(applied.rulesDocument())) {
                iptables.restore(IpvsGlue.document(desired.rules(), saved));
            }
        } catch (Iptables.RestoreException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to execute iptables-restore: {0}\n{1}", e.getMessage(),
                    context(document(desired, saved), e.line()));
            return failed(SyncOutcome.Stage.IPTABLES_RESTORE, e.getMessage());
        } catch (IllegalStateException e) {
            return failed(SyncOutcome.Stage.IPTABLES_RESTORE, e.getMessage());
        }
        steps.mark("iptables");

        // What is no longer wanted goes last, once nothing leads to it.
        for (String address : addresses.unbind()) {
            try {
                interfaces.deleteAddress(HostAddresses.DUMMY_INTERFACE, LinkAddress.host(address));
            } catch (NetlinkException e) {
                addressErrors.add(e.getMessage());
            }
        }
        IpvsApplier.Outcome deletions = applier.apply(plan.deletions());
        pending = full ? plan.pending() : mergePending(compared, plan.pending());
        steps.mark("cleanup");

        int leftovers = full && !leftoversRemoved ? removeLeftovers(saved) : 0;

        List<String> errors = new ArrayList<>(changes.errors());
        errors.addAll(deletions.errors());
        errors.addAll(addressErrors);
        logErrors(errors);
        TreeMap<VirtualServer.Key, DesiredServer> nowApplied = new TreeMap<>(wanted);
        changes.failed().forEach(nowApplied::remove);
        applied = new AppliedState(nowApplied, desired.ipsets(), rules, desired.boundAddresses());
        // A failed deletion or address change is found again only by comparing with the kernel.
        repairAll |= !deletions.failed().isEmpty() || !addressErrors.isEmpty();

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("virtualServers", wanted.size());
        details.put("realServers", wanted.values().stream().mapToInt(s -> s.destinations().size()).sum());
        details.put("ipvsChanges", changes.applied() + deletions.applied());
        details.put("draining", pending.size());
        details.put("ipsetMembersChanged", ipsetPlan.additions() + ipsetPlan.deletions());
        details.put("bound", addresses.bind().size());
        details.put("unbound", addresses.unbind().size());
        details.put("numNATRules", IpvsGlue.ruleCount(desired.rules().natRules()));
        details.put("numFilterRules", IpvsGlue.ruleCount(desired.rules().filterRules()));
        if (!errors.isEmpty()) {
            details.put("errors", errors.size());
        }
        if (leftovers > 0) {
            details.put("iptablesModeLeftovers", leftovers);
        }
        details.putAll(steps.elapsed());
        return new SyncOutcome.Applied(full, desired.noLocalEndpointsInternal().size(),
                desired.noLocalEndpointsExternal().size(),
                Map.of("nat", IpvsGlue.ruleCount(desired.rules().natRules()),
                        "filter", IpvsGlue.ruleCount(desired.rules().filterRules())),
                Map.of(), details);
    }

    /** The renderer's settings for a family, from the proxy settings and that family's iptables settings. */
    static IpvsConfig config(ProxySettings settings, IptablesConfig iptablesConfig) {
        return new IpvsConfig(iptablesConfig.family(), settings.ipvs().scheduler(), settings.masqueradeBit(),
                settings.masqueradeAll(), iptablesConfig.localDetector(), settings.preferSameNodeHints());
    }

    /** The restore input as the failed sync built it, for the error's context. */
    private static String document(IpvsDesiredState desired, SavedIptables saved) {
        return IpvsGlue.document(desired.rules(), saved);
    }

    /** The lines around the one iptables-restore refused, numbered, for the error log. */
    private static String context(String document, int line) {
        if (line <= 0) {
            return "(iptables-restore did not say which line)";
        }
        String[] lines = document.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(1, line - 3); i <= Math.min(lines.length, line + 3); i++) {
            out.append(i == line ? "=> " : "   ").append(i).append(": ").append(lines[i - 1]).append('\n');
        }
        return out.toString();
    }

    /** After a partial sync: what drained before for servers not compared, and what drains now for the rest. */
    private PendingTerminations mergePending(Set<VirtualServer.Key> compared, PendingTerminations fresh) {
        TreeMap<PendingTerminations.Id, VirtualServer> merged = new TreeMap<>();
        pending.entries().forEach((id, server) -> {
            if (!compared.contains(id.server())) {
                merged.put(id, server);
            }
        });
        merged.putAll(fresh.entries());
        return new PendingTerminations(merged);
    }

    /** Removes iptables mode's leftovers; returns how many chains and jumps went. */
    private int removeLeftovers(SavedIptables saved) {
        int removed = 0;
        boolean ok = true;
        for (ChainRemoval removal : IptablesModeLeftovers.plan(saved)) {
            if (removal.isEmpty()) {
                continue;
            }
            try {
                iptables.restore(removal.document());
                removed += removal.deleted().size() + removal.droppedRules().size();
            } catch (Iptables.RestoreException e) {
                ok = false;
                LOG.log(System.Logger.Level.WARNING, "Could not remove iptables mode''s {0} chains {1}: {2}; "
                        + "trying again at the next full sync", removal.table(), removal.deleted(), e.getMessage());
            }
        }
        if (removed > 0) {
            LOG.log(System.Logger.Level.INFO, "Removed what iptables mode left ipFamily={0} chainsAndJumps={1}",
                    family, removed);
        }
        leftoversRemoved = ok;
        return removed;
    }

    private SyncOutcome failed(SyncOutcome.Stage stage, String message) {
        return new SyncOutcome.Failed(stage, message);
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
            if (pending.isEmpty()) {
                return 0;
            }
            Map<VirtualServer.Key, List<Destination>> installed = new TreeMap<>();
            for (VirtualServer server : pending.servers()) {
                try {
                    installed.put(server.key(), ipvs.destinations(server.key()));
                } catch (NetlinkException e) {
                    if (e.errno() != io.switchyard.netlink.Errno.ESRCH) {
                        throw e;
                    }
                }
            }
            PendingTerminations.Sweep sweep = pending.sweep(installed);
            IpvsApplier.Outcome outcome = applier.apply(sweep.deletions());
            PendingTerminations remaining = sweep.remaining();
            for (var deletion : sweep.deletions()) {
                if (outcome.failed().contains(deletion.server().key())) {
                    remaining = remaining.with(deletion.server(), deletion.destination().key());
                }
            }
            pending = remaining;
            if (outcome.applied() > 0) {
                LOG.log(System.Logger.Level.INFO, "Deleted drained real servers ipFamily={0} count={1} stillDraining={2}",
                        family, outcome.applied(), pending.size());
            }
            return outcome.applied();
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
            return pending;
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
            if (applied == null) {
                return DriftCheck.NONE;
            }
            List<String> findings = DriftFinder.find(family, applied, ipvs, interfaces, ipsets, iptables,
                    settings.ipvs().excludeCidrs(), pending);
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
