package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.iptables.Ruleset;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every sync checks around the restore: the jumps from the builtin chains (which a restore
 * never writes, since declaring a builtin chain would flush other components' rules there), and,
 * on full syncs or when the drift check misses one, the canary chains kube-proxy watches to
 * notice a flush. Listing the six builtin chains costs a few milliseconds even at 10k services
 * (iptables reads only the chain asked for); a missing jump is inserted at the top, in
 * kube-proxy's order, and nothing is written when all are there.
 */
final class BaseChains {

    private final Iptables iptables;

    BaseChains(Iptables iptables) {
        this.iptables = iptables;
    }

    /** What one {@link #ensure} wrote: the jumps it inserted and whether it (re)created the canaries. */
    record Ensured(List<String> jumps, boolean canaries) {
        static final Ensured NOTHING = new Ensured(List.of(), false);

        boolean wroteAnything() {
            return canaries || !jumps.isEmpty();
        }
    }

    /**
     * Inserts the missing jumps, and with {@code canaries} declares the canary chains (and
     * kubelet's KUBE-FIREWALL when missing and not ours), in one {@code --noflush} restore.
     */
    /** The rules of the builtin chains our jumps live in, per "table chain" (six short iptables runs). */
    Map<String, List<String>> listBuiltins() throws Iptables.ToolException {
        Map<String, List<String>> installed = new HashMap<>();
        for (KubeChains.Jump jump : KubeChains.JUMPS) {
            String key = jump.table().iptablesName() + " " + jump.builtin();
            if (!installed.containsKey(key)) {
                installed.put(key, iptables.rules(jump.table(), jump.builtin()));
            }
        }
        return installed;
    }

    /**
     * Inserts the jumps missing from {@code installed} ({@link #listBuiltins}), and with
     * {@code canaries} declares the canary chains, in one restore.
     */
    Ensured ensure(Ruleset ruleset, boolean canaries, Map<String, List<String>> installed)
            throws Iptables.ToolException, Iptables.RestoreException {
        Map<Table, List<KubeChains.Jump>> missing = new HashMap<>();
        List<String> inserted = new ArrayList<>();
        for (KubeChains.Jump jump : KubeChains.JUMPS) {
            List<String> rules = installed.get(jump.table().iptablesName() + " " + jump.builtin());
            if (!rules.contains("-A " + jump.builtin() + " " + jump.ruleSpec())) {
                missing.computeIfAbsent(jump.table(), t -> new ArrayList<>()).add(jump);
                inserted.add(jump.table().iptablesName() + " " + jump.builtin() + " -> " + jump.target());
            }
        }
        if (!canaries && missing.isEmpty()) {
            return new Ensured(List.of(), false);
        }
        StringBuilder document = new StringBuilder(2048);
        for (Table table : KubeChains.CANARY_TABLES) {
            List<KubeChains.Jump> jumps = missing.getOrDefault(table, List.of());
            if (!canaries && jumps.isEmpty()) {
                continue;
            }
            document.append('*').append(table.iptablesName()).append('\n');
            if (canaries) {
                document.append(':').append(KubeChains.CANARY).append(" - [0:0]\n");
            }
            boolean jumpsToFirewall = jumps.stream().anyMatch(j -> j.target().equals(KubeChains.FIREWALL));
            if (table == Table.FILTER && (canaries || jumpsToFirewall)
                    && !ruleset.filterChains().contains(KubeChains.FIREWALL)
                    && !iptables.chainExists(Table.FILTER, KubeChains.FIREWALL)) {
                // kubelet's chain: created when missing, never flushed.
                document.append(':').append(KubeChains.FIREWALL).append(" - [0:0]\n");
            }
            for (KubeChains.Jump jump : jumps) {
                document.append("-I ").append(jump.builtin()).append(" 1 ").append(jump.ruleSpec()).append('\n');
            }
            document.append("COMMIT\n");
        }
        try {
            iptables.restore(document.toString());
        } catch (Iptables.RestoreException e) {
            throw new Iptables.RestoreException(e.getMessage() + "\n" + RestoreErrors.context(document.toString(), e.line(), 3),
                    e.line());
        }
        return new Ensured(inserted, canaries);
    }
}
