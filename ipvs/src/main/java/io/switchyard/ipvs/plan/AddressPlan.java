package io.switchyard.ipvs.plan;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The address changes on kube-ipvs0 for one family: bind what is wanted and missing, unbind
 * what is bound and no longer wanted (after the IPVS and iptables changes, as kube-proxy does).
 */
public record AddressPlan(SortedSet<String> bind, SortedSet<String> unbind) {

    public AddressPlan {
        bind = Collections.unmodifiableSortedSet(new TreeSet<>(bind));
        unbind = Collections.unmodifiableSortedSet(new TreeSet<>(unbind));
    }

    /** The changes from the addresses bound now to the wanted ones (both of the proxier's family). */
    public static AddressPlan of(Collection<String> wanted, Collection<String> bound) {
        TreeSet<String> bind = new TreeSet<>(wanted);
        bind.removeAll(bound);
        TreeSet<String> unbind = new TreeSet<>(bound);
        unbind.removeAll(wanted);
        return new AddressPlan(bind, unbind);
    }
}
