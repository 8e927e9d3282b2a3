package io.switchyard.agent.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

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

    static Result run(String stdin, String... argv) {
        try {
            Process process = new ProcessBuilder(argv).start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            var out = process.getInputStream().readAllBytes();
            var err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " timed out");
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv[0], e);
        }
    }
}
