package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.ipset.IpsetEntry;
import io.switchyard.ipvs.ipset.Ipsets;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.ipvs.iptables.IpvsRules;
import io.switchyard.ipvs.iptables.IpvsRulesRenderer;
import io.switchyard.ipvs.iptables.NodeAccessBlock;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import io.switchyard.rules.topology.EndpointSelection;
import io.switchyard.rules.topology.EndpointSelector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes one family's ipvs-mode desired state the way kube-proxy v1.32's ipvs proxier builds
 * it: per service port a virtual server on the cluster IP, on each external IP, on each
 * load-balancer ingress IP and on each node-port address, with the endpoints kube-proxy picks
 * for each (Local policies fall back to the cluster endpoints when the node has none); the
 * ipset members; the addresses to bind; and the iptables rules that go with them.
 * A pure function of its inputs.
 */
public final class IpvsRenderer {

    private final IpvsConfig config;
    private final IpvsRulesRenderer rules;

    public IpvsRenderer(IpvsConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.rules = new IpvsRulesRenderer(config.family(), config.masqueradeBit(), config.masqueradeAll(),
                config.localDetector());
    }

    /** The desired state for a cluster as seen from a node with the given addresses. */
    public IpvsDesiredState render(ClusterState state, LocalNode node, HostAddresses addresses) {
        requireFamily(addresses);
        List<PortRender> ports = new ArrayList<>(state.services().size());
        for (ServicePort svc : state.services().values()) {
            ports.add(renderPort(svc, state.endpointsOf(svc.name()), node, addresses));
        }
        return combine(ports);
    }

    private void requireFamily(HostAddresses addresses) {
        if (addresses.family() != config.family()) {
            throw new IllegalArgumentException("host addresses are " + addresses.family() + ", proxier is "
                    + config.family());
        }
    }

    /** What one service port contributes, with the endpoints the state lists for it. */
    public PortRender renderPort(ServicePort svc, List<Endpoint> listed, LocalNode node, HostAddresses addresses) {
        requireFamily(addresses);
        List<String> endpointProblems = new ArrayList<>();
        List<Endpoint> endpoints = validEndpoints(svc, listed, endpointProblems);
        EndpointSelector selector = new EndpointSelector(node.name(), node.zone(), config.preferSameNodeHints());
        PortState port = new PortState();
        try {
            renderPort(svc, endpoints, selector.select(svc, endpoints), node, addresses, port);
        } catch (IllegalArgumentException e) {
            return new PortRender(svc.name(), List.of(), List.of(), List.of(), List.of(), false, false,
                    endpointProblems, List.of(svc.name() + ": " + e.getMessage() + "; service port left out"));
        }
        List<DesiredServer> servers = new ArrayList<>(port.servers.size());
        for (PortServer server : port.servers) {
            servers.add(new DesiredServer(server.server(), server.destinations(), svc.name()));
        }
        return new PortRender(svc.name(), servers, port.bound, port.blocked, port.entries, port.noLocalInternal,
                port.noLocalExternal, endpointProblems, port.problems);
    }

    /**
     * Merges the contributions of service ports, in the given order (service port name order,
     * as {@link #render} takes them): a virtual server two ports want is the first one's.
     */
    public IpvsDesiredState combine(Iterable<PortRender> ports) {
        Accumulator out = new Accumulator(config.family());
        for (PortRender port : ports) {
            out.merge(port);
        }
        out.bound.forEach(ip -> out.ipsets.add(KubeIpset.IPVS_IPS, IpsetEntry.ip(config.family(), ip)));
        Ipsets ipsets = out.ipsets.build();
        return new IpvsDesiredState(config.family(), out.servers, out.bound, ipsets,
                rules.render(ipsets, out.blocked), out.noLocalInternal, out.noLocalExternal, out.problems);
    }

    /** The iptables rules for sets with these members and these VIPs the node must not reach. */
    public IpvsRules rules(Ipsets ipsets, List<NodeAccessBlock> blocked) {
        return rules.render(ipsets, blocked);
    }

    private void renderPort(ServicePort svc, List<Endpoint> endpoints, EndpointSelection selection, LocalNode node,
                            HostAddresses addresses, PortState out) {
        IpFamily family = config.family();
        Protocol protocol = svc.protocol();
        int port = svc.port();

        // Hairpin: a local endpoint reaching itself through a service must be masqueraded.
        for (Endpoint ep : endpoints) {
            if (ep.isLocalTo(node.name())) {
                out.entry(KubeIpset.LOOP_BACK, IpsetEntry.ipPortIp(family, ep.ip(), protocol, ep.port(), ep.ip()));
            }
        }

        out.entry(KubeIpset.CLUSTER_IP, IpsetEntry.ipPort(family, svc.clusterIP(), protocol, port));
        out.server(server(svc, svc.clusterIP(), port), choose(svc, selection, svc.internalPolicyLocal(), out));
        out.bind(svc.clusterIP());

        for (String externalIp : svc.externalIPs()) {
            out.entry(svc.externalPolicyLocal() ? KubeIpset.EXTERNAL_IP_LOCAL : KubeIpset.EXTERNAL_IP,
                    IpsetEntry.ipPort(family, externalIp, protocol, port));
            out.server(server(svc, externalIp, port), choose(svc, selection, svc.externalPolicyLocal(), out));
            if (!addresses.localAddresses().contains(externalIp)) {
                out.bind(externalIp);
            }
        }

        String nodeIp = node.primaryAddress(family);
        for (String vip : svc.loadBalancerVIPs()) {
            IpsetEntry entry = IpsetEntry.ipPort(family, vip, protocol, port);
            out.entry(KubeIpset.LOAD_BALANCER, entry);
            if (svc.externalPolicyLocal()) {
                out.entry(KubeIpset.LOAD_BALANCER_LOCAL, entry);
            }
            if (!svc.loadBalancerSourceRanges().isEmpty()) {
                out.entry(KubeIpset.LOAD_BALANCER_FW, entry);
                boolean allowFromNode = false;
                for (Cidr range : svc.loadBalancerSourceRanges()) {
                    if (range.isZero()) {
                        // An ipset cannot hold a zero prefix: kube-proxy's add fails the same way.
                        out.problems.add(svc.name() + ": source range " + range
                                + " cannot be held by an ipset and is left out");
                    } else {
                        out.entry(KubeIpset.LOAD_BALANCER_SOURCE_CIDR,
                                IpsetEntry.ipPortNet(family, vip, protocol, port, range));
                    }
                    allowFromNode |= !nodeIp.isEmpty() && range.contains(nodeIp);
                }
                if (allowFromNode) {
                    // Requests from the node to its own VIP arrive with the VIP as source.
                    out.entry(KubeIpset.LOAD_BALANCER_SOURCE_IP, IpsetEntry.ipPortIp(family, vip, protocol, port, vip));
                } else {
                    out.blocked.add(new NodeAccessBlock(vip, protocol, port));
                }
            }
            out.server(server(svc, vip, port), choose(svc, selection, svc.externalPolicyLocal(), out));
            if (!addresses.localAddresses().contains(vip)) {
                out.bind(vip);
            }
        }

        if (svc.nodePort() != 0) {
            if (addresses.nodePortAddresses().isEmpty()) {
                // kube-proxy skips the rest of the service port, health check node port included.
                return;
            }
            List<IpsetEntry> entries = new ArrayList<>();
            KubeIpset set;
            KubeIpset localSet;
            switch (protocol) {
                case TCP -> {
                    set = KubeIpset.NODE_PORT_TCP;
                    localSet = KubeIpset.NODE_PORT_LOCAL_TCP;
                    entries.add(IpsetEntry.port(svc.nodePort()));
                }
                case UDP -> {
                    set = KubeIpset.NODE_PORT_UDP;
                    localSet = KubeIpset.NODE_PORT_LOCAL_UDP;
                    entries.add(IpsetEntry.port(svc.nodePort()));
                }
                case SCTP -> {
                    // SCTP node ports are matched by address and port (hash:ip,port).
                    set = KubeIpset.NODE_PORT_SCTP;
                    localSet = KubeIpset.NODE_PORT_LOCAL_SCTP;
                    for (String ip : addresses.nodePortAddresses()) {
                        entries.add(IpsetEntry.ipPort(family, ip, protocol, svc.nodePort()));
                    }
                }
                default -> throw new IllegalStateException("unknown protocol " + protocol);
            }
            entries.forEach(e -> out.entry(set, e));
            if (svc.externalPolicyLocal()) {
                entries.forEach(e -> out.entry(localSet, e));
            }
            for (String ip : addresses.nodePortAddresses()) {
                out.server(server(svc, ip, svc.nodePort()), choose(svc, selection, svc.externalPolicyLocal(), out));
            }
        }

        if (svc.healthCheckNodePort() != 0) {
            out.entry(KubeIpset.HEALTH_CHECK_NODE_PORT, IpsetEntry.port(svc.healthCheckNodePort()));
        }
    }

    /**
     * The real servers of one virtual server. With a Local policy the local endpoints serve, or,
     * when the node has none, the cluster endpoints (kubernetes#97081: pods on this node may still
     * reach the service). Also notes services left without local endpoints, for the metrics.
     */
    private static List<Destination> choose(ServicePort svc, EndpointSelection selection, boolean onlyLocal,
                                            PortState out) {
        List<Endpoint> chosen = selection.cluster();
        if (onlyLocal) {
            if (!selection.local().isEmpty()) {
                chosen = selection.local();
            } else if (selection.hasAnyEndpoints()) {
                out.noLocalInternal |= svc.internalPolicyLocal();
                out.noLocalExternal |= svc.externalPolicyLocal();
            }
        }
        return chosen.stream().map(ep -> Destination.masq(ep.ip(), ep.port(), 1)).toList();
    }

    private VirtualServer server(ServicePort svc, String address, int port) {
        IpFamily family = config.family();
        if (IpLiteral.familyOf(address) != family || !IpLiteral.canonical(address).equals(address)) {
            throw new IllegalArgumentException("\"" + address + "\" is not a canonical " + family + " address");
        }
        int flags = config.schedulerFlags();
        int timeout = 0;
        if (svc.sessionAffinity() instanceof SessionAffinity.ClientIp(int seconds)) {
            flags |= VirtualServer.PERSISTENT;
            timeout = seconds;
        }
        return new VirtualServer(family, svc.protocol(), address, port, 0, config.scheduler(), flags, timeout,
                family == IpFamily.IPV4 ? 0xffffffff : 128);
    }

    /** Endpoints whose address is a canonical literal of the family; the others are reported and left out. */
    private List<Endpoint> validEndpoints(ServicePort svc, List<Endpoint> endpoints, List<String> problems) {
        List<Endpoint> out = new ArrayList<>(endpoints.size());
        for (Endpoint ep : endpoints) {
            if (IpLiteral.familyOf(ep.ip()) == config.family() && IpLiteral.canonical(ep.ip()).equals(ep.ip())) {
                out.add(ep);
            } else {
                problems.add(svc.name() + ": endpoint address \"" + ep.ip() + "\" is not a canonical "
                        + config.family() + " address; endpoint left out");
            }
        }
        return out;
    }

    /** The problem of a port whose virtual server another port has first. */
    public static String conflict(ServicePortName port, VirtualServer.Key key, ServicePortName owner) {
        return port + ": virtual server " + key + "/" + key.protocol().lowerCase() + " is already " + owner
                + "'s; left to it";
    }

    /** A virtual server of one service port with its real servers, before it is merged. */
    private record PortServer(VirtualServer server, List<Destination> destinations) {
    }

    /** What one service port contributes, kept apart until the whole port rendered without error. */
    private static final class PortState {
        final List<PortServer> servers = new ArrayList<>();
        final List<String> bound = new ArrayList<>();
        final List<NodeAccessBlock> blocked = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final List<PortRender.Member> entries = new ArrayList<>();
        boolean noLocalInternal;
        boolean noLocalExternal;

        void entry(KubeIpset set, IpsetEntry entry) {
            entries.add(new PortRender.Member(set, entry));
        }

        void server(VirtualServer server, List<Destination> destinations) {
            servers.add(new PortServer(server, destinations));
        }

        void bind(String address) {
            bound.add(address);
        }
    }

    /** The state being built across service ports. */
    private static final class Accumulator {
        final Ipsets.Builder ipsets;
        final TreeMap<VirtualServer.Key, DesiredServer> servers = new TreeMap<>();
        final TreeSet<String> bound = new TreeSet<>();
        final List<NodeAccessBlock> blocked = new ArrayList<>();
        final TreeSet<String> noLocalInternal = new TreeSet<>();
        final TreeSet<String> noLocalExternal = new TreeSet<>();
        final List<String> problems = new ArrayList<>();

        Accumulator(IpFamily family) {
            this.ipsets = new Ipsets.Builder(family);
        }

        void merge(PortRender port) {
            problems.addAll(port.endpointProblems());
            port.members().forEach(m -> ipsets.add(m.set(), m.entry()));
            for (DesiredServer server : port.servers()) {
                VirtualServer.Key key = server.server().key();
                DesiredServer existing = servers.get(key);
                if (existing != null) {
                    problems.add(IpvsRenderer.conflict(port.name(), key, existing.owner()));
                    continue;
                }
                servers.put(key, server);
            }
            bound.addAll(port.bound());
            blocked.addAll(port.blocked());
            problems.addAll(port.problems());
            if (port.noLocalInternal()) {
                noLocalInternal.add(port.service());
            }
            if (port.noLocalExternal()) {
                noLocalExternal.add(port.service());
            }
        }
    }
}
