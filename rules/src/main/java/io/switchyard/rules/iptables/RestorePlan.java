package io.switchyard.rules.iptables;

import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How one sync reaches the kernel: an ordered list of {@code iptables-restore --noflush}
 * transactions. A sync that fits in one transaction is applied atomically. A larger one is
 * split so that at every instant a packet meets either the old rules or complete new ones:
 * <ol>
 *   <li>the chains every service chain may jump to: KUBE-MARK-MASQ (and KUBE-POSTROUTING);</li>
 *   <li>endpoint chains (KUBE-SEP), then dispatch chains (KUBE-SVC, KUBE-SVL), then external
 *       chains (KUBE-EXT), then firewall chains (KUBE-FW) — each stage only jumps to chains
 *       written by an earlier one, and a chain's flush and refill share a transaction;</li>
 *   <li>the filter table and the entry chains (nat KUBE-SERVICES, KUBE-NODEPORTS), in one
 *       transaction, which switches the entry points over to the new chains;</li>
 *   <li>stale chains, flushed and deleted once nothing jumps to them, referrers first.</li>
 * </ol>
 * Kubernetes uses large {@code --noflush} transactions sparingly for a reason: on the nf_tables
 * backend their cost grows much faster than their size.
 */
public final class RestorePlan {

    /** One iptables-restore input and how many lines it holds. */
    public record Transaction(String stage, String document, int lines) {
    }

    /** Which chains a sync rewrites. */
    public sealed interface Scope {
        /** Every chain (start-up, periodic resync, recovery after a failure). */
        record Full() implements Scope {
        }

        /**
         * Only what differs from {@code applied}, the ruleset the last successful sync installed:
         * chains of the changed service ports whose rules differ, and the filter table or the
         * top-level nat chains only if their content differs.
         */
        record Partial(Ruleset applied, Set<ServicePortName> changed) implements Scope {
            public Partial {
                java.util.Objects.requireNonNull(applied, "applied");
                changed = Set.copyOf(changed);
            }
        }
    }

    /** Stages in apply order; chains of one stage jump only to chains of earlier ones. */
    private static final List<String> CHAIN_STAGES = List.of(
            ChainNames.ENDPOINT_PREFIX, ChainNames.SERVICE_PREFIX + "|" + ChainNames.SERVICE_LOCAL_PREFIX,
            ChainNames.EXTERNAL_PREFIX, ChainNames.FIREWALL_PREFIX);

    private RestorePlan() {
    }

    /**
     * Plans a sync.
     *
     * @param desired         the ruleset to reach
     * @param scope           which service ports' chains to rewrite
     * @param staleChains     service chains in the kernel that {@code desired} no longer has
     * @param maxLines        the largest transaction wanted; a sync that fits is done in one
     */
    public static List<Transaction> plan(Ruleset desired, Scope scope, Collection<String> staleChains, int maxLines) {
        List<ServiceRules.NatChain> chains = chainsToWrite(desired, scope);
        List<String> stale = new ArrayList<>(staleChains);
        stale.sort(Comparator.comparingInt(RestorePlan::deletionRank).thenComparing(Comparator.naturalOrder()));
        boolean writeFilter = true;
        boolean writeNatBase = true;
        boolean writeNatEntry = true;
        if (scope instanceof Scope.Partial(Ruleset applied, Set<ServicePortName> changed)) {
            // The shared chains are the concatenation, in service order, of fixed parts and each
            // service's lines: they are unchanged when the fixed parts and every changed
            // service's lines are. That keeps a one-endpoint sync O(changes), not O(cluster).
            writeFilter = !applied.filterChains().equals(desired.filterChains())
                    || !applied.filterHead().equals(desired.filterHead())
                    || !applied.filterTail().equals(desired.filterTail())
                    || changed.stream().anyMatch(n -> !filterLines(applied, n).equals(filterLines(desired, n)));
            writeNatBase = !applied.natHead().equals(desired.natHead());
            writeNatEntry = !applied.natTail().equals(desired.natTail())
                    || changed.stream().anyMatch(n -> !natLines(applied, n).equals(natLines(desired, n)));
        }
        String filter = writeFilter ? filterBody(desired) : null;
        String natBase = writeNatBase ? natBaseBody(desired) : null;
        String natEntry = writeNatEntry ? natEntryBody(desired) : null;

        int lines = 2 * stale.size() + countLines(filter) + countLines(natBase) + countLines(natEntry);
        for (ServiceRules.NatChain chain : chains) {
            lines += chain.ruleCount() + 1;
        }
        if (lines == 0) {
            return List.of();
        }
        if (lines <= maxLines) {
            return List.of(single(chains, stale, filter, natBase, natEntry));
        }

        List<Transaction> plan = new ArrayList<>();
        if (natBase != null) {
            StringBuilder base = new StringBuilder(natBase.length() + 32);
            appendTable(base, "nat", natBase);
            plan.add(new Transaction("base chains", base.toString(), countLines(base)));
        }
        for (String stage : CHAIN_STAGES) {
            List<ServiceRules.NatChain> ofStage = chains.stream().filter(c -> inStage(c.name(), stage)).toList();
            batchChains(plan, "chains " + stage, ofStage, maxLines);
        }
        if (filter != null || natEntry != null) {
            StringBuilder top = new StringBuilder((filter == null ? 0 : filter.length())
                    + (natEntry == null ? 0 : natEntry.length()) + 64);
            appendTable(top, "filter", filter);
            appendTable(top, "nat", natEntry);
            plan.add(new Transaction("entry chains", top.toString(), countLines(top)));
        }
        batchDeletions(plan, stale, maxLines);
        return plan;
    }

    /**
     * Chains the changed service ports had and no longer have. Every service chain's name hashes
     * its service port, so no other service can still own them: O(changes), not O(cluster).
     */
    public static Set<String> droppedChains(Ruleset before, Ruleset after, Set<ServicePortName> changed) {
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

    private static List<ServiceRules.NatChain> chainsToWrite(Ruleset desired, Scope scope) {
        List<ServiceRules.NatChain> chains = new ArrayList<>();
        switch (scope) {
            case Scope.Full() -> desired.services().values().forEach(rules -> chains.addAll(rules.chains()));
            case Scope.Partial(Ruleset applied, Set<ServicePortName> changed) -> {
                for (ServicePortName name : changed) {
                    ServiceRules rules = desired.services().get(name);
                    if (rules == null) {
                        continue;
                    }
                    ServiceRules before = applied.services().get(name);
                    for (ServiceRules.NatChain chain : rules.chains()) {
                        if (before == null || !before.chains().contains(chain)) {
                            chains.add(chain);
                        }
                    }
                }
            }
        }
        return chains;
    }

    private static String filterLines(Ruleset ruleset, ServicePortName name) {
        ServiceRules rules = ruleset.services().get(name);
        return rules == null ? "" : rules.filterRules();
    }

    private static String natLines(Ruleset ruleset, ServicePortName name) {
        ServiceRules rules = ruleset.services().get(name);
        return rules == null ? "" : rules.natRules();
    }

    /** Declarations and rules of the filter chains (without the table header). */
    private static String filterBody(Ruleset ruleset) {
        StringBuilder out = new StringBuilder(1024);
        ruleset.filterChains().forEach(c -> RestoreDocument.declare(out, c));
        out.append(ruleset.filterHead());
        ruleset.services().values().forEach(s -> out.append(s.filterRules()));
        out.append(ruleset.filterTail());
        return out.toString();
    }

    /** KUBE-POSTROUTING and KUBE-MARK-MASQ, declared and filled (without the table header). */
    private static String natBaseBody(Ruleset ruleset) {
        StringBuilder out = new StringBuilder(512);
        RestoreDocument.declare(out, KubeChains.POSTROUTING);
        RestoreDocument.declare(out, KubeChains.MARK_MASQ);
        out.append(ruleset.natHead());
        return out.toString();
    }

    /** KUBE-SERVICES and KUBE-NODEPORTS, declared and filled (without the table header). */
    private static String natEntryBody(Ruleset ruleset) {
        StringBuilder out = new StringBuilder(RestoreDocument.estimate(ruleset) / 8 + 1024);
        RestoreDocument.declare(out, KubeChains.SERVICES);
        RestoreDocument.declare(out, KubeChains.NODE_PORTS);
        ruleset.services().values().forEach(s -> out.append(s.natRules()));
        out.append(ruleset.natTail());
        return out.toString();
    }

    private static Transaction single(List<ServiceRules.NatChain> chains, List<String> stale,
                                      String filter, String natBase, String natEntry) {
        int size = 64 + length(filter) + length(natBase) + length(natEntry) + stale.size() * 64;
        for (ServiceRules.NatChain chain : chains) {
            size += chain.rules().length() + chain.name().length() + 16;
        }
        StringBuilder out = new StringBuilder(size);
        appendTable(out, "filter", filter);
        if (!chains.isEmpty() || !stale.isEmpty() || natBase != null || natEntry != null) {
            out.append("*nat\n");
            chains.forEach(c -> RestoreDocument.declare(out, c.name()));
            stale.forEach(c -> RestoreDocument.declare(out, c));
            if (natBase != null) {
                out.append(natBase);
            }
            if (natEntry != null) {
                out.append(natEntry);
            }
            chains.forEach(c -> out.append(c.rules()));
            stale.forEach(c -> out.append("-X ").append(c).append('\n'));
            out.append("COMMIT\n");
        }
        return new Transaction("all", out.toString(), countLines(out));
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static void appendTable(StringBuilder out, String table, String body) {
        if (body != null) {
            out.append('*').append(table).append('\n').append(body).append("COMMIT\n");
        }
    }

    private static void batchChains(List<Transaction> plan, String stage, List<ServiceRules.NatChain> chains,
                                    int maxLines) {
        int from = 0;
        while (from < chains.size()) {
            int lines = 0;
            int to = from;
            while (to < chains.size() && (to == from || lines + chains.get(to).ruleCount() + 1 <= maxLines)) {
                lines += chains.get(to).ruleCount() + 1;
                to++;
            }
            StringBuilder out = new StringBuilder(lines * 120 + 32);
            out.append("*nat\n");
            List<ServiceRules.NatChain> batch = chains.subList(from, to);
            batch.forEach(c -> RestoreDocument.declare(out, c.name()));
            batch.forEach(c -> out.append(c.rules()));
            out.append("COMMIT\n");
            plan.add(new Transaction(stage, out.toString(), countLines(out)));
            from = to;
        }
    }

    private static void batchDeletions(List<Transaction> plan, List<String> stale, int maxLines) {
        int perBatch = Math.max(1, maxLines / 2);
        for (int from = 0; from < stale.size(); from += perBatch) {
            List<String> batch = stale.subList(from, Math.min(stale.size(), from + perBatch));
            StringBuilder out = new StringBuilder(batch.size() * 64 + 32);
            out.append("*nat\n");
            batch.forEach(c -> RestoreDocument.declare(out, c));
            batch.forEach(c -> out.append("-X ").append(c).append('\n'));
            out.append("COMMIT\n");
            plan.add(new Transaction("delete stale chains", out.toString(), countLines(out)));
        }
    }

    private static boolean inStage(String chain, String stage) {
        for (String prefix : stage.split("\\|")) {
            if (chain.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Referrers are deleted before what they refer to: FW, EXT, SVC/SVL, then SEP. */
    private static int deletionRank(String chain) {
        if (chain.startsWith(ChainNames.FIREWALL_PREFIX)) {
            return 0;
        }
        if (chain.startsWith(ChainNames.EXTERNAL_PREFIX)) {
            return 1;
        }
        if (chain.startsWith(ChainNames.SERVICE_PREFIX) || chain.startsWith(ChainNames.SERVICE_LOCAL_PREFIX)) {
            return 2;
        }
        return 3;
    }

    private static int countLines(CharSequence text) {
        if (text == null) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
