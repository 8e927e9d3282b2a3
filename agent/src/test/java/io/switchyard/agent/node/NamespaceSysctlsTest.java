package io.switchyard.agent.node;

import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** NamespaceSysctls: per-namespace keys of that namespace only, with sysctl(8) there as witness. */
class NamespaceSysctlsTest {

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
    }

    @Test
    void aPerNamespaceKeyIsReadAndWrittenInsideTheNamespaceOnly() {
        String hostForwarding = NetworkNamespace.run(null, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip();
        try (NetworkNamespace ns = new NetworkNamespace()) {
            NamespaceSysctls sysctls = new NamespaceSysctls(Path.of("/var/run/netns", ns.name()));
            String want = hostForwarding.equals("1") ? "0" : "1";

            sysctls.write("net.ipv4.ip_forward", want);

            assertThat(sysctls.read("net.ipv4.ip_forward")).isEqualTo(want);
            assertThat(ns.exec(null, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip()).isEqualTo(want);
            assertThat(NetworkNamespace.run(null, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip())
                    .isEqualTo(hostForwarding);
            assertThat(sysctls.readLong("net.ipv4.ip_forward")).hasValue(Long.parseLong(want));
            assertThatThrownBy(() -> sysctls.read("net.ipv4.no_such_key")).isInstanceOf(NodeSettingException.class)
                    .hasMessageContaining("net.ipv4.no_such_key");
        }
    }
}
