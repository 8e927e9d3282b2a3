package io.switchyard.agent.iptables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code iptables-save} output in a form two kernels' states can be compared in: comments and
 * counters dropped, chains sorted, and rules of the chains whose order kube-proxy leaves to Go's
 * map iteration sorted too — except that the node-ports jump must stay last in nat KUBE-SERVICES.
 * {@link #normaliseOwn} keeps only what kube-proxy owns: KUBE-* chains and the jumps to them.
 */
public final class SavedRules {

    private static final Set<String> UNORDERED = Set.of(
            "KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-EXTERNAL-SERVICES", "KUBE-PROXY-FIREWALL");
    private static final String NODEPORTS_JUMP = "kubernetes service nodeports";

    private SavedRules() {
    }

    /** Normalises iptables-save text into a stable, line-oriented description. */
    public static String normalise(String save) {
        return normalise(save, false);
    }

    /** Like {@link #normalise}, but only KUBE-* chains and builtin-chain rules jumping to them. */
    public static String normaliseOwn(String save) {
        return normalise(save, true);
    }

    private static String normalise(String save, boolean ownOnly) {
        // table -> chain -> "policy" line + rules
        Map<String, Map<String, List<String>>> tables = new TreeMap<>();
        Map<String, List<String>> chains = null;
        String table = null;
        for (String raw : save.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
                continue;
            }
            if (line.startsWith("*")) {
                table = line.substring(1);
                chains = tables.computeIfAbsent(table, t -> new TreeMap<>());
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
                rules.add(line.replaceFirst("^\\[\\d+:\\d+\\] ", ""));
            } else {
                throw new IllegalArgumentException("unexpected iptables-save line: " + line);
            }
        }
        StringBuilder out = new StringBuilder();
        tables.forEach((name, tableChains) -> {
            out.append('*').append(name).append('\n');
            tableChains.forEach((chain, lines) -> {
                if (ownOnly && !chain.startsWith("KUBE-") && lines.size() == 1) {
                    return;
                }
                out.append(':').append(chain).append(' ').append(lines.getFirst()).append('\n');
                List<String> rules = new ArrayList<>(lines.subList(1, lines.size()));
                if (UNORDERED.contains(chain) || chain.startsWith("KUBE-FW-")) {
                    String last = name.equals("nat") && chain.equals("KUBE-SERVICES") && !rules.isEmpty()
                            && rules.getLast().contains(NODEPORTS_JUMP) ? rules.removeLast() : null;
                    rules.sort(null);
                    if (last != null) {
                        rules.add(last);
                    }
                }
                rules.forEach(r -> out.append(r).append('\n'));
            });
        });
        return out.toString();
    }
}
