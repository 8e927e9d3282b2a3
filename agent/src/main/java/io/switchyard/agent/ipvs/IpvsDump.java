package io.switchyard.agent.ipvs;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.LiveRules;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.SavedRules;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.ipvs.desired.IpvsRenderer;
import io.switchyard.ipvs.desired.IpvsadmText;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code dump-rules} in ipvs mode: the virtual servers ({@code ipvsadm -Sn} form), the ipsets
 * ({@code ipset save} form) and the iptables rules ({@code iptables-restore} form) of one
 * family, each in a section of its own; as desired, as the kernel holds them, or the difference.
 */
public final class IpvsDump {

    static final String VIRTUAL_SERVERS = "# IPVS virtual servers (ipvsadm -Sn)";
    static final String IPSETS = "# ipsets (ipset save)";
    static final String IPTABLES = "# iptables rules (iptables-restore)";
    private static final Set<String> BUILTIN_POLICY_LINES = Set.of(":INPUT", ":FORWARD", ":OUTPUT", ":PREROUTING",
            ":POSTROUTING");

    /** One family's three parts, each as its tool prints it. */
    public record Sections(String virtualServers, String ipsets, String iptables) {
        /** The three parts under their headings. */
        public String text() {
            return VIRTUAL_SERVERS + "\n" + virtualServers + IPSETS + "\n" + ipsets + IPTABLES + "\n" + iptables;
        }
    }

    private IpvsDump() {
    }

    /**
     * The desired state for a cluster as {@code run} would render it in this namespace: node
     * ports on the addresses of its interfaces.
     */
    public static IpvsDesiredState render(ProxySettings settings, IpFamily family, ClusterSnapshot cluster,
                                          IpvsMode.Kernel kernel) {
        IptablesConfig config = settings.iptablesConfig(family, cluster.node());
        try (NetworkInterfaces interfaces = kernel.interfaces().get()) {
            HostView host = HostView.read(interfaces, family, config.nodePortAddresses());
            return new IpvsRenderer(IpvsDataplane.config(settings, config))
                    .render(cluster.state(), cluster.node(), host.addresses());
        }
    }

    /** What a sync would install in an empty namespace. */
    public static Sections desired(IpvsDesiredState state) {
        return new Sections(IpvsadmText.save(state), state.ipsets().saveText(), state.rules().forEmptyNamespace());
    }

    /**
     * What the namespace holds now: the family's virtual servers (none when the kernel has no
     * IPVS), our sets of the family, and our chains and the jumps to them.
     *
     * @param runner reaches the namespace (ipset, iptables-save)
     */
    public static Sections live(IpFamily family, Optional<Ipvs> ipvs, ProcessRunner runner)
            throws IpsetCommands.IpsetException, Iptables.ToolException {
        StringBuilder servers = new StringBuilder();
        if (ipvs.isPresent()) {
            List<VirtualServer> listed = ipvs.get().virtualServers().stream().filter(s -> s.family() == family)
                    .sorted(Comparator.comparing(VirtualServer::key)).toList();
            for (VirtualServer server : listed) {
                servers.append(IpvsadmText.serverLine(server)).append('\n');
                ipvs.get().destinations(server.key()).stream().sorted(Comparator.comparing(Destination::key))
                        .forEach(d -> servers.append(IpvsadmText.destinationLine(server, d)).append('\n'));
            }
        } else {
            servers.append("# (this kernel has no IPVS)\n");
        }
        Set<String> ours = Stream.of(KubeIpset.values()).map(s -> s.nameFor(family)).collect(Collectors.toSet());
        String ipsets = new IpsetCommands(runner).save().lines()
                .filter(l -> l.split("\\s+").length > 1 && ours.contains(l.split("\\s+")[1]))
                .map(l -> l + "\n").collect(Collectors.joining());
        String iptables = new LiveRules(family, runner, runner).ownRules();
        return new Sections(servers.toString(), ipsets, iptables);
    }

    /**
     * Lines only desired ({@code +}) and only live ({@code -}), each prefixed with its part;
     * empty when the namespace holds the desired state. Virtual servers and set members compare
     * as sets (the kernel lists them in hash order), set sizes and seeds are ignored, and the
     * rules compare after going through a scratch namespace's kernel.
     *
     * @param host runs {@code ip netns} for the scratch namespace
     */
    public static List<String> diff(IpFamily family, IpvsDesiredState desired, Sections live, ProcessRunner runner,
                                    ProcessRunner host) throws Iptables.ToolException {
        List<String> out = new ArrayList<>();
        compare("ipvs", lines(IpvsadmText.save(desired)), lines(live.virtualServers()), out);
        compare("ipset", ipsetLines(desired.ipsets().saveText()), ipsetLines(live.ipsets()), out);
        String wanted = ownRules(canonical(family, desired, host));
        String installed = ownRules(new Iptables(family, runner).saveAll());
        List<String> before = new ArrayList<>(out);
        compare("iptables", lines(wanted), lines(installed), out);
        if (out.equals(before) && !wanted.equals(installed)) {
            out.add("~ iptables: same rules, different order within a chain");
        }
        return out;
    }

    private static void compare(String part, Set<String> desired, Set<String> live, List<String> out) {
        desired.stream().filter(l -> !live.contains(l)).forEach(l -> out.add("+ " + part + ": " + l));
        live.stream().filter(l -> !desired.contains(l)).forEach(l -> out.add("- " + part + ": " + l));
    }

    private static Set<String> lines(String text) {
        return text.lines().map(l -> String.join(" ", l.strip().split("\\s+")))
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** {@code ipset save} lines without what depends on how a set was filled (sizes, seeds). */
    static Set<String> ipsetLines(String save) {
        return lines(save).stream().map(l -> l.replaceAll(" (hashsize|maxelem|bucketsize|initval) \\S+", ""))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Our part of iptables-save text, normalised as ipvs mode's rules compare: KUBE-* chains and
     * the builtin-chain rules that jump to them; builtin chains' policies are not ours.
     */
    static String ownRules(String save) {
        StringBuilder kept = new StringBuilder();
        for (String line : save.split("\n")) {
            String stripped = line.strip();
            if (stripped.startsWith(":") && BUILTIN_POLICY_LINES.contains(stripped.split(" ")[0])) {
                kept.append(stripped.split(" ")[0]).append(" - [0:0]\n");
            } else if (stripped.startsWith("*") || stripped.equals("COMMIT") || stripped.startsWith(":KUBE-")
                    || stripped.startsWith("-A KUBE-") || (stripped.startsWith("-A ") && stripped.contains(" -j KUBE-"))) {
                kept.append(stripped).append('\n');
            }
        }
        return SavedRules.normalise(kept.toString(), SavedRules.Mode.IPVS);
    }

    /** The desired rules as a kernel spells them: loaded, with their sets, into a scratch namespace. */
    private static String canonical(IpFamily family, IpvsDesiredState desired, ProcessRunner host) {
        String scratch = "switchyard-diff-" + UUID.randomUUID().toString().substring(0, 8);
        String tool = family == IpFamily.IPV4 ? "iptables" : "ip6tables";
        require(host.run(List.of("ip", "netns", "add", scratch), null), "ip netns add");
        try {
            require(host.run(List.of("ip", "netns", "exec", scratch, "ipset", "restore"), desired.ipsets().saveText()),
                    "ipset restore");
            require(host.run(List.of("ip", "netns", "exec", scratch, tool + "-restore"),
                    desired.rules().forEmptyNamespace()), tool + "-restore");
            return require(host.run(List.of("ip", "netns", "exec", scratch, tool + "-save"), null), tool + "-save")
                    .stdout();
        } finally {
            host.run(List.of("ip", "netns", "del", scratch), null);
        }
    }

    private static ProcessRunner.Result require(ProcessRunner.Result result, String what) {
        if (!result.ok()) {
            throw new IllegalStateException(what + " failed: " + result.stderr().strip());
        }
        return result;
    }
}
