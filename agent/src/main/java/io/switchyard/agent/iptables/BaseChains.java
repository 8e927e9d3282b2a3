package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.iptables.Ruleset;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a full sync adds around the restore: the canary chains kube-proxy watches to notice a
 * flush, and the jumps from the builtin chains, which are never written by a restore that could
 * flush a builtin chain.
 */
final class BaseChains {

    private static final System.Logger LOG = System.getLogger(BaseChains.class.getName());

    private final Iptables iptables;

    BaseChains(Iptables iptables) {
        this.iptables = iptables;
    }

    /**
     * Canary chains and the jumps from the builtin chains, after a full sync has created our
     * chains: the jumps that are missing are inserted at the top, in kube-proxy's order, in one
     * {@code --noflush} restore (which never flushes a builtin chain it does not declare).
     */
    boolean ensure(Ruleset ruleset) {
        StringBuilder document = new StringBuilder(2048);
        for (Table table : KubeChains.CANARY_TABLES) {
            document.append('*').append(table.iptablesName()).append('\n');
            document.append(':').append(KubeChains.CANARY).append(" - [0:0]\n");
            if (table == Table.FILTER && !ruleset.filterChains().contains(KubeChains.FIREWALL)
                    && !iptables.chainExists(Table.FILTER, KubeChains.FIREWALL)) {
                // kubelet's chain: created when missing, never flushed.
                document.append(':').append(KubeChains.FIREWALL).append(" - [0:0]\n");
            }
            Map<String, List<String>> installed = new HashMap<>();
            for (KubeChains.Jump jump : KubeChains.JUMPS) {
                if (jump.table() != table) {
                    continue;
                }
                List<String> rules = installed.computeIfAbsent(jump.builtin(), c -> iptables.rules(table, c));
                if (!rules.contains("-A " + jump.builtin() + " " + jump.ruleSpec())) {
                    document.append("-I ").append(jump.builtin()).append(" 1 ").append(jump.ruleSpec()).append('\n');
                }
            }
            document.append("COMMIT\n");
        }
        try {
            iptables.restore(document.toString());
            return true;
        } catch (Iptables.RestoreException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to ensure canary chains and chain jumps: {0}\n{1}",
                    e.getMessage(), RestoreErrors.context(document.toString(), e.line(), 3));
            return false;
        }
    }

    /** Whether every canary chain is still there. */
    boolean canariesPresent() {
        for (Table table : KubeChains.CANARY_TABLES) {
            if (!iptables.chainExists(table, KubeChains.CANARY)) {
                return false;
            }
        }
        return true;
    }
}
