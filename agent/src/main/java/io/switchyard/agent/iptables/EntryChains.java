package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.iptables.Ruleset;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The per-sync check of nat KUBE-SERVICES and KUBE-NODEPORTS, after the syncs that did not
 * rewrite them. kube-proxy rewrites both on every sync, which at 10k Services costs about 3.5
 * CPU-seconds on the nf_tables backend; listing them costs about 0.2, and they are rewritten only
 * when they differ. A listing is judged by its {@link RuleShape} against what was written (a rule
 * inserted, deleted or retargeted, the chain flushed); once one passes, its exact text is the
 * baseline until the chains are written again, and an unchanged listing costs nothing more.
 * Used by the sync thread only.
 */
final class EntryChains {

    /** What the kernel holds in the entry chains. */
    sealed interface Verdict {
        /** As written. */
        record Intact() implements Verdict {
        }

        /** KUBE-SERVICES is empty or missing although it should not be: the nat table was flushed or replaced. */
        record Flushed(String what) implements Verdict {
        }

        /** Something else differs; {@code what} names it. */
        record Differs(String what) implements Verdict {
        }
    }

    private static final List<String> CHAINS = List.of(KubeChains.SERVICES, KubeChains.NODE_PORTS);

    private final Iptables iptables;
    /** The exact text of the last listing found as written; 0 when none since the last write. */
    private long verified;

    EntryChains(Iptables iptables) {
        this.iptables = iptables;
    }

    /** The chains were just written: the next listing is judged by its shape. */
    void written() {
        verified = 0;
    }

    /** What the kernel printed for the entry chains; an empty entry for a chain it could not list. */
    record Listing(List<Optional<List<String>>> chains) {
    }

    /** Lists both chains, side by side (at 10k Services about 0.2 CPU-seconds in all). */
    Listing list() {
        CompletableFuture<Optional<List<String>>> nodePorts = CompletableFuture.supplyAsync(
                () -> iptables.rulesIfListed(Table.NAT, CHAINS.get(1)), Thread::startVirtualThread);
        Optional<List<String>> services = iptables.rulesIfListed(Table.NAT, CHAINS.get(0));
        return new Listing(List.of(services, nodePorts.join()));
    }

    /** Judges a listing against what the ruleset says the chains hold. */
    Verdict judge(Listing listing, Ruleset ruleset) {
        long exact = RuleShape.ChainShape.EMPTY.hash();
        for (int i = 0; i < CHAINS.size(); i++) {
            Optional<List<String>> installed = listing.chains().get(i);
            if (installed.isEmpty()) {
                verified = 0;
                // Without KUBE-SERVICES, the nat table was flushed with its chains deleted, or
                // replaced by another program's: the service chains it jumps to are gone too, and
                // rewriting it alone would be refused.
                return i == 0 ? new Verdict.Flushed("nat " + CHAINS.get(i) + " missing")
                        : new Verdict.Differs("nat " + CHAINS.get(i) + " missing");
            }
            for (String line : installed.get()) {
                exact = (exact ^ RuleShape.exact(line)) * 0x100000001b3L;
            }
            exact = (exact ^ 0xff) * 0x100000001b3L;
        }
        if (exact == verified && verified != 0) {
            return new Verdict.Intact();
        }
        Verdict verdict = new Verdict.Intact();
        for (int i = 0; i < CHAINS.size(); i++) {
            String chain = CHAINS.get(i);
            List<String> rules = listing.chains().get(i).orElseThrow();
            List<String> expected = DriftDetector.fixedChain(ruleset, "nat", chain);
            if (rules.isEmpty() && !expected.isEmpty()) {
                if (chain.equals(KubeChains.SERVICES)) {
                    return new Verdict.Flushed("nat " + chain + " flushed");
                }
                verdict = new Verdict.Differs("nat " + chain + " flushed");
            } else if (!RuleShape.ChainShape.of(rules).equals(RuleShape.ChainShape.of(expected))) {
                verdict = new Verdict.Differs(rules.size() == expected.size()
                        ? "nat " + chain + " rules differ from those written"
                        : "nat " + chain + " has " + rules.size() + " rules, " + expected.size() + " written");
            }
        }
        verified = verdict instanceof Verdict.Intact ? exact : 0;
        return verdict;
    }
}
