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

    /** A family's sync loop started (kube-proxy then counts the family as freshly updated). */
    default void syncLoopStarted(IpFamily family) {
    }

    /**
     * An event was recorded. {@code changed} is false for an event that left nothing waiting
     * for a sync; {@code pending} is, for a Service event, how many Services have a change of the
     * Service object waiting, for an EndpointSlice event how many Services have any change waiting.
     */
    default void eventRecorded(IpFamily family, Kind kind, boolean changed, int pending) {
    }

    /** A sync was asked for because of a change (kube-proxy's QueuedUpdate). */
    default void syncQueued(IpFamily family) {
    }

    /** A sync took the pending changes and is about to program them. */
    default void syncStarted(IpFamily family) {
    }

    /** The dataplane found the kernel changed behind its back; the next sync repairs it. */
    default void driftDetected(IpFamily family, DriftCheck check) {
    }

    /** A sync ended, successfully or not. */
    default void syncCompleted(SyncReport report) {
    }
}
