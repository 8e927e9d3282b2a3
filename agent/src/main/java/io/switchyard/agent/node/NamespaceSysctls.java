package io.switchyard.agent.node;

import io.switchyard.netlink.NetworkNamespaces;

import java.nio.file.Path;

/**
 * The sysctls of another network namespace, from wherever this process is: each read and write
 * goes through {@code /proc/sys} on a thread that joined the namespace, and the kernel resolves
 * per-namespace keys ({@code net.ipv4.vs.*}, {@code net.ipv4.ip_forward}, ...) by the calling
 * thread's namespace. No program is started, which matters where starting one is slow.
 */
public final class NamespaceSysctls implements Sysctls {

    private final Path netns;
    private final Sysctls proc = ProcSysctls.host();

    /** @param netns the namespace's file, e.g. {@code /var/run/netns/NAME} */
    public NamespaceSysctls(Path netns) {
        this.netns = netns;
    }

    @Override
    public String read(String key) {
        return NetworkNamespaces.callIn(netns, () -> proc.read(key));
    }

    @Override
    public void write(String key, String value) {
        NetworkNamespaces.callIn(netns, () -> {
            proc.write(key, value);
            return null;
        });
    }
}
