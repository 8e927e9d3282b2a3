package io.switchyard.rules.iptables;

import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * How one sync reaches the kernel: an ordered list of {@code iptables-restore --noflush}
 * transactions. A sync that fits in one transaction is applied atomically. A larger one is
 * split so that at every instant a packet meets either the old rules or complete new ones:
 * <ol>
 *   <li>endpoint chains (KUBE-SEP), then dispatch chains (KUBE-SVC, KUBE-SVL), then external
 *       chains (KUBE-EXT), then firewall chains (KUBE-FW) — each stage only jumps to chains
 *       written by an earlier one, and a chain's flush and refill share a transaction;</li>
 *   <li>the filter table and the top-level nat chains, in one transaction, which switches the
 *       entry points over to the new chains;</li>
 *   <li>stale chains, flushed and deleted once nothing jumps to them, referrers first.</li>
 * </ol>
 * Kubernetes uses large {@code --noflush} transactions sparingly for a reason: on the nf_tables
 * backend their cost grows much faster than their size.
 */
public final class RestorePlan {

    /** One iptables-restore input and how many lines it holds. */
    public record Transaction(String stage, String document, int lines) {
    }

    /** Which service ports' own chains a sync rewrites. */
    public sealed interface Scope {
        /** Every service port's chains (start-up, periodic resync, recovery after a failure). */
        record Full() implements Scope {
        }

        /** Only the chains of these service ports; the shared chains are always rewritten. */
        record Partial(Set<ServicePortName> changed) implements Scope {
            public Partial {
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

        int chainLines = 0;
        for (ServiceRules.NatChain chain : chains) {
            chainLines += chain.ruleCount() + 1;
        }
        StringBuilder top = topDocument(desired);
        int topLines = countLines(top);
        if (chainLines + topLines + 2 * stale.size() <= maxLines) {
            return List.of(single(desired, chains, stale));
        }

        List<Transaction> plan = new ArrayList<>();
        for (String stage : CHAIN_STAGES) {
            List<ServiceRules.NatChain> ofStage = chains.stream().filter(c -> inStage(c.name(), stage)).toList();
            batchChains(plan, "chains " + stage, ofStage, maxLines);
        }
        top.append("*nat\n");
        desired.natChains().forEach(c -> RestoreDocument.declare(top, c));
        RestoreDocument.appendNatTop(top, desired);
        top.append("COMMIT\n");
        plan.add(new Transaction("top-level chains", top.toString(), countLines(top)));
        batchDeletions(plan, stale, maxLines);
        return plan;
    }

    private static List<ServiceRules.NatChain> chainsToWrite(Ruleset desired, Scope scope) {
        List<ServiceRules.NatChain> chains = new ArrayList<>();
        desired.services().forEach((name, rules) -> {
            boolean rewrite = switch (scope) {
                case Scope.Full() -> true;
                case Scope.Partial(Set<ServicePortName> changed) -> changed.contains(name);
            };
            if (rewrite) {
                chains.addAll(rules.chains());
            }
        });
        return chains;
    }

    private static Transaction single(Ruleset desired, List<ServiceRules.NatChain> chains, List<String> stale) {
        StringBuilder out = new StringBuilder(RestoreDocument.estimate(desired));
        RestoreDocument.appendFilter(out, desired, List.of(), List.of());
        out.append("*nat\n");
        desired.natChains().forEach(c -> RestoreDocument.declare(out, c));
        chains.forEach(c -> RestoreDocument.declare(out, c.name()));
        stale.forEach(c -> RestoreDocument.declare(out, c));
        RestoreDocument.appendNatTop(out, desired);
        chains.forEach(c -> out.append(c.rules()));
        stale.forEach(c -> out.append("-X ").append(c).append('\n'));
        out.append("COMMIT\n");
        return new Transaction("all", out.toString(), countLines(out));
    }

    private static StringBuilder topDocument(Ruleset desired) {
        StringBuilder top = new StringBuilder(RestoreDocument.estimate(desired) / 4 + 1024);
        RestoreDocument.appendFilter(top, desired, List.of(), List.of());
        return top;
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
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
