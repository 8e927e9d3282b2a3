package io.switchyard.agent.ipvs;

import io.switchyard.agent.exec.ProcessRunner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ipset and iptables as programs, in memory, close enough to the real ones for the ipvs
 * dataplane's logic: {@code ipset save/restore/list -n} and {@code iptables-save} /
 * {@code iptables-restore --noflush} (declare = create or flush, {@code -A}, {@code -I}, {@code -D}
 * of an exact rule, {@code -X} of an unreferenced chain; a transaction applies whole or not at
 * all), for one family. Every command is recorded; the next run of a program can be made to fail.
 */
final class FakeTools implements ProcessRunner {

    private static final List<String> BUILTIN = List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");

    /** ipset name -> create line, members. */
    final Map<String, String> setTypes = new LinkedHashMap<>();
    final Map<String, Set<String>> sets = new LinkedHashMap<>();
    /** table -> chain -> rules (the text after "-A CHAIN "). */
    Map<String, Map<String, List<String>>> tables = new LinkedHashMap<>();
    final List<List<String>> commands = new ArrayList<>();
    final List<String> restores = new ArrayList<>();
    private final Set<String> failNext = new LinkedHashSet<>();

    FakeTools() {
        for (String table : List.of("filter", "nat", "mangle")) {
            Map<String, List<String>> chains = new LinkedHashMap<>();
            BUILTIN.forEach(c -> chains.put(c, new ArrayList<>()));
            tables.put(table, chains);
        }
    }

    /** The next run of this program ({@code ipset}, {@code iptables-restore}, ...) fails. */
    void failNext(String program) {
        failNext.add(program);
    }

    /** How many times a program ran. */
    long runs(String program) {
        return commands.stream().filter(c -> c.getFirst().equals(program)).count();
    }

    List<String> rules(String table, String chain) {
        return tables.get(table).getOrDefault(chain, List.of());
    }

    @Override
    public synchronized Result run(List<String> argv, String stdin) {
        commands.add(List.copyOf(argv));
        String program = argv.getFirst();
        if (failNext.remove(program)) {
            return new Result(1, "", program + ": injected failure");
        }
        return switch (program) {
            case "ipset" -> ipset(argv, stdin);
            case "iptables-save", "ip6tables-save" -> new Result(0, save(), "");
            case "iptables-restore", "ip6tables-restore" -> restore(stdin);
            default -> new Result(127, "", "no such program in the fake: " + program);
        };
    }

    private Result ipset(List<String> argv, String stdin) {
        switch (argv.get(1)) {
            case "save" -> {
                StringBuilder out = new StringBuilder();
                setTypes.forEach((name, create) -> {
                    out.append(create).append('\n');
                    sets.get(name).forEach(m -> out.append("add ").append(name).append(' ').append(m).append('\n'));
                });
                return new Result(0, out.toString(), "");
            }
            case "list" -> {
                return new Result(0, String.join("\n", setTypes.keySet()) + "\n", "");
            }
            case "restore" -> {
                for (String line : stdin.split("\n")) {
                    String[] words = line.strip().split(" ");
                    switch (words[0]) {
                        case "create" -> {
                            String create = line.replace(" -exist", "").strip();
                            setTypes.putIfAbsent(words[1], create);
                            sets.putIfAbsent(words[1], new LinkedHashSet<>());
                        }
                        case "add" -> sets.get(words[1]).add(words[2]);
                        case "del" -> sets.get(words[1]).remove(words[2]);
                        case "destroy" -> {
                            setTypes.remove(words[1]);
                            sets.remove(words[1]);
                        }
                        case "" -> {
                        }
                        default -> {
                            return new Result(1, "", "ipset: unknown command " + words[0]);
                        }
                    }
                }
                return new Result(0, "", "");
            }
            default -> {
                return new Result(1, "", "ipset: unsupported " + argv);
            }
        }
    }

    private String save() {
        StringBuilder out = new StringBuilder();
        tables.forEach((table, chains) -> {
            out.append('*').append(table).append('\n');
            chains.keySet().forEach(c -> out.append(':').append(c).append(BUILTIN.contains(c) ? " ACCEPT" : " -")
                    .append(" [0:0]\n"));
            chains.forEach((chain, rules) -> rules.forEach(r -> out.append("-A ").append(chain).append(' ').append(r)
                    .append('\n')));
            out.append("COMMIT\n");
        });
        return out.toString();
    }

    private Result restore(String document) {
        restores.add(document);
        Map<String, Map<String, List<String>>> work = copy(tables);
        Map<String, List<String>> chains = null;
        int number = 0;
        for (String line : document.split("\n")) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                chains = work.computeIfAbsent(line.substring(1), t -> new LinkedHashMap<>());
            } else if (line.equals("COMMIT")) {
                chains = null;
            } else if (chains == null) {
                return refused(number, "outside a table");
            } else if (line.startsWith(":")) {
                String chain = line.substring(1, line.indexOf(' '));
                chains.put(chain, new ArrayList<>());
            } else {
                String[] words = line.split(" ", 3);
                List<String> rules = chains.get(words[1]);
                if (rules == null) {
                    return refused(number, "no chain " + words[1]);
                }
                switch (words[0]) {
                    case "-A" -> rules.add(words[2]);
                    case "-I" -> rules.addFirst(words[2].substring(words[2].indexOf(' ') + 1));
                    case "-D" -> {
                        if (!rules.remove(words[2])) {
                            return refused(number, "no such rule");
                        }
                    }
                    case "-X" -> {
                        String target = words[1];
                        boolean used = chains.values().stream().flatMap(List::stream)
                                .anyMatch(r -> r.endsWith("-j " + target) || r.contains("-j " + target + " "));
                        if (used) {
                            return refused(number, "chain " + target + " is in use");
                        }
                        chains.remove(target);
                    }
                    default -> {
                        return refused(number, "cannot read " + words[0]);
                    }
                }
            }
        }
        tables = work;
        return new Result(0, "", "");
    }

    private static Result refused(int line, String why) {
        return new Result(2, "", "iptables-restore: line " + line + " failed (" + why + ")");
    }

    private static Map<String, Map<String, List<String>>> copy(Map<String, Map<String, List<String>>> tables) {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        tables.forEach((table, chains) -> {
            Map<String, List<String>> c = new LinkedHashMap<>();
            chains.forEach((chain, rules) -> c.put(chain, new ArrayList<>(rules)));
            out.put(table, c);
        });
        return out;
    }
}
