package io.switchyard.agent.node;

import io.switchyard.agent.exec.ProcessRunner;

import java.util.List;

/**
 * Sysctls through sysctl(8) run by a {@link ProcessRunner}: with a runner that enters a network
 * namespace ({@code ip netns exec NAME}), the per-namespace keys ({@code net.ipv4.vs.*},
 * {@code net.ipv4.ip_forward}, ...) are those of that namespace, whatever namespace this process
 * is in.
 */
public final class CommandSysctls implements Sysctls {

    private final ProcessRunner runner;

    public CommandSysctls(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public String read(String key) {
        ProcessRunner.Result result = runner.run(List.of("sysctl", "-n", key), null);
        if (!result.ok()) {
            throw new NodeSettingException("cannot read " + key + ": " + reason(result));
        }
        return result.stdout().strip();
    }

    @Override
    public void write(String key, String value) {
        ProcessRunner.Result result = runner.run(List.of("sysctl", "-q", "-w", key + "=" + value), null);
        if (!result.ok()) {
            throw new NodeSettingException("cannot set " + key + " to " + value + ": " + reason(result));
        }
    }

    private static String reason(ProcessRunner.Result result) {
        String stderr = result.stderr().strip();
        return stderr.isEmpty() ? "sysctl exit " + result.exitCode() : stderr.lines().findFirst().orElse(stderr);
    }
}
