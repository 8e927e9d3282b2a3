package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.ipset.Ipsets;
import io.switchyard.ipvs.iptables.IpvsRules;
import io.switchyard.rules.model.IpFamily;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one family's ipvs proxier wants the kernel to hold after a sync: the virtual
 * servers with their real servers, the addresses on kube-ipvs0, the ipset members and the
 * iptables rules. All of it sorted, so equal inputs give equal states.
 *
 * @param noLocalEndpointsInternal  services (ns/name) with iTP Local and no local endpoint
 * @param noLocalEndpointsExternal  services (ns/name) with eTP Local and no local endpoint
 * @param problems                  service ports or endpoints left out, one line each, for the log
 */
public record IpvsDesiredState(IpFamily family, SortedMap<VirtualServer.Key, DesiredServer> servers,
                               SortedSet<String> boundAddresses, Ipsets ipsets, IpvsRules rules,
                               SortedSet<String> noLocalEndpointsInternal, SortedSet<String> noLocalEndpointsExternal,
                               List<String> problems) {

    public IpvsDesiredState {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(ipsets, "ipsets");
        Objects.requireNonNull(rules, "rules");
        servers = Collections.unmodifiableSortedMap(new TreeMap<>(servers));
        boundAddresses = Collections.unmodifiableSortedSet(new TreeSet<>(boundAddresses));
        noLocalEndpointsInternal = Collections.unmodifiableSortedSet(new TreeSet<>(noLocalEndpointsInternal));
        noLocalEndpointsExternal = Collections.unmodifiableSortedSet(new TreeSet<>(noLocalEndpointsExternal));
        problems = List.copyOf(problems);
    }
}
