package io.switchyard.rules.iptables;

import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.ServicePortName;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The complete desired iptables state of one family: the fixed chains with their fixed rules,
 * and each service port's {@link ServiceRules}, plus the counts kube-proxy logs and exports.
 * Shared chains are the concatenation of head, each service's lines, and tail.
 *
 * @param filterChains   the filter chains every sync declares
 * @param filterHead     filter rules before the services' (the localnet block)
 * @param filterTail     filter rules after them (KUBE-FORWARD)
 * @param natChains      the top-level nat chains every sync declares
 * @param natHead        nat rules before the services' (KUBE-POSTROUTING, KUBE-MARK-MASQ)
 * @param natTail        nat rules after them (the jump to KUBE-NODEPORTS)
 */
public record Ruleset(
        IpFamily family,
        List<String> filterChains,
        String filterHead,
        String filterTail,
        List<String> natChains,
        String natHead,
        String natTail,
        SortedMap<ServicePortName, ServiceRules> services,
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
        for (ServiceRules rules : services.values()) {
            rules.chains().forEach(chain -> active.add(chain.name()));
        }
        return active;
    }

    /**
     * This ruleset with the named service ports' rules taken from {@code other} instead, or
     * dropped where {@code other} (which may be null) has none: what the kernel holds when those
     * Services' new rules were refused and their previous ones kept.
     */
    public Ruleset withServicesOf(Ruleset other, Collection<ServicePortName> names) {
        TreeMap<ServicePortName, ServiceRules> merged = new TreeMap<>(services);
        for (ServicePortName name : names) {
            ServiceRules kept = other == null ? null : other.services().get(name);
            if (kept == null) {
                merged.remove(name);
            } else {
                merged.put(name, kept);
            }
        }
        int noLocalInternal = 0;
        int noLocalExternal = 0;
        for (ServiceRules rules : merged.values()) {
            noLocalInternal += rules.noLocalInternal() ? 1 : 0;
            noLocalExternal += rules.noLocalExternal() ? 1 : 0;
        }
        return new Ruleset(family, filterChains, filterHead, filterTail, natChains, natHead, natTail, merged,
                totalEndpoints, largeClusterMode, noLocalInternal, noLocalExternal);
    }

    /** How many rules the filter table holds. */
    public int filterRuleCount() {
        int total = lines(filterHead) + lines(filterTail);
        for (ServiceRules rules : services.values()) {
            total += rules.filterRuleCount();
        }
        return total;
    }

    /** How many rules the nat table holds. */
    public int natRuleCount() {
        int total = lines(natHead) + lines(natTail);
        for (ServiceRules rules : services.values()) {
            total += rules.natRuleCount() + rules.chainRuleCount();
        }
        return total;
    }

    private static int lines(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
