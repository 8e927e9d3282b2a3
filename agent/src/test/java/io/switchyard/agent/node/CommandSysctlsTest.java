package io.switchyard.agent.node;

import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CommandSysctls through {@code ip netns exec}: per-namespace keys of that namespace only. */
class CommandSysctlsTest {

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
    }

    @Test
    void aPerNamespaceKeyIsReadAndWrittenInsideTheNamespace() {
        String hostForwarding = NetworkNamespace.run(null, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip();
        try (NetworkNamespace ns = new NetworkNamespace()) {
            CommandSysctls sysctls = new CommandSysctls(HostProcessRunner.inNetworkNamespace(ns.name()));
            String want = hostForwarding.equals("1") ? "0" : "1";

            sysctls.write("net.ipv4.ip_forward", want);

            assertThat(sysctls.read("net.ipv4.ip_forward")).isEqualTo(want);
            assertThat(ns.exec(null, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip()).isEqualTo(want);
            assertThat(NetworkNamespace.run(null, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip())
                    .isEqualTo(hostForwarding);
            assertThat(sysctls.readLong("net.ipv4.ip_forward")).hasValue(Long.parseLong(want));
        }
    }

    @Test
    void aMissingKeyIsAnErrorNamingIt() {
        try (NetworkNamespace ns = new NetworkNamespace()) {
            CommandSysctls sysctls = new CommandSysctls(HostProcessRunner.inNetworkNamespace(ns.name()));

            assertThatThrownBy(() -> sysctls.read("net.ipv4.no_such_key")).isInstanceOf(NodeSettingException.class)
                    .hasMessageStartingWith("cannot read net.ipv4.no_such_key: ");
            assertThatThrownBy(() -> sysctls.write("net.ipv4.no_such_key", "1")).isInstanceOf(NodeSettingException.class)
                    .hasMessageStartingWith("cannot set net.ipv4.no_such_key to 1: ");
            assertThat(sysctls.readLong("net.ipv4.no_such_key")).isEmpty();
        }
    }
}
