package io.switchyard.ipvs.ipset;

import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kube-proxy's set names and types, including the IPv6 prefix and the 31-character cut. */
class KubeIpsetTest {

    @Test
    void ipv4NamesAreKubeProxys() {
        assertThat(Arrays.stream(KubeIpset.values()).map(s -> s.nameFor(IpFamily.IPV4)).toList()).containsExactly(
                "KUBE-LOOP-BACK", "KUBE-CLUSTER-IP", "KUBE-EXTERNAL-IP", "KUBE-EXTERNAL-IP-LOCAL",
                "KUBE-LOAD-BALANCER", "KUBE-LOAD-BALANCER-FW", "KUBE-LOAD-BALANCER-LOCAL",
                "KUBE-LOAD-BALANCER-SOURCE-IP", "KUBE-LOAD-BALANCER-SOURCE-CIDR", "KUBE-NODE-PORT-TCP",
                "KUBE-NODE-PORT-LOCAL-TCP", "KUBE-NODE-PORT-UDP", "KUBE-NODE-PORT-LOCAL-UDP",
                "KUBE-NODE-PORT-SCTP-HASH", "KUBE-NODE-PORT-LOCAL-SCTP-HASH", "KUBE-HEALTH-CHECK-NODE-PORT",
                "KUBE-IPVS-IPS");
    }

    @Test
    void ipv6NamesArePrefixedAndCutTo31Characters() {
        assertThat(KubeIpset.CLUSTER_IP.nameFor(IpFamily.IPV6)).isEqualTo("KUBE-6-CLUSTER-IP");
        assertThat(KubeIpset.NODE_PORT_LOCAL_SCTP.nameFor(IpFamily.IPV6)).isEqualTo("KUBE-6-NODE-PORT-LOCAL-SCTP-HAS");
        assertThat(KubeIpset.LOAD_BALANCER_SOURCE_CIDR.nameFor(IpFamily.IPV6))
                .isEqualTo("KUBE-6-LOAD-BALANCER-SOURCE-CID");
        assertThat(KubeIpset.HEALTH_CHECK_NODE_PORT.nameFor(IpFamily.IPV6)).isEqualTo("KUBE-6-HEALTH-CHECK-NODE-PORT");
        for (KubeIpset set : KubeIpset.values()) {
            assertThat(set.nameFor(IpFamily.IPV6)).hasSizeLessThanOrEqualTo(31).startsWith("KUBE-6-");
        }
    }

    @Test
    void typesAreKubeProxys() {
        assertThat(KubeIpset.LOOP_BACK.type()).isEqualTo(IpsetType.HASH_IP_PORT_IP);
        assertThat(KubeIpset.LOAD_BALANCER_SOURCE_CIDR.type()).isEqualTo(IpsetType.HASH_IP_PORT_NET);
        assertThat(KubeIpset.NODE_PORT_UDP.type()).isEqualTo(IpsetType.BITMAP_PORT);
        assertThat(KubeIpset.NODE_PORT_SCTP.type()).isEqualTo(IpsetType.HASH_IP_PORT);
        assertThat(KubeIpset.IPVS_IPS.type()).isEqualTo(IpsetType.HASH_IP);
    }

    @Test
    void createLinesCarryFamilyAndSizesOrThePortRange() {
        assertThat(KubeIpset.CLUSTER_IP.specFor(IpFamily.IPV6).createLine())
                .isEqualTo("create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536");
        assertThat(KubeIpset.NODE_PORT_TCP.specFor(IpFamily.IPV4).createLine())
                .isEqualTo("create KUBE-NODE-PORT-TCP bitmap:port range 0-65535");
    }

    @Test
    void setNamesAreChecked() {
        assertThatThrownBy(() -> new IpsetSpec("A".repeat(32), IpsetType.HASH_IP, IpFamily.IPV4))
                .hasMessageContaining("not a valid ipset name");
        assertThatThrownBy(() -> new IpsetSpec("A B", IpsetType.HASH_IP, IpFamily.IPV4))
                .hasMessageContaining("not a valid ipset name");
    }

    @Test
    void typesAreReadBackFromTheirKernelNames() {
        for (IpsetType type : IpsetType.values()) {
            assertThat(IpsetType.fromKernelName(type.kernelName())).isEqualTo(type);
        }
        assertThat(IpsetType.fromKernelName("list:set")).isNull();
    }
}
