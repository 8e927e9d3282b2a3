package io.switchyard.agent.proxy;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.convert.NodeConverter;
import io.switchyard.agent.source.EndpointSliceHandler;
import io.switchyard.agent.source.NodeHandler;
import io.switchyard.agent.source.ServiceHandler;
import io.switchyard.agent.sync.BoundedFrequencyRunner;
import io.switchyard.agent.sync.SyncSchedule;
import io.switchyard.agent.tracking.ChangeTracker;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServicePort;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The part of a proxy every mode shares, for one IP family: follows Service, EndpointSlice and
 * Node events through a {@link ChangeTracker}, decides when to sync (bounded frequency, full
 * after any failure, after a node change and hourly), hands each sync to the mode's
 * {@link Dataplane}, logs one line per sync and tells the {@link SyncListener}s. Between syncs it
 * asks the dataplane, once per sync period, whether the kernel drifted.
 */
public final class Proxier implements ServiceHandler, EndpointSliceHandler, NodeHandler, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Proxier.class.getName());
    /** A full sync is forced at least this often even when nothing failed (kube-proxy: 1h). */
    static final Duration FULL_SYNC_PERIOD = Duration.ofHours(1);

    private final Dataplane dataplane;
    private final IpFamily family;
    private final String nodeName;
    private final Duration syncPeriod;
    private final List<SyncListener> listeners;
    private final InstantSource clock;
    private final ChangeTracker tracker;
    private final BoundedFrequencyRunner runner;
    private final ScheduledExecutorService monitor;
    /** Held (shared) while a source delivers a batch; taken (exclusive) to read the tracker. */
    private final ReentrantReadWriteLock batches = new ReentrantReadWriteLock();

    private final Object lock = new Object();
    private boolean servicesSynced;
    private boolean endpointSlicesSynced;
    private LocalNode node;
    private boolean needFullSync = true;
    private int heldBatches;
    private boolean deferredSync;

    // Owned by the sync thread.
    private LocalNode syncedNode;
    private Instant lastFullSync = Instant.MIN;

    /**
     * @param nodeName     this node's name: only its Node object counts
     * @param syncPeriod   the longest time between syncs, and how often drift is checked
     * @param minSyncPeriod the shortest time between syncs
     */
    public Proxier(Dataplane dataplane, String nodeName, Duration syncPeriod, Duration minSyncPeriod,
                   List<SyncListener> listeners, InstantSource clock) {
        this.dataplane = dataplane;
        this.family = dataplane.family();
        this.nodeName = nodeName;
        this.syncPeriod = syncPeriod;
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
        this.tracker = new ChangeTracker(family, clock.instant());
        this.node = LocalNode.named(nodeName);
        this.runner = new BoundedFrequencyRunner("sync-" + family, this::syncProxyRules,
                new SyncSchedule(minSyncPeriod, syncPeriod, minSyncPeriod, SyncSchedule.KUBE_PROXY_BURST));
        this.monitor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("drift-" + family).daemon().factory());
    }

    public IpFamily family() {
        return family;
    }

    public Dataplane dataplane() {
        return dataplane;
    }

    /** Starts the sync loop and the periodic drift check. */
    public void start() {
        listeners.forEach(l -> l.syncLoopStarted(family));
        runner.start();
        long period = syncPeriod.toMillis();
        monitor.scheduleWithFixedDelay(this::checkDrift, period, period, TimeUnit.MILLISECONDS);
    }

    /** Asks for a sync soon (bounded by the minimum sync period), as kube-proxy's Sync(). */
    public void sync() {
        synchronized (lock) {
            if (heldBatches > 0) {
                deferredSync = true;
                return;
            }
        }
        listeners.forEach(l -> l.syncQueued(family));
        runner.run();
    }

    /** Forces the next sync to be full and asks for it. */
    public void forceFullSync() {
        synchronized (lock) {
            needFullSync = true;
        }
        sync();
    }

    /**
     * Holds syncs while a source delivers a batch of events that belong together (a file's
     * objects): no sync sees part of the batch, and one sync follows it. Close to release.
     */
    public Batch deferSyncs() {
        batches.readLock().lock();
        synchronized (lock) {
            heldBatches++;
        }
        return () -> {
            boolean resume;
            synchronized (lock) {
                heldBatches--;
                resume = heldBatches == 0 && deferredSync;
                if (resume) {
                    deferredSync = false;
                }
            }
            batches.readLock().unlock();
            if (resume) {
                sync();
            }
        };
    }

    /** A held batch of events; closing it lets syncs see them. */
    @FunctionalInterface
    public interface Batch extends AutoCloseable {
        @Override
        void close();
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void onServiceAdd(V1Service service) {
        onServiceUpdate(null, service);
    }

    @Override
    public void onServiceUpdate(V1Service oldService, V1Service service) {
        recorded(SyncListener.Kind.SERVICE, tracker.serviceUpdate(oldService, service));
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
        recorded(SyncListener.Kind.ENDPOINT_SLICE, tracker.endpointSliceUpdate(slice, false));
    }

    @Override
    public void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice) {
        onEndpointSliceAdd(slice);
    }

    @Override
    public void onEndpointSliceDelete(V1EndpointSlice slice) {
        recorded(SyncListener.Kind.ENDPOINT_SLICE, tracker.endpointSliceUpdate(slice, true));
    }

    @Override
    public void onEndpointSlicesSynced() {
        synchronized (lock) {
            endpointSlicesSynced = true;
        }
        sync();
    }

    private void recorded(SyncListener.Kind kind, boolean changed) {
        if (!listeners.isEmpty()) {
            int pending = kind == SyncListener.Kind.SERVICE ? tracker.pendingServiceObjectChanges()
                    : tracker.pendingServices();
            listeners.forEach(l -> l.eventRecorded(family, kind, changed, pending));
        }
        if (changed && isInitialized()) {
            sync();
        }
    }

    @Override
    public void onNodeAdd(V1Node v1Node) {
        onNodeUpdate(null, v1Node);
    }

    @Override
    public void onNodeUpdate(V1Node oldNode, V1Node v1Node) {
        LocalNode updated = NodeConverter.convert(v1Node);
        if (!updated.name().equals(nodeName)) {
            return;
        }
        boolean changed;
        synchronized (lock) {
            changed = !updated.equals(node);
            node = updated;
        }
        if (changed) {
            // Topology labels or addresses changed: every service's rules may differ.
            LOG.log(System.Logger.Level.DEBUG, "Updated proxier node topology labels: {0}", updated.labels());
            if (isInitialized()) {
                forceFullSync();
            }
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

    /** One sync, on the caller's thread; returns false when it failed (the runner retries, fully). */
    public boolean syncProxyRules() {
        if (!isInitialized()) {
            LOG.log(System.Logger.Level.DEBUG, "Not syncing rules until Services and EndpointSlices have been received");
            return true;
        }
        long start = System.nanoTime();
        boolean full;
        LocalNode currentNode;
        ChangeTracker.Changes changes;
        batches.writeLock().lock();
        try {
            synchronized (lock) {
                full = needFullSync || Duration.between(lastFullSync, clock.instant()).compareTo(FULL_SYNC_PERIOD) > 0;
                needFullSync = false;
                currentNode = node;
            }
            changes = tracker.takeChanges();
        } finally {
            batches.writeLock().unlock();
        }
        listeners.forEach(l -> l.syncStarted(family));
        if (!currentNode.equals(syncedNode)) {
            full = true;
        }
        ClusterState state = changes.state();
        SyncRequest request = full ? new SyncRequest.Full(state, currentNode)
                : new SyncRequest.Partial(state, currentNode, changes.changedPorts());

        SyncOutcome outcome;
        try {
            outcome = dataplane.sync(request);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Sync failed unexpectedly ipFamily=" + family, e);
            outcome = new SyncOutcome.Failed(SyncOutcome.Stage.INTERNAL, String.valueOf(e));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (outcome instanceof SyncOutcome.Applied applied) {
            full = applied.full();
        }
        SyncReport report = new SyncReport(family, full, clock.instant(), elapsed, state.services().size(),
                state.totalEndpoints(), state, full ? state.services().keySet() : changes.changedPorts(),
                changes.changedServices().size(), changes.serviceChanges(),
                changes.endpointChanges(), changes.triggerTimes(), healthChecks(state, currentNode), outcome);
        switch (outcome) {
            case SyncOutcome.Applied applied -> {
                syncedNode = currentNode;
                if (applied.full()) {
                    lastFullSync = clock.instant();
                }
                logApplied(report, applied);
            }
            case SyncOutcome.Failed failed -> {
                synchronized (lock) {
                    // The pending changes were taken: only a full sync can restore a known state now.
                    needFullSync = true;
                }
                syncedNode = null;
                LOG.log(System.Logger.Level.WARNING, "Sync failed ipFamily={0} fullSync={1} stage={2}: {3}; "
                        + "next sync is full", family, full, failed.stage(), failed.message());
            }
        }
        for (SyncListener listener : listeners) {
            try {
                listener.syncCompleted(report);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "sync listener failed", e);
            }
        }
        return report.success();
    }

    private void logApplied(SyncReport report, SyncOutcome.Applied applied) {
        StringBuilder line = new StringBuilder(256).append("SyncProxyRules complete ipFamily=").append(family)
                .append(" fullSync=").append(report.full())
                .append(" numServices=").append(report.services())
                .append(" numEndpoints=").append(report.endpoints())
                .append(" changedServices=").append(report.changedServices());
        applied.details().forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
        line.append(" elapsed=").append(report.elapsed().toMillis()).append("ms");
        LOG.log(System.Logger.Level.INFO, line.toString());
    }

    /**
     * Per Service with a health-check node port, its ready endpoints on this node, counted by IP
     * across its ports as kube-proxy counts them.
     */
    private static Map<String, SyncReport.HealthCheck> healthChecks(ClusterState state, LocalNode node) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, Set<String>> localIps = new HashMap<>();
        for (ServicePort port : state.services().values()) {
            if (port.healthCheckNodePort() == 0) {
                continue;
            }
            String service = port.name().namespace() + "/" + port.name().name();
            ports.putIfAbsent(service, port.healthCheckNodePort());
            Set<String> ips = localIps.computeIfAbsent(service, s -> new HashSet<>());
            for (Endpoint endpoint : state.endpointsOf(port.name())) {
                if (endpoint.ready() && endpoint.isLocalTo(node.name())) {
                    ips.add(endpoint.ip());
                }
            }
        }
        Map<String, SyncReport.HealthCheck> out = new HashMap<>();
        ports.forEach((service, port) -> out.put(service, new SyncReport.HealthCheck(port, localIps.get(service).size())));
        return out;
    }

    /** Between syncs: asks the dataplane whether the kernel still holds what it applied. */
    private void checkDrift() {
        if (!isInitialized()) {
            return;
        }
        try {
            DriftCheck check = dataplane.checkDrift();
            if (check.drifted()) {
                LOG.log(System.Logger.Level.WARNING, "Rules drifted from what was applied ipFamily={0}: {1}; "
                        + "repairing", family, String.join("; ", check.findings()));
                listeners.forEach(l -> l.driftDetected(family, check));
                sync();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "drift check failed", e);
        }
    }

    @Override
    public void close() {
        monitor.shutdownNow();
        runner.close();
        dataplane.close();
    }

    @Override
    public String toString() {
        return "Proxier[" + family + ", " + dataplane.getClass().getSimpleName() + ", node " + nodeName + "]";
    }
}
