package io.switchyard.ipvs.ipset;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The restore script touches exactly what differs between the desired sets and the kernel's. */
class IpsetPlanTest {

    private static final IpFamily V4 = IpFamily.IPV4;

    /** Every kube-proxy set, as a kernel that already holds the desired members lists them. */
    private static String saved(Ipsets sets) {
        return sets.saveText();
    }

    private static Ipsets desired() {
        return new Ipsets.Builder(V4)
                .add(KubeIpset.CLUSTER_IP, IpsetEntry.ipPort(V4, "10.96.0.1", Protocol.TCP, 443))
                .add(KubeIpset.CLUSTER_IP, IpsetEntry.ipPort(V4, "10.96.1.3", Protocol.TCP, 80))
                .add(KubeIpset.NODE_PORT_TCP, IpsetEntry.port(30080))
                .add(KubeIpset.LOAD_BALANCER_SOURCE_CIDR,
                        IpsetEntry.ipPortNet(V4, "192.0.2.1", Protocol.TCP, 80, Cidr.parse("203.0.113.9/32")))
                .build();
    }

    @Test
    void anEmptyKernelGetsEverySetCreatedThenFilled() {
        IpsetPlan plan = IpsetPlan.compute(desired(), IpsetSnapshot.empty());
        assertThat(plan.creates()).isEqualTo(17);
        assertThat(plan.additions()).isEqualTo(4);
        assertThat(plan.deletions()).isZero();
        assertThat(plan.script().lines().limit(17)).allMatch(l -> l.startsWith("create ") && l.endsWith(" -exist"));
        assertThat(plan.script()).contains(
                "create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 -exist\n",
                "create KUBE-NODE-PORT-TCP bitmap:port range 0-65535 -exist\n",
                "add KUBE-CLUSTER-IP 10.96.0.1,tcp:443 -exist\n",
                "add KUBE-NODE-PORT-TCP 30080 -exist\n",
                "add KUBE-LOAD-BALANCER-SOURCE-CIDR 192.0.2.1,tcp:80,203.0.113.9 -exist\n");
    }

    @Test
    void aKernelThatMatchesNeedsNothing() {
        IpsetPlan plan = IpsetPlan.compute(desired(), IpsetSnapshot.parse(saved(desired())));
        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.conflicts()).isEmpty();
    }

    @Test
    void onlyStaleMembersAreDeletedAndOnlyMissingOnesAdded() {
        String kernel = saved(desired())
                .replace("add KUBE-CLUSTER-IP 10.96.1.3,tcp:80\n", "add KUBE-CLUSTER-IP 10.96.9.9,tcp:80\n")
                .replace("add KUBE-NODE-PORT-TCP 30080\n", "");
        IpsetPlan plan = IpsetPlan.compute(desired(), IpsetSnapshot.parse(kernel));
        assertThat(plan.script()).isEqualTo("""
                del KUBE-CLUSTER-IP 10.96.9.9,tcp:80 -exist
                add KUBE-CLUSTER-IP 10.96.1.3,tcp:80 -exist
                add KUBE-NODE-PORT-TCP 30080 -exist
                """);
        assertThat(plan.additions()).isEqualTo(2);
        assertThat(plan.deletions()).isEqualTo(1);
        assertThat(plan.creates()).isZero();
    }

    @Test
    void theKernelsOwnSpellingCausesNoChurnAndIsWhatADeleteNames() {
        String kernel = saved(desired())
                .replace("192.0.2.1,tcp:80,203.0.113.9\n", "192.0.2.1,tcp:80,203.0.113.9/32\n")
                + "add KUBE-CLUSTER-IP 2001:0db8::1,tcp:80\n";
        IpsetPlan plan = IpsetPlan.compute(desired(), IpsetSnapshot.parse(kernel));
        assertThat(plan.script()).isEqualTo("del KUBE-CLUSTER-IP 2001:0db8::1,tcp:80 -exist\n");
    }

    @Test
    void aMissingSetIsCreatedWhileTheOthersAreLeftAlone() {
        String kernel = saved(desired()).replaceAll("(?m)^(create|add) KUBE-IPVS-IPS.*\n", "");
        IpsetPlan plan = IpsetPlan.compute(desired(), IpsetSnapshot.parse(kernel));
        assertThat(plan.script()).isEqualTo("create KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536 -exist\n");
    }

    @Test
    void aSetOfAnotherTypeOrFamilyIsReportedAndLeftUnchanged() {
        String kernel = saved(desired())
                .replace("create KUBE-CLUSTER-IP hash:ip,port family inet", "create KUBE-CLUSTER-IP hash:ip family inet")
                .replace("create KUBE-LOOP-BACK hash:ip,port,ip family inet ", "create KUBE-LOOP-BACK hash:ip,port,ip family inet6 ")
                + "add KUBE-LOOP-BACK fd00::1,tcp:1,fd00::1\n";
        IpsetPlan plan = IpsetPlan.compute(desired(), IpsetSnapshot.parse(kernel));
        assertThat(plan.conflicts()).containsExactly(
                "ipset KUBE-CLUSTER-IP is hash:ip family inet in the kernel, want hash:ip,port family inet; left unchanged",
                "ipset KUBE-LOOP-BACK is hash:ip,port,ip family inet6 in the kernel, want hash:ip,port,ip family inet;"
                        + " left unchanged");
        assertThat(plan.script()).isEmpty();
    }

    @Test
    void membersThatCannotBeReadAreDeletedWhenTheyCanBeNamedSafely() {
        String kernel = saved(desired()) + "add KUBE-CLUSTER-IP 10.96.0.9,icmp:8/0\n"
                + "add KUBE-CLUSTER-IP 10.96.0.9,tcp:80;reboot\n";
        IpsetPlan plan = IpsetPlan.compute(desired(), IpsetSnapshot.parse(kernel));
        assertThat(plan.script()).isEqualTo("del KUBE-CLUSTER-IP 10.96.0.9,icmp:8/0 -exist\n");
        assertThat(plan.conflicts()).containsExactly(
                "ipset KUBE-CLUSTER-IP holds a member that cannot be named safely; left in place");
    }

    @Test
    void setsOfOtherOwnersAreIgnored() {
        String kernel = saved(desired()) + "create f2b-sshd hash:ip family inet hashsize 1024 maxelem 65536\n"
                + "add f2b-sshd 198.51.100.7\n";
        assertThat(IpsetPlan.compute(desired(), IpsetSnapshot.parse(kernel)).isEmpty()).isTrue();
    }

    @Test
    void saveTextListsEachSetWithItsMembersInNameOrder() {
        String text = desired().saveText();
        assertThat(text).startsWith("create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536\n"
                + "add KUBE-CLUSTER-IP 10.96.0.1,tcp:443\nadd KUBE-CLUSTER-IP 10.96.1.3,tcp:80\n"
                + "create KUBE-EXTERNAL-IP hash:ip,port");
        assertThat(text.lines().filter(l -> l.startsWith("create "))).hasSize(17);
    }
}
