package io.switchyard.agent.ipvs;

import io.switchyard.agent.iptables.Iptables;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.ipset.KubeIpset;
import io.switchyard.ipvs.iptables.IpvsChains;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Removes what ipvs mode installs, as kube-proxy's ipvs cleanup does: every IPVS virtual server
 * (kube-proxy flushes the whole table), the ipvs-mode iptables chains and jumps, our ipsets of
 * both families, and the {@code kube-ipvs0} link with the service addresses on it. A kernel
 * without IPVS simply has no virtual servers; that is not an error.
 *
 * <p>Two scopes. {@link Scope#ALL} is for {@code --cleanup}: every ipvs-mode jump goes, every
 * ipvs-mode chain is flushed, and deleted unless a rule of iptables mode still jumps to it (run
 * iptables mode's cleanup afterwards for the rest). {@link Scope#IPVS_ONLY} is for a node that
 * has switched to iptables mode: call it after iptables mode's first successful sync has
 * rewritten the chains both modes share; it leaves those alone and takes out only what ipvs
 * mode alone uses.
 */
public final class IpvsCleanup {

    private static final System.Logger LOG = System.getLogger(IpvsCleanup.class.getName());

    /** How much of the iptables side to take. */
    public enum Scope {
        /** Everything of ipvs mode ({@code --cleanup}). */
        ALL,
        /** Only what iptables mode does not also use (switching to iptables mode). */
        IPVS_ONLY
    }

    /** What could not be removed, one line each; empty when everything went. */
    public record Result(List<String> failures) {
        public Result {
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private static final Set<String> NAT_IPVS_ONLY = onlyInIpvsMode(IpvsChains.NAT);
    private static final Set<String> FILTER_IPVS_ONLY = onlyInIpvsMode(IpvsChains.FILTER);

    private IpvsCleanup() {
    }

    /**
     * Runs the cleanup in the namespace of {@code kernel}, opening what it needs there and closing
     * it again. For the iptables side, switching to iptables mode: after iptables mode's first
     * successful sync, {@code run(IpvsMode.Kernel.host(processes), families, Scope.IPVS_ONLY)}.
     *
     * @param families the families whose iptables rules to clean (those whose iptables work)
     */
    public static Result run(IpvsMode.Kernel kernel, List<IpFamily> families, Scope scope) {
        List<Iptables> iptables = families.stream().map(f -> new Iptables(f, kernel.processes())).toList();
        try (NetworkInterfaces interfaces = kernel.interfaces().get()) {
            Optional<Ipvs> ipvs = kernel.ipvsIfPresent();
            try {
                return run(ipvs, interfaces, new IpsetCommands(kernel.processes()), iptables, scope);
            } finally {
                ipvs.ifPresent(Ipvs::close);
            }
        } catch (NetlinkException e) {
            LOG.log(System.Logger.Level.ERROR, "Cleanup could not start: {0}", e.getMessage());
            return new Result(List.of(e.getMessage()));
        }
    }

    /**
     * Runs the cleanup. The iptables rules go first, since a set cannot be destroyed while a rule
     * matches it.
     *
     * @param ipvs       the kernel's IPVS, or empty when the kernel has none
     * @param interfaces the links of the namespace (for kube-ipvs0)
     * @param ipsets     ipset in the namespace
     * @param iptables   one per family whose tables to clean
     */
    public static Result run(Optional<Ipvs> ipvs, NetworkInterfaces interfaces, IpsetCommands ipsets,
                             List<Iptables> iptables, Scope scope) {
        List<String> failures = new ArrayList<>();
        for (Iptables family : iptables) {
            removeChains(family, scope, failures);
        }
        ipvs.ifPresent(kernel -> {
            try {
                kernel.flush();
            } catch (NetlinkException e) {
                failures.add("IPVS virtual servers: " + e.getMessage());
            }
        });
        destroySets(ipsets, failures);
        try {
            interfaces.deleteLink(HostAddresses.DUMMY_INTERFACE);
        } catch (NetlinkException e) {
            failures.add(HostAddresses.DUMMY_INTERFACE + ": " + e.getMessage());
        }
        failures.forEach(f -> LOG.log(System.Logger.Level.ERROR, "Cleanup could not remove {0}", f));
        return new Result(failures);
    }

    /** The per-table removals for the tables as saved. */
    static List<ChainRemoval> plan(SavedIptables saved, Scope scope) {
        return switch (scope) {
            case ALL -> List.of(
                    ChainRemoval.plan(saved, "nat", NAT_IPVS_ONLY, Set.copyOf(IpvsChains.NAT), true,
                            IpvsCleanup::ipvsModeJump),
                    ChainRemoval.plan(saved, "filter", FILTER_IPVS_ONLY, Set.copyOf(IpvsChains.FILTER), true,
                            IpvsCleanup::ipvsModeJump));
            case IPVS_ONLY -> List.of(
                    ChainRemoval.plan(saved, "nat", NAT_IPVS_ONLY, Set.of(), false, IpvsCleanup::ipvsOnlyJump),
                    ChainRemoval.plan(saved, "filter", FILTER_IPVS_ONLY, Set.of(), false, IpvsCleanup::ipvsOnlyJump));
        };
    }

    private static void removeChains(Iptables iptables, Scope scope, List<String> failures) {
        SavedIptables saved;
        try {
            saved = SavedIptables.parse(iptables.saveAll());
        } catch (Iptables.ToolException | IllegalStateException e) {
            failures.add("iptables rules: " + e.getMessage());
            return;
        }
        for (ChainRemoval removal : plan(saved, scope)) {
            if (removal.isEmpty()) {
                continue;
            }
            try {
                iptables.restore(removal.document());
            } catch (Iptables.RestoreException e) {
                failures.add(removal.table() + " chains " + String.join(", ", removal.deleted().stream().sorted().toList())
                        + ": " + e.getMessage());
            }
        }
    }

    /** Destroys the sets of both families that exist, in one {@code ipset restore}. */
    private static void destroySets(IpsetCommands ipsets, List<String> failures) {
        try {
            Set<String> present = ipsets.names();
            StringBuilder script = new StringBuilder();
            for (IpFamily family : IpFamily.values()) {
                for (KubeIpset set : KubeIpset.values()) {
                    if (present.contains(set.nameFor(family))) {
                        script.append("destroy ").append(set.nameFor(family)).append('\n');
                    }
                }
            }
            ipsets.restore(script.toString());
        } catch (IpsetCommands.IpsetException e) {
            failures.add("ipsets: " + e.getMessage());
        }
    }

    /** Any builtin-chain jump ipvs mode writes. */
    private static boolean ipvsModeJump(String rule) {
        return IpvsChains.JUMPS.stream().anyMatch(j -> rule.equals(IpvsGlue.line(j)));
    }

    /** A builtin-chain jump ipvs mode writes and iptables mode does not write the same. */
    private static boolean ipvsOnlyJump(String rule) {
        return ipvsModeJump(rule)
                && KubeChains.JUMPS.stream().noneMatch(j -> rule.equals("-A " + j.builtin() + " " + j.ruleSpec()));
    }

    private static Set<String> onlyInIpvsMode(List<String> chains) {
        Set<String> iptablesMode = new HashSet<>(KubeChains.NAT_CHAINS);
        iptablesMode.addAll(KubeChains.FILTER_CHAINS);
        Set<String> only = new HashSet<>(chains);
        only.removeAll(iptablesMode);
        return Set.copyOf(only);
    }
}
