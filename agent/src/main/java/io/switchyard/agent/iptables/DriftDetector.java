package io.switchyard.agent.iptables;

import io.switchyard.agent.iptables.Ledger.Part;
import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.iptables.ServiceRules;
import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Compares an iptables-save listing with what the last syncs applied ({@link Ledger.Snapshot}):
 * every chain we own — the top-level ones, each service port's, the canaries — and the jumps
 * from the builtin chains. A chain is judged first by its {@link RuleShape} against the rules we
 * wrote (rule count, targets, comments, ports: a flush, an inserted RETURN, a deleted rule); once
 * it passes, the kernel's exact text of it becomes its baseline, and from then on, until a sync
 * rewrites it, any edit at all shows. Other components' chains and rules are never looked at.
 * Used by one thread at a time (the dataplane's drift check).
 */
final class DriftDetector {

    /** What is wrong with a chain. */
    enum Kind { MISSING, FLUSHED, CHANGED, EDITED }

    /**
     * One thing that drifted.
     *
     * @param chain the chain (or, for a jump, the builtin chain); {@code table} its table
     * @param text  one short description
     */
    record Finding(Part part, String table, String chain, Kind kind, String text) {
    }

    /** The kernel's exact text of a chain that matched, as of the generation that wrote it. */
    private record Baseline(Part part, long generation, long exact) {
    }

    /** What one comparison found, and the baselines it would keep (per table, per chain). */
    record Report(List<Finding> findings, Map<String, Map<String, Baseline>> baselines) {
    }

    /** Per table, per chain: the kernel's text of the chain when it last matched. */
    private Map<String, Map<String, Baseline>> baselines = new HashMap<>();

    /** A parser for the listing to compare with a snapshot: it works out the shapes only of the chains that need them. */
    SavedTables.Parser parser(Ledger.Snapshot snapshot) {
        // A chain whose baseline is current is judged by its exact text, any other by its shape.
        return new SavedTables.Parser((table, chain) -> {
            Baseline b = baselines.getOrDefault(table, Map.of()).get(chain);
            return b == null || b.generation() != snapshot.generationOf(b.part());
        });
    }

    /** Compares a parsed listing ({@link #parser}) with a snapshot; no state changes until {@link #keep}. */
    Report compare(Ledger.Snapshot snapshot, SavedTables saved) {
        Ruleset applied = snapshot.applied();
        List<Finding> findings = new ArrayList<>();
        Map<String, Map<String, Baseline>> kept = new HashMap<>();

        for (Table table : KubeChains.CANARY_TABLES) {
            if (!saved.has(table.iptablesName(), KubeChains.CANARY)) {
                findings.add(new Finding(Part.JUMPS, table.iptablesName(), KubeChains.CANARY, Kind.MISSING,
                        "canary " + table.iptablesName() + " " + KubeChains.CANARY + " missing"));
            }
        }
        for (KubeChains.Jump jump : KubeChains.JUMPS) {
            String table = jump.table().iptablesName();
            if (!saved.builtinRules(table, jump.builtin()).contains("-A " + jump.builtin() + " " + jump.ruleSpec())) {
                findings.add(new Finding(Part.JUMPS, table, jump.builtin(), Kind.MISSING,
                        "jump " + table + " " + jump.builtin() + " -> " + jump.target() + " missing"));
            }
        }

        Map<String, List<String>> fixed = fixedChains(applied);
        fixed.forEach((key, lines) -> {
            int space = key.indexOf(' ');
            String table = key.substring(0, space);
            String chain = key.substring(space + 1);
            Part part = table.equals("nat") && (chain.equals(KubeChains.SERVICES) || chain.equals(KubeChains.NODE_PORTS))
                    ? Part.ENTRY : Part.BASE;
            judge(snapshot, saved, part, table, chain, lines.size(), () -> RuleShape.ChainShape.of(lines), "", findings, kept);
        });
        applied.services().forEach((name, rules) -> {
            Part part = new Part.Service(name);
            for (ServiceRules.NatChain chain : rules.chains()) {
                judge(snapshot, saved, part, "nat", chain.name(), chain.ruleCount(),
                        () -> RuleShape.ChainShape.of(chain.rules().lines().toList()), " (" + name + ")", findings, kept);
            }
        });
        return new Report(findings, kept);
    }

    /** Keeps the baselines of a report whose parts no sync has rewritten since (as {@code current} says). */
    void keep(Report report, Predicate<Part> unchanged) {
        report.baselines().values().forEach(chains -> chains.values().removeIf(b -> !unchanged.test(b.part())));
        baselines = report.baselines();
    }

    private interface ShapeSupplier {
        RuleShape.ChainShape get();
    }

    private void judge(Ledger.Snapshot snapshot, SavedTables saved, Part part, String table, String chain,
                       int expectedRules, ShapeSupplier expected, String owner, List<Finding> findings,
                       Map<String, Map<String, Baseline>> kept) {
        long generation = snapshot.generationOf(part);
        Baseline baseline = baselines.getOrDefault(table, Map.of()).get(chain);
        boolean current = baseline != null && baseline.part().equals(part) && baseline.generation() == generation;
        SavedTables.Chain installed = saved.chain(table, chain, !current);
        String name = table + " " + chain + owner;
        if (installed == null) {
            findings.add(new Finding(part, table, chain, Kind.MISSING, name + " missing"));
            return;
        }
        if (!current && installed.shape() == null) {
            return; // a baseline of another part under this name: judged next time
        }
        if (current) {
            if (installed.exact() == baseline.exact()) {
                kept.computeIfAbsent(table, t -> new HashMap<>()).put(chain, baseline);
                return;
            }
        } else if (installed.shape().equals(expected.get())) {
            kept.computeIfAbsent(table, t -> new HashMap<>()).put(chain, new Baseline(part, generation, installed.exact()));
            return;
        }
        if (installed.rules() == 0 && expectedRules > 0) {
            findings.add(new Finding(part, table, chain, Kind.FLUSHED, name + " flushed"));
        } else if (installed.rules() != expectedRules) {
            findings.add(new Finding(part, table, chain, Kind.CHANGED,
                    name + " has " + installed.rules() + " rules, " + expectedRules + " written"));
        } else {
            findings.add(new Finding(part, table, chain, current ? Kind.EDITED : Kind.CHANGED,
                    name + (current ? " rules edited" : " rules differ from those written")));
        }
    }

    /** The top-level chains' rules, per "table chain", from the shared parts of a ruleset. */
    static Map<String, List<String>> fixedChains(Ruleset ruleset) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        for (String chain : KubeChains.NAT_CHAINS) {
            chains.put(key("nat", chain), new ArrayList<>());
        }
        for (String chain : ruleset.filterChains()) {
            chains.put(key("filter", chain), new ArrayList<>());
        }
        split(chains, "nat", ruleset.natHead());
        split(chains, "filter", ruleset.filterHead());
        for (ServiceRules rules : ruleset.services().values()) {
            split(chains, "nat", rules.natRules());
            split(chains, "filter", rules.filterRules());
        }
        split(chains, "nat", ruleset.natTail());
        split(chains, "filter", ruleset.filterTail());
        return chains;
    }

    /** The expected rules of one top-level chain. */
    static List<String> fixedChain(Ruleset ruleset, String table, String chain) {
        return fixedChains(ruleset).getOrDefault(key(table, chain), List.of());
    }

    private static void split(Map<String, List<String>> chains, String table, String text) {
        int from = 0;
        while (from < text.length()) {
            int end = text.indexOf('\n', from);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(from, end);
            from = end + 1;
            if (line.startsWith("-A ")) {
                int space = line.indexOf(' ', 3);
                List<String> rules = chains.get(key(table, line.substring(3, space < 0 ? line.length() : space)));
                if (rules != null) {
                    rules.add(line);
                }
            }
        }
    }

    static String key(String table, String chain) {
        return table + ' ' + chain;
    }

    /** The findings of a check as the few short lines the log gets: each one, or counts and examples. */
    static List<String> describe(List<Finding> findings) {
        List<Finding> services = findings.stream().filter(f -> f.part() instanceof Part.Service).toList();
        List<String> lines = new ArrayList<>();
        findings.stream().filter(f -> !(f.part() instanceof Part.Service)).forEach(f -> lines.add(f.text()));
        if (services.size() <= 5) {
            services.forEach(f -> lines.add(f.text()));
        } else {
            Map<Kind, Integer> byKind = new java.util.EnumMap<>(Kind.class);
            services.forEach(f -> byKind.merge(f.kind(), 1, Integer::sum));
            StringBuilder line = new StringBuilder().append(services.size()).append(" service chains drifted (");
            List<String> counts = new ArrayList<>();
            byKind.forEach((kind, count) -> counts.add(count + " " + kind.name().toLowerCase(java.util.Locale.ROOT)));
            line.append(String.join(", ", counts)).append("), e.g. ");
            line.append(String.join(", ", services.stream().limit(3).map(Finding::text).toList()));
            lines.add(line.toString());
        }
        return lines;
    }

    /** The service port a finding is about, or null. */
    static ServicePortName service(Finding finding) {
        return finding.part() instanceof Part.Service(ServicePortName name) ? name : null;
    }
}
