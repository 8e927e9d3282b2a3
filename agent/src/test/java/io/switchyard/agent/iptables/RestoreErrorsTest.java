package io.switchyard.agent.iptables;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The restore error log names the refused line and shows its neighbours, for both iptables builds. */
class RestoreErrorsTest {

    @Test
    void findsTheLineInNfTablesAndLegacyMessages() {
        assertThat(Iptables.failedLine("iptables-restore v1.8.9 (nf_tables): Chain 'KUBE-MARK-MASQ' does not exist\n"
                + "Error occurred at line: 12\nTry `iptables-restore -h' for more information.")).isEqualTo(12);
        assertThat(Iptables.failedLine("iptables-restore: line 3 failed")).isEqualTo(3);
        // What nf_tables builds print when the kernel refuses a rule.
        assertThat(Iptables.failedLine("iptables-restore v1.8.9 (nf_tables): \nline 5: RULE_APPEND failed "
                + "(No such file or directory): rule in chain KUBE-SEP-X\n")).isEqualTo(5);
        assertThat(Iptables.failedLine("something else")).isZero();
    }

    @Test
    void contextMarksTheRefusedLineAmongItsNeighbours() {
        String document = "*nat\n:A - [0:0]\n-A A -j B\n-A A -j C\nCOMMIT\n";

        String context = RestoreErrors.context(document, 3, 1);

        assertThat(context).isEqualTo("   2: :A - [0:0]\n=> 3: -A A -j B\n   4: -A A -j C\n");
        assertThat(RestoreErrors.context(document, 0, 3)).contains("did not say");
    }
}
