package io.switchyard.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

/** Preconditions of tests that program a kernel: they fail, never skip, when unmet. */
public final class KernelTestSupport {

    private KernelTestSupport() {
    }

    /** Kernel tests need root (for network namespaces) and the iptables tools; CI installs them. */
    public static void requireRootWithIptables() {
        assertThat(NetworkNamespace.run(null, "id", "-u").stdout().strip())
                .as("kernel tests run as root (they create network namespaces)").isEqualTo("0");
        for (String tool : new String[] {"iptables-restore", "ip6tables-restore", "nfacct", "ip"}) {
            assertThat(NetworkNamespace.run(null, "sh", "-c", "command -v " + tool).exitCode())
                    .as("%s is installed (.ci/run installs it)", tool).isZero();
        }
    }
}
