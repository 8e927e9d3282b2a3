package io.switchyard.rules.iptables;

import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.ServicePortName;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The complete desired iptables state of one family: the filter table body and top-level nat
 * chains (rewritten on every sync) and each service port's own nat chains (rewritten only when
 * the service port changed), plus the counts kube-proxy logs and exports.
 *
 * @param filterChains  the filter chains declared by every sync
 * @param filterRules   the filter rules, newline-terminated
 * @param natChains     the top-level nat chains declared by every sync
 * @param natRules      the top-level nat rules, newline-terminated
 * @param services      per service port, its nat chains
 */
public record Ruleset(
        IpFamily family,
        List<String> filterChains,
        String filterRules,
        int filterRuleCount,
        List<String> natChains,
        String natRules,
        int natRuleCount,
        SortedMap<ServicePortName, ServiceChains> services,
        int totalEndpoints,
        boolean largeClusterMode,
        int noLocalEndpointsInternal,
        int noLocalEndpointsExternal) {

    public Ruleset {
        filterChains = List.copyOf(filterChains);
        natChains = List.copyOf(natChains);
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    }

    /** Every per-service nat chain this ruleset wants to exist. */
    public Set<String> activeServiceChains() {
        Set<String> active = new HashSet<>();
        for (ServiceChains chains : services.values()) {
            active.addAll(chains.chains());
        }
        return active;
    }

    /** How many nat rules the whole ruleset holds. */
    public int totalNatRules() {
        int total = natRuleCount;
        for (ServiceChains chains : services.values()) {
            total += chains.ruleCount();
        }
        return total;
    }
}
