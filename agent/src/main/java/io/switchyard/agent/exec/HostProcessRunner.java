package io.switchyard.agent.exec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs programs on this host, optionally behind a fixed prefix such as
 * {@code ip netns exec NAME} so that a whole agent can be pointed at a network namespace.
 */
public final class HostProcessRunner implements ProcessRunner {

    private static final long DEFAULT_TIMEOUT_SECONDS = 300;

    private final List<String> prefix;
    private final long timeoutSeconds;

    public HostProcessRunner() {
        this(List.of());
    }

    public HostProcessRunner(List<String> prefix) {
        this(prefix, DEFAULT_TIMEOUT_SECONDS);
    }

    /** A runner that gives up on (and kills) any program still running after {@code timeoutSeconds}. */
    public HostProcessRunner(List<String> prefix, long timeoutSeconds) {
        this.prefix = List.copyOf(prefix);
        this.timeoutSeconds = timeoutSeconds;
    }

    /** A runner whose programs all run inside the named network namespace. */
    public static HostProcessRunner inNetworkNamespace(String namespace) {
        return new HostProcessRunner(List.of("ip", "netns", "exec", namespace));
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        List<String> command = new ArrayList<>(prefix.size() + argv.size());
        command.addAll(prefix);
        command.addAll(argv);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            return new Result(127, "", "cannot run " + argv.getFirst() + ": " + e.getMessage());
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        // The input goes in on a thread of its own, so that the time-out also covers a program
        // that reads its input slowly or not at all.
        Thread.ofVirtual().name("stdin-" + argv.getFirst()).start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The program exited (or was killed) without reading all of its input; its exit
                // code tells why.
            }
        });
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(124, out.getNow(""), argv.getFirst() + " timed out after " + timeoutSeconds + "s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(130, "", argv.getFirst() + " interrupted");
        }
    }

    @Override
    public Result runLines(List<String> argv, Consumer<String> lines) {
        List<String> command = new ArrayList<>(prefix.size() + argv.size());
        command.addAll(prefix);
        command.addAll(argv);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            return new Result(127, "", "cannot run " + argv.getFirst() + ": " + e.getMessage());
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        CompletableFuture<Boolean> timeout = CompletableFuture.supplyAsync(() -> {
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return true;
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            return false;
        });
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.accept(line);
            }
        } catch (IOException e) {
            // The program died; its exit code tells why.
        }
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(130, "", argv.getFirst() + " interrupted");
        }
        if (timeout.join()) {
            return new Result(124, "", argv.getFirst() + " timed out after " + timeoutSeconds + "s");
        }
        return new Result(process.exitValue(), "", err.join());
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
