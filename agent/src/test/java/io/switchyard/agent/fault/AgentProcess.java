package io.switchyard.agent.fault;

import io.switchyard.agent.cli.Switchyard;
import io.switchyard.agent.kernel.NetworkNamespace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code switchyard run} as a node runs it: its own JVM, inside a network namespace (through
 * {@code ip netns exec}, which execs the JVM, so signals reach it directly), its stderr log
 * followed line by line with the time each line arrived. The classpath is the test JVM's.
 */
final class AgentProcess implements AutoCloseable {

    /** One line of the agent's log and when ({@link System#nanoTime()}) the test read it. */
    record Line(long nanos, String text) {
    }

    /** The klog line of a completed IPv4 sync. */
    static final Predicate<String> IPV4_SYNC = l -> l.contains("SyncProxyRules complete ipFamily=IPv4");

    private static final List<String> JVM_FLAGS = List.of(
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-Xmx384m");

    private final Process process;
    private final Path log;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.reader = Thread.ofPlatform().name("agent-log-" + process.pid()).daemon().start(this::read);
    }

    /**
     * Starts the agent in {@code ns} against the API server at {@code master}, node {@code node-a},
     * health on 127.0.0.1:10256 and metrics on 127.0.0.1:10249 (inside the namespace), plus
     * {@code extra} flags.
     */
    static AgentProcess start(NetworkNamespace ns, String master, String clusterCidr, String... extra) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), javaBinary()));
        argv.addAll(JVM_FLAGS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Switchyard.class.getName(), "run",
                "--master", master, "--hostname-override", "node-a", "--cluster-cidr", clusterCidr,
                "--healthz-bind-address", "127.0.0.1:10256", "--metrics-bind-address", "127.0.0.1:10249",
                "--conntrack-max-per-core", "0"));
        argv.addAll(List.of(extra));
        try {
            // To a file, read as it grows: a pipe read while the process exits may lose its last
            // lines (the JDK closes it under the reader), and those are the shutdown's.
            Path log = Files.createTempFile("switchyard-agent-", ".log");
            Process process = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(log.toFile()).start();
            process.getOutputStream().close();
            return new AgentProcess(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the agent", e);
        }
    }

    /** Follows the log file until the process has exited and everything it wrote is read. */
    private void read() {
        try (InputStream in = Files.newInputStream(log)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                boolean exited = !process.isAlive();
                int n = in.read(buffer);
                if (n < 0) {
                    if (exited) {
                        break;
                    }
                    Thread.sleep(5);
                    continue;
                }
                long now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines.add(new Line(now, line.toString(StandardCharsets.UTF_8)));
                        line.reset();
                    } else {
                        line.write(buffer[i]);
                    }
                }
            }
            if (line.size() > 0) {
                lines.add(new Line(System.nanoTime(), line.toString(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            lines.add(new Line(System.nanoTime(), "(log reader: " + e + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Lines read at or after {@code since}. */
    List<Line> linesSince(long since) {
        return lines.stream().filter(l -> l.nanos() >= since).toList();
    }

    long count(Predicate<String> matching) {
        return lines.stream().filter(l -> matching.test(l.text())).count();
    }

    /**
     * Waits until {@code count} lines match; the first of the matching lines that made the count,
     * or null when the time ran out or the agent died first.
     */
    Line await(Predicate<String> matching, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Line> matched = lines.stream().filter(l -> matching.test(l.text())).toList();
            if (matched.size() >= count) {
                return matched.get(count - 1);
            }
            if (System.nanoTime() > deadline || (!process.isAlive() && !reader.isAlive())) {
                return null;
            }
            Thread.sleep(20);
        }
    }

    /** SIGTERM, as the kubelet stops a container. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: no chance to clean anything up. */
    void kill() {
        process.destroyForcibly();
    }

    /** The exit code, once the process ended within {@code timeout}; empty when it did not. */
    OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return OptionalInt.empty();
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return OptionalInt.of(process.exitValue());
    }

    /** The log lines that look like a Java stack trace or an exception's class name. */
    List<String> stackTraces() {
        return lines.stream().map(Line::text)
                .filter(l -> l.startsWith("\tat ") || l.matches(".*\\b[a-z]+(\\.[a-z0-9]+)+\\.[A-Z][A-Za-z]*(Exception|Error)\\b.*")
                        || l.startsWith("Caused by:"))
                .toList();
    }

    /** The last lines of the log, for failure messages. */
    String tail(int count) {
        List<Line> all = lines();
        return all.subList(Math.max(0, all.size() - count), all.size()).stream().map(Line::text)
                .collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temp file
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
