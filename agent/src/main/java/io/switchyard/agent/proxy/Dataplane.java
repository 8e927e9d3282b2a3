package io.switchyard.agent.proxy;

import io.switchyard.rules.model.IpFamily;

/**
 * What a proxy mode implements for one IP family: bringing the kernel to a cluster state. The
 * shared {@link Proxier} decides when to sync and what changed; a dataplane only programs. Each
 * mode is one package (iptables, ipvs) with one class implementing this.
 */
public interface Dataplane extends AutoCloseable {

    /** The family this dataplane programs. */
    IpFamily family();

    /**
     * Brings the kernel to the request's state. Kernel and tool failures are returned as
     * {@link SyncOutcome.Failed}, never thrown; the next sync is then full.
     */
    SyncOutcome sync(SyncRequest request);

    /**
     * Checked between syncs, once per sync period: whether the kernel still holds what the last
     * sync applied (kube-proxy watches canary chains for this). On a finding the core asks for a
     * sync at once, and the dataplane's next sync must repair what it found, whether that sync is
     * full or partial.
     */
    default DriftCheck checkDrift() {
        return DriftCheck.NONE;
    }

    @Override
    default void close() {
    }
}
