package io.switchyard.ipvs.iptables;

import io.switchyard.rules.iptables.KubeChains.Jump;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.model.IpFamily;

import java.util.List;
import java.util.Objects;

/**
 * The iptables side of one family's ipvs mode: the rules of kube-proxy's nat and filter chains,
 * in kube-proxy's order. Every sync restores them whole with {@code iptables-restore --noflush}
 * (declaring a chain flushes it); the builtin-chain jumps are ensured separately.
 *
 * @param natRules     the nat rules, one {@code -A} line each
 * @param filterRules  the filter rules, one {@code -A} line each
 */
public record IpvsRules(IpFamily family, String natRules, String filterRules) {

    public IpvsRules {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(natRules, "natRules");
        Objects.requireNonNull(filterRules, "filterRules");
    }

    /** The {@code iptables-restore --noflush} input of one sync: nat, then filter, as kube-proxy writes it. */
    public String restoreDocument() {
        return document(List.of(), List.of());
    }

    /**
     * A document that leaves an empty network namespace as a running proxy would: the same
     * tables plus the builtin-chain jumps (which the proxy ensures with separate commands).
     */
    public String forEmptyNamespace() {
        return document(IpvsChains.jumpsAsInstalled(Table.NAT), IpvsChains.jumpsAsInstalled(Table.FILTER));
    }

    /** The builtin-chain jumps to ensure before restoring, in the order to prepend them. */
    public static List<Jump> jumps() {
        return IpvsChains.JUMPS;
    }

    private String document(List<Jump> natJumps, List<Jump> filterJumps) {
        StringBuilder out = new StringBuilder(natRules.length() + filterRules.length() + 1024);
        table(out, "nat", IpvsChains.NAT, natJumps, natRules);
        table(out, "filter", IpvsChains.FILTER, filterJumps, filterRules);
        return out.toString();
    }

    private static void table(StringBuilder out, String name, List<String> chains, List<Jump> jumps, String rules) {
        out.append('*').append(name).append('\n');
        chains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        jumps.forEach(j -> out.append("-A ").append(j.builtin()).append(' ').append(j.ruleSpec()).append('\n'));
        out.append(rules).append("COMMIT\n");
    }
}
