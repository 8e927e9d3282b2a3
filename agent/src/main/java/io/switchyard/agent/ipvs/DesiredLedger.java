package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.DesiredServer;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.ipvs.desired.IpvsRenderer;
import io.switchyard.ipvs.desired.PortRender;
import io.switchyard.ipvs.ipset.IpsetEntry;
import io.switchyard.ipvs.ipset.Ipsets;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.ipvs.iptables.IpvsRules;
import io.switchyard.ipvs.iptables.NodeAccessBlock;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One family's desired state kept service port by service port, so that a partial sync renders
 * only the ports that changed and learns exactly what that changes: which virtual servers,
 * which set members, which addresses, and whether the iptables rules change. A full sync
 * rebuilds it from every port. Counts are kept where ports share something (an address, a set
 * member) and, for a virtual server two ports want, the claims in port name order (the first
 * port has it, as a full render decides).
 */
final class DesiredLedger {

    /**
     * What a partial sync changed.
     *
     * @param servers  the virtual servers whose desired state may differ
     * @param before   their desired state before (absent: none)
     * @param after    their desired state now (absent: none)
     * @param added    set members that appeared, by set
     * @param removed  set members that went, by set
     * @param bind     addresses to bind now
     * @param unbind   addresses no longer wanted
     * @param rules    the new iptables rules, or null when they did not change
     * @param problems what the changed ports left out, one line each
     */
    record Delta(SortedSet<VirtualServer.Key> servers, SortedMap<VirtualServer.Key, DesiredServer> before,
                 SortedMap<VirtualServer.Key, DesiredServer> after, Map<KubeIpset, List<IpsetEntry>> added,
                 Map<KubeIpset, List<IpsetEntry>> removed, SortedSet<String> bind, SortedSet<String> unbind,
                 IpvsRules rules, List<String> problems) {

        /** How many set members came or went. */
        int memberChanges() {
            return added.values().stream().mapToInt(List::size).sum() + removed.values().stream().mapToInt(List::size).sum();
        }
    }

    private final IpvsRenderer renderer;
    private final IpFamily family;
    private final TreeMap<ServicePortName, PortRender> ports = new TreeMap<>();
    private final Map<VirtualServer.Key, TreeMap<ServicePortName, DesiredServer>> claims = new HashMap<>();
    private final EnumMap<KubeIpset, Map<IpsetEntry, Integer>> members = new EnumMap<>(KubeIpset.class);
    private final Map<String, Integer> bound = new HashMap<>();
    private final Map<NodeAccessBlock, Integer> blocked = new HashMap<>();
    private final Map<String, Integer> noLocalInternal = new HashMap<>();
    private final Map<String, Integer> noLocalExternal = new HashMap<>();
    private IpvsRules rules;

    DesiredLedger(IpvsRenderer renderer, IpFamily family) {
        this.renderer = renderer;
        this.family = family;
        for (KubeIpset set : KubeIpset.values()) {
            members.put(set, new HashMap<>());
        }
    }

    /** Renders every port afresh and returns the whole desired state. */
    IpvsDesiredState rebuild(ClusterState state, LocalNode node, HostAddresses host) {
        ports.clear();
        claims.clear();
        members.values().forEach(Map::clear);
        bound.clear();
        blocked.clear();
        noLocalInternal.clear();
        noLocalExternal.clear();
        for (ServicePort svc : state.services().values()) {
            PortRender port = renderer.renderPort(svc, state.endpointsOf(svc.name()), node, host);
            ports.put(svc.name(), port);
            count(port, 1);
        }
        IpvsDesiredState desired = renderer.combine(ports.values());
        rules = desired.rules();
        return desired;
    }

    /** Renders the changed ports again (those gone from the state are dropped) and says what changed. */
    Delta update(Set<ServicePortName> changed, ClusterState state, LocalNode node, HostAddresses host) {
        Set<KubeIpset> nonEmptyBefore = nonEmptySets();
        Map<NodeAccessBlock, Integer> blockedBefore = Map.copyOf(blocked);
        Map<Object, Boolean> presentBefore = new LinkedHashMap<>();
        TreeSet<VirtualServer.Key> touched = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        Map<ServicePortName, PortRender> rendered = new TreeMap<>();
        for (ServicePortName name : changed) {
            PortRender old = ports.get(name);
            ServicePort svc = state.services().get(name);
            PortRender now = svc == null ? null : renderer.renderPort(svc, state.endpointsOf(name), node, host);
            for (PortRender port : new PortRender[] {old, now}) {
                if (port != null) {
                    port.servers().forEach(s -> touched.add(s.server().key()));
                    port.members().forEach(m -> presentBefore.putIfAbsent(m, present(m)));
                    port.bound().forEach(a -> presentBefore.putIfAbsent(a, bound.containsKey(a)));
                }
            }
            if (now != null) {
                rendered.put(name, now);
            }
        }
        TreeMap<VirtualServer.Key, DesiredServer> before = winners(touched);
        for (ServicePortName name : changed) {
            PortRender old = ports.remove(name);
            if (old != null) {
                count(old, -1);
            }
            PortRender now = rendered.get(name);
            if (now != null) {
                ports.put(name, now);
                count(now, 1);
                problems.addAll(now.endpointProblems());
                problems.addAll(now.problems());
            }
        }
        TreeMap<VirtualServer.Key, DesiredServer> after = winners(touched);
        for (VirtualServer.Key key : touched) {
            TreeMap<ServicePortName, DesiredServer> claimants = claims.get(key);
            if (claimants != null && claimants.size() > 1) {
                ServicePortName owner = claimants.firstKey();
                claimants.keySet().stream().skip(1).forEach(p -> problems.add(IpvsRenderer.conflict(p, key, owner)));
            }
        }

        Map<KubeIpset, List<IpsetEntry>> added = new EnumMap<>(KubeIpset.class);
        Map<KubeIpset, List<IpsetEntry>> removed = new EnumMap<>(KubeIpset.class);
        TreeSet<String> bind = new TreeSet<>();
        TreeSet<String> unbind = new TreeSet<>();
        presentBefore.forEach((item, was) -> {
            if (item instanceof PortRender.Member m) {
                boolean is = present(m);
                if (is != was) {
                    (is ? added : removed).computeIfAbsent(m.set(), s -> new ArrayList<>()).add(m.entry());
                }
            } else if (item instanceof String address) {
                boolean is = bound.containsKey(address);
                if (is != was) {
                    (is ? bind : unbind).add(address);
                    (is ? added : removed).computeIfAbsent(KubeIpset.IPVS_IPS, s -> new ArrayList<>())
                            .add(IpsetEntry.ip(family, address));
                }
            }
        });
        IpvsRules newRules = null;
        if (!nonEmptySets().equals(nonEmptyBefore) || !blocked.equals(blockedBefore)) {
            rules = renderer.rules(ipsets(), blockedList());
            newRules = rules;
        }
        return new Delta(touched, before, after, added, removed, bind, unbind, newRules, problems);
    }

    /** The virtual servers wanted now, each with the port that has it. */
    SortedMap<VirtualServer.Key, DesiredServer> servers() {
        return winners(claims.keySet());
    }

    /** The addresses kube-ipvs0 should hold. */
    SortedSet<String> bound() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(bound.keySet()));
    }

    /** The iptables rules of the state. */
    IpvsRules rules() {
        return rules;
    }

    int virtualServers() {
        return claims.size();
    }

    int realServers() {
        int total = 0;
        for (TreeMap<ServicePortName, DesiredServer> claimants : claims.values()) {
            total += claimants.firstEntry().getValue().destinations().size();
        }
        return total;
    }

    int noLocalInternal() {
        return noLocalInternal.size();
    }

    int noLocalExternal() {
        return noLocalExternal.size();
    }

    /** Every set with its members now. */
    Ipsets ipsets() {
        Ipsets.Builder builder = new Ipsets.Builder(family);
        members.forEach((set, entries) -> entries.keySet().forEach(e -> builder.add(set, e)));
        bound.keySet().forEach(a -> builder.add(KubeIpset.IPVS_IPS, IpsetEntry.ip(family, a)));
        return builder.build();
    }

    /** The VIPs the node must not reach, once per port that asks (as a full render lists them). */
    private List<NodeAccessBlock> blockedList() {
        List<NodeAccessBlock> out = new ArrayList<>();
        blocked.forEach((block, count) -> {
            for (int i = 0; i < count; i++) {
                out.add(block);
            }
        });
        out.sort(null);
        return out;
    }

    private boolean present(PortRender.Member member) {
        return members.get(member.set()).containsKey(member.entry());
    }

    private Set<KubeIpset> nonEmptySets() {
        Set<KubeIpset> out = java.util.EnumSet.noneOf(KubeIpset.class);
        members.forEach((set, entries) -> {
            if (!entries.isEmpty()) {
                out.add(set);
            }
        });
        if (!bound.isEmpty()) {
            out.add(KubeIpset.IPVS_IPS);
        }
        return out;
    }

    private TreeMap<VirtualServer.Key, DesiredServer> winners(Set<VirtualServer.Key> keys) {
        TreeMap<VirtualServer.Key, DesiredServer> out = new TreeMap<>();
        for (VirtualServer.Key key : keys) {
            TreeMap<ServicePortName, DesiredServer> claimants = claims.get(key);
            if (claimants != null) {
                out.put(key, claimants.firstEntry().getValue());
            }
        }
        return out;
    }

    /** Adds ({@code +1}) or takes away ({@code -1}) one port's contribution. */
    private void count(PortRender port, int sign) {
        for (DesiredServer server : port.servers()) {
            VirtualServer.Key key = server.server().key();
            if (sign > 0) {
                // A port that wants one virtual server twice keeps the first, as a full render does.
                claims.computeIfAbsent(key, k -> new TreeMap<>()).putIfAbsent(port.name(), server);
            } else {
                TreeMap<ServicePortName, DesiredServer> claimants = claims.get(key);
                if (claimants != null) {
                    claimants.remove(port.name());
                    if (claimants.isEmpty()) {
                        claims.remove(key);
                    }
                }
            }
        }
        port.members().forEach(m -> add(members.get(m.set()), m.entry(), sign));
        port.bound().forEach(a -> add(bound, a, sign));
        port.blocked().forEach(b -> add(blocked, b, sign));
        if (port.noLocalInternal()) {
            add(noLocalInternal, port.service(), sign);
        }
        if (port.noLocalExternal()) {
            add(noLocalExternal, port.service(), sign);
        }
    }

    private static <K> void add(Map<K, Integer> counts, K key, int sign) {
        counts.merge(key, sign, (a, b) -> a + b == 0 ? null : a + b);
    }
}
