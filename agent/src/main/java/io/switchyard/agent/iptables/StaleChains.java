package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.iptables.ServiceRules;
import io.switchyard.rules.model.ServicePortName;

import java.util.HashSet;
import java.util.Set;

/** Finds the service chains a sync must flush and delete: from the kernel, or from what changed. */
final class StaleChains {

    private StaleChains() {
    }

    /** Service chains in the kernel that the ruleset does not want: one table listing. */
    static Set<String> inKernel(Iptables iptables, Ruleset ruleset) {
        Set<String> active = ruleset.activeServiceChains();
        Set<String> stale = new HashSet<>();
        for (String chain : iptables.chains(Table.NAT)) {
            if (ChainNames.isServiceChain(chain) && !active.contains(chain)) {
                stale.add(chain);
            }
        }
        return stale;
    }

    /**
     * Chains the changed service ports had and no longer have. Every service chain's name hashes
     * its service port, so no other service can still own them: O(changes), not O(cluster).
     */
    static Set<String> dropped(Ruleset before, Ruleset after, Set<ServicePortName> changed) {
        Set<String> stale = new HashSet<>();
        for (ServicePortName name : changed) {
            ServiceRules old = before.services().get(name);
            if (old == null) {
                continue;
            }
            ServiceRules now = after.services().get(name);
            Set<String> kept = new HashSet<>();
            if (now != null) {
                now.chains().forEach(c -> kept.add(c.name()));
            }
            old.chains().forEach(c -> {
                if (!kept.contains(c.name())) {
                    stale.add(c.name());
                }
            });
        }
        return stale;
    }
}
