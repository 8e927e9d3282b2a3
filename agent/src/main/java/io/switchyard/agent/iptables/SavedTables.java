package io.switchyard.agent.iptables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * One {@code iptables-save} listing reduced to what the drift check compares, without keeping
 * its text (at 10k services it is some 200k lines): which chains each table declares, per
 * KUBE-* chain its rule count and a hash of its exact text (and, where asked, its
 * {@link RuleShape}), and the rules of the builtin chains, where our jumps live.
 */
final class SavedTables {

    /** What the kernel holds in one of our chains. */
    record Chain(int rules, long exact, RuleShape.ChainShape shape) {
    }

    private static final Set<String> BUILTIN = Set.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");

    private final Map<String, Set<String>> declared;
    private final Map<String, Chain> chains;
    private final Map<String, List<String>> builtinRules;

    private SavedTables(Map<String, Set<String>> declared, Map<String, Chain> chains, Map<String, List<String>> builtinRules) {
        this.declared = declared;
        this.chains = chains;
        this.builtinRules = builtinRules;
    }

    /** Mutable per-chain totals while parsing. */
    private static final class Totals {
        int rules;
        long exact = RuleShape.ChainShape.EMPTY.hash();
        RuleShape.ChainShape shape;
    }

    /**
     * Parses a listing.
     *
     * @param wantsShape (table, chain) of the KUBE-* chains whose {@link RuleShape} is needed
     */
    static SavedTables parse(String save, BiPredicate<String, String> wantsShape) {
        Map<String, Set<String>> declared = new HashMap<>();
        Map<String, Totals> totals = new HashMap<>();
        Map<String, List<String>> builtin = new HashMap<>();
        String table = null;
        int from = 0;
        while (from < save.length()) {
            int end = save.indexOf('\n', from);
            if (end < 0) {
                end = save.length();
            }
            String line = save.substring(from, end);
            from = end + 1;
            if (line.startsWith("*")) {
                table = line.substring(1).strip();
                declared.computeIfAbsent(table, t -> new HashSet<>());
            } else if (table == null) {
                continue;
            } else if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                declared.get(table).add(line.substring(1, space < 0 ? line.length() : space));
            } else {
                if (line.startsWith("[")) {
                    // Counters, printed with -c.
                    int close = line.indexOf("] ");
                    line = close < 0 ? line : line.substring(close + 2);
                }
                if (!line.startsWith("-A ")) {
                    continue;
                }
                int space = line.indexOf(' ', 3);
                String chain = line.substring(3, space < 0 ? line.length() : space);
                String key = key(table, chain);
                if (chain.startsWith("KUBE-")) {
                    String t = table;
                    Totals sums = totals.computeIfAbsent(key, k -> {
                        Totals fresh = new Totals();
                        fresh.shape = wantsShape.test(t, chain) ? RuleShape.ChainShape.EMPTY : null;
                        return fresh;
                    });
                    sums.rules++;
                    sums.exact = (sums.exact ^ RuleShape.exact(line)) * 0x100000001b3L;
                    if (sums.shape != null) {
                        sums.shape = sums.shape.plus(line);
                    }
                } else if (BUILTIN.contains(chain)) {
                    builtin.computeIfAbsent(key, k -> new ArrayList<>()).add(line);
                }
            }
        }
        Map<String, Chain> chains = new HashMap<>(totals.size() * 2);
        totals.forEach((key, sums) -> chains.put(key, new Chain(sums.rules, sums.exact, sums.shape)));
        return new SavedTables(declared, chains, builtin);
    }

    /** Whether the table declares the chain. */
    boolean has(String table, String chain) {
        Set<String> ofTable = declared.get(table);
        return ofTable != null && ofTable.contains(chain);
    }

    /** One of our chains as the kernel holds it; a declared chain without rules is empty. Null if undeclared. */
    Chain chain(String table, String chain, boolean withShape) {
        if (!has(table, chain)) {
            return null;
        }
        Chain found = chains.get(key(table, chain));
        if (found == null) {
            return new Chain(0, RuleShape.ChainShape.EMPTY.hash(), withShape ? RuleShape.ChainShape.EMPTY : null);
        }
        return found;
    }

    /** The rules of a builtin chain, as iptables-save prints them. */
    List<String> builtinRules(String table, String chain) {
        return builtinRules.getOrDefault(key(table, chain), List.of());
    }

    private static String key(String table, String chain) {
        return table + ' ' + chain;
    }
}
