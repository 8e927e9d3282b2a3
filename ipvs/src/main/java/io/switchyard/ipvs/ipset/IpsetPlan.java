package io.switchyard.ipvs.ipset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One {@code ipset restore} script that brings the kernel's sets to a desired state: creates
 * the sets that are missing, deletes stale members, adds missing ones, and leaves every member
 * that is already right alone. Every line carries {@code -exist}, so a member that came or went
 * between listing and restoring does not fail the script.
 *
 * @param script     the restore input; empty when nothing needs to change
 * @param conflicts  sets (or members) the script leaves alone because the kernel holds something
 *                   kube-proxy never creates there, one line each, for the log
 */
public record IpsetPlan(String script, int creates, int additions, int deletions, List<String> conflicts) {

    /** What may be echoed back into a script: the characters of addresses, protocols, ports and nets. */
    private static final Pattern SAFE_MEMBER = Pattern.compile("[0-9A-Za-z.:,/_-]{1,200}");

    public IpsetPlan {
        conflicts = List.copyOf(conflicts);
    }

    /** Whether the kernel already holds the desired state. */
    public boolean isEmpty() {
        return script.isEmpty();
    }

    /** The plan for one family's sets against what the kernel lists (sets of other owners are ignored). */
    public static IpsetPlan compute(Ipsets desired, IpsetSnapshot installed) {
        StringBuilder createLines = new StringBuilder();
        StringBuilder memberLines = new StringBuilder();
        List<String> conflicts = new ArrayList<>();
        int creates = 0;
        int additions = 0;
        int deletions = 0;
        for (Ipset set : desired.byName().values()) {
            IpsetSpec spec = set.spec();
            InstalledIpset current = installed.sets().get(spec.name());
            if (current == null) {
                createLines.append(spec.createLine()).append(" -exist\n");
                creates++;
                for (IpsetEntry entry : set.entries()) {
                    add(memberLines, spec, entry.text());
                    additions++;
                }
                continue;
            }
            if (!compatible(spec, current)) {
                conflicts.add("ipset " + spec.name() + " is " + describe(current) + " in the kernel, want "
                        + describe(spec) + "; left unchanged");
                continue;
            }
            // canonical member text -> the kernel's own spelling, which is what a del must name
            Map<String, String> present = new TreeMap<>();
            for (String raw : current.entries()) {
                try {
                    present.put(IpsetEntry.parse(spec.type(), spec.family(), raw).text(), raw);
                } catch (IllegalArgumentException e) {
                    present.put(raw, raw);
                }
            }
            SortedSet<String> wanted = new TreeSet<>();
            set.entries().forEach(e -> wanted.add(e.text()));
            for (Map.Entry<String, String> member : present.entrySet()) {
                if (wanted.contains(member.getKey())) {
                    continue;
                }
                if (!SAFE_MEMBER.matcher(member.getValue()).matches()) {
                    conflicts.add("ipset " + spec.name() + " holds a member that cannot be named safely; left in place");
                    continue;
                }
                memberLines.append("del ").append(spec.name()).append(' ').append(member.getValue()).append(" -exist\n");
                deletions++;
            }
            for (String entry : wanted) {
                if (!present.containsKey(entry)) {
                    add(memberLines, spec, entry);
                    additions++;
                }
            }
        }
        return new IpsetPlan(createLines.append(memberLines).toString(), creates, additions, deletions, conflicts);
    }

    private static void add(StringBuilder out, IpsetSpec spec, String entry) {
        out.append("add ").append(spec.name()).append(' ').append(entry).append(" -exist\n");
    }

    private static boolean compatible(IpsetSpec spec, InstalledIpset current) {
        if (!spec.type().kernelName().equals(current.type())) {
            return false;
        }
        return !spec.type().hasFamily() || IpsetSpec.familyName(spec.family()).equals(current.family());
    }

    private static String describe(IpsetSpec spec) {
        return spec.type().hasFamily() ? spec.type() + " family " + IpsetSpec.familyName(spec.family())
                : spec.type().kernelName();
    }

    private static String describe(InstalledIpset set) {
        return set.family().isEmpty() ? set.type() : set.type() + " family " + set.family();
    }
}
