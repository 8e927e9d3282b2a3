package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.ipvs.ipset.InstalledIpset;
import io.switchyard.ipvs.ipset.Ipset;
import io.switchyard.ipvs.ipset.IpsetSnapshot;
import io.switchyard.ipvs.ipset.IpsetSpec;
import io.switchyard.ipvs.ipset.Ipsets;

import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the last successful sync of one family left in the kernel: the state a partial sync
 * compares with instead of reading everything back, and what a drift check looks for.
 *
 * @param servers        the virtual servers with the real servers they serve (draining ones aside)
 * @param ipsets         the sets and their members
 * @param rulesDocument  the rules last applied ({@link io.switchyard.ipvs.iptables.IpvsRules#restoreDocument()})
 * @param bound          the family's addresses on kube-ipvs0
 */
record AppliedState(SortedMap<VirtualServer.Key, DesiredServer> servers, Ipsets ipsets, String rulesDocument,
                    SortedSet<String> bound) {

    AppliedState {
        servers = Collections.unmodifiableSortedMap(new TreeMap<>(servers));
        bound = Collections.unmodifiableSortedSet(new TreeSet<>(bound));
    }

    /** The sets as the kernel would list them after the last sync. */
    IpsetSnapshot ipsetSnapshot() {
        TreeMap<String, InstalledIpset> sets = new TreeMap<>();
        for (Ipset set : ipsets.byName().values()) {
            IpsetSpec spec = set.spec();
            sets.put(set.name(), new InstalledIpset(set.name(), spec.type().kernelName(),
                    spec.type().hasFamily() ? IpsetSpec.familyName(spec.family()) : "",
                    set.entries().stream().map(e -> e.text()).toList()));
        }
        return new IpsetSnapshot(sets);
    }
}
