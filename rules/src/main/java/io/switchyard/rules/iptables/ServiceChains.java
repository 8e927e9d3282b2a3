package io.switchyard.rules.iptables;

import java.util.List;

/**
 * The nat chains one service port owns (SVC, SVL, EXT, FW, SEP) and their rules: the unit a
 * partial sync rewrites when that service port or its endpoints change.
 *
 * @param chains    chain names, declared (and so flushed) before the rules are added
 * @param rules     {@code -A} lines, newline-terminated
 * @param ruleCount how many lines {@code rules} holds
 */
public record ServiceChains(List<String> chains, String rules, int ruleCount) {

    public ServiceChains {
        chains = List.copyOf(chains);
    }
}
