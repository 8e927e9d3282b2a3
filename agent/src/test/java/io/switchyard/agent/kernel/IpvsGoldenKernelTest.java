package io.switchyard.agent.kernel;

import io.switchyard.agent.config.ProxyMode;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.SavedRules;
import io.switchyard.agent.ipvs.IpsetCommands;
import io.switchyard.agent.ipvs.IpvsCleanup;
import io.switchyard.agent.ipvs.IpvsDataplane;
import io.switchyard.agent.ipvs.IpvsDump;
import io.switchyard.agent.ipvs.IpvsMode;
import io.switchyard.agent.proxy.DualStackProxier;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.KernelTestTag;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.switchyard.agent.kernel.GoldenFiles.read;
import static io.switchyard.agent.kernel.GoldenFiles.resource;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examiner's check, in a kernel with IPVS (the VM): for each recorded scenario, the real ipvs
 * proxiers of both families (through the shared core, fed from the fixture as the file source
 * feeds them) program a fresh namespace whose only non-loopback address is 10.0.2.15/24, and
 * {@code ipvsadm -Sn}, {@code ipset save}, {@code iptables-save}, {@code ip6tables-save}, the
 * addresses on kube-ipvs0 and the IPVS sysctls must be what kube-proxy v1.32 left; dump-rules'
 * diff must find nothing. Then, on a node that ran iptables mode first, the same end state, and
 * ipvs mode's cleanup leaves nothing of it.
 */
@Tag(KernelTestTag.IPVS_KERNEL)
class IpvsGoldenKernelTest {

    private static final Path GOLDEN = resource("/golden/kube-proxy-v1.32-ipvs");
    private static final Path IPTABLES_GOLDEN = resource("/golden/kube-proxy-v1.32");
    private static final Pattern ADDRESS = Pattern.compile("\\binet6? (\\S+) ");

    /** A namespace shaped like the recording node: lo, and one veth end with 10.0.2.15/24. */
    private static NetworkNamespace node() {
        NetworkNamespace ns = new NetworkNamespace();
        ns.exec("link set lo up\nlink add eth0 type veth peer name peer0\naddr add 10.0.2.15/24 dev eth0\n"
                + "link set eth0 up\nlink set peer0 up\n", "ip", "-batch", "-").requireSuccess("ip -batch");
        return ns;
    }

    private static ProxySettings settings() {
        ProxySettings defaults = ProxySettings.defaults("node-a", List.of(Cidr.parse("10.244.0.0/16")));
        return new ProxySettings(defaults.hostname(), ProxyMode.IPVS, defaults.clusterCidrs(), defaults.masqueradeAll(),
                defaults.masqueradeBit(), defaults.localhostNodePorts(), defaults.nodePortAddresses(),
                defaults.detectLocalMode(), defaults.bridgeInterface(), defaults.interfaceNamePrefix(),
                defaults.featureGates(), defaults.serviceProxyName(), defaults.syncPeriod(), Duration.ofSeconds(1),
                defaults.kubeconfig(), defaults.master(), defaults.healthzBindAddress(), defaults.metricsBindAddress(),
                defaults.bindAddressHardFail(), defaults.ipvs(), defaults.conntrack(), defaults.oomScoreAdj(),
                defaults.configSyncPeriod(), defaults.logging());
    }

    /** Both families' proxiers over the namespace, given the scenario's objects as the file source gives them. */
    private static void runIpvsMode(NetworkNamespace ns, String scenario) {
        ClusterObjects objects = ManifestLoader.load(GOLDEN.resolve(scenario + ".yaml")).objects();
        List<IpvsDataplane> dataplanes = IpvsMode.start(settings(), List.of(IpFamily.IPV4, IpFamily.IPV6),
                IpvsMode.Kernel.inNamespace(ns.name()), Duration.ZERO);
        List<Proxier> proxiers = new ArrayList<>();
        for (IpvsDataplane dataplane : dataplanes) {
            proxiers.add(new Proxier(dataplane, "node-a", Duration.ofSeconds(30), Duration.ofSeconds(1), List.of(),
                    InstantSource.system()));
        }
        try (DualStackProxier proxy = new DualStackProxier(proxiers)) {
            try (Proxier.Batch batch = proxy.deferSyncs()) {
                objects.nodes().forEach(proxy::onNodeAdd);
                objects.services().forEach(proxy::onServiceAdd);
                objects.endpointSlices().forEach(proxy::onEndpointSliceAdd);
                proxy.onServicesSynced();
                proxy.onEndpointSlicesSynced();
            }
            for (Proxier proxier : proxiers) {
                assertThat(proxier.syncProxyRules()).as("sync of %s", proxier).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"03-clusterip-3-endpoints", "08-nodeport", "12-etp-local", "16-session-affinity",
            "17-topology-hints-zone-a"})
    void theKernelHoldsWhatKubeProxyLeft(String scenario) {
        try (NetworkNamespace ns = node()) {
            runIpvsMode(ns, scenario);

            assertKubeProxysState(ns, scenario, false);
            assertThat(sysctls(ns)).containsExactlyInAnyOrderEntriesOf(Map.of("net.ipv4.vs.conntrack", "1",
                    "net.ipv4.vs.expire_nodest_conn", "1", "net.ipv4.vs.expire_quiescent_template", "1",
                    "net.ipv4.ip_forward", "1", "net.ipv4.vs.conn_reuse_mode", "1",
                    "net.ipv4.conf.all.arp_ignore", "0", "net.ipv4.conf.all.arp_announce", "0"));
            assertThat(ns.exec(null, "ip", "-d", "-o", "link", "show", "dev", "kube-ipvs0").stdout())
                    .contains(" dummy ").doesNotContainPattern("<[^>]*\\bUP\\b");
            if (scenario.equals("08-nodeport")) {
                // dump-rules' --diff once (it loads the desired rules into a scratch namespace).
                assertThat(dumpRulesDiff(ns, scenario)).isEmpty();
            }
        }
    }

    @Test
    void anIptablesModeNodeEndsTheSameAndCleanupLeavesNothing() {
        String scenario = "08-nodeport";
        try (NetworkNamespace ns = node()) {
            ns.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
            ns.exec(read(IPTABLES_GOLDEN, scenario + ".iptables-save"), "iptables-restore").requireSuccess("iptables-restore");
            ns.exec(read(IPTABLES_GOLDEN, scenario + ".ip6tables-save"), "ip6tables-restore").requireSuccess("ip6tables-restore");

            runIpvsMode(ns, scenario);
            assertKubeProxysState(ns, scenario, true);

            // ipvs mode's cleanup alone takes everything of a node in ipvs mode: IPVS, the sets,
            // kube-ipvs0 and every chain (IpvsModeSwitchTest runs it with iptables mode's cleanup).
            IpvsMode.Kernel kernel = IpvsMode.Kernel.inNamespace(ns.name());
            ProcessRunner runner = kernel.processes();
            List<Iptables> tables = List.of(new Iptables(IpFamily.IPV4, runner), new Iptables(IpFamily.IPV6, runner));
            try (Ipvs ipvs = kernel.ipvs().get(); NetworkInterfaces links = kernel.interfaces().get()) {
                IpvsCleanup.Result result = IpvsCleanup.run(Optional.of(ipvs), links, new IpsetCommands(runner), tables,
                        IpvsCleanup.Scope.ALL);
                assertThat(result.failures()).isEmpty();
            }

            assertThat(ns.exec(null, "ipvsadm", "-Sn").requireSuccess("ipvsadm").stdout()).isBlank();
            assertThat(ns.exec(null, "ipset", "list", "-n").stdout()).doesNotContain("KUBE-");
            assertThat(ns.exec(null, "ip", "-o", "link", "show").stdout()).doesNotContain("kube-ipvs0");
            for (String tool : List.of("iptables-save", "ip6tables-save")) {
                assertThat(ns.exec(null, tool).stdout().lines().filter(l -> l.contains("KUBE-"))
                        .filter(l -> !l.contains("KUBE-FIREWALL")).toList()).as(tool).isEmpty();
            }
        }
    }

    private static void assertKubeProxysState(NetworkNamespace ns, String scenario, boolean kubeletChains) {
        assertThat(normaliseIpvsadm(ns.exec(null, "ipvsadm", "-Sn").requireSuccess("ipvsadm -Sn").stdout()))
                .as("ipvsadm -Sn").isEqualTo(normaliseIpvsadm(read(GOLDEN, scenario + ".ipvsadm")));
        assertThat(GoldenIpvsTest.normaliseIpsets(ns.exec(null, "ipset", "save").requireSuccess("ipset save").stdout()))
                .as("ipset save").isEqualTo(GoldenIpvsTest.normaliseIpsets(read(GOLDEN, scenario + ".ipset")));
        for (String tool : List.of("iptables", "ip6tables")) {
            String fixture = read(GOLDEN, scenario + (tool.equals("iptables") ? ".save" : ".v6.save"));
            String ours = ns.exec(null, tool + "-save").requireSuccess(tool + "-save").stdout();
            if (kubeletChains) {
                ours = IpvsModeSwitchTest.withoutKubeletChains(ours);
            }
            // Both sides are iptables-save 1.8.9 (nf_tables) output: they compare as they are.
            assertThat(SavedRules.normalise(ours, SavedRules.Mode.IPVS)).as(tool + "-save")
                    .isEqualTo(SavedRules.normalise(fixture, SavedRules.Mode.IPVS));
        }
        assertThat(addresses(ns.exec(null, "ip", "-o", "addr", "show", "dev", "kube-ipvs0").stdout()))
                .as("kube-ipvs0").isEqualTo(addresses(read(GOLDEN, scenario + ".addr")));
    }

    /** What {@code dump-rules --proxy-mode ipvs --diff} prints for the IPv4 proxier in the namespace. */
    private static List<String> dumpRulesDiff(NetworkNamespace ns, String scenario) {
        IpvsMode.Kernel kernel = IpvsMode.Kernel.inNamespace(ns.name());
        ClusterSnapshot cluster = ClusterSnapshot.of(IpFamily.IPV4, "node-a", new ProxySelection(""),
                ManifestLoader.load(GOLDEN.resolve(scenario + ".yaml")).objects());
        IpvsDesiredState desired = IpvsDump.render(settings(), IpFamily.IPV4, cluster, kernel);
        try (Ipvs ipvs = kernel.ipvs().get()) {
            return IpvsDump.diff(IpFamily.IPV4, desired, IpvsDump.live(IpFamily.IPV4, Optional.of(ipvs), kernel.processes()),
                    kernel.processes(), new HostProcessRunner());
        } catch (IpsetCommands.IpsetException | Iptables.ToolException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sysctls kube-proxy's ipvs mode may touch, read with sysctl(8) in the namespace. */
    private static Map<String, String> sysctls(NetworkNamespace ns) {
        String shown = ns.exec(null, "sysctl", "net.ipv4.vs.conntrack", "net.ipv4.vs.expire_nodest_conn",
                "net.ipv4.vs.expire_quiescent_template", "net.ipv4.ip_forward", "net.ipv4.vs.conn_reuse_mode",
                "net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce").requireSuccess("sysctl").stdout();
        Map<String, String> values = new java.util.LinkedHashMap<>();
        shown.lines().map(l -> l.split(" = ")).forEach(kv -> values.put(kv[0].strip(), kv[1].strip()));
        return values;
    }

    static List<String> normaliseIpvsadm(String text) {
        return text.lines().map(l -> String.join(" ", Arrays.asList(l.strip().split("\\s+"))))
                .filter(l -> !l.isEmpty()).sorted().toList();
    }

    private static List<String> addresses(String ipAddr) {
        List<String> out = new ArrayList<>();
        Matcher m = ADDRESS.matcher(ipAddr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out.stream().sorted().toList();
    }


}
