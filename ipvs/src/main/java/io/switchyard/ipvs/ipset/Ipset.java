package io.switchyard.ipvs.ipset;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/** One ipset and its members, sorted: what a sync wants in the kernel. */
public record Ipset(IpsetSpec spec, SortedSet<IpsetEntry> entries) {

    public Ipset {
        Objects.requireNonNull(spec, "spec");
        entries = Collections.unmodifiableSortedSet(new TreeSet<>(entries));
    }

    public String name() {
        return spec.name();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
