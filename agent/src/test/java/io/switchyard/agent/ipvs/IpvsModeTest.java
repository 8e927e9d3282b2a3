package io.switchyard.agent.ipvs;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.IpvsSettings;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.node.NodeSettingException;
import io.switchyard.agent.node.Sysctls;
import io.switchyard.ipvs.InMemoryIpvs;
import io.switchyard.ipvs.IpvsTimeouts;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.InMemoryNetworkInterfaces;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** Starting ipvs mode: the sysctls kube-proxy sets (and only those), the scheduler probe, IPVS missing. */
class IpvsModeTest {

    /** Sysctls in a map; every write recorded. */
    static final class MapSysctls implements Sysctls {
        final Map<String, String> values = new LinkedHashMap<>();
        final List<String> writes = new ArrayList<>();

        @Override
        public String read(String key) {
            String value = values.get(key);
            if (value == null) {
                throw new NodeSettingException(key + " does not exist here");
            }
            return value;
        }

        @Override
        public void write(String key, String value) {
            if (!values.containsKey(key)) {
                throw new NodeSettingException("cannot set " + key + " to " + value + ": it does not exist here");
            }
            values.put(key, value);
            writes.add(key + "=" + value);
        }
    }

    private static MapSysctls freshNode(String kernel) {
        MapSysctls sysctls = new MapSysctls();
        sysctls.values.put("kernel.osrelease", kernel);
        for (String key : List.of(IpvsMode.VS_CONNTRACK, IpvsMode.VS_EXPIRE_NODEST_CONN,
                IpvsMode.VS_EXPIRE_QUIESCENT_TEMPLATE, IpvsMode.IP_FORWARD, IpvsMode.ARP_IGNORE, IpvsMode.ARP_ANNOUNCE)) {
            sysctls.values.put(key, "0");
        }
        sysctls.values.put(IpvsMode.VS_CONN_REUSE_MODE, "1");
        return sysctls;
    }

    @Test
    void onARecentKernelTheFourSysctlsOfTheFixturesAreSetAndNothingElse() {
        MapSysctls sysctls = freshNode("6.1.0-56-amd64");

        Map<String, String> changed = IpvsMode.applySysctls(sysctls, false);

        assertThat(sysctls.writes).containsExactly("net.ipv4.vs.conntrack=1", "net.ipv4.vs.expire_nodest_conn=1",
                "net.ipv4.vs.expire_quiescent_template=1", "net.ipv4.ip_forward=1");
        assertThat(changed).hasSize(4);
        assertThat(sysctls.values).containsEntry(IpvsMode.VS_CONN_REUSE_MODE, "1");
    }

    @Test
    void valuesAlreadyRightAreNotWritten() {
        MapSysctls sysctls = freshNode("6.1.0");
        IpvsMode.applySysctls(sysctls, false);
        sysctls.writes.clear();

        assertThat(IpvsMode.applySysctls(sysctls, false)).isEmpty();
        assertThat(sysctls.writes).isEmpty();
    }

    @Test
    void strictArpAndOlderKernelsAddTheirs() {
        MapSysctls sysctls = freshNode("5.4.0-150-generic");

        IpvsMode.applySysctls(sysctls, true);

        assertThat(sysctls.values).contains(entry(IpvsMode.VS_CONN_REUSE_MODE, "0"), entry(IpvsMode.ARP_IGNORE, "1"),
                entry(IpvsMode.ARP_ANNOUNCE, "2"));
        MapSysctls ancient = freshNode("3.10.0-1160.el7.x86_64");
        IpvsMode.applySysctls(ancient, false);
        assertThat(ancient.writes).doesNotContain("net.ipv4.vs.conn_reuse_mode=0");
    }

    @Test
    void aSysctlThatCannotBeSetStopsStartUpWithOneLine() {
        MapSysctls sysctls = freshNode("6.1.0");
        sysctls.values.remove(IpvsMode.VS_CONNTRACK);

        assertThatThrownBy(() -> IpvsMode.applySysctls(sysctls, false)).isInstanceOf(ConfigException.class)
                .hasMessage("--proxy-mode ipvs: cannot set net.ipv4.vs.conntrack to 1: it does not exist here");
    }

    @Test
    void aKernelWithoutIpvsIsOneClearLineAfterTryingTheModule() {
        AtomicInteger opens = new AtomicInteger();
        List<List<String>> ran = new ArrayList<>();
        ProcessRunner modprobe = (argv, stdin) -> {
            ran.add(argv);
            return new ProcessRunner.Result(1, "", "modprobe: FATAL: Module ip_vs not found");
        };
        IpvsMode.Kernel kernel = new IpvsMode.Kernel(() -> {
            opens.incrementAndGet();
            throw new NetlinkException("resolve generic netlink family IPVS", Errno.ENOENT, null);
        }, InMemoryNetworkInterfaces::new, modprobe, freshNode("6.1.0"));

        assertThatThrownBy(() -> IpvsMode.open(kernel)).isInstanceOf(ConfigException.class)
                .hasMessage("--proxy-mode ipvs: this kernel has no IPVS (no generic netlink family IPVS, and the ip_vs "
                        + "module could not be loaded)");
        assertThat(opens).hasValue(2);
        assertThat(ran).containsExactly(List.of("modprobe", "-q", "ip_vs"));
        assertThat(kernel.ipvsIfPresent()).isEmpty();
    }

    @Test
    void theSchedulerProbeLeavesNothingBehindAndAnUnusableSchedulerStopsStartUp() {
        InMemoryIpvs ipvs = new InMemoryIpvs();
        IpvsMode.probeScheduler(ipvs, "wrr");
        assertThat(ipvs.virtualServers()).isEmpty();

        IpvsDataplaneTest.CountingIpvs refusing = new IpvsDataplaneTest.CountingIpvs();
        refusing.refuseAdd = new VirtualServer.Key(IpFamily.IPV4, Protocol.TCP, "198.51.100.0", 20000);
        assertThatThrownBy(() -> IpvsMode.probeScheduler(refusing, "mh")).isInstanceOf(ConfigException.class)
                .hasMessage("--ipvs-scheduler mh: IPVS cannot use it here: add IPVS virtual server 198.51.100.0:20000: EINVAL");

        // A virtual server already using the scheduler proves it works: no probe.
        IpvsDataplaneTest.CountingIpvs watching = new IpvsDataplaneTest.CountingIpvs();
        watching.addVirtualServer(VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "10.96.0.1", 443, "lc", 0));
        watching.writes.set(0);
        IpvsMode.probeScheduler(watching, "lc");
        assertThat(watching.writes).hasValue(0);
        IpvsMode.probeScheduler(watching, "sh");
        assertThat(watching.writes).hasValue(2);
        assertThat(watching.virtualServers()).hasSize(1);
    }

    @Test
    void timeoutsAreSetOnlyWhenConfiguredAndZeroLeavesOne() {
        InMemoryIpvs ipvs = new InMemoryIpvs();
        IpvsMode.applyTimeouts(ipvs, new IpvsSettings("rr", List.of(), false, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertThat(ipvs.timeouts()).isEqualTo(InMemoryIpvs.DEFAULT_TIMEOUTS);

        IpvsMode.applyTimeouts(ipvs, new IpvsSettings("rr", List.of(), false, Duration.ofMinutes(15),
                Duration.ZERO, Duration.ofSeconds(30)));
        assertThat(ipvs.timeouts()).isEqualTo(new IpvsTimeouts(900, 120, 30));
    }
}
