package io.switchyard.rules.iptables;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import io.switchyard.rules.topology.EndpointSelection;
import io.switchyard.rules.topology.EndpointSelector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns one family's cluster state into the iptables ruleset kube-proxy would install for it:
 * the same chains, the same rules in each chain in the same order, the same comments.
 * A pure function of its inputs; the only state kept between calls is a probability cache.
 */
public final class IptablesRenderer {

    /** Above this many endpoints kube-proxy drops per-endpoint comments to keep rules small. */
    public static final int LARGE_CLUSTER_ENDPOINTS = 1000;

    private final IptablesConfig config;
    private final Probabilities probabilities = new Probabilities();
    private final String mark;

    public IptablesRenderer(IptablesConfig config) {
        this.config = config;
        this.mark = config.masqueradeMark();
    }

    /** Renders the whole ruleset for the given state as seen from the given node. */
    public Ruleset render(ClusterState state, LocalNode node) {
        return render(state, node, state.totalEndpoints(), name -> null);
    }

    /**
     * Renders a ruleset, re-rendering only the service ports in {@code changed} and reusing the
     * previous rendering of every other one — unless the cluster crossed the large-cluster
     * threshold, which changes every service's rules. The node must be the one {@code previous}
     * was rendered for.
     */
    public Ruleset render(ClusterState state, LocalNode node, Ruleset previous, Set<ServicePortName> changed) {
        int totalEndpoints = state.totalEndpoints();
        if (previous == null || previous.largeClusterMode() != totalEndpoints > LARGE_CLUSTER_ENDPOINTS) {
            return render(state, node, totalEndpoints, name -> null);
        }
        return render(state, node, totalEndpoints,
                name -> changed.contains(name) ? null : previous.services().get(name));
    }

    private Ruleset render(ClusterState state, LocalNode node, int totalEndpoints,
                           Function<ServicePortName, ServiceRules> reuse) {
        boolean ipv6 = config.family() == IpFamily.IPV6;
        EndpointSelector selector = new EndpointSelector(node.name(), node.zone(), config.preferSameNodeHints());
        String nodeIp = node.primaryAddress(config.family());

        List<String> filterChains = new ArrayList<>(KubeChains.FILTER_CHAINS);
        LineBuffer filterHead = new LineBuffer(256);
        LineBuffer natHead = new LineBuffer(512);

        natHead.write("-A", KubeChains.POSTROUTING, "-m mark ! --mark", mark + "/" + mark, "-j RETURN");
        natHead.write("-A", KubeChains.POSTROUTING, "-j MARK --xor-mark", mark);
        natHead.write("-A", KubeChains.POSTROUTING,
                Comments.quoted("kubernetes service traffic requiring SNAT"), "-j MASQUERADE --random-fully");
        natHead.write("-A", KubeChains.MARK_MASQ, "-j MARK --or-mark", mark);

        if (!ipv6 && config.localhostNodePorts()) {
            // route_localnet opens 127.0.0.0/8 to the network; this closes it again (kubernetes#90259).
            filterChains.add(KubeChains.FIREWALL);
            filterHead.write("-A", KubeChains.FIREWALL,
                    Comments.quoted("block incoming localnet connections"),
                    "-d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        }

        boolean largeCluster = totalEndpoints > LARGE_CLUSTER_ENDPOINTS;
        TreeMap<ServicePortName, ServiceRules> services = new TreeMap<>();
        for (ServicePort svc : state.services().values()) {
            ServiceRules reused = reuse.apply(svc.name());
            if (reused != null) {
                services.put(svc.name(), reused);
                continue;
            }
            EndpointSelection selection = selector.select(svc, state.endpointsOf(svc.name()));
            services.put(svc.name(), renderService(svc, selection, nodeIp, largeCluster));
        }
        int noLocalInternal = 0;
        int noLocalExternal = 0;
        for (ServiceRules rules : services.values()) {
            noLocalInternal += rules.noLocalInternal() ? 1 : 0;
            noLocalExternal += rules.noLocalExternal() ? 1 : 0;
        }

        LineBuffer natTail = new LineBuffer(256);
        writeNodePortsJump(natTail, node, ipv6);

        LineBuffer filterTail = new LineBuffer(512);
        if (!config.conntrackTcpLiberal()) {
            filterTail.write("-A", KubeChains.FORWARD, "-m conntrack --ctstate INVALID",
                    config.invalidDropCounter() ? "-m nfacct --nfacct-name " + IptablesConfig.INVALID_DROP_COUNTER : null,
                    "-j DROP");
        }
        filterTail.write("-A", KubeChains.FORWARD, Comments.quoted("kubernetes forwarding rules"),
                "-m mark --mark", mark + "/" + mark, "-j ACCEPT");
        filterTail.write("-A", KubeChains.FORWARD, Comments.quoted("kubernetes forwarding conntrack rule"),
                "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");

        return new Ruleset(config.family(), filterChains, filterHead.toString(), filterTail.toString(),
                KubeChains.NAT_CHAINS, natHead.toString(), natTail.toString(), services, totalEndpoints,
                largeCluster, noLocalInternal, noLocalExternal);
    }

    private ServiceRules renderService(ServicePort svc, EndpointSelection sel, String nodeIp, boolean largeCluster) {
        LineBuffer filterRules = new LineBuffer(256);
        LineBuffer natRules = new LineBuffer(512);
        ServicePortName name = svc.name();
        String spn = name.toString();
        String proto = svc.protocol().lowerCase();
        String protoMatch = "-m " + proto + " -p " + proto;
        String port = Integer.toString(svc.port());

        String clusterChain = ChainNames.servicePort(name);
        String localChain = ChainNames.servicePortLocal(name);
        String externalChain = ChainNames.external(name);
        String firewallChain = ChainNames.firewall(name);

        boolean hasEndpoints = sel.hasAnyEndpoints();
        boolean usesClusterChain = !sel.cluster().isEmpty() && svc.usesClusterEndpoints();
        boolean usesLocalChain = !sel.local().isEmpty() && svc.usesLocalEndpoints();

        String internalChain = clusterChain;
        boolean hasInternalEndpoints = hasEndpoints;
        if (svc.internalPolicyLocal()) {
            internalChain = localChain;
            hasInternalEndpoints = !sel.local().isEmpty();
        }
        String externalPolicyChain = clusterChain;
        boolean hasExternalEndpoints = hasEndpoints;
        if (svc.externalPolicyLocal()) {
            externalPolicyChain = localChain;
            hasExternalEndpoints = !sel.local().isEmpty();
        }
        // The EXT chain is needed even without external endpoints: it short-circuits local traffic.
        boolean usesExternalChain = hasEndpoints && svc.externallyAccessible();
        boolean usesFirewallChain = hasEndpoints && !svc.loadBalancerVIPs().isEmpty()
                && !svc.loadBalancerSourceRanges().isEmpty();
        String loadBalancerChain = usesFirewallChain ? firewallChain : externalChain;

        String internalFilterTarget = null;
        String internalFilterComment = null;
        String externalFilterTarget = null;
        String externalFilterComment = null;
        if (!hasEndpoints) {
            internalFilterTarget = "REJECT";
            internalFilterComment = Comments.quoted(spn, " has no endpoints", "");
            externalFilterTarget = internalFilterTarget;
            externalFilterComment = internalFilterComment;
        } else {
            if (!hasInternalEndpoints) {
                internalFilterTarget = "DROP";
                internalFilterComment = Comments.quoted(spn, " has no local endpoints", "");
            }
            if (!hasExternalEndpoints) {
                externalFilterTarget = "DROP";
                externalFilterComment = Comments.quoted(spn, " has no local endpoints", "");
            }
        }

        // Cluster IP.
        String clusterIpComment = Comments.quoted(spn, " cluster IP", "");
        if (hasInternalEndpoints) {
            natRules.write("-A", KubeChains.SERVICES, clusterIpComment, protoMatch,
                    "-d", svc.clusterIP(), "--dport", port, "-j", internalChain);
        } else {
            filterRules.write("-A", KubeChains.SERVICES, internalFilterComment, protoMatch,
                    "-d", svc.clusterIP(), "--dport", port, "-j", internalFilterTarget);
        }

        // External IPs.
        for (String externalIp : svc.externalIPs()) {
            if (hasEndpoints) {
                natRules.write("-A", KubeChains.SERVICES, Comments.quoted(spn, " external IP", ""),
                        protoMatch, "-d", externalIp, "--dport", port, "-j", externalChain);
            }
            if (!hasExternalEndpoints) {
                filterRules.write("-A", KubeChains.EXTERNAL_SERVICES, externalFilterComment,
                        protoMatch, "-d", externalIp, "--dport", port, "-j", externalFilterTarget);
            }
        }

        // Load-balancer ingress IPs.
        String loadBalancerComment = Comments.quoted(spn, " loadbalancer IP", "");
        for (String vip : svc.loadBalancerVIPs()) {
            if (hasEndpoints) {
                natRules.write("-A", KubeChains.SERVICES, loadBalancerComment,
                        protoMatch, "-d", vip, "--dport", port, "-j", loadBalancerChain);
            }
            if (usesFirewallChain) {
                filterRules.write("-A", KubeChains.PROXY_FIREWALL,
                        Comments.quoted(spn, " traffic not accepted by ", firewallChain),
                        protoMatch, "-d", vip, "--dport", port, "-j DROP");
            }
        }
        if (!hasExternalEndpoints) {
            for (String vip : svc.loadBalancerVIPs()) {
                filterRules.write("-A", KubeChains.EXTERNAL_SERVICES, externalFilterComment,
                        protoMatch, "-d", vip, "--dport", port, "-j", externalFilterTarget);
            }
        }

        // Node port.
        String serviceWord = Comments.word(spn);
        if (svc.nodePort() != 0) {
            String nodePort = Integer.toString(svc.nodePort());
            if (hasEndpoints) {
                if (config.localhostNodePorts() && config.localhostNodePortCounter()) {
                    natRules.write("-A", KubeChains.NODE_PORTS, serviceWord, protoMatch,
                            "-d 127.0.0.0/8 --dport", nodePort,
                            "-m nfacct --nfacct-name", IptablesConfig.LOCALHOST_NODE_PORT_COUNTER,
                            "-j", externalChain);
                }
                natRules.write("-A", KubeChains.NODE_PORTS, serviceWord, protoMatch,
                        "--dport", nodePort, "-j", externalChain);
            }
            if (!hasExternalEndpoints) {
                filterRules.write("-A", KubeChains.EXTERNAL_SERVICES, externalFilterComment,
                        "-m addrtype --dst-type LOCAL", protoMatch, "--dport", nodePort, "-j", externalFilterTarget);
            }
        }

        // Health check node port: accepted whether or not this node has local endpoints.
        if (svc.healthCheckNodePort() != 0) {
            filterRules.write("-A", KubeChains.NODE_PORTS,
                    Comments.quoted(spn, " health check node port", ""),
                    "-m tcp -p tcp --dport", Integer.toString(svc.healthCheckNodePort()), "-j ACCEPT");
        }

        ChainBuffers rules = new ChainBuffers();

        if (hasInternalEndpoints) {
            String match = clusterIpComment + " " + protoMatch + " -d " + svc.clusterIP() + " --dport " + port;
            if (config.masqueradeAll()) {
                rules.of(internalChain).write("-A", internalChain, match, "-j", KubeChains.MARK_MASQ);
            } else if (config.localDetector().isImplemented()) {
                // Off-cluster sources reaching a cluster IP may be routed back off-node: SNAT them.
                rules.of(internalChain).write("-A", internalChain, match, config.localDetector().ifNotLocal(),
                        "-j", KubeChains.MARK_MASQ);
            }
        }

        if (usesExternalChain) {
            LineBuffer external = rules.of(externalChain);
            if (!svc.externalPolicyLocal()) {
                external.write("-A", externalChain,
                        Comments.quoted("masquerade traffic for ", spn, " external destinations"),
                        "-j", KubeChains.MARK_MASQ);
            } else {
                if (config.localDetector().isImplemented()) {
                    // Pods reaching an external address are treated as if they went out and came back.
                    external.write("-A", externalChain,
                            Comments.quoted("pod traffic for ", spn, " external destinations"),
                            config.localDetector().ifLocal(), "-j", clusterChain);
                }
                external.write("-A", externalChain,
                        Comments.quoted("masquerade LOCAL traffic for ", spn, " external destinations"),
                        "-m addrtype --src-type LOCAL -j", KubeChains.MARK_MASQ);
                external.write("-A", externalChain,
                        Comments.quoted("route LOCAL traffic for ", spn, " external destinations"),
                        "-m addrtype --src-type LOCAL -j", clusterChain);
            }
            if (hasExternalEndpoints) {
                external.write("-A", externalChain, "-j", externalPolicyChain);
            }
        }

        if (usesFirewallChain) {
            LineBuffer firewall = rules.of(firewallChain);
            String head = "-A " + firewallChain + " " + loadBalancerComment;
            boolean allowFromNode = false;
            for (Cidr range : svc.loadBalancerSourceRanges()) {
                firewall.write(head, "-s", range.toString(), "-j", externalChain);
                allowFromNode |= !nodeIp.isEmpty() && range.contains(nodeIp);
            }
            if (allowFromNode) {
                // Node-originated requests to a VIP often loop back with the VIP as source.
                for (String vip : svc.loadBalancerVIPs()) {
                    firewall.write(head, "-s", vip, "-j", externalChain);
                }
            }
            firewall.write("-A", firewallChain,
                    Comments.quoted("other traffic to ", spn, " will be dropped by KUBE-PROXY-FIREWALL"));
        }

        Map<String, String> endpointChains = new HashMap<>();
        for (Endpoint ep : sel.allReachable()) {
            endpointChains.put(ep.hostPort(), ChainNames.endpoint(name, ep));
        }
        if (usesClusterChain) {
            writeDispatch(rules.of(clusterChain), svc, clusterChain, sel.cluster(), endpointChains, largeCluster);
        }
        if (usesLocalChain) {
            writeDispatch(rules.of(localChain), svc, localChain, sel.local(), endpointChains, largeCluster);
        }

        boolean affinity = svc.sessionAffinity() instanceof SessionAffinity.ClientIp;
        String serviceComment = largeCluster ? null : serviceWord;
        for (Endpoint ep : sel.allReachable()) {
            String epChain = endpointChains.get(ep.hostPort());
            LineBuffer epRules = rules.of(epChain);
            // Hairpin: an endpoint reaching itself through the service must be SNATed.
            epRules.write("-A", epChain, serviceComment, "-s", ep.ip(), "-j", KubeChains.MARK_MASQ);
            epRules.write("-A", epChain, serviceComment,
                    affinity ? "-m recent --name " + epChain + " --set" : null,
                    protoMatch, "-j DNAT --to-destination", ep.hostPort());
        }
        return new ServiceRules(rules.chains(), natRules.toString(), natRules.lines(),
                filterRules.toString(), filterRules.lines(),
                hasEndpoints && !hasInternalEndpoints, hasEndpoints && !hasExternalEndpoints);
    }

    private void writeDispatch(LineBuffer rules, ServicePort svc, String chain, List<Endpoint> endpoints,
                               Map<String, String> endpointChains, boolean largeCluster) {
        String spn = svc.name().toString();
        if (svc.sessionAffinity() instanceof SessionAffinity.ClientIp(int timeout)) {
            String seconds = Integer.toString(timeout);
            for (Endpoint ep : endpoints) {
                String epChain = endpointChains.get(ep.hostPort());
                rules.write("-A", chain, endpointComment(spn, ep, largeCluster),
                        "-m recent --name", epChain, "--rcheck --seconds", seconds, "--reap -j", epChain);
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            Endpoint ep = endpoints.get(i);
            rules.write("-A", chain, endpointComment(spn, ep, largeCluster),
                    i < n - 1 ? "-m statistic --mode random --probability " + probabilities.oneIn(n - i) : null,
                    "-j", endpointChains.get(ep.hostPort()));
        }
    }

    /** Per-chain line buffers for one service's own chains, in creation order. */
    private static final class ChainBuffers {
        private final LinkedHashMap<String, LineBuffer> buffers = new LinkedHashMap<>();

        LineBuffer of(String chain) {
            return buffers.computeIfAbsent(chain, c -> new LineBuffer(256));
        }

        List<ServiceRules.NatChain> chains() {
            List<ServiceRules.NatChain> out = new ArrayList<>(buffers.size());
            buffers.forEach((name, buffer) -> out.add(new ServiceRules.NatChain(name, buffer.toString(), buffer.lines())));
            return out;
        }
    }

    private static String endpointComment(String spn, Endpoint ep, boolean largeCluster) {
        return largeCluster ? null : Comments.quoted(spn, " -> ", ep.hostPort());
    }

    /** The last rule of nat KUBE-SERVICES: hand locally-addressed traffic to KUBE-NODEPORTS. */
    private void writeNodePortsJump(LineBuffer natRules, LocalNode node, boolean ipv6) {
        String comment = Comments.quoted("kubernetes service nodeports; NOTE: this must be the last rule in this chain");
        NodePortAddresses addresses = config.nodePortAddresses();
        if (addresses.matchAll()) {
            String exclude = null;
            if (ipv6) {
                exclude = "! -d ::1/128";
            } else if (!config.localhostNodePorts()) {
                exclude = "! -d 127.0.0.0/8";
            }
            natRules.write("-A", KubeChains.SERVICES, comment, "-m addrtype --dst-type LOCAL", exclude,
                    "-j", KubeChains.NODE_PORTS);
            return;
        }
        for (String ip : addresses.select(candidateNodePortIps(node))) {
            if (IpLiteral.isLoopback(ip) && (ipv6 || !config.localhostNodePorts())) {
                continue;
            }
            natRules.write("-A", KubeChains.SERVICES, comment, "-d", ip, "-j", KubeChains.NODE_PORTS);
        }
    }

    private List<String> candidateNodePortIps(LocalNode node) {
        List<String> candidates = new ArrayList<>(node.addresses(config.family()));
        if (config.family() == IpFamily.IPV4) {
            candidates.add("127.0.0.1");
        } else {
            candidates.add("::1");
        }
        return candidates;
    }
}
