package io.switchyard.agent.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ProcSysctls over a temporary directory standing in for /proc/sys. */
class SysctlsTest {

    @TempDir
    Path root;

    private Path file(String slashed, String content) throws IOException {
        Path file = root.resolve(slashed);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    @Test
    void dottedAndSlashedKeysNameTheSameFile() throws IOException {
        file("net/netfilter/nf_conntrack_max", "65536\n");
        ProcSysctls sysctls = new ProcSysctls(root);

        assertThat(sysctls.read("net.netfilter.nf_conntrack_max")).isEqualTo("65536");
        assertThat(sysctls.read("net/netfilter/nf_conntrack_max")).isEqualTo("65536");
        assertThat(sysctls.readLong("net.netfilter.nf_conntrack_max")).isEqualTo(OptionalLong.of(65536));
    }

    @Test
    void aSlashedKeyKeepsItsDots() throws IOException {
        file("net/ipv4/conf/eth0.100/forwarding", "0\n");

        assertThat(new ProcSysctls(root).read("net/ipv4/conf/eth0.100/forwarding")).isEqualTo("0");
    }

    @Test
    void writesReplaceTheValue() throws IOException {
        Path max = file("net/netfilter/nf_conntrack_max", "65536\n");
        ProcSysctls sysctls = new ProcSysctls(root);

        sysctls.write("net.netfilter.nf_conntrack_max", "131072");

        assertThat(Files.readString(max)).isEqualTo("131072\n");
        assertThat(sysctls.readLong("net.netfilter.nf_conntrack_max")).hasValue(131072);
    }

    @Test
    void aMissingKeyIsAnErrorNamingItAndNeverCreatesAFile() {
        ProcSysctls sysctls = new ProcSysctls(root);

        assertThatThrownBy(() -> sysctls.read("net.netfilter.nf_conntrack_max"))
                .isInstanceOf(NodeSettingException.class).hasMessageContaining("net.netfilter.nf_conntrack_max");
        assertThatThrownBy(() -> sysctls.write("net.netfilter.nf_conntrack_max", "1"))
                .isInstanceOf(NodeSettingException.class).hasMessageContaining("net.netfilter.nf_conntrack_max");
        assertThat(root.resolve("net/netfilter/nf_conntrack_max")).doesNotExist();
        assertThat(sysctls.readLong("net.netfilter.nf_conntrack_max")).isEmpty();
    }

    @Test
    void aKeyThatCannotBeWrittenIsAnErrorNamingIt() throws IOException {
        // root ignores file permissions; a directory where the value should be fails for everyone.
        Files.createDirectories(root.resolve("net/netfilter/nf_conntrack_buckets"));

        assertThatThrownBy(() -> new ProcSysctls(root).write("net.netfilter.nf_conntrack_buckets", "1"))
                .isInstanceOf(NodeSettingException.class).hasMessageContaining("net.netfilter.nf_conntrack_buckets");
    }

    @Test
    void aValueThatIsNotANumberReadsAsNone() throws IOException {
        file("net/netfilter/nf_conntrack_max", "lots\n");

        assertThat(new ProcSysctls(root).readLong("net.netfilter.nf_conntrack_max")).isEmpty();
    }

    @Test
    void cpuListsCountAsTheKernelWritesThem() throws IOException {
        assertThat(Cpus.count("0")).isEqualTo(1);
        assertThat(Cpus.count("0-3")).isEqualTo(4);
        assertThat(Cpus.count("0-3,6,8-9")).isEqualTo(7);
        assertThat(Cpus.online(file("online", "0-1\n"))).isEqualTo(2);
        assertThat(Cpus.online(root.resolve("missing"))).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
