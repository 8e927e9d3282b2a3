package io.switchyard.agent.fault;

import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.iptables.SavedRules;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real agent process, its tables flushed or tampered with by someone else, one kind of damage
 * after another: the nat table flushed, the filter table flushed, the nat table replaced by
 * another program's (iptables-restore without --noflush), one Service's chain flushed, the jump
 * from PREROUTING deleted, a RETURN put at the top of KUBE-SERVICES, an endpoint rule edited in
 * place, the canary chain deleted. Each must be repaired to exactly the rules the agent had
 * installed (another program's chains left alone) within a sync period and a sync, and the agent
 * must say what it repaired. The drift tests of the iptables package check each repair in
 * detail; this suite measures them on the real process with {@code --iptables-sync-period}
 * {@value #SYNC_PERIOD}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TamperedTableFaultTest {

    private static final String SYNC_PERIOD = "2s";
    /** A sync period for the check to come round, the check, the sync, on a busy machine. */
    private static final Duration REPAIR_DEADLINE = Duration.ofSeconds(15);
    /** The one damage made only once a drift check has passed since the last rewrite. */
    private static final String SETTLE_FIRST = "masquerade rule's source edited in place";

    private AgentFixture node;
    private AgentProcess agent;
    private NetworkNamespace ns;

    @BeforeEach
    void requireKernel() {
        KernelTestSupport.requireRootWithIptables();
    }

    @AfterEach
    void stop() throws Exception {
        AgentFixture.closeWithoutStackTraces(node, agent);
    }

    @Test
    void everyKindOfDamageIsRepairedWithinASyncPeriod() throws Exception {
        node = AgentFixture.create(new ClusterGenerator(200, 3, 5).generate());
        ns = node.ns;
        agent = node.startAgent("--iptables-sync-period", SYNC_PERIOD);
        String installed = NamespaceAccess.rules(ns);
        String save = NamespaceAccess.save(ns);
        String svc = firstChain(save, "KUBE-SVC-");
        String sep = firstChain(save, "KUBE-SEP-");
        String sepMasq = save.lines().filter(l -> l.startsWith("-A " + sep + " ") && l.contains("KUBE-MARK-MASQ"))
                .findFirst().orElseThrow();
        String sepComment = sepMasq.replaceAll(".*--comment (\"[^\"]*\"|\\S+).*", "$1").replace("\"", "");
        String dnat = save.lines().filter(l -> l.startsWith("-A " + sep + " ") && l.contains("DNAT")).findFirst().orElseThrow();
        String port = dnat.replaceAll(".*--to-destination \\S+:(\\d+).*", "$1");

        Map<String, Runnable> damages = new LinkedHashMap<>();
        damages.put("nat table flushed", () -> iptables("-t", "nat", "-F"));
        damages.put("filter table flushed", () -> iptables("-t", "filter", "-F"));
        damages.put("nat table replaced by another program's", () -> ns.exec(
                "*nat\n:FOREIGN - [0:0]\n-A FOREIGN -d 192.0.2.0/24 -j RETURN\n-A PREROUTING -j FOREIGN\nCOMMIT\n",
                "iptables-restore").requireSuccess("iptables-restore"));
        damages.put("service chain flushed", () -> iptables("-t", "nat", "-F", svc));
        damages.put("jump from PREROUTING deleted", () -> iptables("-t", "nat", "-D", "PREROUTING", "-m", "comment",
                "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES"));
        damages.put("RETURN at the top of KUBE-SERVICES", () -> iptables("-t", "nat", "-I", "KUBE-SERVICES", "1",
                "-j", "RETURN"));
        damages.put("DNAT destination edited in place", () -> iptables("-t", "nat", "-R", sep, "2", "-p", "tcp",
                "-m", "comment", "--comment", sepComment, "-m", "tcp", "-j", "DNAT", "--to-destination",
                "192.0.2.1:" + port));
        // Only an exact comparison with what the kernel printed before shows this edit (the rule
        // keeps its target, comment and ports): a drift check must have passed since the chain was
        // last written, so the test lets one come round before making it (see SETTLE_FIRST).
        damages.put(SETTLE_FIRST, () -> iptables("-t", "nat", "-R", sep, "1", "-s", "192.0.2.99/32", "-m", "comment",
                "--comment", sepComment, "-j", "KUBE-MARK-MASQ"));
        damages.put("canary chain deleted", () -> iptables("-t", "mangle", "-X", "KUBE-PROXY-CANARY"));

        Map<String, Long> repairs = new LinkedHashMap<>();
        boolean foreign = false;
        for (Map.Entry<String, Runnable> damage : damages.entrySet()) {
            // From the foreign restore on, another program's chain stays: only ours are compared.
            foreign |= damage.getKey().contains("another program");
            boolean ownOnly = foreign;
            Function<String, String> view = ownOnly ? SavedRules::normaliseOwn : SavedRules::normalise;
            String expected = ownOnly ? SavedRules.normaliseOwn(save) : installed;
            long logged = agent.count(l -> l.contains("drifted") || l.contains("Repaired"));

            if (damage.getKey().equals(SETTLE_FIRST)) {
                Thread.sleep(2500);
            }
            long start = System.nanoTime();
            damage.getValue().run();
            assertThat(view.apply(NamespaceAccess.save(ns))).as("%s changed the rules", damage.getKey()).isNotEqualTo(expected);
            boolean repaired = AgentFixture.await(() -> view.apply(NamespaceAccess.save(ns)).equals(expected), REPAIR_DEADLINE);
            long millis = FaultFigures.millisSince(start);
            assertThat(repaired).as("%s repaired within %s; still different: %s; log:%s", damage.getKey(), REPAIR_DEADLINE,
                    difference(expected, view.apply(NamespaceAccess.save(ns))), agent.tail(10)).isTrue();
            assertThat(AgentFixture.await(() -> agent.count(l -> l.contains("drifted") || l.contains("Repaired")) > logged,
                    Duration.ofSeconds(5))).as("the agent said what it repaired after: %s; log:%s", damage.getKey(),
                    agent.tail(12)).isTrue();
            repairs.put(damage.getKey(), millis);
            System.out.printf("repaired %s in %d ms%n", damage.getKey(), millis);
        }
        assertThat(agent.lines().stream().map(AgentProcess.Line::text)
                .filter(l -> l.contains("Sync failed") || l.contains("refused")).toList())
                .as("no sync failed and no Service was blamed while repairing").isEmpty();
        String final_ = NamespaceAccess.save(ns);
        assertThat(final_).as("another program's chain is left alone").contains(":FOREIGN", "-A PREROUTING -j FOREIGN");
        assertThat(agent.alive()).isTrue();
        repairs.forEach((what, millis) ->
                FaultFigures.record("tampered-table", what.replaceAll("[^A-Za-z0-9]+", "_") + "_ms", millis));
    }

    /**
     * Deterministically, without a drift check in between: the first sync after another program
     * replaced the nat table (our chains deleted, not just flushed) rewrites everything, and
     * neither fails nor blames a Service for the chains that are gone.
     */
    @Test
    void theFirstSyncAfterTheNatTableWasReplacedRewritesItWithoutBlamingAService() {
        try (NetworkNamespace scratch = new NetworkNamespace()) {
            ProcessRunner processes = HostProcessRunner.inNetworkNamespace(scratch.name());
            ProxySettings settings = ProxySettings.defaults(ClusterGenerator.NODE,
                    List.of(Cidr.parse(ClusterGenerator.CLUSTER_CIDR))).withSyncPeriods(Duration.ofSeconds(30), Duration.ZERO);
            List<SyncReport> reports = new CopyOnWriteArrayList<>();
            SyncListener recorder = new SyncListener() {
                @Override
                public void syncCompleted(SyncReport report) {
                    reports.add(report);
                }
            };
            try (Proxier proxier = new Proxier(new IptablesDataplane(IpFamily.IPV4, settings,
                    new Iptables(IpFamily.IPV4, processes), new NfacctCounters(processes)), ClusterGenerator.NODE,
                    settings.syncPeriod(), settings.minSyncPeriod(), List.of(recorder), InstantSource.system())) {
                ClusterObjects cluster = new ClusterGenerator(50, 3, 5).generate();
                cluster.nodes().forEach(proxier::onNodeAdd);
                cluster.services().forEach(proxier::onServiceAdd);
                cluster.endpointSlices().forEach(proxier::onEndpointSliceAdd);
                proxier.onServicesSynced();
                proxier.onEndpointSlicesSynced();
                assertThat(proxier.syncProxyRules()).as("install").isTrue();
                String installed = SavedRules.normaliseOwn(NamespaceAccess.save(scratch));

                scratch.exec("*nat\n:FOREIGN - [0:0]\n-A PREROUTING -j FOREIGN\nCOMMIT\n", "iptables-restore")
                        .requireSuccess("iptables-restore");
                assertThat(SavedRules.normaliseOwn(NamespaceAccess.save(scratch))).isNotEqualTo(installed);

                assertThat(proxier.syncProxyRules()).as("the next sync: %s", reports.getLast().outcome()).isTrue();
                assertThat(reports.getLast().outcome()).isInstanceOfSatisfying(SyncOutcome.Applied.class,
                        applied -> assertThat(applied.refused()).as("Services blamed").isEmpty());
                assertThat(SavedRules.normaliseOwn(NamespaceAccess.save(scratch))).isEqualTo(installed);
            }
        }
    }

    /** The lines only one of two normalised rulesets has, for failure messages. */
    private static String difference(String expected, String actual) {
        List<String> want = expected.lines().toList();
        List<String> have = actual.lines().toList();
        List<String> missing = want.stream().filter(l -> !have.contains(l)).limit(10).toList();
        List<String> extra = have.stream().filter(l -> !want.contains(l)).limit(10).toList();
        return "missing " + missing + ", unexpected " + extra;
    }

    private void iptables(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "iptables";
        System.arraycopy(args, 0, argv, 1, args.length);
        ns.exec(null, argv).requireSuccess(String.join(" ", argv));
    }

    private static String firstChain(String save, String prefix) {
        return save.lines().filter(l -> l.startsWith(":" + prefix)).map(l -> l.substring(1, l.indexOf(' ')))
                .findFirst().orElseThrow();
    }
}
