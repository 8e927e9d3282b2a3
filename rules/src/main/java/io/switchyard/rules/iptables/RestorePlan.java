package io.switchyard.rules.iptables;

import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * Every transaction says which chains it writes and whose each of its lines is, so a line the
 * kernel refuses can be traced to one Service. Kubernetes uses large {@code --noflush}
 * transactions sparingly for a reason: on the nf_tables backend their cost grows much faster
 * than their size.
 */
public final class RestorePlan {

    /** Whose a line of a transaction is: a Service's rules, or the deletion of a stale chain. */
    public sealed interface Owner {
        /** Lines a service port's rules contributed (its chains, or its lines in shared chains). */
        record Service(ServicePortName name) implements Owner {
        }

        /** The flush and deletion of a service chain nothing wants any more. */
        record StaleChain(String chain) implements Owner {
        }
    }

    /** Lines {@code firstLine..lastLine} (1-based, inclusive) of a transaction belong to {@code owner}. */
    public record Span(int firstLine, int lastLine, Owner owner) {
    }

    /**
     * What a transaction writes.
     *
     * @param chains   service chains it flushes and refills
     * @param deleted  stale chains it flushes and deletes
     * @param filter   it rewrites the filter table's chains
     * @param natBase  it rewrites KUBE-POSTROUTING and KUBE-MARK-MASQ
     * @param natEntry it rewrites KUBE-SERVICES and KUBE-NODEPORTS
     * @param spans    the owned lines; every other line (headers, fixed rules) is no one's
     */
    public record Contents(Set<String> chains, Set<String> deleted, boolean filter, boolean natBase,
                           boolean natEntry, List<Span> spans) {
        public Contents {
            chains = Set.copyOf(chains);
            deleted = Set.copyOf(deleted);
            spans = List.copyOf(spans);
        }

        /** Who wrote a line (1-based), or null for a line no Service owns. */
        public Owner ownerOf(int line) {
            int low = 0;
            int high = spans.size() - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                Span span = spans.get(mid);
                if (line < span.firstLine()) {
                    high = mid - 1;
                } else if (line > span.lastLine()) {
                    low = mid + 1;
                } else {
                    return span.owner();
                }
            }
            return null;
        }

        /** Everyone with a line in the transaction, in order of first appearance. */
        public Set<Owner> owners() {
            Set<Owner> owners = new LinkedHashSet<>();
            spans.forEach(s -> owners.add(s.owner()));
            return owners;
        }
    }

    /** One iptables-restore input, how many lines it holds, and what it writes. */
    public record Transaction(String stage, String document, int lines, Contents contents) {
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
                Objects.requireNonNull(applied, "applied");
                changed = Set.copyOf(changed);
            }
        }
    }

    /**
     * What a sync writes, by name: the service chains, and which of the shared parts. A scope
     * decides it ({@link #work}); a dataplane may add to it (chains found drifted, the shared
     * chains it rewrites on every sync).
     */
    public record Work(Set<String> chains, boolean filter, boolean natBase, boolean natEntry) {

        public Work {
            chains = Set.copyOf(chains);
        }

        /** Everything a ruleset holds. */
        public static Work all(Ruleset ruleset) {
            return new Work(ruleset.activeServiceChains(), true, true, true);
        }

        /** This work and the other's. */
        public Work and(Work other) {
            Set<String> union = chains;
            if (!other.chains.isEmpty()) {
                union = new HashSet<>(chains);
                union.addAll(other.chains);
            }
            return new Work(union, filter || other.filter, natBase || other.natBase, natEntry || other.natEntry);
        }

        public Work withChains(Collection<String> names) {
            if (names.isEmpty()) {
                return this;
            }
            Set<String> union = new HashSet<>(chains);
            union.addAll(names);
            return new Work(union, filter, natBase, natEntry);
        }

        public boolean isEmpty() {
            return chains.isEmpty() && !filter && !natBase && !natEntry;
        }
    }

    /** Stages in apply order; chains of one stage jump only to chains of earlier ones. */
    private static final List<String> CHAIN_STAGES = List.of(
            ChainNames.ENDPOINT_PREFIX, ChainNames.SERVICE_PREFIX + "|" + ChainNames.SERVICE_LOCAL_PREFIX,
            ChainNames.EXTERNAL_PREFIX, ChainNames.FIREWALL_PREFIX);

    /** A chain to write and the service port it belongs to. */
    private record Owned(ServicePortName owner, ServiceRules.NatChain chain) {
    }

    private RestorePlan() {
    }

    /** Plans a sync: what {@code scope} calls for, see {@link #plan(Ruleset, Work, Collection, int)}. */
    public static List<Transaction> plan(Ruleset desired, Scope scope, Collection<String> staleChains, int maxLines) {
        return plan(desired, work(desired, scope), staleChains, maxLines);
    }

    /** What a scope calls for. */
    public static Work work(Ruleset desired, Scope scope) {
        return switch (scope) {
            case Scope.Full() -> Work.all(desired);
            case Scope.Partial(Ruleset applied, Set<ServicePortName> changed) -> {
                // The shared chains are the concatenation, in service order, of fixed parts and each
                // service's lines: they are unchanged when the fixed parts and every changed
                // service's lines are. That keeps a one-endpoint sync O(changes), not O(cluster).
                boolean filter = !applied.filterChains().equals(desired.filterChains())
                        || !applied.filterHead().equals(desired.filterHead())
                        || !applied.filterTail().equals(desired.filterTail())
                        || changed.stream().anyMatch(n -> !filterLines(applied, n).equals(filterLines(desired, n)));
                boolean natBase = !applied.natHead().equals(desired.natHead());
                boolean natEntry = !applied.natTail().equals(desired.natTail())
                        || changed.stream().anyMatch(n -> !natLines(applied, n).equals(natLines(desired, n)));
                Set<String> chains = new HashSet<>();
                for (ServicePortName name : changed) {
                    ServiceRules rules = desired.services().get(name);
                    if (rules == null) {
                        continue;
                    }
                    ServiceRules before = applied.services().get(name);
                    for (ServiceRules.NatChain chain : rules.chains()) {
                        if (before == null || !before.chains().contains(chain)) {
                            chains.add(chain.name());
                        }
                    }
                }
                yield new Work(chains, filter, natBase, natEntry);
            }
        };
    }

    /**
     * Plans a sync.
     *
     * @param desired     the ruleset to reach; named chains it does not hold are ignored
     * @param work        which chains to write
     * @param staleChains service chains in the kernel that {@code desired} no longer has
     * @param maxLines    the largest transaction wanted; a sync that fits is done in one
     */
    public static List<Transaction> plan(Ruleset desired, Work work, Collection<String> staleChains, int maxLines) {
        List<Owned> chains = new ArrayList<>();
        if (!work.chains().isEmpty()) {
            for (Map.Entry<ServicePortName, ServiceRules> service : desired.services().entrySet()) {
                for (ServiceRules.NatChain chain : service.getValue().chains()) {
                    if (work.chains().contains(chain.name())) {
                        chains.add(new Owned(service.getKey(), chain));
                    }
                }
            }
        }
        List<String> stale = new ArrayList<>(staleChains);
        stale.sort(Comparator.comparingInt(RestorePlan::deletionRank).thenComparing(Comparator.naturalOrder()));

        int lines = 2 * stale.size();
        if (work.filter()) {
            lines += desired.filterChains().size() + desired.filterRuleCount();
        }
        if (work.natBase()) {
            lines += 2 + countLines(desired.natHead());
        }
        if (work.natEntry()) {
            lines += 2 + countLines(desired.natTail());
            for (ServiceRules rules : desired.services().values()) {
                lines += rules.natRuleCount();
            }
        }
        for (Owned owned : chains) {
            lines += owned.chain().ruleCount() + 1;
        }
        if (lines == 0) {
            return List.of();
        }
        if (lines <= maxLines) {
            return List.of(single(desired, work, chains, stale));
        }

        List<Transaction> plan = new ArrayList<>();
        if (work.natBase()) {
            TransactionText base = new TransactionText(1024).table("nat");
            appendNatBase(base, desired);
            plan.add(base.commit().build("base chains"));
        }
        for (String stage : CHAIN_STAGES) {
            List<Owned> ofStage = chains.stream().filter(c -> inStage(c.chain().name(), stage)).toList();
            batchChains(plan, "chains " + stage, ofStage, maxLines);
        }
        if (work.filter() || work.natEntry()) {
            TransactionText top = new TransactionText(RestoreDocument.estimate(desired) / 8 + 1024);
            if (work.filter()) {
                appendFilter(top, desired);
            }
            if (work.natEntry()) {
                top.table("nat");
                appendNatEntry(top, desired);
                top.commit();
            }
            plan.add(top.build("entry chains"));
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

    private static String filterLines(Ruleset ruleset, ServicePortName name) {
        ServiceRules rules = ruleset.services().get(name);
        return rules == null ? "" : rules.filterRules();
    }

    private static String natLines(Ruleset ruleset, ServicePortName name) {
        ServiceRules rules = ruleset.services().get(name);
        return rules == null ? "" : rules.natRules();
    }

    /** The filter table: every filter chain declared (flushed) and refilled. */
    private static void appendFilter(TransactionText out, Ruleset ruleset) {
        out.table("filter");
        ruleset.filterChains().forEach(c -> out.declare(c, null));
        out.append(ruleset.filterHead(), null);
        ruleset.services().forEach((name, s) -> out.append(s.filterRules(), new Owner.Service(name)));
        out.append(ruleset.filterTail(), null);
        out.commit();
        out.wroteFilter();
    }

    /** KUBE-POSTROUTING and KUBE-MARK-MASQ, declared and filled (inside a nat section). */
    private static void appendNatBase(TransactionText out, Ruleset ruleset) {
        out.declare(KubeChains.POSTROUTING, null);
        out.declare(KubeChains.MARK_MASQ, null);
        out.append(ruleset.natHead(), null);
        out.wroteNatBase();
    }

    /** KUBE-SERVICES and KUBE-NODEPORTS, declared and filled (inside a nat section). */
    private static void appendNatEntry(TransactionText out, Ruleset ruleset) {
        out.declare(KubeChains.SERVICES, null);
        out.declare(KubeChains.NODE_PORTS, null);
        ruleset.services().forEach((name, s) -> out.append(s.natRules(), new Owner.Service(name)));
        out.append(ruleset.natTail(), null);
        out.wroteNatEntry();
    }

    private static Transaction single(Ruleset desired, Work work, List<Owned> chains, List<String> stale) {
        int size = 256 + stale.size() * 64;
        for (Owned owned : chains) {
            size += owned.chain().rules().length() + owned.chain().name().length() + 16;
        }
        if (work.filter() || work.natEntry()) {
            size += desired.filterHead().length() + desired.filterTail().length() + desired.natTail().length();
            for (ServiceRules rules : desired.services().values()) {
                size += (work.filter() ? rules.filterRules().length() : 0) + (work.natEntry() ? rules.natRules().length() : 0);
            }
        }
        TransactionText out = new TransactionText(size + desired.natHead().length());
        if (work.filter()) {
            appendFilter(out, desired);
        }
        if (!chains.isEmpty() || !stale.isEmpty() || work.natBase() || work.natEntry()) {
            out.table("nat");
            chains.forEach(c -> out.declare(c.chain().name(), new Owner.Service(c.owner())));
            stale.forEach(c -> out.declare(c, new Owner.StaleChain(c)));
            if (work.natBase()) {
                appendNatBase(out, desired);
            }
            if (work.natEntry()) {
                appendNatEntry(out, desired);
            }
            chains.forEach(c -> {
                out.append(c.chain().rules(), new Owner.Service(c.owner()));
                out.wrote(c.chain().name());
            });
            stale.forEach(c -> {
                out.append("-X " + c + "\n", new Owner.StaleChain(c));
                out.deletes(c);
            });
            out.commit();
        }
        return out.build("all");
    }

    private static void batchChains(List<Transaction> plan, String stage, List<Owned> chains, int maxLines) {
        int from = 0;
        while (from < chains.size()) {
            int lines = 0;
            int to = from;
            while (to < chains.size() && (to == from || lines + chains.get(to).chain().ruleCount() + 1 <= maxLines)) {
                lines += chains.get(to).chain().ruleCount() + 1;
                to++;
            }
            TransactionText out = new TransactionText(lines * 120 + 32).table("nat");
            List<Owned> batch = chains.subList(from, to);
            batch.forEach(c -> out.declare(c.chain().name(), new Owner.Service(c.owner())));
            batch.forEach(c -> {
                out.append(c.chain().rules(), new Owner.Service(c.owner()));
                out.wrote(c.chain().name());
            });
            plan.add(out.commit().build(stage));
            from = to;
        }
    }

    private static void batchDeletions(List<Transaction> plan, List<String> stale, int maxLines) {
        int perBatch = Math.max(1, maxLines / 2);
        for (int from = 0; from < stale.size(); from += perBatch) {
            List<String> batch = stale.subList(from, Math.min(stale.size(), from + perBatch));
            TransactionText out = new TransactionText(batch.size() * 64 + 32).table("nat");
            batch.forEach(c -> out.declare(c, new Owner.StaleChain(c)));
            batch.forEach(c -> {
                out.append("-X " + c + "\n", new Owner.StaleChain(c));
                out.deletes(c);
            });
            plan.add(out.commit().build("delete stale chains"));
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
