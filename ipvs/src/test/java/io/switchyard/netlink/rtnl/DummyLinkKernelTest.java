package io.switchyard.netlink.rtnl;

import io.switchyard.ipvs.KernelTestTag;
import io.switchyard.netlink.TestNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IPVS proxier's dummy link, {@code kube-ipvs0}: created when missing, service addresses
 * bound and unbound, checked with {@code ip}. Needs the dummy link type, so it runs in the VM.
 */
@Tag(KernelTestTag.IPVS_KERNEL)
class DummyLinkKernelTest {

    private TestNamespace ns;
    private RtnetlinkInterfaces interfaces;

    @BeforeEach
    void open() {
        ns = new TestNamespace("dummy");
        interfaces = RtnetlinkInterfaces.open(ns.path());
    }

    @AfterEach
    void close() {
        interfaces.close();
        ns.close();
    }

    @Test
    void kubeIpvs0IsCreatedOnceAndServiceAddressesComeAndGo() {
        Link created = interfaces.ensureDummy("kube-ipvs0");
        assertThat(created.kind()).isEqualTo("dummy");
        assertThat(created.isUp()).isFalse();
        assertThat(ns.sh("ip", "-d", "-o", "link", "show", "dev", "kube-ipvs0")).contains("kube-ipvs0", " dummy ");
        assertThat(interfaces.ensureDummy("kube-ipvs0").index()).isEqualTo(created.index());

        assertThat(interfaces.addAddress("kube-ipvs0", LinkAddress.host("198.51.100.10"))).isTrue();
        assertThat(interfaces.addAddress("kube-ipvs0", LinkAddress.host("2001:db8::10"))).isTrue();
        assertThat(interfaces.addAddress("kube-ipvs0", LinkAddress.host("198.51.100.10"))).isFalse();
        assertThat(ns.sh("ip", "-o", "addr", "show", "dev", "kube-ipvs0"))
                .contains("inet 198.51.100.10/32 scope global kube-ipvs0", "inet6 2001:db8::10/128 scope global");
        assertThat(interfaces.addresses("kube-ipvs0")).extracting(LinkAddress::toString)
                .containsExactlyInAnyOrder("198.51.100.10/32", "2001:db8::10/128");

        assertThat(interfaces.deleteAddress("kube-ipvs0", LinkAddress.host("198.51.100.10"))).isTrue();
        assertThat(interfaces.deleteAddress("kube-ipvs0", LinkAddress.host("198.51.100.10"))).isFalse();
        assertThat(ns.sh("ip", "-o", "addr", "show", "dev", "kube-ipvs0")).doesNotContain("198.51.100.10");

        assertThat(interfaces.deleteLink("kube-ipvs0")).isTrue();
        assertThat(ns.sh("ip", "-o", "link", "show")).doesNotContain("kube-ipvs0");
    }
}
