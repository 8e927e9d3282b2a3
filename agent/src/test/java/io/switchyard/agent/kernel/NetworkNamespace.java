package io.switchyard.agent.kernel;

import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A throwaway network namespace for tests that program the kernel: created on construction,
 * deleted on close, so nothing ever touches the root namespace's tables.
 */
public final class NetworkNamespace implements AutoCloseable {

    /** What a command printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        public Result requireSuccess(String what) {
            if (exitCode != 0) {
                throw new IllegalStateException(what + " failed (exit " + exitCode + "): " + stderr.strip());
            }
            return this;
        }
    }

    private final String name;

    public NetworkNamespace() {
        this.name = "sy-test-" + UUID.randomUUID().toString().substring(0, 8);
        run(null, "ip", "netns", "add", name).requireSuccess("ip netns add " + name);
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace, feeding it {@code stdin} when not null. */
    public Result exec(String stdin, String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(command));
        return run(stdin, argv.toArray(String[]::new));
    }

    /** Creates the nfacct objects kube-proxy's rules reference, which must exist before they load. */
    public void createNfacctCounters(String... names) {
        for (String counter : names) {
            exec(null, "nfacct", "add", counter).requireSuccess("nfacct add " + counter);
        }
    }

    @Override
    public void close() {
        run(null, "ip", "netns", "del", name);
    }

    /** Runs a program on the host (both pipes drained concurrently, killed after a timeout). */
    public static Result run(String stdin, String... argv) {
        ProcessRunner.Result result = new HostProcessRunner(List.of(), 120).run(List.of(argv), stdin);
        return new Result(result.exitCode(), result.stdout(), result.stderr());
    }
}
