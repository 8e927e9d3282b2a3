package io.switchyard.agent.proxy;

import io.switchyard.rules.model.IpFamily;

/**
 * Hooks for what watches the proxy from outside — the health server and the metrics: told when
 * a change is queued for a sync and when a sync ends. Called on event and sync threads; must
 * return quickly and never throw.
 */
public interface SyncListener {

    /** Which kind of object an event was about. */
    enum Kind { SERVICE, ENDPOINT_SLICE }

    /**
     * An event was recorded. {@code changed} is false for an event that changed nothing the proxy
     * programs; {@code pending} is how many Services now wait for a sync.
     */
    default void eventRecorded(IpFamily family, Kind kind, boolean changed, int pending) {
    }

    /** A sync was asked for because of a change (kube-proxy's QueuedUpdate). */
    default void syncQueued(IpFamily family) {
    }

    /** The dataplane found the kernel changed behind its back; the next sync repairs it. */
    default void driftDetected(IpFamily family, DriftCheck check) {
    }

    /** A sync ended, successfully or not. */
    default void syncCompleted(SyncReport report) {
    }
}
