package io.switchyard.agent.ipvs;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncRequest;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.ipvs.InMemoryIpvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.netlink.rtnl.InMemoryNetworkInterfaces;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dump-rules' ipvs parts in a namespace shaped like the fixtures' node (one interface with
 * 10.0.2.15/24): the desired virtual servers are kube-proxy's; after a sync, the live state and
 * the desired one do not differ; changes behind the proxy's back show up in the right part.
 * (IPVS and kube-ipvs0 in memory: this kernel has neither.)
 */
class IpvsDumpTest {

    private static final String SCENARIO = "08-nodeport";

    private NetworkNamespace ns;
    private ProcessRunner runner;
    private ClusterSnapshot cluster;
    private ProxySettings settings;

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
    }

    @BeforeEach
    void setUp() throws URISyntaxException {
        ns = new NetworkNamespace();
        ns.exec("link add eth0 type veth peer name peer0\naddr add 10.0.2.15/24 dev eth0\nlink set eth0 up\n"
                + "link set lo up\n", "ip", "-batch", "-").requireSuccess("ip -batch");
        runner = HostProcessRunner.inNetworkNamespace(ns.name());
        ManifestLoader.Result loaded = ManifestLoader.load(golden().resolve(SCENARIO + ".yaml"));
        cluster = ClusterSnapshot.of(IpFamily.IPV4, "node-a", new ProxySelection(""), loaded.objects());
        settings = ProxySettings.defaults("node-a", List.of(Cidr.parse("10.244.0.0/16")));
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    private static Path golden() throws URISyntaxException {
        return Path.of(IpvsDumpTest.class.getResource("/golden/kube-proxy-v1.32-ipvs").toURI());
    }

    @Test
    void theDesiredVirtualServersAreKubeProxysForTheNamespacesAddresses() throws IOException, URISyntaxException {
        IpvsDesiredState desired = IpvsDump.render(settings, IpFamily.IPV4, cluster, IpvsMode.Kernel.inNamespace(ns.name()));

        String section = IpvsDump.desired(desired).virtualServers();

        assertThat(section.lines().sorted().toList())
                .isEqualTo(Files.readString(golden().resolve(SCENARIO + ".ipvsadm")).lines()
                        .map(l -> String.join(" ", Arrays.asList(l.strip().split("\\s+")))).sorted().toList());
    }

    @Test
    void afterASyncNothingDiffersAndChangesBehindItsBackShowInTheirPart() throws Exception {
        IpvsDesiredState desired = IpvsDump.render(settings, IpFamily.IPV4, cluster, IpvsMode.Kernel.inNamespace(ns.name()));
        InMemoryIpvs ipvs = new InMemoryIpvs();
        InMemoryNetworkInterfaces links = new InMemoryNetworkInterfaces();
        links.createVethPair("eth0", "peer0");
        links.addAddress("eth0", new LinkAddress("10.0.2.15", 24, LinkAddress.SCOPE_UNIVERSE, 0));
        try (IpvsDataplane dataplane = new IpvsDataplane(IpFamily.IPV4, settings, ipvs, links, new IpsetCommands(runner),
                new Iptables(IpFamily.IPV4, runner), Duration.ZERO)) {
            assertThat(dataplane.sync(new SyncRequest.Full(cluster.state(), cluster.node())))
                    .isInstanceOf(SyncOutcome.Applied.class);
        }
        ProcessRunner host = new HostProcessRunner();

        assertThat(IpvsDump.diff(IpFamily.IPV4, desired, IpvsDump.live(IpFamily.IPV4, Optional.of(ipvs), runner),
                runner, host)).isEmpty();

        ipvs.deleteVirtualServer(new VirtualServer.Key(IpFamily.IPV4, Protocol.TCP, "10.96.8.1", 80));
        ns.exec(null, "ipset", "del", "KUBE-CLUSTER-IP", "10.96.8.2,tcp:443").requireSuccess("ipset del");
        ns.exec(null, "ipset", "add", "KUBE-CLUSTER-IP", "10.96.9.9,tcp:99").requireSuccess("ipset add");
        ns.exec(null, "iptables", "-t", "nat", "-F", "KUBE-MARK-MASQ").requireSuccess("iptables -F");
        List<String> differences = IpvsDump.diff(IpFamily.IPV4, desired,
                IpvsDump.live(IpFamily.IPV4, Optional.of(ipvs), runner), runner, host);

        assertThat(differences).contains("+ ipvs: -A -t 10.96.8.1:80 -s rr",
                "+ ipvs: -a -t 10.96.8.1:80 -r 10.244.1.80:8080 -m -w 1",
                "+ ipset: add KUBE-CLUSTER-IP 10.96.8.2,tcp:443", "- ipset: add KUBE-CLUSTER-IP 10.96.9.9,tcp:99",
                "+ iptables: -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000");
        assertThat(differences).allMatch(l -> l.startsWith("+ ") || l.startsWith("- "));
        assertThat(IpvsDump.live(IpFamily.IPV4, Optional.empty(), runner).virtualServers())
                .isEqualTo("# (this kernel has no IPVS)\n");
    }
}
