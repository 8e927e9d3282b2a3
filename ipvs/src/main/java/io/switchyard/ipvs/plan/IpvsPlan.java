package io.switchyard.ipvs.plan;

import java.util.List;
import java.util.Objects;

/**
 * The IPVS changes of one sync, in the order kube-proxy makes them.
 *
 * @param changes    server adds and updates, each followed by its real-server adds, weight
 *                   updates and deletions; applied first
 * @param deletions  virtual servers no longer wanted; applied last, after the ipsets, the
 *                   iptables rules and the address unbinds
 * @param pending    the draining real servers once the plan is applied, to keep for the next
 *                   sync and the sweep
 */
public record IpvsPlan(List<IpvsOperation> changes, List<IpvsOperation.DeleteServer> deletions,
                       PendingTerminations pending) {

    public IpvsPlan {
        changes = List.copyOf(changes);
        deletions = List.copyOf(deletions);
        Objects.requireNonNull(pending, "pending");
    }

    /** Whether the kernel already matches. */
    public boolean isEmpty() {
        return changes.isEmpty() && deletions.isEmpty();
    }
}
