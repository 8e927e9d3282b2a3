package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.iptables.Ruleset;

import java.util.HashSet;
import java.util.Set;

/** Finds the service chains in the kernel that a full sync must flush and delete. */
final class StaleChains {

    private StaleChains() {
    }

    /** Service chains in the kernel that the ruleset does not want: one table listing. */
    static Set<String> inKernel(Iptables iptables, Ruleset ruleset) throws Iptables.ToolException {
        Set<String> active = ruleset.activeServiceChains();
        Set<String> stale = new HashSet<>();
        for (String chain : iptables.chains(Table.NAT)) {
            if (ChainNames.isServiceChain(chain) && !active.contains(chain)) {
                stale.add(chain);
            }
        }
        return stale;
    }
}
