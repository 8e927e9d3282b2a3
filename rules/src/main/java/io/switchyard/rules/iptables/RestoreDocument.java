package io.switchyard.rules.iptables;

import io.switchyard.rules.iptables.KubeChains.Jump;
import io.switchyard.rules.iptables.KubeChains.Table;

import java.util.List;

/** Assembles {@code iptables-restore} input from a {@link Ruleset}. */
public final class RestoreDocument {

    private RestoreDocument() {
    }

    /**
     * A document that, restored into an empty network namespace, leaves it exactly as a running
     * Switchyard would: canary chains, the builtin-chain jumps (which the agent inserts with
     * separate commands, never through a restore) and the whole ruleset.
     */
    public static String forEmptyNamespace(Ruleset ruleset) {
        StringBuilder out = new StringBuilder(estimate(ruleset) + 4096);
        out.append("*mangle\n");
        declare(out, KubeChains.CANARY);
        out.append("COMMIT\n");
        List<String> extraFilterChains = ruleset.filterChains().contains(KubeChains.FIREWALL)
                ? List.of(KubeChains.CANARY) : List.of(KubeChains.CANARY, KubeChains.FIREWALL);
        appendFilter(out, ruleset, extraFilterChains, KubeChains.jumpsAsInstalled(Table.FILTER));
        out.append("*nat\n");
        declare(out, KubeChains.CANARY);
        ruleset.natChains().forEach(c -> declare(out, c));
        ruleset.services().values().forEach(s -> s.chains().forEach(c -> declare(out, c.name())));
        appendJumps(out, KubeChains.jumpsAsInstalled(Table.NAT));
        appendNatTop(out, ruleset);
        ruleset.services().values().forEach(s -> s.chains().forEach(c -> out.append(c.rules())));
        out.append("COMMIT\n");
        return out.toString();
    }

    /** The whole filter table body: every filter chain declared (flushed) and refilled. */
    static void appendFilter(StringBuilder out, Ruleset ruleset, List<String> extraChains, List<Jump> jumps) {
        out.append("*filter\n");
        extraChains.forEach(c -> declare(out, c));
        ruleset.filterChains().forEach(c -> declare(out, c));
        appendJumps(out, jumps);
        out.append(ruleset.filterHead());
        ruleset.services().values().forEach(s -> out.append(s.filterRules()));
        out.append(ruleset.filterTail());
        out.append("COMMIT\n");
    }

    /** The rules of the top-level nat chains (their declarations are the caller's). */
    static void appendNatTop(StringBuilder out, Ruleset ruleset) {
        out.append(ruleset.natHead());
        ruleset.services().values().forEach(s -> out.append(s.natRules()));
        out.append(ruleset.natTail());
    }

    static void appendJumps(StringBuilder out, List<Jump> jumps) {
        for (Jump jump : jumps) {
            out.append("-A ").append(jump.builtin()).append(' ').append(jump.ruleSpec()).append('\n');
        }
    }

    static void declare(StringBuilder out, String chain) {
        out.append(':').append(chain).append(" - [0:0]\n");
    }

    static int estimate(Ruleset ruleset) {
        int size = ruleset.filterHead().length() + ruleset.natHead().length() + 1024;
        for (ServiceRules rules : ruleset.services().values()) {
            size += rules.natRules().length() + rules.filterRules().length();
            for (ServiceRules.NatChain chain : rules.chains()) {
                size += chain.rules().length() + 32;
            }
        }
        return size;
    }
}
