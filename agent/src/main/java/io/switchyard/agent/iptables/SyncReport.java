package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.model.IpFamily;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one sync did: the line kube-proxy logs, and what the metrics and tests read.
 *
 * @param transactions    what was handed to iptables-restore, in order (empty when it failed early)
 * @param triggerTimes    per changed Service, when the changes now in the kernel were made
 */
public record SyncReport(
        IpFamily family,
        boolean full,
        boolean success,
        Duration elapsed,
        int services,
        int endpoints,
        int changedServices,
        int filterRules,
        int natRules,
        int staleChains,
        List<RestorePlan.Transaction> transactions,
        Map<String, List<Instant>> triggerTimes,
        int noLocalEndpointsInternal,
        int noLocalEndpointsExternal) {

    public SyncReport {
        transactions = List.copyOf(transactions);
        triggerTimes = Map.copyOf(triggerTimes);
    }
}
