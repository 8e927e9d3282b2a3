package io.switchyard.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace for kernel tests ({@code ip netns add sy-<what>-<random>}),
 * deleted on close, and a way to run the standard tools inside it as independent witnesses.
 */
public final class TestNamespace implements AutoCloseable {

    /** What a command printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** This result, or an exception naming the command when it failed. */
        public Result ok(String what) {
            if (exitCode != 0) {
                throw new IllegalStateException(what + " failed (exit " + exitCode + "): " + stderr.strip());
            }
            return this;
        }
    }

    private final String name;

    /** Creates {@code sy-<what>-<random>}. */
    public TestNamespace(String what) {
        this.name = "sy-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
        run("ip", "netns", "add", name).ok("ip netns add " + name);
    }

    public String name() {
        return name;
    }

    /** The namespace file to open sockets in. */
    public Path path() {
        return Path.of("/var/run/netns", name);
    }

    /** Runs a command inside the namespace. */
    public Result exec(String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(command));
        return run(argv.toArray(String[]::new));
    }

    /** Runs a command inside the namespace and fails the test when it fails. */
    public String sh(String... command) {
        return exec(command).ok(String.join(" ", command)).stdout();
    }

    @Override
    public void close() {
        run("ip", "netns", "del", name);
    }

    /** Runs a program (both pipes drained, killed after two minutes). */
    public static Result run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not end within 120 s");
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
