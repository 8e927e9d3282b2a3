package io.switchyard.ipvs.ipset;

import io.switchyard.rules.model.IpFamily;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every ipset one family's proxier keeps, with the members it wants, sorted by set name. Its
 * text form is what {@code ipset save} prints for those sets (create lines with kube-proxy's
 * sizes, then add lines), which {@code ipset restore} also reads.
 */
public record Ipsets(IpFamily family, Map<KubeIpset, Ipset> sets) {

    public Ipsets {
        EnumMap<KubeIpset, Ipset> copy = new EnumMap<>(KubeIpset.class);
        copy.putAll(sets);
        for (KubeIpset set : KubeIpset.values()) {
            if (!copy.containsKey(set)) {
                throw new IllegalArgumentException("ipset " + set.nameFor(family) + " is missing");
            }
        }
        sets = Collections.unmodifiableMap(copy);
    }

    public Ipset get(KubeIpset set) {
        return sets.get(set);
    }

    /** The sets by kernel name, in name order. */
    public SortedMap<String, Ipset> byName() {
        TreeMap<String, Ipset> out = new TreeMap<>();
        sets.values().forEach(s -> out.put(s.name(), s));
        return out;
    }

    /** {@code ipset save} form: per set in name order, its create line, then its members sorted. */
    public String saveText() {
        StringBuilder out = new StringBuilder(4096);
        for (Ipset set : byName().values()) {
            out.append(set.spec().createLine()).append('\n');
            set.entries().forEach(e -> out.append("add ").append(set.name()).append(' ').append(e.text()).append('\n'));
        }
        return out.toString();
    }

    /** Collects members while a desired state is computed. */
    public static final class Builder {
        private final IpFamily family;
        private final EnumMap<KubeIpset, SortedSet<IpsetEntry>> members = new EnumMap<>(KubeIpset.class);

        public Builder(IpFamily family) {
            this.family = family;
            for (KubeIpset set : KubeIpset.values()) {
                members.put(set, new TreeSet<>());
            }
        }

        public Builder add(KubeIpset set, IpsetEntry entry) {
            members.get(set).add(entry);
            return this;
        }

        public Ipsets build() {
            EnumMap<KubeIpset, Ipset> sets = new EnumMap<>(KubeIpset.class);
            members.forEach((set, entries) -> sets.put(set, new Ipset(set.specFor(family), entries)));
            return new Ipsets(family, sets);
        }
    }
}
