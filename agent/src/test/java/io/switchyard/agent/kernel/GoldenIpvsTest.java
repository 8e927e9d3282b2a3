package io.switchyard.agent.kernel;

import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.agent.iptables.SavedRules;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.desired.HostAddresses.InterfaceAddress;
import io.switchyard.ipvs.desired.IpvsConfig;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.ipvs.desired.IpvsRenderer;
import io.switchyard.ipvs.desired.IpvsadmText;
import io.switchyard.ipvs.ipset.IpsetPlan;
import io.switchyard.ipvs.ipset.IpsetSnapshot;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden comparison against real kube-proxy v1.32 in ipvs mode: for each recorded cluster state,
 * the IPv4 and IPv6 proxiers' desired states must give the same virtual servers, the same
 * addresses on kube-ipvs0, and — loaded into fresh network namespaces and read back — the same
 * ipsets and the same iptables rules as kube-proxy installed.
 */
class GoldenIpvsTest {

    private static final Path GOLDEN = goldenDirectory();
    /** The node's interfaces during every capture (see the fixture README). */
    private static final List<InterfaceAddress> INTERFACES = List.of(
            new InterfaceAddress("lo", "127.0.0.1"), new InterfaceAddress("lo", "::1"),
            new InterfaceAddress("eth0", "10.0.2.15"), new InterfaceAddress("eth0", "fe80::5054:ff:fe12:3456"));

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
        assertThat(NetworkNamespace.run(null, "sh", "-c", "command -v ipset").exitCode())
                .as("ipset is installed").isZero();
    }

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.replace(".yaml", "")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void virtualServersMatchIpvsadm(String scenario) throws IOException {
        String ours = IpvsadmText.save(render(scenario, IpFamily.IPV4)) + IpvsadmText.save(render(scenario, IpFamily.IPV6));
        assertThat(sortedLines(ours)).isEqualTo(sortedLines(read(scenario + ".ipvsadm")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void boundAddressesMatchKubeIpvs0(String scenario) throws IOException {
        List<String> ours = new ArrayList<>();
        render(scenario, IpFamily.IPV4).boundAddresses().forEach(a -> ours.add(a + "/32"));
        render(scenario, IpFamily.IPV6).boundAddresses().forEach(a -> ours.add(a + "/128"));
        List<String> theirs = read(scenario + ".addr").lines()
                .map(l -> l.replaceFirst(".*\\binet6? (\\S+) .*", "$1")).sorted().toList();
        assertThat(ours.stream().sorted().toList()).isEqualTo(theirs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void ipsetsLoadIntoTheSameKernelStateAsKubeProxy(String scenario) throws IOException {
        String ours;
        try (NetworkNamespace ns = new NetworkNamespace()) {
            restoreOurSets(ns, scenario);
            ours = ns.exec(null, "ipset", "save").requireSuccess("ipset save").stdout();
        }
        assertThat(normaliseIpsets(ours)).isEqualTo(normaliseIpsets(read(scenario + ".ipset")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void iptablesGlueLoadsIntoTheSameKernelStateAsKubeProxy(String scenario) throws IOException {
        String ours4;
        String ours6;
        try (NetworkNamespace ns = new NetworkNamespace()) {
            restoreOurSets(ns, scenario);
            ours4 = restoreAndSave(ns, "iptables", render(scenario, IpFamily.IPV4).rules().forEmptyNamespace());
            ours6 = restoreAndSave(ns, "ip6tables", render(scenario, IpFamily.IPV6).rules().forEmptyNamespace());
        }
        String theirs4;
        String theirs6;
        try (NetworkNamespace ns = new NetworkNamespace()) {
            ns.exec(read(scenario + ".ipset"), "ipset", "restore").requireSuccess("ipset restore of the fixture");
            theirs4 = restoreAndSave(ns, "iptables", read(scenario + ".save"));
            theirs6 = restoreAndSave(ns, "ip6tables", read(scenario + ".v6.save"));
        }
        assertThat(SavedRules.normalise(ours4, SavedRules.Mode.IPVS))
                .isEqualTo(SavedRules.normalise(theirs4, SavedRules.Mode.IPVS));
        assertThat(SavedRules.normalise(ours6, SavedRules.Mode.IPVS))
                .isEqualTo(SavedRules.normalise(theirs6, SavedRules.Mode.IPVS));
    }

    /** Both proxiers' sets, each through the apply plan against the namespace's (empty) sets. */
    private static void restoreOurSets(NetworkNamespace ns, String scenario) {
        for (IpFamily family : IpFamily.values()) {
            String listed = ns.exec(null, "ipset", "save").requireSuccess("ipset save").stdout();
            IpsetPlan plan = IpsetPlan.compute(render(scenario, family).ipsets(), IpsetSnapshot.parse(listed));
            assertThat(plan.conflicts()).isEmpty();
            ns.exec(plan.script(), "ipset", "restore").requireSuccess("ipset restore of the " + family + " plan");
        }
    }

    private static String restoreAndSave(NetworkNamespace ns, String tool, String document) {
        ns.exec(document, tool + "-restore", "--noflush").requireSuccess(tool + "-restore");
        return ns.exec(null, tool + "-save").requireSuccess(tool + "-save").stdout();
    }

    static IpvsDesiredState render(String scenario, IpFamily family) {
        ManifestLoader.Result loaded = ManifestLoader.load(GOLDEN.resolve(scenario + ".yaml"));
        assertThat(loaded.problems()).isEmpty();
        ClusterSnapshot built = ClusterSnapshot.of(family, "node-a", new ProxySelection(""), loaded.objects());
        LocalTrafficDetector detector = family == IpFamily.IPV4
                ? new LocalTrafficDetector.ByCidr("10.244.0.0/16") : new LocalTrafficDetector.None();
        IpvsConfig config = IpvsConfig.defaults(family, detector);
        HostAddresses host = HostAddresses.of(family, INTERFACES, NodePortAddresses.all());
        IpvsDesiredState state = new IpvsRenderer(config).render(built.state(), built.node(), host);
        assertThat(state.problems()).isEmpty();
        return state;
    }

    /** The fixture README's rule: creates sorted, then adds sorted, without the sizing and seed options. */
    static String normaliseIpsets(String save) {
        List<String> creates = new ArrayList<>();
        List<String> adds = new ArrayList<>();
        for (String line : save.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            if (line.startsWith("create ")) {
                creates.add(line.replaceAll(" (hashsize|maxelem|bucketsize|initval) \\S+", ""));
            } else {
                adds.add(line);
            }
        }
        return Stream.concat(creates.stream().sorted(), adds.stream().sorted()).collect(Collectors.joining("\n"));
    }

    private static List<String> sortedLines(String text) {
        return text.lines().map(l -> String.join(" ", Arrays.asList(l.strip().split("\\s+"))))
                .filter(l -> !l.isEmpty()).sorted().toList();
    }

    private static String read(String name) throws IOException {
        return Files.readString(GOLDEN.resolve(name));
    }

    private static Path goldenDirectory() {
        try {
            return Path.of(GoldenIpvsTest.class.getResource("/golden/kube-proxy-v1.32-ipvs").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
