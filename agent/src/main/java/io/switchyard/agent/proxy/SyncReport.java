package io.switchyard.agent.proxy;

import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.ServicePortName;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one sync did, whatever the mode: the figures kube-proxy logs and exports as metrics.
 *
 * @param state             the cluster state this sync programmed
 * @param changedPorts      the service ports that changed since the previous sync (all of them on a full one)
 * @param changedServices   Services whose rules this sync rewrote
 * @param serviceEvents     Service events that went into this sync
 * @param endpointEvents    EndpointSlice events that went into this sync
 * @param triggerTimes      per changed Service, when the slice changes now applied were made
 * @param healthChecks      per Service ({@code ns/name}) with a health-check node port, that port
 *                          and its ready endpoints on this node
 * @param outcome           what the dataplane did
 */
public record SyncReport(
        IpFamily family,
        boolean full,
        Instant finished,
        Duration elapsed,
        int services,
        int endpoints,
        ClusterState state,
        Set<ServicePortName> changedPorts,
        int changedServices,
        int serviceEvents,
        int endpointEvents,
        Map<String, List<Instant>> triggerTimes,
        Map<String, HealthCheck> healthChecks,
        SyncOutcome outcome) {

    public SyncReport {
        changedPorts = Set.copyOf(changedPorts);
        triggerTimes = Map.copyOf(triggerTimes);
        healthChecks = Map.copyOf(healthChecks);
    }

    /** A Service's health-check node port and how many of its endpoints are ready on this node. */
    public record HealthCheck(int nodePort, int localEndpoints) {
    }

    public boolean success() {
        return outcome instanceof SyncOutcome.Applied;
    }

    /** Rules in one iptables table after a successful sync, 0 otherwise. */
    public int iptablesRules(String table) {
        return outcome instanceof SyncOutcome.Applied applied ? applied.iptablesRules().getOrDefault(table, 0) : 0;
    }
}
