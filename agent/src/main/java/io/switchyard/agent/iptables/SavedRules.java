package io.switchyard.agent.iptables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code iptables-save} output in a form two kernels' states can be compared in: {@code #} lines and
 * counters dropped, tables and chains sorted, and — only in the chains where kube-proxy writes
 * rules in Go's random map order — the rules sorted too. Every other chain keeps its order,
 * because there the order is behaviour. {@link #normaliseOwn} keeps only what kube-proxy owns:
 * KUBE-* chains and the jumps to them.
 */
public final class SavedRules {

    /** Which proxy mode wrote the rules: it decides which chains are in random order. */
    public enum Mode {
        /**
         * iptables mode: the per-service rules of KUBE-SERVICES, KUBE-NODEPORTS,
         * KUBE-EXTERNAL-SERVICES and KUBE-PROXY-FIREWALL come in service-map order; the
         * node-ports jumps at the end of nat KUBE-SERVICES stay last. KUBE-FW-* and every other
         * chain are written in a fixed order.
         */
        IPTABLES(Set.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-EXTERNAL-SERVICES", "KUBE-PROXY-FIREWALL")),
        /** ipvs mode: only KUBE-IPVS-OUT-FILTER comes in service-map order. */
        IPVS(Set.of("KUBE-IPVS-OUT-FILTER"));

        private final Set<String> unordered;

        Mode(Set<String> unordered) {
            this.unordered = unordered;
        }
    }

    private static final String NODEPORTS_JUMP = "kubernetes service nodeports";
    /** Marks a node-ports jump that is not at the end of its chain. */
    private static final String MISPLACED = "(not last) ";
    /** The packet and byte counters {@code iptables-save -c} puts in front of a rule. */
    private static final Pattern COUNTERS = Pattern.compile("^\\[\\d+:\\d+\\] ");

    private SavedRules() {
    }

    /** Normalises iptables-mode iptables-save text into a stable, line-oriented description. */
    public static String normalise(String save) {
        return normalise(save, Mode.IPTABLES, false);
    }

    /** Normalises iptables-save text written by the given proxy mode. */
    public static String normalise(String save, Mode mode) {
        return normalise(save, mode, false);
    }

    /** Like {@link #normalise(String)}, but only KUBE-* chains and builtin-chain rules jumping to them. */
    public static String normaliseOwn(String save) {
        return normalise(save, Mode.IPTABLES, true);
    }

    private static String normalise(String save, Mode mode, boolean ownOnly) {
        // table -> chain -> "policy" line + rules
        Map<String, Map<String, List<String>>> tables = new TreeMap<>();
        Map<String, List<String>> chains = null;
        for (String raw : save.split("\n")) {
            String line = COUNTERS.matcher(raw.strip()).replaceFirst("");
            if (line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
                continue;
            }
            if (line.startsWith("*")) {
                chains = tables.computeIfAbsent(line.substring(1), t -> new TreeMap<>());
            } else if (chains == null) {
                throw new IllegalArgumentException("line outside a table: " + line);
            } else if (line.startsWith(":")) {
                String[] parts = line.substring(1).split(" ");
                List<String> chain = chains.computeIfAbsent(parts[0], c -> new ArrayList<>());
                chain.addFirst("policy " + parts[1]);
            } else if (line.startsWith("-A ")) {
                String chain = line.split(" ")[1];
                if (ownOnly && !chain.startsWith("KUBE-") && !line.contains(" -j KUBE-")) {
                    continue;
                }
                List<String> rules = chains.get(chain);
                if (rules == null) {
                    throw new IllegalArgumentException("rule for undeclared chain: " + line);
                }
                rules.add(line);
            } else {
                throw new IllegalArgumentException("unexpected iptables-save line: " + line);
            }
        }
        StringBuilder out = new StringBuilder();
        tables.forEach((table, tableChains) -> {
            out.append('*').append(table).append('\n');
            tableChains.forEach((chain, lines) -> {
                if (ownOnly && !chain.startsWith("KUBE-") && lines.size() == 1) {
                    return;
                }
                out.append(':').append(chain).append(' ').append(lines.getFirst()).append('\n');
                List<String> rules = new ArrayList<>(lines.subList(1, lines.size()));
                if (mode.unordered.contains(chain)) {
                    sortKeepingNodePortJumpsLast(rules);
                }
                rules.forEach(r -> out.append(r).append('\n'));
            });
        });
        return out.toString();
    }

    /**
     * Sorts rules in place. The run of node-ports jumps that ends the chain stays at the end, in
     * order; a node-ports jump anywhere else is marked, so that sorting cannot make a misplaced
     * jump look last.
     */
    private static void sortKeepingNodePortJumpsLast(List<String> rules) {
        int tail = rules.size();
        while (tail > 0 && rules.get(tail - 1).contains(NODEPORTS_JUMP)) {
            tail--;
        }
        List<String> head = rules.subList(0, tail);
        head.replaceAll(r -> r.contains(NODEPORTS_JUMP) ? MISPLACED + r : r);
        head.sort(null);
    }
}
