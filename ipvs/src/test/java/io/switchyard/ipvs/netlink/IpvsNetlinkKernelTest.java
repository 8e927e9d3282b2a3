package io.switchyard.ipvs.netlink;

import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.IpvsContract;
import io.switchyard.ipvs.KernelTestTag;
import io.switchyard.netlink.TestNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IpvsNetlink} against a kernel with IPVS (in the VM), in a throwaway namespace, with
 * {@code ipvsadm -Sn} in the same namespace as the independent witness.
 */
@Tag(KernelTestTag.IPVS_KERNEL)
class IpvsNetlinkKernelTest extends IpvsContract {

    private TestNamespace ns;
    private IpvsNetlink ipvs;

    @BeforeEach
    void open() {
        ns = new TestNamespace("ipvs");
        // Without lo up the namespace has no local routing table and IPVS refuses IPv4 destinations.
        ns.sh("ip", "link", "set", "lo", "up");
        ipvs = IpvsNetlink.open(ns.path());
    }

    @AfterEach
    void close() {
        ipvs.close();
        ns.close();
    }

    @Override
    protected Ipvs ipvs() {
        return ipvs;
    }

    @Override
    protected void witness(String... ipvsadmSaveLines) {
        assertThat(ns.sh("ipvsadm", "-Sn").lines().map(String::strip).filter(l -> !l.isEmpty()).toList())
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(ipvsadmSaveLines));
    }

    @Override
    protected void witnessTimeouts(int tcp, int tcpFin, int udp) {
        assertThat(ns.sh("ipvsadm", "-L", "--timeout").strip())
                .isEqualTo("Timeout (tcp tcpfin udp): " + tcp + " " + tcpFin + " " + udp);
    }
}
