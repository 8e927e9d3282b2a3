package io.switchyard.agent.ipvs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Taking chains out of one iptables table in one {@code iptables-restore --noflush} transaction:
 * the rules of the builtin chains that jump to them go first ({@code -D} with the rule as saved),
 * then every chain to remove is flushed (so chains that jump to each other come apart), then
 * deleted. Chains that are only to be emptied are flushed, and deleted too when asked and when
 * nothing left in the table jumps to them.
 *
 * @param table         the table's name
 * @param droppedRules  the builtin-chain rules to delete, as iptables-save printed them
 * @param flushed       the chains to flush
 * @param deleted       the chains to delete (all of them flushed too)
 */
record ChainRemoval(String table, List<String> droppedRules, Set<String> flushed, Set<String> deleted) {

    ChainRemoval {
        droppedRules = List.copyOf(droppedRules);
        flushed = Set.copyOf(flushed);
        deleted = Set.copyOf(deleted);
    }

    /**
     * Plans the removal from a table as saved.
     *
     * @param remove        chains to flush and delete (those present)
     * @param empty         chains to flush (those present)
     * @param deleteEmptied also delete an emptied chain when nothing left jumps to it
     * @param dropRule      which builtin-chain rules to delete; rules jumping to a removed chain always go
     */
    static ChainRemoval plan(SavedIptables saved, String table, Set<String> remove, Set<String> empty,
                             boolean deleteEmptied, Predicate<String> dropRule) {
        SavedIptables.Table current = saved.table(table);
        Set<String> deleted = new LinkedHashSet<>();
        Set<String> flushed = new LinkedHashSet<>();
        for (String chain : current.chains()) {
            if (remove.contains(chain)) {
                deleted.add(chain);
                flushed.add(chain);
            } else if (empty.contains(chain)) {
                flushed.add(chain);
            }
        }
        List<String> dropped = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String rule : current.rules()) {
            String chain = SavedIptables.Table.chainOf(rule);
            if (flushed.contains(chain)) {
                continue;
            }
            boolean builtin = SavedIptables.BUILTIN_CHAINS.contains(chain);
            if (builtin && (deleted.contains(SavedIptables.Table.targetOf(rule)) || dropRule.test(rule))) {
                dropped.add(rule);
            } else {
                kept.add(rule);
            }
        }
        if (deleteEmptied) {
            for (String chain : flushed) {
                if (kept.stream().noneMatch(r -> SavedIptables.Table.targetOf(r).equals(chain))) {
                    deleted.add(chain);
                }
            }
        }
        return new ChainRemoval(table, dropped, flushed, deleted);
    }

    boolean isEmpty() {
        return droppedRules.isEmpty() && flushed.isEmpty();
    }

    /** The transaction; empty when there is nothing to do. */
    String document() {
        if (isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("*").append(table).append('\n');
        flushed.stream().sorted().forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        droppedRules.forEach(r -> out.append("-D").append(r.substring(2)).append('\n'));
        deleted.stream().sorted().forEach(c -> out.append("-X ").append(c).append('\n'));
        return out.append("COMMIT\n").toString();
    }
}
