package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.iptables.Ruleset;

import java.util.List;
import java.util.Optional;

/**
 * The per-sync check of nat KUBE-SERVICES and KUBE-NODEPORTS, for the syncs that would not
 * rewrite them: kube-proxy rewrites both on every sync, which at 10k Services costs about 3.5
 * CPU-seconds on the nf_tables backend; listing them costs about 0.2 and a rewrite follows only
 * when their {@link RuleShape} differs from what was written (a rule inserted, deleted or
 * retargeted, or the chain flushed).
 */
final class EntryChains {

    /** What the kernel holds in the entry chains. */
    sealed interface Verdict {
        /** As written. */
        record Intact() implements Verdict {
        }

        /** KUBE-SERVICES is empty although it should not be: the nat table was flushed. */
        record Flushed(String what) implements Verdict {
        }

        /** Something else differs; {@code what} names it. */
        record Differs(String what) implements Verdict {
        }
    }

    private EntryChains() {
    }

    static Verdict verify(Iptables iptables, Ruleset ruleset) {
        Verdict verdict = new Verdict.Intact();
        for (String chain : List.of(KubeChains.SERVICES, KubeChains.NODE_PORTS)) {
            List<String> expected = DriftDetector.fixedChain(ruleset, "nat", chain);
            Optional<List<String>> installed = iptables.rulesIfListed(Table.NAT, chain);
            if (installed.isEmpty()) {
                return new Verdict.Differs("nat " + chain + " missing");
            }
            List<String> rules = installed.get();
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
        return verdict;
    }
}
