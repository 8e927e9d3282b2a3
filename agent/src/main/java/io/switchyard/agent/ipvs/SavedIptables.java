package io.switchyard.agent.ipvs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code iptables-save} output read into what the ipvs proxier checks and cleans up: per table,
 * the chains declared and the rules ({@code -A} lines, verbatim, which {@code iptables-restore}
 * reads back, so a rule can be deleted by sending its line with {@code -D}).
 */
record SavedIptables(Map<String, Table> tables) {

    /** The chains that belong to the kernel, never to a proxy. */
    static final Set<String> BUILTIN_CHAINS = Set.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");

    SavedIptables {
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    /** One table: its chains in declaration order and its rules in order. */
    record Table(Set<String> chains, List<String> rules) {
        Table {
            chains = Collections.unmodifiableSet(new LinkedHashSet<>(chains));
            rules = List.copyOf(rules);
        }

        /** The chain a rule line is in. */
        static String chainOf(String rule) {
            int end = rule.indexOf(' ', 3);
            return end < 0 ? rule.substring(3) : rule.substring(3, end);
        }

        /** The {@code -j}/{@code -g} target of a rule line, or empty. */
        static String targetOf(String rule) {
            for (String flag : new String[] {" -j ", " -g "}) {
                int at = rule.lastIndexOf(flag);
                if (at >= 0) {
                    int start = at + flag.length();
                    int end = rule.indexOf(' ', start);
                    return end < 0 ? rule.substring(start) : rule.substring(start, end);
                }
            }
            return "";
        }
    }

    private static final Table EMPTY = new Table(Set.of(), List.of());

    /** The table of that name; empty when the save did not list it. */
    Table table(String name) {
        return tables.getOrDefault(name, EMPTY);
    }

    /** Reads {@code iptables-save} text; counters ({@code [p:b]}) and comments are dropped. */
    static SavedIptables parse(String save) {
        Map<String, Table> out = new LinkedHashMap<>();
        String table = null;
        Set<String> chains = new LinkedHashSet<>();
        List<String> rules = new ArrayList<>();
        for (String raw : save.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                int end = line.indexOf("] ");
                line = end < 0 ? line : line.substring(end + 2);
            }
            if (line.startsWith("*")) {
                table = line.substring(1);
                chains = new LinkedHashSet<>();
                rules = new ArrayList<>();
            } else if (line.equals("COMMIT") && table != null) {
                out.put(table, new Table(chains, rules));
                table = null;
            } else if (table != null && line.startsWith(":")) {
                int space = line.indexOf(' ');
                chains.add(line.substring(1, space < 0 ? line.length() : space));
            } else if (table != null && line.startsWith("-A ")) {
                rules.add(line);
            }
        }
        return new SavedIptables(out);
    }
}
