package io.switchyard.agent.ipvs;

import io.switchyard.agent.iptables.Iptables;
import io.switchyard.ipvs.iptables.IpvsChains;
import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.model.IpFamily;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What kube-proxy's (or Switchyard's) iptables mode leaves in a family's tables that ipvs mode
 * has no use for: the per-service chains, KUBE-NODEPORTS, the filter table's KUBE-SERVICES and
 * KUBE-EXTERNAL-SERVICES, the canaries, and the builtin-chain jumps iptables mode writes with
 * its own comments. The chains both modes use (KUBE-SERVICES in nat, KUBE-POSTROUTING,
 * KUBE-MARK-MASQ, KUBE-FORWARD, KUBE-PROXY-FIREWALL) are rewritten by every ipvs sync and stay;
 * so do kubelet's KUBE-FIREWALL and its jumps.
 */
final class IptablesModeLeftovers {

    private static final Set<String> FILTER_ONLY = Set.of(KubeChains.SERVICES, KubeChains.EXTERNAL_SERVICES,
            KubeChains.NODE_PORTS, KubeChains.CANARY);
    private static final Set<String> NAT_ONLY = Set.of(KubeChains.NODE_PORTS, KubeChains.CANARY);

    private static final System.Logger LOG = System.getLogger(IptablesModeLeftovers.class.getName());

    /** What a removal did: how many chains and jumps went, and whether all that was left over went. */
    record Removed(int count, boolean complete) {
    }

    private IptablesModeLeftovers() {
    }

    /** Removes the leftovers of the tables as saved (one transaction per table). */
    static Removed remove(Iptables iptables, SavedIptables saved, IpFamily family) {
        int removed = 0;
        boolean complete = true;
        for (ChainRemoval removal : plan(saved)) {
            if (removal.isEmpty()) {
                continue;
            }
            try {
                iptables.restore(removal.document());
                removed += removal.deleted().size() + removal.droppedRules().size();
            } catch (Iptables.RestoreException e) {
                complete = false;
                LOG.log(System.Logger.Level.WARNING, "Could not remove iptables mode''s {0} chains {1}: {2}; "
                        + "trying again at the next full sync", removal.table(), removal.deleted(), e.getMessage());
            }
        }
        if (removed > 0) {
            LOG.log(System.Logger.Level.INFO, "Removed what iptables mode left ipFamily={0} chainsAndJumps={1}",
                    family, removed);
        }
        return new Removed(removed, complete);
    }

    /** The removals, per table, for the tables as saved (each empty when there is nothing left over). */
    static List<ChainRemoval> plan(SavedIptables saved) {
        Set<String> natRemove = new HashSet<>(NAT_ONLY);
        saved.table("nat").chains().stream().filter(ChainNames::isServiceChain).forEach(natRemove::add);
        return List.of(
                ChainRemoval.plan(saved, "filter", FILTER_ONLY, Set.of(), false, IptablesModeLeftovers::iptablesModeJump),
                ChainRemoval.plan(saved, "nat", natRemove, Set.of(), false, IptablesModeLeftovers::iptablesModeJump),
                ChainRemoval.plan(saved, "mangle", Set.of(KubeChains.CANARY), Set.of(), false, rule -> false));
    }

    /** A builtin-chain jump only iptables mode writes (not kubelet's, not one ipvs mode writes the same). */
    private static boolean iptablesModeJump(String rule) {
        for (KubeChains.Jump jump : KubeChains.JUMPS) {
            if (!jump.target().equals(KubeChains.FIREWALL)
                    && rule.equals("-A " + jump.builtin() + " " + jump.ruleSpec())) {
                return IpvsChains.JUMPS.stream().noneMatch(j -> rule.equals(IpvsGlue.line(j)));
            }
        }
        return false;
    }
}
