package io.switchyard.agent.fault;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chains of an {@code iptables-save} text, each as a whole ({@code table/chain} → its rules),
 * for judging whether every chain the kernel holds is one a sync meant to write, entire. In the
 * chains whose rules come in map order the rules are sorted, so order alone never differs.
 */
record Chains(Map<String, List<String>> byName) {

    private static final Set<String> UNORDERED =
            Set.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-EXTERNAL-SERVICES", "KUBE-PROXY-FIREWALL");

    private static final Set<String> BUILTIN = Set.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
    private static final Pattern TARGET = Pattern.compile(" -[jg] ([A-Z][A-Z0-9-]*)");

    static Chains parse(String save) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        String table = "";
        for (String line : save.split("\n")) {
            if (line.startsWith("*")) {
                table = line.substring(1);
            } else if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                chains.put(table + "/" + line.substring(1, space < 0 ? line.length() : space), new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                int space = line.indexOf(' ', 3);
                String chain = line.substring(3, space < 0 ? line.length() : space);
                chains.computeIfAbsent(table + "/" + chain, c -> new ArrayList<>()).add(line);
            }
        }
        chains.forEach((name, rules) -> {
            if (UNORDERED.contains(name.substring(name.indexOf('/') + 1))) {
                rules.sort(null);
            }
        });
        return new Chains(chains);
    }

    /**
     * The chains of this state that are neither as in {@code before} nor as in {@code after}:
     * half-built, or never meant to exist. Empty when every chain is one of the two, whole.
     */
    List<String> neitherOf(Chains before, Chains after) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> chain : byName.entrySet()) {
            List<String> old = before.byName.get(chain.getKey());
            List<String> now = after.byName.get(chain.getKey());
            if (!chain.getValue().equals(old) && !chain.getValue().equals(now)) {
                out.add(chain.getKey() + " (" + chain.getValue().size() + " rules; before "
                        + (old == null ? "absent" : old.size() + " rules") + ", after "
                        + (now == null ? "absent" : now.size() + " rules") + ")");
            }
        }
        return out;
    }

    /**
     * Only the chains packets can reach: the builtin chains and what they jump or go to, through
     * any depth. Stale chains a sync left for later (unreferenced, harmless) are not among them.
     */
    Chains reachable() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        for (String name : byName.keySet()) {
            if (BUILTIN.contains(name.substring(name.indexOf('/') + 1))) {
                queue.add(name);
            }
        }
        while (!queue.isEmpty()) {
            String name = queue.poll();
            List<String> rules = byName.get(name);
            if (rules == null || out.containsKey(name)) {
                continue;
            }
            out.put(name, rules);
            String table = name.substring(0, name.indexOf('/'));
            for (String rule : rules) {
                Matcher target = TARGET.matcher(rule);
                while (target.find()) {
                    queue.add(table + "/" + target.group(1));
                }
            }
        }
        return new Chains(out);
    }

    /** Chains whose rules differ between the two states (present in only one included). */
    Set<String> differingFrom(Chains other) {
        Set<String> names = new TreeSet<>(byName.keySet());
        names.addAll(other.byName.keySet());
        names.removeIf(n -> Objects.equals(byName.get(n), other.byName.get(n)));
        return names;
    }
}
