package io.switchyard.agent.iptables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * One {@code iptables-save} listing reduced to what the drift check compares, read line by line
 * without keeping its text (at 10k services it is some 200k lines): which chains each table
 * declares, per KUBE-* chain its rule count and a hash of its exact text (and, where asked, its
 * {@link RuleShape}), and the rules of the builtin chains, where our jumps live.
 */
final class SavedTables {

    /** What the kernel holds in one of our chains; {@code shape} is null unless it was asked for. */
    static final class Chain {
        private int rules;
        private long exact = RuleShape.ChainShape.EMPTY.hash();
        private RuleShape.ChainShape shape;

        int rules() {
            return rules;
        }

        long exact() {
            return exact;
        }

        RuleShape.ChainShape shape() {
            return shape;
        }
    }

    private static final Set<String> BUILTIN = Set.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");

    /** Per table, each declared chain, with its totals (a declared chain without rules has none yet). */
    private final Map<String, Map<String, Chain>> tables = new HashMap<>();
    private final Map<String, List<String>> builtinRules = new HashMap<>();

    private SavedTables() {
    }

    /**
     * Reads a listing line by line, as iptables-save prints it, keeping only the totals.
     *
     * @param wantsShape (table, chain) of the KUBE-* chains whose {@link RuleShape} is needed
     */
    static final class Parser implements Consumer<String> {
        private final BiPredicate<String, String> wantsShape;
        private final SavedTables saved = new SavedTables();
        private String table;
        private Map<String, Chain> chains;
        private String chain;
        private Chain sums;

        Parser(BiPredicate<String, String> wantsShape) {
            this.wantsShape = wantsShape;
        }

        @Override
        public void accept(String text) {
            if (text.isEmpty()) {
                return;
            }
            char first = text.charAt(0);
            if (first == '*') {
                table = text.substring(1).strip();
                chains = saved.tables.computeIfAbsent(table, t -> new HashMap<>());
                chain = null;
                return;
            }
            if (table == null) {
                return;
            }
            if (first == ':') {
                int space = text.indexOf(' ');
                chains.putIfAbsent(text.substring(1, space < 0 ? text.length() : space), null);
                return;
            }
            int line = 0;
            if (first == '[') {
                // Counters, printed with -c.
                int close = text.indexOf("] ");
                line = close < 0 ? 0 : close + 2;
            }
            if (!text.startsWith("-A ", line)) {
                return;
            }
            int space = text.indexOf(' ', line + 3);
            int nameEnd = space < 0 ? text.length() : space;
            if (chain == null || chain.length() != nameEnd - line - 3 || !text.startsWith(chain, line + 3)) {
                // Rules come grouped by chain: a new name only where a chain starts.
                chain = text.substring(line + 3, nameEnd);
                sums = null;
                if (chain.startsWith("KUBE-")) {
                    sums = chains.get(chain);
                    if (sums == null) {
                        sums = new Chain();
                        sums.shape = wantsShape.test(table, chain) ? RuleShape.ChainShape.EMPTY : null;
                        chains.put(chain, sums);
                    }
                }
            }
            if (sums != null) {
                sums.rules++;
                sums.exact = (sums.exact ^ RuleShape.exact(text, line, text.length())) * 0x100000001b3L;
                if (sums.shape != null) {
                    sums.shape = sums.shape.plus(RuleShape.of(text, line, text.length()));
                }
            } else if (BUILTIN.contains(chain)) {
                saved.builtinRules.computeIfAbsent(table + ' ' + chain, k -> new ArrayList<>()).add(text.substring(line));
            }
        }

        SavedTables result() {
            return saved;
        }
    }

    /** Whether the table declares the chain. */
    boolean has(String table, String chain) {
        Map<String, Chain> chains = tables.get(table);
        return chains != null && chains.containsKey(chain);
    }

    /** One of our chains as the kernel holds it (declared without rules: empty); null if undeclared. */
    Chain chain(String table, String chain, boolean withShape) {
        Map<String, Chain> chains = tables.get(table);
        if (chains == null || !chains.containsKey(chain)) {
            return null;
        }
        Chain found = chains.get(chain);
        if (found == null) {
            found = new Chain();
            found.shape = withShape ? RuleShape.ChainShape.EMPTY : null;
        }
        return found;
    }

    /** The rules of a builtin chain, as iptables-save prints them. */
    List<String> builtinRules(String table, String chain) {
        return builtinRules.getOrDefault(table + ' ' + chain, List.of());
    }
}
