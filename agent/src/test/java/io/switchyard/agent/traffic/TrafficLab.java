package io.switchyard.agent.traffic;

import io.switchyard.agent.kernel.NetworkNamespace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Real packets through Switchyard's rules: a Kubernetes node, a client and backend pods, each in
 * a throwaway network namespace of its own, wired together with veth pairs.
 *
 * <pre>
 *   client ns                 node ns (gets the rules)                 backend ns (one per pod)
 *   eth0 clientIp/len ---- vc0 nodeIp/len
 *   default via nodeIp         default via clientIp (the "uplink")
 *                              vbN 169.254.1.1/32, podIp/32 dev vbN ---- eth0 podIp/32
 *                                                                         169.254.1.1 dev eth0
 *                                                                         default via 169.254.1.1
 * </pre>
 *
 * The node forwards (ip_forward=1), sends no ICMP redirects and does not rate-limit the ICMP
 * errors it sends (icmp_ratelimit=0: otherwise the kernel answers only a burst of about six
 * REJECTs per destination and then one a second, and the rest look like DROPs to the client).
 * It leaves route_localnet (which localhost node ports need) to whoever programs the node's rules.
 * The client and the pods do not forward. The node's default route points at the client, so traffic the rules leave alone (a
 * DROPped load balancer IP, say) is routed as on a real node and never leaves the lab. Every pod
 * sits behind this one node — a "remote" endpoint in the Kubernetes model is just another pod
 * here; what the tests look at is which backend answers.
 *
 * <p>Nothing happens in the root namespace: links are created from inside the node namespace
 * with their peer placed straight into the other namespace. {@link #close()} kills every process
 * the lab started and deletes every namespace, also after a failed construction.
 */
public final class TrafficLab implements AutoCloseable {

    /** The namespace role of the Kubernetes node, which gets the rules. */
    public static final String NODE = "node";
    /** The namespace role of the client outside the cluster. */
    public static final String CLIENT = "client";
    /** The node-side address of every pod's veth: the pods' default gateway. */
    public static final String POD_GATEWAY = "169.254.1.1";
    /** Per-request timeout of the client: long enough for a veth round trip, short for DROP. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    private static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> CHILD_JVM_FLAGS = List.of(
            "-XX:+UseSerialGC", "-Xmx48m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
            "-Djava.net.preferIPv4Stack=true");

    /** A pod: a name the server answers with, and its pod IP. */
    public record Backend(String name, String podIp) {
    }

    /** The lab's shape: the node's IP and prefix on the client link, the client's IP, the pods. */
    public record Topology(String nodeIp, int prefixLength, String clientIp, List<Backend> backends) {
        public Topology {
            backends = List.copyOf(backends);
            Set<String> names = new HashSet<>(List.of(NODE, CLIENT));
            for (Backend backend : backends) {
                if (!names.add(backend.name()) || !backend.name().matches("[A-Za-z0-9._-]+")) {
                    throw new IllegalArgumentException("backend name must be unique, not node/client, "
                            + "and a plain word: " + backend.name());
                }
            }
        }
    }

    private record Server(String description, Process process, Path log) {
    }

    private final Topology topology;
    private final Map<String, NetworkNamespace> namespaces = new LinkedHashMap<>();
    private final List<Server> servers = new ArrayList<>();
    private final Path logs;
    private final Thread shutdownHook = new Thread(this::close, "traffic-lab-cleanup");
    private boolean closed;

    public TrafficLab(Topology topology) {
        this.topology = topology;
        try {
            this.logs = Files.createTempDirectory("traffic-lab-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            build();
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void build() {
        NetworkNamespace node = create(NODE);
        node.exec(null, "sysctl", "-q", "-w",
                        "net.ipv4.ip_forward=1",
                        "net.ipv4.conf.all.send_redirects=0",
                        "net.ipv4.conf.default.send_redirects=0",
                        "net.ipv4.conf.all.rp_filter=1",
                        "net.ipv4.conf.default.rp_filter=1",
                        "net.ipv4.icmp_ratelimit=0")
                .requireSuccess("sysctl in the node namespace");
        ip(node, "link set lo up");

        NetworkNamespace client = create(CLIENT);
        endpointSysctls(client);
        ip(node, "link add vc0 type veth peer name eth0 netns " + client.name(),
                "addr add " + topology.nodeIp() + "/" + topology.prefixLength() + " dev vc0",
                "link set vc0 up",
                "route add default via " + topology.clientIp() + " dev vc0");
        ip(client, "link set lo up",
                "addr add " + topology.clientIp() + "/" + topology.prefixLength() + " dev eth0",
                "link set eth0 up",
                "route add default via " + topology.nodeIp() + " dev eth0");

        int index = 0;
        for (Backend backend : topology.backends()) {
            NetworkNamespace pod = create(backend.name());
            endpointSysctls(pod);
            String link = "vb" + index++;
            ip(node, "link add " + link + " type veth peer name eth0 netns " + pod.name(),
                    "addr add " + POD_GATEWAY + "/32 dev " + link,
                    "link set " + link + " up",
                    "route add " + backend.podIp() + "/32 dev " + link);
            ip(pod, "link set lo up",
                    "addr add " + backend.podIp() + "/32 dev eth0",
                    "link set eth0 up",
                    "route add " + POD_GATEWAY + " dev eth0 scope link",
                    "route add default via " + POD_GATEWAY + " dev eth0");
        }
    }

    private NetworkNamespace create(String role) {
        NetworkNamespace ns = new NetworkNamespace();
        namespaces.put(role, ns);
        return ns;
    }

    private static void endpointSysctls(NetworkNamespace ns) {
        ns.exec(null, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0", "net.ipv4.conf.all.accept_redirects=0")
                .requireSuccess("sysctl in " + ns.name());
    }

    /** Runs {@code ip} commands in one batch inside a namespace. */
    private static void ip(NetworkNamespace ns, String... commands) {
        ns.exec(String.join("\n", commands) + "\n", "ip", "-batch", "-")
                .requireSuccess("ip -batch in " + ns.name() + " (" + String.join("; ", commands) + ")");
    }

    public Topology topology() {
        return topology;
    }

    /** The namespace behind a role: {@link #NODE}, {@link #CLIENT} or a backend's name. */
    public NetworkNamespace namespace(String role) {
        NetworkNamespace ns = namespaces.get(role);
        if (ns == null) {
            throw new IllegalArgumentException("no namespace " + role + " in the lab; have " + namespaces.keySet());
        }
        return ns;
    }

    /** The node's rules with packet counters, for failure messages. */
    public String nodeRules() {
        return namespace(NODE).exec(null, "iptables-save", "-c").requireSuccess("iptables-save").stdout();
    }

    /** Starts a TCP echo server in a backend's namespace and waits until it listens. */
    public void startTcpServer(String backend, int port) {
        startServers("tcp", port, List.of(backend));
    }

    /** Starts a UDP echo server in a backend's namespace and waits until it is bound. */
    public void startUdpServer(String backend, int port) {
        startServers("udp", port, List.of(backend));
    }

    /** Starts echo servers on several backends at once ({@code tcp} or {@code udp}) and waits for all. */
    public void startServers(String protocol, int port, List<String> backends) {
        List<Server> started = new ArrayList<>();
        for (String backend : backends) {
            if (topology.backends().stream().noneMatch(b -> b.name().equals(backend))) {
                throw new IllegalArgumentException("no backend " + backend);
            }
            Server server = launchServer(backend, protocol, port);
            servers.add(server);
            started.add(server);
        }
        for (Server server : started) {
            awaitReady(server);
        }
    }

    /** Starts echo servers of one protocol and port on every backend. */
    public void startServersOnAllBackends(String protocol, int port) {
        startServers(protocol, port, topology.backends().stream().map(Backend::name).toList());
    }

    private Server launchServer(String backend, String protocol, int port) {
        String description = protocol + " server " + backend + ":" + port;
        Path log = logs.resolve(backend + "-" + protocol + "-" + port + ".log");
        List<String> argv = javaIn(namespace(backend), EchoServer.class, backend, protocol, Integer.toString(port));
        try {
            Process process = new ProcessBuilder(argv)
                    .redirectError(log.toFile())
                    .start();
            return new Server(description, process, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + description + ": " + e.getMessage(), e);
        }
    }

    private static void awaitReady(Server server) {
        InputStream stdout = server.process().getInputStream();
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> readLine(stdout),
                command -> Thread.ofVirtual().start(command));
        try {
            String line = firstLine.get(SERVER_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!"READY".equals(line)) {
                throw new IllegalStateException(server.description() + " did not start (said " + line + "): "
                        + readLog(server.log()));
            }
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException(server.description() + " did not report READY: " + readLog(server.log()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting " + server.description(), e);
        }
    }

    private static String readLine(InputStream in) {
        StringBuilder line = new StringBuilder();
        try {
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            return c < 0 && line.isEmpty() ? null : line.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a test program's {@code main} in a namespace (a role) and returns it running, its
     * standard error going to the lab's logs; the caller reads its output and waits for it.
     */
    public Process startProgram(String role, Class<?> main, String... args) {
        Path log = logs.resolve(main.getSimpleName() + "-" + System.nanoTime() + ".log");
        try {
            Process process = new ProcessBuilder(javaIn(namespace(role), main, args)).redirectError(log.toFile()).start();
            process.getOutputStream().close();
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} new TCP connections from a namespace (a role) to ip:port, one line each. */
    public TrafficResult tcpRequests(String from, String ip, int port, int count) {
        return requests("tcp", from, ip, port, count, DEFAULT_TIMEOUT);
    }

    /** {@code count} datagrams, each from a fresh socket, from a namespace (a role) to ip:port. */
    public TrafficResult udpRequests(String from, String ip, int port, int count) {
        return requests("udp", from, ip, port, count, DEFAULT_TIMEOUT);
    }

    /** Runs {@link TrafficClient} in a namespace and reads its summary. */
    public TrafficResult requests(String protocol, String from, String ip, int port, int count, Duration timeout) {
        String what = protocol + " client in " + from + " -> " + ip + ":" + port;
        Path log = logs.resolve("client-" + System.nanoTime() + ".log");
        List<String> argv = javaIn(namespace(from), TrafficClient.class, protocol, ip, Integer.toString(port),
                Integer.toString(count), Long.toString(timeout.toMillis()));
        // Worst case every request times out twice (connect, then read), plus JVM start.
        long limitMillis = 2L * count * timeout.toMillis() + 30_000;
        try {
            Process process = new ProcessBuilder(argv).redirectError(log.toFile()).start();
            process.getOutputStream().close();
            CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()),
                    command -> Thread.ofVirtual().start(command));
            if (!process.waitFor(limitMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(what + " did not finish within " + limitMillis + " ms");
            }
            String summary = new String(stdout.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + process.exitValue() + "): " + readLog(log));
            }
            return TrafficResult.parse(summary);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot run " + what + ": " + e.getMessage() + " " + readLog(log), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + what, e);
        } finally {
            deleteQuietly(log);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ip netns exec NS java <flags> -cp <test classes> MAIN args...}. */
    private static List<String> javaIn(NetworkNamespace ns, Class<?> main, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), javaBinary()));
        argv.addAll(CHILD_JVM_FLAGS);
        argv.addAll(List.of("-cp", classpath(), main.getName()));
        argv.addAll(List.of(args));
        return argv;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The servers and the client need only the JDK and their own classes, so the classpath is
     * where this class was loaded from (surefire's java.class.path may be a manifest-only jar
     * that lives in a temp directory); java.class.path is the fallback.
     */
    private static String classpath() {
        try {
            var source = TrafficLab.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                return Path.of(source.getLocation().toURI()).toString();
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException ignored) {
            // fall back below
        }
        return System.getProperty("java.class.path");
    }

    private static String readLog(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log).strip() : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file; the directory goes on close
        }
    }

    /** Stops every server (closing its stdin, then killing it) and deletes every namespace. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (Server server : servers) {
            try {
                server.process().getOutputStream().close();
            } catch (IOException ignored) {
                // killed below anyway
            }
            server.process().destroyForcibly();
        }
        for (Server server : servers) {
            try {
                if (!server.process().waitFor(10, TimeUnit.SECONDS)) {
                    failure = chain(failure, new IllegalStateException(server.description() + " did not die"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        servers.clear();
        List<NetworkNamespace> reversed = new ArrayList<>(namespaces.values());
        java.util.Collections.reverse(reversed);
        for (NetworkNamespace ns : reversed) {
            try {
                ns.close();
            } catch (RuntimeException e) {
                failure = chain(failure, e);
            }
        }
        namespaces.clear();
        try (Stream<Path> files = Files.walk(logs)) {
            files.sorted(Comparator.reverseOrder()).forEach(TrafficLab::deleteQuietly);
        } catch (IOException ignored) {
            // temp directory
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down: this is the hook running
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException chain(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
