package io.switchyard.rules.iptables;

import java.util.List;

/**
 * Everything one service port contributes to the ruleset: its own nat chains (SVC, SVL, EXT,
 * FW, SEP) with their rules — the unit a partial sync rewrites — and its lines in the shared
 * chains (nat KUBE-SERVICES/KUBE-NODEPORTS, filter), which every sync rewrites.
 *
 * @param chains          its own nat chains with their rules
 * @param natRules        its lines in nat KUBE-SERVICES and KUBE-NODEPORTS
 * @param filterRules     its lines in the filter chains (REJECT/DROP, firewall, health check)
 * @param noLocalInternal iTP Local with endpoints elsewhere but none on this node
 * @param noLocalExternal eTP Local with endpoints elsewhere but none on this node
 */
public record ServiceRules(List<NatChain> chains, String natRules, int natRuleCount,
                           String filterRules, int filterRuleCount,
                           boolean noLocalInternal, boolean noLocalExternal) {

    public ServiceRules {
        chains = List.copyOf(chains);
    }

    /** One service-owned nat chain and its {@code -A} lines (newline-terminated). */
    public record NatChain(String name, String rules, int ruleCount) {
    }

    /** How many rules the service's own chains hold. */
    public int chainRuleCount() {
        int total = 0;
        for (NatChain chain : chains) {
            total += chain.ruleCount();
        }
        return total;
    }
}
