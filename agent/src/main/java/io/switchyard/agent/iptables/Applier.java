package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.RestorePlan;
import io.switchyard.rules.iptables.RestorePlan.Owner;
import io.switchyard.rules.iptables.RestorePlan.Transaction;
import io.switchyard.rules.iptables.RestorePlan.Work;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.iptables.ServiceRules;
import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies a sync's transactions in order. When iptables-restore refuses one, it finds whose
 * lines were refused — from the line iptables-restore names, from the chain its message names,
 * or else by bisection over the Services with lines in that transaction — and carries on without
 * them: a refused Service keeps the rules it had (its chains that the sync had already rewritten
 * are written back, new ones it had no use for are deleted), a refused stale-chain deletion is
 * left for later, and everything else is programmed. Only a refusal no Service can be blamed
 * for (a fixed rule, a broken tool) stops the sync.
 */
final class Applier {

    private static final System.Logger LOG = System.getLogger(Applier.class.getName());
    /** Beyond this many refused Services in one sync, the fault is not theirs: the sync fails. */
    static final int MAX_REFUSED = 64;
    private static final Pattern MISSING_CHAIN = Pattern.compile("Chain '([^']+)' does not exist");

    /** The outcome of applying a plan. */
    sealed interface Result {
        /**
         * Everything was applied except what was refused.
         *
         * @param applied      what the kernel now holds: the desired ruleset with each refused
         *                     Service's previous rules (or none)
         * @param transactions what iptables-restore accepted, in order
         * @param refused      per refused Service, iptables-restore's complaint
         * @param keptStale    stale chains whose deletion was refused; still in the kernel
         * @param written      Services whose chains or lines this sync wrote or put back
         * @param entry        whether KUBE-SERVICES and KUBE-NODEPORTS were rewritten
         */
        record Done(Ruleset applied, List<Transaction> transactions, Map<ServicePortName, String> refused,
                    Set<String> keptStale, Set<ServicePortName> written, boolean entry) implements Result {

            /** This application followed by {@code next} (which started from what this one applied). */
            Result then(Result next) {
                if (!(next instanceof Done after)) {
                    return next;
                }
                List<Transaction> all = new ArrayList<>(transactions);
                all.addAll(after.transactions());
                Map<ServicePortName, String> allRefused = new LinkedHashMap<>(refused);
                allRefused.putAll(after.refused());
                Set<String> kept = new HashSet<>(keptStale);
                kept.addAll(after.keptStale());
                Set<ServicePortName> allWritten = new HashSet<>(written);
                allWritten.addAll(after.written());
                return new Done(after.applied(), all, allRefused, kept, allWritten, entry || after.entry());
            }
        }

        /** A refusal no Service could be blamed for; the kernel holds part of the sync. */
        record Stopped(String message) implements Result {
        }
    }

    private final Iptables iptables;
    private final int maxLines;

    Applier(Iptables iptables, int maxLines) {
        this.iptables = iptables;
        this.maxLines = maxLines;
    }

    /** One application of a plan: what has been written so far. */
    private final class Run {
        final Ruleset desired;
        final Ruleset previous;
        final Work work;
        final Set<String> stale;
        final Map<ServicePortName, String> refused = new LinkedHashMap<>();
        final Set<String> keptStale = new HashSet<>();
        /** The rulesets the accepted transactions were built from, in step with {@link #accepted}. */
        final List<Ruleset> acceptedFrom = new ArrayList<>();
        final Set<String> deleted = new HashSet<>();
        final Set<ServicePortName> written = new HashSet<>();
        final List<Transaction> accepted = new ArrayList<>();
        boolean filter;
        boolean natBase;
        boolean natEntry;
        Ruleset effective;

        Run(Ruleset desired, Ruleset previous, Work work, Collection<String> stale) {
            this.desired = desired;
            this.previous = previous;
            this.work = work;
            this.stale = new LinkedHashSet<>(stale);
            this.effective = desired;
        }

        /** Records a transaction, built from {@code from}, that iptables-restore accepted. */
        void accept(Transaction transaction, Ruleset from) {
            accepted.add(transaction);
            acceptedFrom.add(from);
            deleted.addAll(transaction.contents().deleted());
            filter |= transaction.contents().filter();
            natBase |= transaction.contents().natBase();
            natEntry |= transaction.contents().natEntry();
            transaction.contents().owners().forEach(o -> {
                if (o instanceof Owner.Service(ServicePortName name)) {
                    written.add(name);
                }
            });
        }

        /** The plan of what is left, given what was refused. */
        List<Transaction> replan() {
            effective = desired.withServicesOf(previous, refused.keySet());
            Map<String, ServiceRules.NatChain> wanted = chainsOf(effective, null);
            Map<String, ServiceRules.NatChain> writtenChains = new HashMap<>();
            for (int i = 0; i < accepted.size(); i++) {
                writtenChains.putAll(chainsOf(acceptedFrom.get(i), accepted.get(i).contents().chains()));
            }
            Set<String> refusedChains = new HashSet<>();
            for (ServicePortName name : refused.keySet()) {
                written.add(name);
                addChainNames(desired, name, refusedChains);
                addChainNames(previous, name, refusedChains);
            }
            Set<String> chains = new HashSet<>(work.chains());
            chains.removeAll(writtenChains.keySet());
            chains.removeAll(refusedChains);
            Set<String> staleLeft = new LinkedHashSet<>(stale);
            staleLeft.removeAll(deleted);
            staleLeft.removeAll(keptStale);
            staleLeft.removeAll(wanted.keySet());
            for (Map.Entry<String, ServiceRules.NatChain> done : writtenChains.entrySet()) {
                ServiceRules.NatChain now = wanted.get(done.getKey());
                if (now == null) {
                    staleLeft.add(done.getKey()); // written for a refused Service that never had it
                } else if (!now.equals(done.getValue())) {
                    chains.add(done.getKey()); // a refused Service's chain, overwritten: put it back
                }
            }
            boolean servicesRefused = !refused.isEmpty();
            Work left = new Work(chains, work.filter() && (!filter || servicesRefused),
                    work.natBase() && !natBase, work.natEntry() && (!natEntry || servicesRefused));
            return RestorePlan.plan(effective, left, staleLeft, maxLines);
        }
    }

    /**
     * Applies {@code work} towards {@code desired}.
     *
     * @param previous what the kernel held before (null if unknown): a refused Service keeps its rules from it
     */
    Result apply(Ruleset desired, Ruleset previous, Work work, Collection<String> stale) {
        Run run = new Run(desired, previous, work, stale);
        List<Transaction> plan = RestorePlan.plan(desired, work, stale, maxLines);
        int next = 0;
        while (next < plan.size()) {
            Transaction transaction = plan.get(next);
            Iptables.RestoreException refusal = restore(transaction.document());
            if (refusal == null) {
                run.accept(transaction, run.effective);
                next++;
                continue;
            }
            Set<Owner> culprits = attribute(transaction, refusal);
            if (culprits == null) {
                LOG.log(System.Logger.Level.ERROR, "Failed to execute iptables-restore ({0}): {1}\n{2}",
                        transaction.stage(), refusal.getMessage(), RestoreErrors.context(transaction.document(), refusal.line(), 3));
                return new Result.Stopped(refusal.getMessage());
            }
            if (culprits.isEmpty()) {
                culprits = bisect(run, transaction);
                if (culprits == null) {
                    LOG.log(System.Logger.Level.ERROR, "Failed to execute iptables-restore ({0}), and the rules of "
                            + "no single Service are refused: {1}", transaction.stage(), refusal.getMessage());
                    return new Result.Stopped(refusal.getMessage());
                }
            }
            for (Owner culprit : culprits) {
                switch (culprit) {
                    case Owner.Service(ServicePortName name) -> {
                        if (run.refused.putIfAbsent(name, oneLine(refusal.getMessage())) != null) {
                            return new Result.Stopped("refused again after its rules were left out: " + refusal.getMessage());
                        }
                        LOG.log(System.Logger.Level.ERROR, "iptables-restore refused the rules of Service {0}; its "
                                + "previous rules stay in place and every other Service is programmed; it is retried on "
                                + "later syncs: {1}\n{2}", name, refusal.getMessage(),
                                RestoreErrors.context(transaction.document(), refusal.line(), 3));
                    }
                    case Owner.StaleChain(String chain) -> {
                        if (!run.keptStale.add(chain)) {
                            return new Result.Stopped("refused again after its deletion was left out: " + refusal.getMessage());
                        }
                        LOG.log(System.Logger.Level.WARNING, "iptables-restore refused to delete stale chain {0}; it is "
                                + "left in place and retried later: {1}", chain, oneLine(refusal.getMessage()));
                    }
                }
            }
            if (run.refused.size() > MAX_REFUSED) {
                return new Result.Stopped("iptables-restore refused the rules of more than " + MAX_REFUSED
                        + " Services: " + refusal.getMessage());
            }
            plan = run.replan();
            next = 0;
        }
        return new Result.Done(run.effective, run.accepted, run.refused, run.keptStale, run.written, run.natEntry);
    }

    private Iptables.RestoreException restore(String document) {
        try {
            iptables.restore(document);
            return null;
        } catch (Iptables.RestoreException e) {
            return e;
        }
    }

    /**
     * Whose lines a refusal names: the owner of the named line, the owners of the lines jumping
     * to a chain the message says is missing; empty when it cannot tell (bisect), null when the
     * refused line is no Service's (a fixed rule: nothing to narrow).
     */
    static Set<Owner> attribute(Transaction transaction, Iptables.RestoreException refusal) {
        String[] lines = transaction.document().split("\n", -1);
        Set<Owner> owners = new LinkedHashSet<>();
        Matcher missing = MISSING_CHAIN.matcher(refusal.getMessage());
        if (missing.find()) {
            // nf_tables builds report this at the COMMIT line: the jumps to the chain are to blame.
            String jump = " -j " + missing.group(1);
            for (int i = 0; i < lines.length; i++) {
                String text = lines[i];
                int at = text.indexOf(jump);
                if (at >= 0 && (at + jump.length() == text.length() || text.charAt(at + jump.length()) == ' ')) {
                    Owner owner = transaction.contents().ownerOf(i + 1);
                    if (owner != null) {
                        owners.add(owner);
                    }
                }
            }
            if (!owners.isEmpty()) {
                return owners;
            }
        }
        int line = refusal.line();
        if (line > 0 && line <= lines.length && !lines[line - 1].equals("COMMIT") && !lines[line - 1].startsWith("*")) {
            Owner owner = transaction.contents().ownerOf(line);
            return owner == null ? null : Set.of(owner);
        }
        return owners;
    }

    /**
     * Finds the owners a transaction cannot be applied with, by applying it with subsets of its
     * owners' new lines (the others' previous ones instead): every accepted attempt is progress,
     * every refused one halves the suspects. Null when even none of its owners' lines is accepted.
     */
    private Set<Owner> bisect(Run run, Transaction transaction) {
        List<Owner> suspects = new ArrayList<>(transaction.contents().owners());
        suspects.removeIf(o -> o instanceof Owner.Service(ServicePortName name) && run.refused.containsKey(name));
        Set<Owner> admitted = new LinkedHashSet<>();
        if (attempt(run, transaction, admitted) != null) {
            return null;
        }
        Set<Owner> culprits = new LinkedHashSet<>();
        search(run, transaction, suspects, admitted, culprits);
        LOG.log(System.Logger.Level.INFO, "Bisection of a refused iptables-restore ({0}) over {1} owners found {2}",
                transaction.stage(), suspects.size(), culprits);
        return culprits.isEmpty() ? null : culprits;
    }

    private void search(Run run, Transaction transaction, List<Owner> suspects, Set<Owner> admitted, Set<Owner> culprits) {
        if (suspects.isEmpty() || culprits.size() > MAX_REFUSED) {
            return;
        }
        Set<Owner> trial = new LinkedHashSet<>(admitted);
        trial.addAll(suspects);
        if (attempt(run, transaction, trial) == null) {
            admitted.addAll(suspects);
            return;
        }
        if (suspects.size() == 1) {
            culprits.add(suspects.getFirst());
            return;
        }
        int half = suspects.size() / 2;
        search(run, transaction, suspects.subList(0, half), admitted, culprits);
        search(run, transaction, suspects.subList(half, suspects.size()), admitted, culprits);
    }

    /** Applies the transaction with only {@code admitted} owners' new lines; the refusal, or null. */
    private Iptables.RestoreException attempt(Run run, Transaction transaction, Set<Owner> admitted) {
        Set<ServicePortName> left = new HashSet<>(run.refused.keySet());
        Set<String> chains = new HashSet<>();
        Set<String> deletions = new HashSet<>();
        for (Owner owner : transaction.contents().owners()) {
            switch (owner) {
                case Owner.Service(ServicePortName name) -> {
                    if (admitted.contains(owner)) {
                        addChainNames(run.effective, name, chains);
                    } else {
                        left.add(name);
                    }
                }
                case Owner.StaleChain(String chain) -> {
                    if (admitted.contains(owner)) {
                        deletions.add(chain);
                    }
                }
            }
        }
        chains.retainAll(transaction.contents().chains());
        deletions.retainAll(transaction.contents().deleted());
        Ruleset trial = run.desired.withServicesOf(run.previous, left);
        RestorePlan.Contents contents = transaction.contents();
        Work work = new Work(chains, contents.filter(), contents.natBase(), contents.natEntry());
        List<Transaction> single = RestorePlan.plan(trial, work, deletions, Integer.MAX_VALUE);
        if (single.isEmpty()) {
            return null;
        }
        Iptables.RestoreException refusal = restore(single.getFirst().document());
        if (refusal == null) {
            run.accept(single.getFirst(), trial);
        }
        return refusal;
    }

    private static void addChainNames(Ruleset ruleset, ServicePortName name, Set<String> into) {
        ServiceRules rules = ruleset == null ? null : ruleset.services().get(name);
        if (rules != null) {
            rules.chains().forEach(c -> into.add(c.name()));
        }
    }

    /** The named service chains of a ruleset (all of them when {@code names} is null). */
    private static Map<String, ServiceRules.NatChain> chainsOf(Ruleset ruleset, Set<String> names) {
        Map<String, ServiceRules.NatChain> out = new HashMap<>();
        if (names != null && names.isEmpty()) {
            return out;
        }
        for (ServiceRules rules : ruleset.services().values()) {
            for (ServiceRules.NatChain chain : rules.chains()) {
                if (names == null || names.contains(chain.name())) {
                    out.put(chain.name(), chain);
                }
            }
        }
        return out;
    }

    private static String oneLine(String message) {
        return message.strip().replace('\n', ' ');
    }
}
