package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.iptables.RestoreDocument;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drift check's comparison without a kernel: the "listing" is the document the ruleset
 * restores from (same spelling, which the kernel tests do not rely on), edited the way drift edits
 * a kernel.
 */
class DriftDetectorTest {

    private static final LocalNode NODE = new LocalNode("node-a", Map.of(), List.of("10.0.0.10"), List.of());

    private static ServicePort port(String name, String clusterIp) {
        return new ServicePort(new ServicePortName("default", name, "p", Protocol.TCP), clusterIp, 80, 0,
                List.of(), List.of(), List.of(), 0, SessionAffinity.NONE, false, false);
    }

    /** Services web (two endpoints) and eight more with one each. */
    private static Ruleset ruleset() {
        Map<ServicePortName, ServicePort> services = new HashMap<>();
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        ServicePort web = port("web", "10.96.0.10");
        services.put(web.name(), web);
        endpoints.put(web.name(), List.of(Endpoint.ready("10.244.1.1", 8080, "node-b", ""),
                Endpoint.ready("10.244.1.2", 8080, "node-b", "")));
        for (int i = 0; i < 8; i++) {
            ServicePort other = port("svc" + i, "10.96.1." + i);
            services.put(other.name(), other);
            endpoints.put(other.name(), List.of(Endpoint.ready("10.244.2." + i, 8080, "node-b", "")));
        }
        IptablesConfig config = IptablesConfig.defaults(IpFamily.IPV4, new LocalTrafficDetector.ByCidr("10.244.0.0/16"));
        return new IptablesRenderer(config).render(ClusterState.of(services, endpoints), NODE);
    }

    private static final Ruleset RULESET = ruleset();
    private static final ServicePortName WEB = new ServicePortName("default", "web", "p", Protocol.TCP);
    private static final String LISTING = RestoreDocument.forEmptyNamespace(RULESET);

    private static Ledger.Snapshot snapshot(long webGeneration) {
        Map<ServicePortName, Long> generations = new HashMap<>();
        RULESET.services().keySet().forEach(name -> generations.put(name, 1L));
        generations.put(WEB, webGeneration);
        return new Ledger.Snapshot(RULESET, Math.max(1, webGeneration), generations, 1, 1, 1);
    }

    private static List<DriftDetector.Finding> check(DriftDetector detector, Ledger.Snapshot snapshot, String listing) {
        SavedTables.Parser parser = detector.parser(snapshot);
        listing.lines().forEach(parser);
        DriftDetector.Report report = detector.compare(snapshot, parser.result());
        detector.keep(report, part -> true);
        return report.findings();
    }

    private static String without(String listing, String linePrefix) {
        List<String> kept = new ArrayList<>();
        listing.lines().filter(l -> !l.startsWith(linePrefix)).forEach(kept::add);
        return String.join("\n", kept) + "\n";
    }

    private static String sep() {
        return ChainNames.endpoint(WEB, Endpoint.ready("10.244.1.1", 8080, "node-b", ""));
    }

    @Test
    void whatWasAppliedHasNoFindingsByShapeNorByBaseline() {
        DriftDetector detector = new DriftDetector();

        assertThat(check(detector, snapshot(1), LISTING)).isEmpty();
        assertThat(check(detector, snapshot(1), LISTING)).isEmpty();
    }

    @Test
    void otherComponentsChainsAndRulesAreNoneOfItsBusiness() {
        String listing = LISTING.replace("*nat\n", "*nat\n:CNI-FOREIGN - [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\n"
                + "-A CNI-FOREIGN -j RETURN\n-A PREROUTING -j CNI-FOREIGN\n-A POSTROUTING -s 10.88.0.0/16 -j MASQUERADE\n");

        assertThat(check(new DriftDetector(), snapshot(1), listing)).isEmpty();
    }

    @Test
    void aFlushedServiceChainIsNamedWithItsService() {
        String svc = ChainNames.servicePort(WEB);

        List<DriftDetector.Finding> findings = check(new DriftDetector(), snapshot(1), without(LISTING, "-A " + svc + " "));

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(DriftDetector.Kind.FLUSHED);
            assertThat(f.chain()).isEqualTo(svc);
            assertThat(f.text()).isEqualTo("nat " + svc + " (default/web:p) flushed");
        });
    }

    @Test
    void anEditThatKeepsTheShapeIsFoundAgainstTheBaselineOnly() {
        String edited = LISTING.replace("-s 10.244.1.1 -j KUBE-MARK-MASQ", "-s 192.0.2.99 -j KUBE-MARK-MASQ");
        assertThat(edited).isNotEqualTo(LISTING);

        assertThat(check(new DriftDetector(), snapshot(1), edited)).as("without a baseline, the shape matches").isEmpty();

        DriftDetector detector = new DriftDetector();
        check(detector, snapshot(1), LISTING);
        assertThat(check(detector, snapshot(1), edited)).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(DriftDetector.Kind.EDITED);
            assertThat(f.text()).contains(sep()).contains("edited");
        });
    }

    @Test
    void aChainASyncRewroteIsJudgedAfreshNotAgainstTheOldBaseline() {
        DriftDetector detector = new DriftDetector();
        check(detector, snapshot(1), LISTING);
        String rewritten = LISTING.replace("-s 10.244.1.1 -j KUBE-MARK-MASQ", "-s 192.0.2.99 -j KUBE-MARK-MASQ");

        assertThat(check(detector, snapshot(2), rewritten)).isEmpty();
    }

    @Test
    void missingJumpsAndCanariesAreNamed() {
        String listing = without(LISTING, "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        listing = listing.replaceFirst(":KUBE-PROXY-CANARY - \\[0:0\\]\n", "");

        List<String> texts = check(new DriftDetector(), snapshot(1), listing).stream().map(DriftDetector.Finding::text).toList();

        assertThat(texts).containsExactlyInAnyOrder("jump nat OUTPUT -> KUBE-SERVICES missing",
                "canary mangle KUBE-PROXY-CANARY missing");
    }

    @Test
    void aReturnAheadOfTheServicesChangesKubeServices() {
        String listing = LISTING.replaceFirst("\n-A KUBE-SERVICES ", "\n-A KUBE-SERVICES -j RETURN\n-A KUBE-SERVICES ");

        assertThat(check(new DriftDetector(), snapshot(1), listing)).singleElement().satisfies(f -> {
            assertThat(f.part()).isEqualTo(Ledger.Part.ENTRY);
            assertThat(f.text()).isEqualTo("nat KUBE-SERVICES has 11 rules, 10 written");
        });
    }

    @Test
    void manyDriftedServiceChainsAreCountedInOneLine() {
        String listing = LISTING;
        for (int i = 0; i < 8; i++) {
            listing = without(listing, "-A " + ChainNames.servicePort(new ServicePortName("default", "svc" + i, "p", Protocol.TCP)) + " ");
        }

        List<DriftDetector.Finding> findings = check(new DriftDetector(), snapshot(1), listing);

        assertThat(findings).hasSize(8);
        assertThat(DriftDetector.describe(findings)).singleElement().satisfies(line ->
                assertThat(line).startsWith("8 service chains drifted (8 flushed), e.g. nat KUBE-SVC-"));
    }
}
