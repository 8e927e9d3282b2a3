package io.switchyard.rules.iptables;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A split sync must never leave a rule jumping to a chain not yet written: the plan is checked by simulation. */
class RestorePlanTest {

    private static final LocalNode NODE = new LocalNode("node-a", Map.of(LocalNode.ZONE_LABEL, "zone-a"),
            List.of("10.0.0.10"), List.of());
    private static final IptablesRenderer RENDERER = new IptablesRenderer(
            IptablesConfig.defaults(IpFamily.IPV4, new LocalTrafficDetector.ByCidr("10.244.0.0/16")));

    private static final ServicePort WEB = port("web", "10.96.0.10", 80, 0, List.of(), List.of(), false);
    private static final ServicePort DB = port("db", "10.96.0.30", 5432, 0, List.of(), List.of(), false);
    /** eTP Local LoadBalancer with source ranges: owns SVC, SVL, EXT, FW and SEP chains. */
    private static final ServicePort LB = port("lb", "10.96.0.20", 443, 30443, List.of("192.0.2.10"),
            List.of(Cidr.parse("203.0.113.0/24")), true);
    /** Twelve endpoints: its SVC chain alone is longer than the tiny transactions used below. */
    private static final ServicePort BIG = port("big", "10.96.0.40", 8080, 0, List.of(), List.of(), false);

    private static final ServicePortName GONE = new ServicePortName("default", "gone", "http", Protocol.TCP);
    private static final List<String> STALE = List.of(
            ChainNames.endpoint(GONE, endpoints("10.244.9.", 1, 1, 80, "node-b").getFirst()),
            ChainNames.endpoint(GONE, endpoints("10.244.9.", 2, 1, 80, "node-b").getFirst()),
            ChainNames.servicePort(GONE), ChainNames.servicePortLocal(GONE),
            ChainNames.external(GONE), ChainNames.firewall(GONE));

    private static ServicePort port(String name, String clusterIp, int port, int nodePort, List<String> vips,
                                    List<Cidr> ranges, boolean externalLocal) {
        return new ServicePort(new ServicePortName("default", name, "p", Protocol.TCP), clusterIp, port, nodePort,
                List.of(), vips, ranges, 0, SessionAffinity.NONE, externalLocal, false);
    }

    private static List<Endpoint> endpoints(String prefix, int from, int count, int port, String node) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(Endpoint.ready(prefix + i, port, node, node.equals("node-a") ? "zone-a" : "zone-b"));
        }
        return out;
    }

    private static ClusterState state(int webEndpoints, ServicePort... extra) {
        Map<ServicePortName, ServicePort> services = new HashMap<>(
                Map.of(WEB.name(), WEB, DB.name(), DB, LB.name(), LB, BIG.name(), BIG));
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>(Map.of(
                WEB.name(), endpoints("10.244.1.", 1, webEndpoints, 8080, "node-b"),
                DB.name(), endpoints("10.244.3.", 1, 1, 5432, "node-b"),
                LB.name(), List.of(Endpoint.ready("10.244.0.5", 8443, "node-a", "zone-a"),
                        Endpoint.ready("10.244.2.5", 8443, "node-b", "zone-b")),
                BIG.name(), endpoints("10.244.4.", 10, 12, 8080, "node-b")));
        for (ServicePort port : extra) {
            services.put(port.name(), port);
            endpoints.put(port.name(), endpoints("10.244.5.", 1, 1, 80, "node-b"));
        }
        return ClusterState.of(services, endpoints);
    }

    private static Ruleset ruleset(int webEndpoints) {
        return RENDERER.render(state(webEndpoints), NODE);
    }

    /** One transaction's nat table as parsed: declared chains, {chain, jump target} rules, deleted chains. */
    private record Parsed(boolean hasFilter, List<String> declared, List<String[]> rules, List<String> deleted) {
        static Parsed of(RestorePlan.Transaction transaction) {
            Parsed parsed = new Parsed(transaction.document().contains("*filter\n"), new ArrayList<>(),
                    new ArrayList<>(), new ArrayList<>());
            boolean nat = false;
            for (String line : transaction.document().split("\n")) {
                nat = line.startsWith("*") ? line.equals("*nat") : nat;
                List<String> words = List.of(line.split(" "));
                if (nat && line.startsWith(":")) {
                    parsed.declared.add(words.getFirst().substring(1));
                } else if (nat && line.startsWith("-A ")) {
                    int jump = words.lastIndexOf("-j");
                    parsed.rules.add(new String[] {words.get(1), jump < 0 ? null : words.get(jump + 1)});
                } else if (nat && line.startsWith("-X ")) {
                    parsed.deleted.add(words.get(1));
                }
            }
            return parsed;
        }

        /** The transaction that switches the entry points: filter and/or nat KUBE-SERVICES. */
        boolean isEntry() {
            return hasFilter || declared.contains(KubeChains.SERVICES);
        }

        boolean isBase() {
            return declared.contains(KubeChains.MARK_MASQ);
        }
    }

    /** Lines of a transaction without its table headers and COMMITs. */
    private static int body(RestorePlan.Transaction transaction) {
        return (int) transaction.document().lines().filter(l -> !l.startsWith("*") && !l.equals("COMMIT")).count();
    }

    private static List<RestorePlan.Transaction> full(Ruleset desired, int maxLines) {
        return RestorePlan.plan(desired, new RestorePlan.Scope.Full(), STALE, maxLines);
    }

    /** SEP 0, SVC/SVL 1, EXT 2, FW 3. */
    private static int stageRank(String chain) {
        return chain.startsWith(ChainNames.ENDPOINT_PREFIX) ? 0
                : chain.startsWith(ChainNames.SERVICE_PREFIX) || chain.startsWith(ChainNames.SERVICE_LOCAL_PREFIX) ? 1
                : chain.startsWith(ChainNames.EXTERNAL_PREFIX) ? 2 : 3;
    }

    /**
     * Applies the plan over the existing chains. After each transaction every jump written so far
     * must land on an existing chain; a service chain is declared (flushed) once, with its rules.
     */
    private static void assertSafe(List<RestorePlan.Transaction> plan, Set<String> initiallyExisting) {
        Set<String> existing = new HashSet<>(initiallyExisting);
        Set<String> declaredSoFar = new HashSet<>();
        List<String[]> writtenSoFar = new ArrayList<>();
        for (RestorePlan.Transaction transaction : plan) {
            Parsed parsed = Parsed.of(transaction);
            parsed.declared().stream().filter(ChainNames::isServiceChain)
                    .forEach(chain -> assertThat(declaredSoFar.add(chain)).as("%s declared twice", chain).isTrue());
            assertThat(parsed.rules()).filteredOn(rule -> ChainNames.isServiceChain(rule[0]))
                    .allSatisfy(rule -> assertThat(parsed.declared()).contains(rule[0]));
            existing.addAll(parsed.declared());
            writtenSoFar.addAll(parsed.rules());
            for (String[] rule : writtenSoFar) {
                if (rule[1] != null && rule[1].startsWith("KUBE-")) {
                    assertThat(existing).as("after %s, %s jumps to %s", transaction.stage(), rule[0], rule[1])
                            .contains(rule[1]);
                }
            }
            parsed.deleted().forEach(existing::remove);
        }
    }

    @Test
    void smallFullSyncIsOneTransactionWithBothTablesEveryChainAndTheStaleChainsDeletedLast() {
        Ruleset desired = ruleset(3);

        List<RestorePlan.Transaction> plan = full(desired, 10_000);

        assertThat(plan).hasSize(1);
        String document = plan.getFirst().document();
        assertThat(document.lines().filter(l -> l.startsWith("*") || l.equals("COMMIT")))
                .containsExactly("*filter", "COMMIT", "*nat", "COMMIT");
        assertThat(plan.getFirst().lines()).isEqualTo(document.lines().count());
        Parsed parsed = Parsed.of(plan.getFirst());
        assertThat(parsed.declared()).containsAll(desired.activeServiceChains()).containsAll(desired.natChains())
                .containsAll(STALE);
        desired.filterChains().forEach(chain -> assertThat(document).contains(":" + chain + " - [0:0]\n"));
        assertThat(parsed.deleted()).containsExactlyInAnyOrderElementsOf(STALE);
        // Stale chains are flushed by their declaration and deleted only after every new rule is in.
        assertThat(document.indexOf("-X ")).isGreaterThan(document.lastIndexOf("-A "));
        assertThat(parsed.rules()).noneMatch(rule -> STALE.contains(rule[0]) || STALE.contains("" + rule[1]));
        assertSafe(plan, Set.copyOf(STALE));
    }

    @Test
    void partialScopeWritesOnlyTheChangedChainsOfTheChangedServicePorts() {
        Ruleset applied = ruleset(3);
        Ruleset desired = RENDERER.render(state(4), NODE, applied, Set.of(WEB.name()));
        Endpoint added = Endpoint.ready("10.244.1.4", 8080, "node-b", "zone-b");

        for (int maxLines : new int[] {10_000, 4}) {
            List<RestorePlan.Transaction> plan = RestorePlan.plan(desired,
                    new RestorePlan.Scope.Partial(applied, Set.of(WEB.name())), List.of(), maxLines);

            List<String> declared = new ArrayList<>();
            Set<String> written = new HashSet<>();
            plan.stream().map(Parsed::of).forEach(p -> {
                declared.addAll(p.declared());
                p.rules().forEach(rule -> written.add(rule[0]));
            });
            // The SVC chain's probabilities and the new SEP changed; the other SEPs and services did not.
            assertThat(declared).as("maxLines=%d", maxLines).containsExactlyInAnyOrder(
                    ChainNames.servicePort(WEB.name()), ChainNames.endpoint(WEB.name(), added));
            assertThat(written).as("maxLines=%d", maxLines).isEqualTo(Set.copyOf(declared));
            assertThat(plan).noneMatch(t -> Parsed.of(t).hasFilter());
            Set<String> installed = new HashSet<>(applied.activeServiceChains());
            installed.addAll(applied.natChains());
            assertSafe(plan, installed);
            assertThat(plan).hasSize(maxLines == 4 ? 2 : 1);
        }
    }

    @Test
    void partialScopeRewritesTheEntryChainsOnlyWhenTheirContentChanged() {
        Ruleset applied = ruleset(3);
        ServicePort fresh = port("fresh", "10.96.0.50", 80, 0, List.of(), List.of(), false);
        Ruleset desired = RENDERER.render(state(3, fresh), NODE, applied, Set.of(fresh.name()));

        List<RestorePlan.Transaction> plan = RestorePlan.plan(desired,
                new RestorePlan.Scope.Partial(applied, Set.of(fresh.name())), List.of(), 10_000);

        assertThat(plan).hasSize(1);
        List<String> expected = new ArrayList<>(desired.services().get(fresh.name()).chains().stream()
                .map(ServiceRules.NatChain::name).toList());
        expected.addAll(List.of(KubeChains.SERVICES, KubeChains.NODE_PORTS));
        assertThat(Parsed.of(plan.getFirst()).declared()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(plan.getFirst().document()).contains("-j " + ChainNames.servicePort(DB.name()));
        // Nothing differs from what is installed: nothing to do.
        assertThat(RestorePlan.plan(applied, new RestorePlan.Scope.Partial(applied, Set.of(WEB.name())),
                List.of(), 10_000)).isEmpty();
    }

    @ParameterizedTest(name = "maxLines={0}")
    @ValueSource(ints = {1, 4, 10, 25})
    void splitFullSyncWritesEveryChainOnceAndNeverJumpsToAMissingChainEvenOnAnEmptyKernel(int maxLines) {
        Ruleset desired = ruleset(3);

        List<RestorePlan.Transaction> plan = full(desired, maxLines);

        assertThat(plan).hasSizeGreaterThan(5);
        assertSafe(plan, Set.copyOf(STALE));
        Set<String> declared = new HashSet<>();
        plan.forEach(t -> declared.addAll(Parsed.of(t).declared()));
        assertThat(declared).containsAll(desired.activeServiceChains()).containsAll(desired.natChains());
    }

    @Test
    void splitPlanStagesRunBaseEndpointsDispatchExternalFirewallThenEntryThenDeletions() {
        Ruleset desired = ruleset(3);

        List<RestorePlan.Transaction> plan = full(desired, 10);

        List<Integer> ranks = new ArrayList<>();
        Set<Integer> chainStagesSeen = new HashSet<>();
        for (RestorePlan.Transaction transaction : plan) {
            Parsed parsed = Parsed.of(transaction);
            int rank;
            if (parsed.isBase()) {
                rank = -1;
                assertThat(parsed.declared()).containsExactlyInAnyOrder(KubeChains.POSTROUTING, KubeChains.MARK_MASQ);
            } else if (parsed.isEntry()) {
                rank = 4;
                assertThat(parsed.hasFilter()).isTrue();
                assertThat(parsed.declared()).containsExactlyInAnyOrder(KubeChains.SERVICES, KubeChains.NODE_PORTS);
            } else if (!parsed.deleted().isEmpty()) {
                rank = 5;
                assertThat(parsed.rules()).isEmpty();
            } else {
                Set<Integer> ofTransaction = new HashSet<>();
                parsed.declared().forEach(chain -> ofTransaction.add(stageRank(chain)));
                assertThat(ofTransaction).as(transaction.stage()).hasSize(1);
                rank = ofTransaction.iterator().next();
                chainStagesSeen.add(rank);
            }
            ranks.add(rank);
        }
        assertThat(ranks).isSorted().startsWith(-1).containsOnlyOnce(-1, 4).endsWith(5);
        assertThat(chainStagesSeen).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(plan.stream().filter(t -> Parsed.of(t).hasFilter())).hasSize(1);
    }

    @Test
    void staleChainsAreDeletedLastReferrersFirst() {
        List<String> reversed = new ArrayList<>(STALE);
        Collections.reverse(reversed);

        List<RestorePlan.Transaction> plan = RestorePlan.plan(ruleset(3), new RestorePlan.Scope.Full(), reversed, 4);

        List<String> deletionOrder = plan.stream().flatMap(t -> Parsed.of(t).deleted().stream()).toList();
        assertThat(deletionOrder).containsExactlyInAnyOrderElementsOf(STALE);
        assertThat(deletionOrder.stream().map(c -> -stageRank(c)).toList()).isSorted();
        assertThat(plan.stream().map(t -> !Parsed.of(t).deleted().isEmpty()).toList()).isSorted().endsWith(true);
        assertThat(plan).filteredOn(t -> !Parsed.of(t).deleted().isEmpty()).hasSizeGreaterThan(1);
    }

    @ParameterizedTest(name = "maxLines={0}")
    @ValueSource(ints = {4, 10, 25})
    void chainAndDeletionBatchesStayWithinMaxLinesUnlessOneChainIsLargerAlone(int maxLines) {
        List<RestorePlan.Transaction> plan = full(ruleset(3), maxLines);

        boolean sawOversizedChain = false;
        for (RestorePlan.Transaction transaction : plan) {
            Parsed parsed = Parsed.of(transaction);
            if (parsed.isEntry() || parsed.isBase()) {
                continue; // each must stay atomic, whatever its size
            }
            if (parsed.deleted().isEmpty() && parsed.declared().size() == 1) {
                sawOversizedChain |= body(transaction) > maxLines;
            } else {
                assertThat(body(transaction)).as("%s: %s", transaction.stage(), transaction.document())
                        .isLessThanOrEqualTo(maxLines);
            }
        }
        // BIG's SVC chain (declaration and 13 rules) cannot fit in fewer than 14 lines and goes alone.
        assertThat(sawOversizedChain).isEqualTo(maxLines < 14);
    }

    @Test
    void oneTransactionIsUsedExactlyWhenTheWholeSyncFitsInMaxLines() {
        Ruleset desired = ruleset(3);
        int whole = body(full(desired, 100_000).getFirst());

        for (int maxLines = whole - 20; maxLines <= whole + 20; maxLines++) {
            List<RestorePlan.Transaction> plan = full(desired, maxLines);
            assertThat(plan.size() == 1).as("maxLines=%d, whole sync %d lines", maxLines, whole)
                    .isEqualTo(whole <= maxLines);
        }
    }

    @Test
    void droppedChainsAreTheChangedServicesOldChainsThatAreGone() {
        Ruleset before = ruleset(3);
        Ruleset after = RENDERER.render(state(2), NODE, before, Set.of(WEB.name()));
        Set<String> beforeWeb = new java.util.HashSet<>();
        before.services().get(WEB.name()).chains().forEach(c -> beforeWeb.add(c.name()));
        Set<String> afterWeb = new java.util.HashSet<>();
        after.services().get(WEB.name()).chains().forEach(c -> afterWeb.add(c.name()));

        Set<String> dropped = RestorePlan.droppedChains(before, after, Set.of(WEB.name()));

        assertThat(dropped).hasSize(1).allMatch(c -> c.startsWith(ChainNames.ENDPOINT_PREFIX));
        assertThat(beforeWeb).containsAll(dropped);
        assertThat(afterWeb).doesNotContainAnyElementsOf(dropped);
        assertThat(RestorePlan.droppedChains(before, after, Set.of(DB.name()))).isEmpty();
    }

    @ParameterizedTest(name = "maxLines={0}")
    @ValueSource(ints = {4, 10_000})
    void everyLineIsTracedToTheServiceThatWroteItAndEachTransactionSaysWhatItWrites(int maxLines) {
        Ruleset desired = ruleset(3);

        List<RestorePlan.Transaction> plan = full(desired, maxLines);

        Set<String> written = new HashSet<>();
        Set<String> deleted = new HashSet<>();
        for (RestorePlan.Transaction transaction : plan) {
            String[] lines = transaction.document().split("\n");
            assertThat(transaction.lines()).isEqualTo(lines.length);
            for (int n = 1; n <= lines.length; n++) {
                String line = lines[n - 1];
                RestorePlan.Owner owner = transaction.contents().ownerOf(n);
                String chain = line.startsWith(":") ? line.substring(1, line.indexOf(' '))
                        : line.startsWith("-") ? line.split(" ")[1] : null;
                if (chain != null && STALE.contains(chain)) {
                    assertThat(owner).as(line).isEqualTo(new RestorePlan.Owner.StaleChain(chain));
                } else if (chain != null && ChainNames.isServiceChain(chain)) {
                    assertThat(owner).as(line).isInstanceOfSatisfying(RestorePlan.Owner.Service.class, o ->
                            assertThat(desired.services().get(o.name()).chains()).anyMatch(c -> c.name().equals(chain)));
                } else if (line.contains("--comment \"default/web:p cluster IP\"")) {
                    assertThat(owner).as(line).isEqualTo(new RestorePlan.Owner.Service(WEB.name()));
                } else if (line.startsWith("*") || line.equals("COMMIT") || line.startsWith(":KUBE-")
                        || line.startsWith("-A KUBE-MARK-MASQ") || line.startsWith("-A KUBE-POSTROUTING")
                        || line.contains("kubernetes service nodeports") || line.startsWith("-A KUBE-FORWARD")) {
                    assertThat(owner).as(line).isNull();
                }
            }
            written.addAll(transaction.contents().chains());
            deleted.addAll(transaction.contents().deleted());
        }
        assertThat(written).isEqualTo(desired.activeServiceChains());
        assertThat(deleted).containsExactlyInAnyOrderElementsOf(STALE);
        assertThat(plan).filteredOn(t -> t.contents().natEntry()).hasSize(1)
                .allMatch(t -> t.contents().filter() && t.document().contains(":KUBE-SERVICES - [0:0]"));
        assertThat(plan).filteredOn(t -> t.contents().natBase()).hasSize(1);
    }

    @Test
    void workAddsUpAndOnlyTheNamedChainsAndPartsAreWritten() {
        Ruleset desired = ruleset(3);
        RestorePlan.Work nothing = new RestorePlan.Work(Set.of(), false, false, false);
        String svc = ChainNames.servicePort(WEB.name());

        RestorePlan.Work work = nothing.and(new RestorePlan.Work(Set.of(svc), false, true, false))
                .withChains(Set.of("KUBE-SVC-NOT-IN-THE-RULESET"));

        assertThat(work).isEqualTo(new RestorePlan.Work(Set.of(svc, "KUBE-SVC-NOT-IN-THE-RULESET"), false, true, false));
        assertThat(nothing.isEmpty()).isTrue();
        assertThat(RestorePlan.plan(desired, nothing, List.of(), 100)).isEmpty();
        List<RestorePlan.Transaction> plan = RestorePlan.plan(desired, work, List.of(), 100);
        assertThat(plan).singleElement().satisfies(t -> {
            assertThat(t.contents().chains()).containsExactly(svc);
            assertThat(t.contents().natBase()).isTrue();
            assertThat(t.contents().filter() || t.contents().natEntry()).isFalse();
            assertThat(Parsed.of(t).declared()).containsExactlyInAnyOrder(svc, KubeChains.POSTROUTING, KubeChains.MARK_MASQ);
        });
    }

    @Test
    void aRulesetCanKeepSomeServicesRulesFromAnother() {
        Ruleset before = ruleset(3);
        Ruleset after = RENDERER.render(state(1), NODE, before, Set.of(WEB.name()));

        Ruleset kept = after.withServicesOf(before, Set.of(WEB.name()));

        assertThat(kept.services().get(WEB.name())).isSameAs(before.services().get(WEB.name()));
        assertThat(kept.services().get(DB.name())).isSameAs(after.services().get(DB.name()));
        assertThat(after.withServicesOf(null, Set.of(WEB.name())).services()).doesNotContainKey(WEB.name());
    }
}
