package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.iptables.IpvsChains;
import io.switchyard.ipvs.iptables.IpvsRules;
import io.switchyard.rules.iptables.KubeChains.Jump;

import java.util.ArrayList;
import java.util.List;

/**
 * The iptables side of an ipvs-mode sync for one family: the {@code iptables-restore --noflush}
 * input that rewrites our chains and, in the same transaction, puts back any jump from a builtin
 * chain that is missing (at the top, in kube-proxy's order); and what a drift check looks for.
 */
final class IpvsGlue {

    private IpvsGlue() {
    }

    /**
     * The restore input of a sync. With {@code saved} (the tables as they are now), jumps missing
     * from the builtin chains are inserted; without it they are taken to be in place.
     */
    static String document(IpvsRules rules, SavedIptables saved) {
        String base = rules.restoreDocument();
        if (saved == null) {
            return base;
        }
        StringBuilder out = new StringBuilder(base.length() + 512);
        String table = "";
        for (String line : base.split("\n")) {
            if (line.startsWith("*")) {
                table = line.substring(1);
            } else if (line.equals("COMMIT")) {
                for (Jump jump : missingJumps(saved, table)) {
                    out.append("-I ").append(jump.builtin()).append(" 1 ").append(jump.ruleSpec()).append('\n');
                }
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** The jumps of one table that {@code saved} does not hold, in the order they are ensured. */
    static List<Jump> missingJumps(SavedIptables saved, String table) {
        List<String> rules = saved.table(table).rules();
        List<Jump> missing = new ArrayList<>();
        for (Jump jump : IpvsChains.JUMPS) {
            if (jump.table().iptablesName().equals(table) && !rules.contains(line(jump))) {
                missing.add(jump);
            }
        }
        return missing;
    }

    /** A jump as iptables-save prints it. */
    static String line(Jump jump) {
        return "-A " + jump.builtin() + " " + jump.ruleSpec();
    }

    /** What of ipvs mode's chains and jumps {@code saved} lacks, one finding each. */
    static List<String> missing(SavedIptables saved) {
        List<String> findings = new ArrayList<>();
        for (String chain : IpvsChains.NAT) {
            if (!saved.table("nat").chains().contains(chain)) {
                findings.add("nat chain " + chain + " missing");
            }
        }
        for (String chain : IpvsChains.FILTER) {
            if (!saved.table("filter").chains().contains(chain)) {
                findings.add("filter chain " + chain + " missing");
            }
        }
        for (String table : List.of("nat", "filter")) {
            for (Jump jump : missingJumps(saved, table)) {
                findings.add(table + " jump " + jump.builtin() + " -> " + jump.target() + " missing");
            }
        }
        return findings;
    }

    /** The lines around the one iptables-restore refused, numbered, for the error log. */
    static String context(String document, int line) {
        if (line <= 0) {
            return "(iptables-restore did not say which line)";
        }
        String[] lines = document.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(1, line - 3); i <= Math.min(lines.length, line + 3); i++) {
            out.append(i == line ? "=> " : "   ").append(i).append(": ").append(lines[i - 1]).append('\n');
        }
        return out.toString();
    }

    /** How many rules a table's part of the rules holds. */
    static int ruleCount(String tableRules) {
        return (int) tableRules.lines().filter(l -> l.startsWith("-A ")).count();
    }
}
