package io.switchyard.ipvs;

import io.switchyard.netlink.NetlinkException;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What any {@link Ipvs} must do, as the kernel does it. Run against the kernel in the VM
 * ({@code IpvsNetlinkKernelTest}, with {@code ipvsadm -Sn} as witness) and against
 * {@link InMemoryIpvs}, which keeps the fake the agent's tests use honest.
 */
public abstract class IpvsContract {

    /** The table under test, empty. */
    protected abstract Ipvs ipvs();

    /** Checks the table with an independent tool, as {@code ipvsadm -Sn} lines; a no-op where there is none. */
    protected abstract void witness(String... ipvsadmSaveLines);

    /** Checks the timeouts with an independent tool ({@code ipvsadm -L --timeout}); a no-op where there is none. */
    protected abstract void witnessTimeouts(int tcp, int tcpFin, int udp);

    static final VirtualServer WEB = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "198.51.100.10", 80, "rr", 0);
    static final VirtualServer DNS6 = VirtualServer.of(IpFamily.IPV6, Protocol.UDP, "2001:db8::10", 53, "rr", 0);

    private static VirtualServer hashed(VirtualServer s) {
        return new VirtualServer(s.family(), s.protocol(), s.address(), s.port(), s.fwmark(), s.scheduler(),
                s.flags() | VirtualServer.HASHED, s.timeoutSeconds(), s.netmask());
    }

    private static void assertErrno(Runnable call, String errno) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errnoName()).isEqualTo(errno));
    }

    @Test
    void info() {
        assertThat(ipvs().info().versionString()).isEqualTo("1.2.1");
        assertThat(ipvs().info().connectionTableSize()).isPositive();
    }

    @Test
    void virtualServersAreAddedListedUpdatedAndDeleted() {
        Ipvs ipvs = ipvs();
        assertThat(ipvs.virtualServers()).isEmpty();
        ipvs.addVirtualServer(WEB);
        ipvs.addVirtualServer(DNS6);
        assertThat(ipvs.virtualServers()).containsExactlyInAnyOrder(hashed(WEB), hashed(DNS6));
        witness("-A -t 198.51.100.10:80 -s rr", "-A -u [2001:db8::10]:53 -s rr");
        assertErrno(() -> ipvs.addVirtualServer(WEB), "EEXIST");

        VirtualServer sticky = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, "198.51.100.10", 80, "wrr", 10800);
        ipvs.updateVirtualServer(sticky);
        assertThat(ipvs.virtualServers()).containsExactlyInAnyOrder(hashed(sticky), hashed(DNS6));
        assertThat(sticky.sameSettings(ipvs.virtualServers().stream().filter(s -> s.key().equals(WEB.key()))
                .findFirst().orElseThrow())).isTrue();
        witness("-A -t 198.51.100.10:80 -s wrr -p 10800", "-A -u [2001:db8::10]:53 -s rr");

        ipvs.deleteVirtualServer(WEB.key());
        assertThat(ipvs.virtualServers()).containsExactly(hashed(DNS6));
        assertErrno(() -> ipvs.deleteVirtualServer(WEB.key()), "ESRCH");
        assertErrno(() -> ipvs.updateVirtualServer(WEB), "ESRCH");
        witness("-A -u [2001:db8::10]:53 -s rr");
    }

    @Test
    void anUnknownSchedulerIsRefused() {
        VirtualServer odd = new VirtualServer(IpFamily.IPV4, Protocol.TCP, "198.51.100.10", 80, 0, "nosuch", 0, 0,
                0xffffffff);
        assertErrno(() -> ipvs().addVirtualServer(odd), "ENOENT");
        assertThat(ipvs().virtualServers()).isEmpty();
    }

    @Test
    void destinationsAreAddedListedUpdatedAndDeleted() {
        Ipvs ipvs = ipvs();
        ipvs.addVirtualServer(WEB);
        ipvs.addDestination(WEB.key(), Destination.masq("203.0.113.1", 8080, 1));
        ipvs.addDestination(WEB.key(), Destination.masq("203.0.113.2", 8080, 1));
        assertThat(ipvs.destinations(WEB.key())).containsExactlyInAnyOrder(
                Destination.masq("203.0.113.1", 8080, 1), Destination.masq("203.0.113.2", 8080, 1));
        witness("-A -t 198.51.100.10:80 -s rr",
                "-a -t 198.51.100.10:80 -r 203.0.113.1:8080 -m -w 1",
                "-a -t 198.51.100.10:80 -r 203.0.113.2:8080 -m -w 1");
        assertErrno(() -> ipvs.addDestination(WEB.key(), Destination.masq("203.0.113.1", 8080, 5)), "EEXIST");

        Destination draining = new Destination("203.0.113.1", 8080, 0, ForwardMethod.MASQ, 100, 10, 0, 0);
        ipvs.updateDestination(WEB.key(), draining);
        assertThat(ipvs.destinations(WEB.key())).containsExactlyInAnyOrder(
                draining, Destination.masq("203.0.113.2", 8080, 1));
        // ipvsadm -S does not print thresholds; IpvsCodecTest reads ipvsadm-set ones back.
        witness("-A -t 198.51.100.10:80 -s rr",
                "-a -t 198.51.100.10:80 -r 203.0.113.1:8080 -m -w 0",
                "-a -t 198.51.100.10:80 -r 203.0.113.2:8080 -m -w 1");

        ipvs.deleteDestination(WEB.key(), draining.key());
        assertThat(ipvs.destinations(WEB.key())).containsExactly(Destination.masq("203.0.113.2", 8080, 1));
        assertErrno(() -> ipvs.deleteDestination(WEB.key(), draining.key()), "ENOENT");
        assertErrno(() -> ipvs.updateDestination(WEB.key(), draining), "ENOENT");
        witness("-A -t 198.51.100.10:80 -s rr", "-a -t 198.51.100.10:80 -r 203.0.113.2:8080 -m -w 1");
    }

    @Test
    void destinationsOfAMissingServiceAreRefusedOrEmpty() {
        Ipvs ipvs = ipvs();
        assertErrno(() -> ipvs.addDestination(WEB.key(), Destination.masq("203.0.113.1", 8080, 1)), "ESRCH");
        assertErrno(() -> ipvs.deleteDestination(WEB.key(), new Destination.Key("203.0.113.1", 8080)), "ESRCH");
        assertThat(ipvs.destinations(WEB.key())).isEmpty();
    }

    @Test
    void ipv6ServicesTakeIpv6Destinations() {
        Ipvs ipvs = ipvs();
        ipvs.addVirtualServer(DNS6);
        ipvs.addDestination(DNS6.key(), Destination.masq("2001:db8::1:1", 5353, 2));
        assertThat(ipvs.destinations(DNS6.key())).containsExactly(Destination.masq("2001:db8::1:1", 5353, 2));
        witness("-A -u [2001:db8::10]:53 -s rr", "-a -u [2001:db8::10]:53 -r [2001:db8::1:1]:5353 -m -w 2");
    }

    @Test
    void firewallMarkServicesAreKeptApart() {
        Ipvs ipvs = ipvs();
        VirtualServer marked = new VirtualServer(IpFamily.IPV4, Protocol.TCP, "", 0, 7, "rr", 0, 0, 0xffffffff);
        ipvs.addVirtualServer(marked);
        ipvs.addVirtualServer(WEB);
        assertThat(ipvs.virtualServers()).containsExactlyInAnyOrder(hashed(marked), hashed(WEB));
        ipvs.addDestination(marked.key(), Destination.masq("203.0.113.3", 80, 1));
        assertThat(ipvs.destinations(marked.key())).containsExactly(Destination.masq("203.0.113.3", 80, 1));
        assertThat(ipvs.destinations(WEB.key())).isEmpty();
        witness("-A -f 7 -s rr", "-a -f 7 -r 203.0.113.3:80 -m -w 1", "-A -t 198.51.100.10:80 -s rr");
        ipvs.deleteVirtualServer(marked.key());
        assertThat(ipvs.virtualServers()).containsExactly(hashed(WEB));
    }

    @Test
    void flushRemovesEverything() {
        Ipvs ipvs = ipvs();
        ipvs.addVirtualServer(WEB);
        ipvs.addVirtualServer(DNS6);
        ipvs.addDestination(WEB.key(), Destination.masq("203.0.113.1", 8080, 1));
        ipvs.flush();
        assertThat(ipvs.virtualServers()).isEmpty();
        witness();
    }

    @Test
    void timeoutsAreReadAndSetWithZeroLeavingOneAlone() {
        Ipvs ipvs = ipvs();
        assertThat(ipvs.timeouts()).isEqualTo(new IpvsTimeouts(900, 120, 300));
        ipvs.setTimeouts(new IpvsTimeouts(3600, 0, 60));
        assertThat(ipvs.timeouts()).isEqualTo(new IpvsTimeouts(3600, 120, 60));
        witnessTimeouts(3600, 120, 60);
    }
}
