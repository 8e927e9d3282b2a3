package io.switchyard.agent.node;

import io.switchyard.agent.exec.ProcessRunner;

import java.util.List;

/**
 * {@link Sysctls} through the {@code sysctl} program, run by the same {@link ProcessRunner} as
 * the iptables tools, so that a runner pointed at a network namespace reads and writes that
 * namespace's parameters.
 */
public final class ProcessSysctls implements Sysctls {

    private final ProcessRunner runner;

    public ProcessSysctls(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public String read(String key) {
        return require(runner.run(List.of("sysctl", "-n", key), null), "read " + key).stdout().strip();
    }

    @Override
    public void write(String key, String value) {
        require(runner.run(List.of("sysctl", "-q", "-w", key + "=" + value), null), "set " + key + "=" + value);
    }

    private static ProcessRunner.Result require(ProcessRunner.Result result, String what) {
        if (result.ok()) {
            return result;
        }
        String reason = result.exitCode() == 127 ? "sysctl is not installed (or not on PATH)"
                : result.stderr().strip().lines().findFirst().orElse("sysctl exit " + result.exitCode());
        throw new NodeSettingException("cannot " + what + ": " + reason);
    }
}
