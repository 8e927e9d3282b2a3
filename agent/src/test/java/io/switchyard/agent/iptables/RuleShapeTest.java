package io.switchyard.agent.iptables;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rule as we write it and as iptables-save prints it back (lines taken from iptables 1.8.9,
 * nf_tables) have the same shape; what drift does to a rule changes it.
 */
class RuleShapeTest {

    @Test
    void wordsAreSplitAsIptablesRestoreSplitsThem() {
        assertThat(RuleShape.words("-A X -m comment --comment \"a \\\"b\\\" c\" -j Y"))
                .containsExactly("-A", "X", "-m", "comment", "--comment", "a \"b\" c", "-j", "Y");
        assertThat(RuleShape.words("-A X  -j \"\"")).containsExactly("-A", "X", "-j", "");
    }

    @Test
    void writtenAndSavedSpellingsHaveTheSameShape() {
        List<String[]> pairs = List.of(
                new String[] {
                    "-A KUBE-SERVICES -m comment --comment \"demo/web:http cluster IP\" -m tcp -p tcp -d 10.96.0.16 --dport 80 -j KUBE-SVC-V444RF5YB3LNLCDF",
                    "-A KUBE-SERVICES -d 10.96.0.16/32 -p tcp -m comment --comment \"demo/web:http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-V444RF5YB3LNLCDF"},
                new String[] {
                    "-A KUBE-SVC-V444RF5YB3LNLCDF -m statistic --mode random --probability 0.2500000000 -j KUBE-SEP-TRLYOCG6DRDXGH6E",
                    "-A KUBE-SVC-V444RF5YB3LNLCDF -m statistic --mode random --probability 0.25000000000 -j KUBE-SEP-TRLYOCG6DRDXGH6E"},
                new String[] {
                    "-A KUBE-SEP-22JP3TIVOMQBLMO4 -m recent --name KUBE-SEP-22JP3TIVOMQBLMO4 --set -m tcp -p tcp -j DNAT --to-destination 10.128.170.195:8080",
                    "-A KUBE-SEP-22JP3TIVOMQBLMO4 -p tcp -m recent --set --name KUBE-SEP-22JP3TIVOMQBLMO4 --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.128.170.195:8080"},
                new String[] {"-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000", "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"},
                new String[] {
                    "-A KUBE-SERVICES -m comment --comment \"demo/db:pg has no endpoints\" -m tcp -p tcp -d 10.96.0.30 --dport 5432 -j REJECT",
                    "-A KUBE-SERVICES -d 10.96.0.30/32 -p tcp -m comment --comment \"demo/db:pg has no endpoints\" -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable"},
                new String[] {
                    "-A KUBE-SEP-X -m comment --comment demo/v6:http -m tcp -p tcp -j DNAT --to-destination [fd00:10:244:0001::51]:8080",
                    "-A KUBE-SEP-X -p tcp -m comment --comment demo/v6:http -m tcp -j DNAT --to-destination [fd00:10:244:1::51]:8080"});
        for (String[] pair : pairs) {
            assertThat(RuleShape.of(pair[0])).as(pair[0]).isEqualTo(RuleShape.of(pair[1]));
        }
    }

    @Test
    void driftChangesTheShapeOfAChain() {
        String dnat = "-A KUBE-SEP-X -p tcp -m comment --comment demo/web:http -m tcp -j DNAT --to-destination 10.244.1.11:8080";
        String hairpin = "-A KUBE-SEP-X -s 10.244.1.11/32 -m comment --comment demo/web:http -j KUBE-MARK-MASQ";
        RuleShape.ChainShape written = RuleShape.ChainShape.of(List.of(hairpin, dnat));

        assertThat(RuleShape.ChainShape.of(List.of(hairpin, dnat))).isEqualTo(written);
        assertThat(RuleShape.ChainShape.of(List.of())).as("flushed").isNotEqualTo(written);
        assertThat(RuleShape.ChainShape.of(List.of(dnat))).as("a rule deleted").isNotEqualTo(written);
        assertThat(RuleShape.ChainShape.of(List.of(dnat, hairpin))).as("reordered").isNotEqualTo(written);
        assertThat(RuleShape.ChainShape.of(List.of("-A KUBE-SEP-X -j RETURN", hairpin, dnat))).as("a RETURN first")
                .isNotEqualTo(written);
        assertThat(RuleShape.ChainShape.of(List.of(hairpin, dnat.replace("10.244.1.11:8080", "10.244.9.9:8080"))))
                .as("another destination").isNotEqualTo(written);
        assertThat(RuleShape.ChainShape.of(List.of(hairpin.replace("demo/web:http", "demo/api:http"), dnat)))
                .as("another comment").isNotEqualTo(written);
    }
}
