package io.switchyard.agent.metrics;

import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading nfacct packet counters: the tool's output parsed, and a real counter in a namespace. */
class NfacctPacketsTest {

    @Test
    void readsThePacketCountOfNfacctGet() {
        List<List<String>> ran = new ArrayList<>();
        ProcessRunner runner = (argv, stdin) -> {
            ran.add(argv);
            return new ProcessRunner.Result(0,
                    "{ pkts = 00000000000000000042, bytes = 00000000000000004200 } = ct_state_invalid_dropped_pkts;\n", "");
        };
        assertThat(new NfacctPackets(runner).packets("ct_state_invalid_dropped_pkts")).hasValue(42);
        assertThat(ran).containsExactly(List.of("nfacct", "get", "ct_state_invalid_dropped_pkts"));
    }

    @Test
    void aMissingCounterOrUnexpectedOutputIsEmpty() {
        assertThat(new NfacctPackets((argv, stdin) -> new ProcessRunner.Result(1, "", "nfacct: No such file or directory"))
                .packets("x")).isEmpty();
        assertThat(new NfacctPackets((argv, stdin) -> new ProcessRunner.Result(0, "something else", ""))
                .packets("x")).isEmpty();
    }

    @Test
    void countsPacketsAnIptablesRuleAccountsInANetworkNamespace() {
        KernelTestSupport.requireRootWithIptables();
        try (NetworkNamespace ns = new NetworkNamespace()) {
            ns.exec(null, "ip", "link", "set", "lo", "up").requireSuccess("lo up");
            ns.createNfacctCounters(ProxyMetrics.LOCALHOST_NODE_PORT_COUNTER);
            NfacctPackets packets = new NfacctPackets(HostProcessRunner.inNetworkNamespace(ns.name()));
            assertThat(packets.packets(ProxyMetrics.LOCALHOST_NODE_PORT_COUNTER)).isEqualTo(OptionalLong.of(0));
            assertThat(packets.packets(ProxyMetrics.INVALID_DROP_COUNTER)).as("not created").isEmpty();

            ns.exec(null, "iptables", "-A", "OUTPUT", "-o", "lo", "-p", "udp", "--dport", "9", "-m", "nfacct",
                    "--nfacct-name", ProxyMetrics.LOCALHOST_NODE_PORT_COUNTER).requireSuccess("iptables -A OUTPUT");
            for (int i = 0; i < 3; i++) {
                ns.exec(null, "bash", "-c", "echo packet > /dev/udp/127.0.0.1/9").requireSuccess("send a datagram");
            }
            assertThat(packets.packets(ProxyMetrics.LOCALHOST_NODE_PORT_COUNTER)).isEqualTo(OptionalLong.of(3));
        }
    }
}
