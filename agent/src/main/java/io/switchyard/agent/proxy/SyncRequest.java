package io.switchyard.agent.proxy;

import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServicePortName;

import java.util.Set;

/** One sync handed to a {@link Dataplane}: the whole cluster state, and how much of it changed. */
public sealed interface SyncRequest {

    /** Every service port of the family, with its endpoints. */
    ClusterState state();

    /** The node as last seen (labels drive topology, addresses drive node ports). */
    LocalNode node();

    /** Rewrite everything and check what the kernel holds: at start-up, after a failure, periodically. */
    record Full(ClusterState state, LocalNode node) implements SyncRequest {
    }

    /**
     * Only the listed service ports changed since the last successful sync, which the dataplane
     * may rely on; it may still choose to do more.
     */
    record Partial(ClusterState state, LocalNode node, Set<ServicePortName> changedPorts) implements SyncRequest {
        public Partial {
            changedPorts = Set.copyOf(changedPorts);
        }
    }
}
