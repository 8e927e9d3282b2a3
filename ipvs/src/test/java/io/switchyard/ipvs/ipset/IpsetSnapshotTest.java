package io.switchyard.ipvs.ipset;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both listing formats of the ipset tool read into the same sets. */
class IpsetSnapshotTest {

    private static final String SAVE = """
            create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1
            add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
            add KUBE-CLUSTER-IP 10.96.1.3,tcp:80 packets 5 bytes 300
            create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
            add KUBE-NODE-PORT-TCP 30080
            create KUBE-6-IPVS-IPS hash:ip family inet6 hashsize 1024 maxelem 65536
            """;

    private static final String LIST = """
            Name: KUBE-CLUSTER-IP
            Type: hash:ip,port
            Revision: 6
            Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1
            Size in memory: 304
            References: 2
            Number of entries: 2
            Members:
            10.96.0.1,tcp:443
            10.96.1.3,tcp:80

            Name: KUBE-NODE-PORT-TCP
            Type: bitmap:port
            Revision: 3
            Header: range 0-65535
            Size in memory: 8268
            References: 1
            Number of entries: 1
            Members:
            30080

            Name: KUBE-6-IPVS-IPS
            Type: hash:ip
            Revision: 6
            Header: family inet6 hashsize 1024 maxelem 65536
            Size in memory: 208
            References: 1
            Number of entries: 0
            Members:
            """;

    @Test
    void saveOutputIsRead() {
        IpsetSnapshot snapshot = IpsetSnapshot.parse(SAVE);
        assertThat(snapshot.sets()).containsOnlyKeys("KUBE-CLUSTER-IP", "KUBE-NODE-PORT-TCP", "KUBE-6-IPVS-IPS");
        assertThat(snapshot.sets().get("KUBE-CLUSTER-IP"))
                .isEqualTo(new InstalledIpset("KUBE-CLUSTER-IP", "hash:ip,port", "inet",
                        List.of("10.96.0.1,tcp:443", "10.96.1.3,tcp:80")));
        assertThat(snapshot.sets().get("KUBE-NODE-PORT-TCP"))
                .isEqualTo(new InstalledIpset("KUBE-NODE-PORT-TCP", "bitmap:port", "", List.of("30080")));
        assertThat(snapshot.sets().get("KUBE-6-IPVS-IPS").family()).isEqualTo("inet6");
    }

    @Test
    void listOutputReadsTheSameAsSaveOutput() {
        assertThat(IpsetSnapshot.parse(LIST)).isEqualTo(IpsetSnapshot.parse(SAVE));
    }

    @Test
    void nothingListedIsNoSets() {
        assertThat(IpsetSnapshot.parse("").sets()).isEmpty();
        assertThat(IpsetSnapshot.parse("\n\n")).isEqualTo(IpsetSnapshot.empty());
    }

    @Test
    void malformedListingsNameTheLine() {
        assertThatThrownBy(() -> IpsetSnapshot.parse("create A hash:ip\nflush A\n"))
                .hasMessage("ipset save line 2 is neither create nor add: flush A");
        assertThatThrownBy(() -> IpsetSnapshot.parse("add B 10.0.0.1\n"))
                .hasMessage("ipset save line 1: member of unknown set B");
        assertThatThrownBy(() -> IpsetSnapshot.parse("Type: hash:ip\nName: A\n"))
                .hasMessage("ipset save line 1 is neither create nor add: Type: hash:ip");
    }
}
