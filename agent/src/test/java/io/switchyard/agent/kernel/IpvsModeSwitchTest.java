package io.switchyard.agent.kernel;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Cleanup;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.iptables.SavedRules;
import io.switchyard.agent.ipvs.IpsetCommands;
import io.switchyard.agent.ipvs.IpvsCleanup;
import io.switchyard.agent.ipvs.IpvsDataplane;
import io.switchyard.agent.ipvs.IpvsLeftovers;
import io.switchyard.agent.ipvs.IpvsMode;
import io.switchyard.agent.healthcheck.Reports;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.node.Sysctls;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.ipvs.InMemoryIpvs;
import io.switchyard.netlink.rtnl.InMemoryNetworkInterfaces;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.switchyard.agent.kernel.GoldenFiles.read;
import static io.switchyard.agent.kernel.GoldenFiles.resource;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Switching proxy modes on one node, with this host's iptables and ipset in a throwaway
 * namespace (IPVS and kube-ipvs0 in memory, since this kernel has neither): ipvs mode started on
 * an iptables-mode node ends with exactly what kube-proxy's ipvs mode installs; iptables mode on
 * an ipvs-mode node, with {@link IpvsCleanup.Scope#IPVS_ONLY} after its sync, ends with exactly
 * what kube-proxy's iptables mode installs; {@code --cleanup} (both cleanups) leaves nothing of
 * either. Expected states are the recorded kube-proxy v1.32 fixtures, loaded into fresh
 * namespaces and read back through the kernel.
 */
class IpvsModeSwitchTest {

    private static final String SCENARIO = "08-nodeport";
    private static final Path IPVS_GOLDEN = resource("/golden/kube-proxy-v1.32-ipvs");
    private static final Path IPTABLES_GOLDEN = resource("/golden/kube-proxy-v1.32");

    /** The cleanup never reads or writes sysctls. */
    private static final Sysctls UNUSED_SYSCTLS = new Sysctls() {
        @Override
        public String read(String key) {
            throw new AssertionError("read " + key);
        }

        @Override
        public void write(String key, String value) {
            throw new AssertionError("write " + key);
        }
    };

    private NetworkNamespace ns;
    private ProcessRunner runner;
    private final InMemoryIpvs ipvs = new InMemoryIpvs();
    private final InMemoryNetworkInterfaces links = new InMemoryNetworkInterfaces();
    private ClusterSnapshot cluster;
    private ProxySettings settings;

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
        assertThat(NetworkNamespace.run(null, "sh", "-c", "command -v ipset").exitCode()).as("ipset").isZero();
    }

    @BeforeEach
    void setUp() {
        ns = new NetworkNamespace();
        ns.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
        runner = HostProcessRunner.inNetworkNamespace(ns.name());
        links.createVethPair("eth0", "peer0");
        links.addAddress("eth0", new LinkAddress("10.0.2.15", 24, LinkAddress.SCOPE_UNIVERSE, 0));
        ManifestLoader.Result loaded = ManifestLoader.load(IPVS_GOLDEN.resolve(SCENARIO + ".yaml"));
        assertThat(loaded.problems()).isEmpty();
        cluster = ClusterSnapshot.of(IpFamily.IPV4, "node-a", new ProxySelection(""), loaded.objects());
        settings = ProxySettings.defaults("node-a", List.of(Cidr.parse("10.244.0.0/16")));
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    private SyncOutcome ipvsSync() {
        // Closing the dataplane closes IPVS and the links, which in memory keeps them as they are.
        try (IpvsDataplane dataplane = new IpvsDataplane(IpFamily.IPV4, settings, ipvs, links,
                new IpsetCommands(runner), new Iptables(IpFamily.IPV4, runner), Duration.ZERO)) {
            return dataplane.sync(new SyncRequest.Full(cluster.state(), cluster.node()));
        }
    }

    private String saved() {
        return ns.exec(null, "iptables-save").requireSuccess("iptables-save").stdout();
    }

    @Test
    void ipvsModeOnAnIptablesModeNodeLeavesExactlyWhatKubeProxysIpvsModeInstalls() {
        ns.exec(read(IPTABLES_GOLDEN, SCENARIO + ".iptables-save"), "iptables-restore")
                .requireSuccess("iptables-restore of iptables mode's rules");

        SyncOutcome outcome = ipvsSync();

        assertThat(outcome).isInstanceOfSatisfying(SyncOutcome.Applied.class,
                a -> assertThat((Integer) a.details().get("iptablesModeLeftovers")).isPositive());
        // kubelet's KUBE-FIREWALL (which the iptables fixture carries) is not ours to remove.
        assertThat(SavedRules.normalise(withoutKubeletChains(saved()), SavedRules.Mode.IPVS))
                .isEqualTo(kubeProxyIpvsRules());
    }

    @Test
    void iptablesModeOnAnIpvsModeNodeThenIpvsOnlyCleanupLeavesExactlyWhatKubeProxysIptablesModeInstalled() {
        assertThat(ipvsSync()).isInstanceOf(SyncOutcome.Applied.class);
        assertThat(ns.exec(null, "ipset", "list", "-n").stdout()).contains("KUBE-CLUSTER-IP");

        IptablesDataplane iptablesMode = new IptablesDataplane(IpFamily.IPV4, settings,
                new Iptables(IpFamily.IPV4, runner), new NfacctCounters(runner));
        assertThat(iptablesMode.sync(new SyncRequest.Full(cluster.state(), cluster.node())))
                .isInstanceOf(SyncOutcome.Applied.class);
        IpvsCleanup.Result result = IpvsCleanup.run(Optional.of(ipvs), links, new IpsetCommands(runner),
                List.of(new Iptables(IpFamily.IPV4, runner)), IpvsCleanup.Scope.IPVS_ONLY);

        assertThat(result.failures()).isEmpty();
        String theirs = loadAndSave("iptables", read(IPTABLES_GOLDEN, SCENARIO + ".iptables-save"), null);
        // The jump both modes write the same stays where ipvs mode put it, as kube-proxy's
        // EnsureRule leaves a rule that exists: only its place in FORWARD differs.
        String sharedJump = "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n";
        String ours = SavedRules.normalise(saved());
        assertThat(ours).contains(sharedJump);
        assertThat(ours.replace(sharedJump, "")).isEqualTo(SavedRules.normalise(theirs).replace(sharedJump, ""));
        assertThat(ns.exec(null, "ipset", "list", "-n").stdout()).doesNotContain("KUBE-");
        assertThat(ipvs.virtualServers()).isEmpty();
        assertThat(links.link("kube-ipvs0")).isEmpty();
    }

    @Test
    void theRunningAgentInIptablesModeTakesOutIpvsModesLeftoversOnceEveryFamilyHasSynced() throws Exception {
        assertThat(ipvsSync()).isInstanceOf(SyncOutcome.Applied.class);
        IpvsMode.Kernel kernel = new IpvsMode.Kernel(() -> ipvs, () -> links, runner, UNUSED_SYSCTLS);
        List<SyncListener> listeners = IpvsLeftovers.ifPresent(kernel, List.of(IpFamily.IPV4));
        assertThat(listeners).hasSize(1);
        IptablesDataplane iptablesMode = new IptablesDataplane(IpFamily.IPV4, settings,
                new Iptables(IpFamily.IPV4, runner), new NfacctCounters(runner));
        SyncOutcome outcome = iptablesMode.sync(new SyncRequest.Full(cluster.state(), cluster.node()));

        listeners.getFirst().syncCompleted(Reports.report(IpFamily.IPV4, true, Instant.EPOCH, Duration.ZERO,
                Map.of(), Map.of(), outcome));

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (links.link("kube-ipvs0").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(links.link("kube-ipvs0")).isEmpty();
        assertThat(ipvs.virtualServers()).isEmpty();
        assertThat(ns.exec(null, "ipset", "list", "-n").stdout()).doesNotContain("KUBE-");
        String theirs = loadAndSave("iptables", read(IPTABLES_GOLDEN, SCENARIO + ".iptables-save"), null);
        String sharedJump = "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n";
        assertThat(SavedRules.normalise(saved()).replace(sharedJump, ""))
                .isEqualTo(SavedRules.normalise(theirs).replace(sharedJump, ""));
    }

    @Test
    void aNodeWithoutKubeIpvs0IsLeftAlone() {
        IpvsMode.Kernel kernel = new IpvsMode.Kernel(() -> ipvs, () -> links, runner, UNUSED_SYSCTLS);
        assertThat(IpvsLeftovers.ifPresent(kernel, List.of(IpFamily.IPV4))).isEmpty();
    }

    @Test
    void cleanupAfterIpvsModeLeavesNothingOfEitherMode() throws Exception {
        ns.exec(read(IPTABLES_GOLDEN, SCENARIO + ".iptables-save"), "iptables-restore")
                .requireSuccess("iptables-restore of iptables mode's rules");
        assertThat(ipvsSync()).isInstanceOf(SyncOutcome.Applied.class);

        cleanupBothModes();

        assertNothingLeft();
    }

    @Test
    void cleanupAfterIptablesModeLeavesNothingEither() throws Exception {
        ns.exec(read(IPTABLES_GOLDEN, SCENARIO + ".iptables-save"), "iptables-restore")
                .requireSuccess("iptables-restore of iptables mode's rules");

        cleanupBothModes();

        assertNothingLeft();
    }

    /** As {@code run --cleanup}: ipvs mode's cleanup, then iptables mode's. */
    private void cleanupBothModes() throws Iptables.ToolException {
        IpvsCleanup.Result result = IpvsCleanup.run(Optional.of(ipvs), links, new IpsetCommands(runner),
                List.of(new Iptables(IpFamily.IPV4, runner)), IpvsCleanup.Scope.ALL);
        assertThat(result.failures()).isEmpty();
        assertThat(Cleanup.run(new Iptables(IpFamily.IPV4, runner))).isTrue();
    }

    private void assertNothingLeft() {
        List<String> ours = saved().lines().filter(l -> l.contains("KUBE-"))
                .filter(l -> !l.contains("KUBE-FIREWALL")).toList();
        assertThat(ours).isEmpty();
        assertThat(ns.exec(null, "ipset", "list", "-n").stdout()).doesNotContain("KUBE-");
        assertThat(ipvs.virtualServers()).isEmpty();
        assertThat(links.link("kube-ipvs0")).isEmpty();
    }

    /** kube-proxy's ipvs-mode iptables rules for the scenario, read back through a fresh kernel. */
    private static String kubeProxyIpvsRules() {
        String save = loadAndSave("iptables", read(IPVS_GOLDEN, SCENARIO + ".save"), read(IPVS_GOLDEN, SCENARIO + ".ipset"));
        return SavedRules.normalise(save, SavedRules.Mode.IPVS);
    }

    private static String loadAndSave(String tool, String document, String ipsets) {
        try (NetworkNamespace fresh = new NetworkNamespace()) {
            fresh.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
            if (ipsets != null) {
                fresh.exec(ipsets, "ipset", "restore").requireSuccess("ipset restore");
            }
            fresh.exec(document, tool + "-restore").requireSuccess(tool + "-restore");
            return fresh.exec(null, tool + "-save").requireSuccess(tool + "-save").stdout();
        }
    }

    /** Leaves out kubelet's KUBE-FIREWALL and tables that hold nothing but empty builtin chains. */
    static String withoutKubeletChains(String save) {
        StringBuilder out = new StringBuilder();
        StringBuilder table = new StringBuilder();
        boolean hasRules = false;
        for (String line : save.split("\n")) {
            if (line.contains("KUBE-FIREWALL") || line.startsWith("#")) {
                continue;
            }
            table.append(line).append('\n');
            if (line.startsWith("-A ") || (line.startsWith(":") && line.contains(" - "))) {
                hasRules = true;
            }
            if (line.equals("COMMIT")) {
                if (hasRules) {
                    out.append(table);
                }
                table.setLength(0);
                hasRules = false;
            }
        }
        return out.toString();
    }


}
