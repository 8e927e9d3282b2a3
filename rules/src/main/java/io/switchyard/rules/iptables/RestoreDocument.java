package io.switchyard.rules.iptables;

import io.switchyard.rules.iptables.KubeChains.Jump;
import io.switchyard.rules.iptables.KubeChains.Table;

import java.util.Collection;
import java.util.List;

/** Assembles {@code iptables-restore} input from a {@link Ruleset}. */
public final class RestoreDocument {

    private RestoreDocument() {
    }

    /**
     * The document a full sync feeds to {@code iptables-restore --noflush}: every chain we own
     * is declared (flushed) and refilled, and stale service chains are flushed and deleted.
     */
    public static String fullSync(Ruleset ruleset, Collection<String> staleChains) {
        StringBuilder out = new StringBuilder(estimate(ruleset));
        appendFilter(out, ruleset, List.of(), List.of());
        appendNat(out, ruleset, List.of(), List.of(), staleChains);
        return out.toString();
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
        appendNat(out, ruleset, List.of(KubeChains.CANARY), KubeChains.jumpsAsInstalled(Table.NAT), List.of());
        return out.toString();
    }

    private static void appendFilter(StringBuilder out, Ruleset ruleset, List<String> extraChains, List<Jump> jumps) {
        out.append("*filter\n");
        extraChains.forEach(c -> declare(out, c));
        ruleset.filterChains().forEach(c -> declare(out, c));
        appendJumps(out, jumps);
        out.append(ruleset.filterRules());
        out.append("COMMIT\n");
    }

    private static void appendNat(StringBuilder out, Ruleset ruleset, List<String> extraChains, List<Jump> jumps,
                                  Collection<String> staleChains) {
        out.append("*nat\n");
        extraChains.forEach(c -> declare(out, c));
        ruleset.natChains().forEach(c -> declare(out, c));
        for (ServiceChains chains : ruleset.services().values()) {
            chains.chains().forEach(c -> declare(out, c));
        }
        staleChains.forEach(c -> declare(out, c));
        appendJumps(out, jumps);
        out.append(ruleset.natRules());
        for (ServiceChains chains : ruleset.services().values()) {
            out.append(chains.rules());
        }
        for (String chain : staleChains) {
            out.append("-X ").append(chain).append('\n');
        }
        out.append("COMMIT\n");
    }

    private static void appendJumps(StringBuilder out, List<Jump> jumps) {
        for (Jump jump : jumps) {
            out.append("-A ").append(jump.builtin()).append(' ').append(jump.ruleSpec()).append('\n');
        }
    }

    private static void declare(StringBuilder out, String chain) {
        out.append(':').append(chain).append(" - [0:0]\n");
    }

    private static int estimate(Ruleset ruleset) {
        int size = ruleset.filterRules().length() + ruleset.natRules().length() + 1024;
        for (ServiceChains chains : ruleset.services().values()) {
            size += chains.rules().length() + chains.chains().size() * 32;
        }
        return size;
    }
}
