package io.switchyard.ipvs.ipset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The sets the kernel holds, read from {@code ipset save} or {@code ipset list} output (the
 * format is recognised from the first line). Members keep the kernel's text; extensions after a
 * member (counters, timeouts, comments) are dropped.
 */
public record IpsetSnapshot(SortedMap<String, InstalledIpset> sets) {

    public IpsetSnapshot {
        sets = Collections.unmodifiableSortedMap(new TreeMap<>(sets));
    }

    /** A kernel with no sets. */
    public static IpsetSnapshot empty() {
        return new IpsetSnapshot(new TreeMap<>());
    }

    /** Reads {@code ipset save} or {@code ipset list} output; throws naming the line when it is neither. */
    public static IpsetSnapshot parse(String text) {
        List<String> lines = text.lines().toList();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            return line.startsWith("Name:") ? parseList(lines) : parseSave(lines);
        }
        return empty();
    }

    private static final class Partial {
        final String name;
        String type = "";
        String family = "";
        final List<String> entries = new ArrayList<>();

        Partial(String name) {
            this.name = name;
        }

        InstalledIpset done() {
            return new InstalledIpset(name, type, family, entries);
        }
    }

    private static IpsetSnapshot parseSave(List<String> lines) {
        Map<String, Partial> sets = new LinkedHashMap<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String[] words = line.strip().split("\\s+");
            if (line.isBlank()) {
                continue;
            }
            if (words[0].equals("create") && words.length >= 3) {
                Partial set = new Partial(words[1]);
                set.type = words[2];
                set.family = option(words, "family");
                sets.put(set.name, set);
            } else if (words[0].equals("add") && words.length >= 3) {
                Partial set = sets.get(words[1]);
                if (set == null) {
                    throw new IllegalArgumentException("ipset save line " + number + ": member of unknown set "
                            + words[1]);
                }
                set.entries.add(words[2]);
            } else {
                throw new IllegalArgumentException("ipset save line " + number + " is neither create nor add: "
                        + line.strip());
            }
        }
        return collect(sets);
    }

    private static IpsetSnapshot parseList(List<String> lines) {
        Map<String, Partial> sets = new LinkedHashMap<>();
        Partial current = null;
        boolean members = false;
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank()) {
                members = false;
                continue;
            }
            if (members) {
                current.entries.add(line.strip().split("\\s+")[0]);
            } else if (line.startsWith("Name:")) {
                current = new Partial(line.substring(5).strip());
                sets.put(current.name, current);
            } else if (current == null) {
                throw new IllegalArgumentException("ipset list line " + number + " comes before any set: "
                        + line.strip());
            } else if (line.startsWith("Type:")) {
                current.type = line.substring(5).strip();
            } else if (line.startsWith("Header:")) {
                current.family = option(line.substring(7).strip().split("\\s+"), "family");
            } else if (line.startsWith("Members:")) {
                members = true;
            }
        }
        return collect(sets);
    }

    private static String option(String[] words, String key) {
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals(key)) {
                return words[i + 1];
            }
        }
        return "";
    }

    private static IpsetSnapshot collect(Map<String, Partial> sets) {
        TreeMap<String, InstalledIpset> out = new TreeMap<>();
        sets.forEach((name, set) -> out.put(name, set.done()));
        return new IpsetSnapshot(out);
    }
}
