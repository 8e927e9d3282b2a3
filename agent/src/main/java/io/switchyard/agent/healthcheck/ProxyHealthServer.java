package io.switchyard.agent.healthcheck;

import com.sun.net.httpserver.HttpExchange;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Taint;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.NodeHandler;
import io.switchyard.rules.model.IpFamily;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * kube-proxy's proxy health server: {@code /healthz} and {@code /livez} on the healthz bind
 * address. The proxy is healthy while no IP family has had a change queued for longer than the
 * health timeout (2 × the sync period) without a successful sync since; {@code /healthz}
 * additionally fails while the Node is being deleted or carries the cluster autoscaler's
 * {@code ToBeDeletedByClusterAutoscaler} taint. Told of queued changes and syncs as a
 * {@link SyncListener} (one instance shared by every family's proxier) and of the Node as a
 * {@link NodeHandler}.
 */
public final class ProxyHealthServer implements SyncListener, NodeHandler, ProxyHealth, AutoCloseable {

    /** The taint the cluster autoscaler puts on a node it is about to delete. */
    public static final String TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler";

    private final Duration healthTimeout;
    private final InstantSource clock;
    private final ProbeRecorder probes;
    private final ServingListener server;
    private final Instant monotonicOrigin;

    private final Object lock = new Object();
    private final Map<IpFamily, Instant> lastUpdated = new EnumMap<>(IpFamily.class);
    private final Map<IpFamily, Instant> oldestPendingQueued = new EnumMap<>(IpFamily.class);
    /** Eligible while starting up, until a Node event says otherwise. */
    private boolean nodeEligible = true;

    /**
     * @param bindAddress         the healthz bind address (kube-proxy's default 0.0.0.0:10256)
     * @param syncPeriod          the proxier's sync period; the health timeout is twice it
     * @param bindAddressHardFail whether failing to listen is fatal (else retried every 5 s)
     * @param probes              told each answer's status code (the healthz/livez metrics)
     */
    public ProxyHealthServer(InetSocketAddress bindAddress, Duration syncPeriod, InstantSource clock,
                             boolean bindAddressHardFail, ProbeRecorder probes) {
        this.healthTimeout = syncPeriod.multipliedBy(2);
        this.clock = clock;
        this.probes = probes;
        this.monotonicOrigin = clock.instant();
        this.server = new ServingListener("proxy healthz", "healthz-http", bindAddress,
                Map.of("/healthz", this::serveHealthz, "/livez", this::serveLivez), bindAddressHardFail);
    }

    /**
     * Starts serving. A bind failure is one line: fatal (a ConfigException) with
     * bindAddressHardFail, else logged and retried every 5 seconds.
     */
    public void start() {
        server.start();
    }

    /** Where the server listens, or null while it is not listening. */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- what the proxiers report ------------------------------------------------------------

    /**
     * A family's proxier has a change waiting for a sync (kube-proxy's QueuedUpdate): only the
     * oldest unsynced one counts. kube-proxy also marks a family updated when its sync loop
     * starts; a family first heard of here is taken as updated now, which gives the same health.
     */
    public void queuedUpdate(IpFamily family) {
        synchronized (lock) {
            Instant now = clock.instant();
            lastUpdated.putIfAbsent(family, now);
            oldestPendingQueued.putIfAbsent(family, now);
        }
    }

    /** A family's proxier brought the kernel up to date (kube-proxy's Updated). */
    public void updated(IpFamily family) {
        synchronized (lock) {
            oldestPendingQueued.remove(family);
            lastUpdated.put(family, clock.instant());
        }
    }

    /** As kube-proxy's SyncLoop: a family counts as updated when its loop starts, in case no sync ever succeeds. */
    @Override
    public void syncLoopStarted(IpFamily family) {
        updated(family);
    }

    @Override
    public void syncQueued(IpFamily family) {
        queuedUpdate(family);
    }

    @Override
    public void syncCompleted(SyncReport report) {
        if (report.success()) {
            updated(report.family());
        }
    }

    // ---- the Node ------------------------------------------------------------------------------

    /** A Node is eligible unless it is being deleted or the autoscaler tainted it for deletion. */
    public void syncNode(V1Node node) {
        boolean eligible = !beingDeleted(node) && !taintedForDeletion(node);
        synchronized (lock) {
            nodeEligible = eligible;
        }
    }

    private static boolean beingDeleted(V1Node node) {
        return node.getMetadata() != null && node.getMetadata().getDeletionTimestamp() != null;
    }

    private static boolean taintedForDeletion(V1Node node) {
        List<V1Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
        return taints != null && taints.stream().anyMatch(t -> TO_BE_DELETED_TAINT.equals(t.getKey()));
    }

    @Override
    public void onNodeAdd(V1Node node) {
        syncNode(node);
    }

    @Override
    public void onNodeUpdate(V1Node oldNode, V1Node node) {
        syncNode(node);
    }

    @Override
    public void onNodeDelete(V1Node node) {
        syncNode(node);
    }

    @Override
    public void onNodeSynced() {
    }

    public boolean nodeEligible() {
        synchronized (lock) {
            return nodeEligible;
        }
    }

    // ---- health --------------------------------------------------------------------------------

    /**
     * The proxy's health ignoring the Node, and the update time to report: the newest update
     * when healthy, the late family's last update when not.
     */
    record Health(boolean healthy, Instant lastUpdated) {
    }

    Health health() {
        synchronized (lock) {
            Instant now = clock.instant();
            Instant newest = GoTime.ZERO;
            for (Map.Entry<IpFamily, Instant> entry : lastUpdated.entrySet()) {
                Instant familyUpdated = entry.getValue();
                if (familyUpdated.isAfter(newest)) {
                    newest = familyUpdated;
                }
                Instant queued = oldestPendingQueued.get(entry.getKey());
                if (queued != null && Duration.between(queued, now).compareTo(healthTimeout) >= 0) {
                    return new Health(false, familyUpdated);
                }
            }
            return new Health(true, newest);
        }
    }

    @Override
    public boolean isHealthy() {
        return health().healthy();
    }

    private void serveHealthz(HttpExchange exchange) throws IOException {
        boolean eligible = nodeEligible();
        Health health = health();
        Instant now = clock.instant();
        boolean healthy = health.healthy() && eligible;
        int status = healthy ? 200 : 503;
        probes.served(ProbeRecorder.Probe.HEALTHZ, status);
        // As kube-proxy: a healthy answer reports now as the last update.
        Instant lastUpdated = healthy ? now : health.lastUpdated();
        String body = "{\"lastUpdated\": " + quoted(lastUpdated) + ",\"currentTime\": " + quoted(now)
                + ", \"nodeEligible\": " + eligible + "}";
        HttpListener.respond(exchange, status, "application/json", body, Map.of());
    }

    private void serveLivez(HttpExchange exchange) throws IOException {
        Health health = health();
        Instant now = clock.instant();
        int status = health.healthy() ? 200 : 503;
        probes.served(ProbeRecorder.Probe.LIVEZ, status);
        Instant lastUpdated = health.healthy() ? now : health.lastUpdated();
        String body = "{\"lastUpdated\": " + quoted(lastUpdated) + ",\"currentTime\": " + quoted(now) + "}";
        HttpListener.respond(exchange, status, "application/json", body, Map.of());
    }

    private String quoted(Instant time) {
        return "\"" + GoTime.format(time, monotonicOrigin) + "\"";
    }
}
