package io.switchyard.agent.traffic;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.traffic.TrafficLab.Backend;
import io.switchyard.agent.traffic.TrafficLab.Topology;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.switchyard.agent.traffic.TrafficLab.CLIENT;
import static io.switchyard.agent.traffic.TrafficLab.NODE;
import static io.switchyard.agent.traffic.TrafficLab.POD_GATEWAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The safety property of the staged apply, with real traffic: while the real {@link IptablesDataplane}
 * (in a {@link TrafficLab}'s node namespace) installs a 10,000-service cluster in a full sync of
 * many {@code iptables-restore --noflush} transactions, and then rolls every endpoint of that
 * cluster in two large partial syncs, a client keeps opening new TCP connections to one "probe"
 * Service. Not one connection may fail, and every one must be answered by a backend that was an
 * endpoint of the probe Service at that moment.
 *
 * <p>The probe Service ({@code probe/web}, 10.100.0.10:80) starts with the two "old" pods. The
 * first wave of the rolling change moves it to [old-1, new-1], the second to [new-1, new-2]; each
 * wave rides along with half of the generated services' endpoint changes, so the probe's own
 * chains are rewritten in the middle of a large staged sync, and its stale endpoint chains are
 * deleted by one (the sync period is short, so every sync cleans up).
 *
 * <p>Timing: the client stamps every connection with {@link System#nanoTime()} before
 * {@code connect()} and after the answer (or failure); the test stamps every sync before and
 * after {@link Proxier#syncProxyRules()}. Both are CLOCK_MONOTONIC, shared by every
 * process of the machine. A backend is valid for a connection when its validity window (as an
 * endpoint of the probe Service: from the start of the sync that added it to the end of the sync
 * that removed it) overlaps the connection's [start, end] widened by {@link #GRACE} — the node's
 * nat decision for a connection lies inside that interval.
 *
 * <p>The lab is tuned so that only the rules can fail a connection: the client ends every
 * connection with a reset once the answer is in and the pods keep no TIME_WAIT (see
 * {@link ProbeClient}); otherwise, at thousands of connections a second from one masquerade
 * address, reused source ports meet old TIME_WAIT entries and a few SYNs time out with no rule
 * involved. The summary printed at the end shows the kernel's counters: a SYN the node did not
 * DNAT comes back to the client and counts as its {@code IpInAddrErrors}.
 *
 * <p>That the test can fail was checked by hand: flushing the probe's KUBE-SVC chain in one
 * {@code iptables-restore} and refilling it in a second one 100 ms later, three times during
 * phase A, fails it with timed-out connections (one per window, as the client is serial, and
 * more later: the SYN that met the empty chain leaves an un-NATed conntrack entry that breaks
 * its source port when the client reuses it); pointing the chain at new-2 for 300 ms fails it
 * with a few hundred connections answered by a pod that was no endpoint then.
 */
class SyncSafetyTest {

    private static final String CLIENT_IP = "10.0.0.2";
    private static final String OLD1 = "old-1";
    private static final String OLD2 = "old-2";
    private static final String NEW1 = "new-1";
    private static final String NEW2 = "new-2";
    /** Inside the cluster CIDR (10.128.0.0/9), far from the generator's pod IPs (10.128.1.0 up to ~10.131.x). */
    private static final Map<String, String> POD_IPS = Map.of(
            OLD1, "10.200.0.11", OLD2, "10.200.0.12", NEW1, "10.200.0.21", NEW2, "10.200.0.22");
    /** Not among the generator's cluster IPs (10.96.0.16 up). */
    private static final String PROBE_IP = "10.100.0.10";
    private static final int PROBE_PORT = 80;
    private static final int TARGET_PORT = 8080;

    private static final int SERVICES = 10_000;
    private static final int ENDPOINTS_PER_SERVICE = 10;
    private static final long SEED = 1;

    /** Slack around every switch point; the exact nat decision lies inside the connection's interval. */
    private static final Duration GRACE = Duration.ofMillis(200);
    /** Per connection: connect and read timeout. A lost SYN is not retransmitted within it. */
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    /** The client gives up by itself after this long, whatever happens to the test. */
    private static final int CLIENT_MAX_SECONDS = 240;
    private static final Duration TAIL = Duration.ofSeconds(1);
    private static final int MIN_TAIL_CONNECTIONS = 100;
    private static final int MIN_CONNECTIONS = 500;

    private static final List<String> CHILD_JVM_FLAGS = List.of(
            "-XX:+UseSerialGC", "-Xmx48m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
            "-Djava.net.preferIPv4Stack=true");

    private static TrafficLab lab;

    private Proxier proxier;
    private Process client;
    private Path clientLog;
    private final List<SyncReport> reports = new CopyOnWriteArrayList<>();

    /** One connection of the probe client. */
    record Connection(long start, long end, boolean ok, String backend, String peer, String failure) {
    }

    @BeforeAll
    static void startLab() {
        KernelTestSupport.requireRootWithIptables();
        lab = new TrafficLab(new Topology(ClusterGenerator.NODE_IP, 24, CLIENT_IP, List.of(
                new Backend(OLD1, POD_IPS.get(OLD1)),
                new Backend(OLD2, POD_IPS.get(OLD2)),
                new Backend(NEW1, POD_IPS.get(NEW1)),
                new Backend(NEW2, POD_IPS.get(NEW2)))));
        for (String pod : POD_IPS.keySet()) {
            // No TIME_WAIT on the pods: tens of thousands of connections from one masquerade
            // address reuse its ports within seconds, and a SYN that meets the previous
            // connection's TIME_WAIT may be refused (PAWS) and cost a retransmission timeout.
            lab.namespace(pod).exec(null, "sysctl", "-q", "-w", "net.ipv4.tcp_max_tw_buckets=0")
                    .requireSuccess("sysctl in " + pod);
        }
        lab.startServersOnAllBackends("tcp", TARGET_PORT);
    }

    @AfterEach
    void stopClientAndProxier() throws InterruptedException, IOException {
        if (client != null) {
            try {
                client.getOutputStream().close();
            } catch (IOException ignored) {
                // killed below anyway
            }
            client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            client = null;
        }
        if (clientLog != null) {
            Files.deleteIfExists(clientLog);
        }
        if (proxier != null) {
            proxier.close();
            proxier = null;
        }
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void stagedSyncsNeverFailOrMisrouteAConnectionOfAnUnrelatedService() throws Exception {
        String nodeNs = lab.namespace(NODE).name();
        HostProcessRunner inNode = new HostProcessRunner(List.of("ip", "netns", "exec", nodeNs), 90);
        // The runner is never started, so the sync period only decides how often a large
        // cluster's stale chains are deleted (at most once per period): with 1 ms, every sync
        // deletes what it left stale — the probe's old endpoint chains included.
        ProxySettings settings = ProxySettings.defaults(ClusterGenerator.NODE,
                        List.of(Cidr.parse(ClusterGenerator.CLUSTER_CIDR)))
                .withSyncPeriods(Duration.ofMillis(1), Duration.ZERO);
        SyncListener recorder = new SyncListener() {
            @Override
            public void syncCompleted(SyncReport report) {
                reports.add(report);
            }
        };
        proxier = new Proxier(new IptablesDataplane(IpFamily.IPV4, settings, new Iptables(IpFamily.IPV4, inNode),
                new NfacctCounters(inNode)), settings.hostname(), settings.syncPeriod(), settings.minSyncPeriod(),
                List.of(recorder), java.time.InstantSource.system());

        ClusterGenerator generator = new ClusterGenerator(SERVICES, ENDPOINTS_PER_SERVICE, SEED);
        ClusterObjects cluster = generator.generate();
        List<V1EndpointSlice> rolled = new ArrayList<>(SERVICES);
        for (int i = 0; i < SERVICES; i++) {
            rolled.add(generator.slice(i, 1));
        }

        // The probe Service alone: a small, atomic first sync.
        V1EndpointSlice probeOld = probeSlice(OLD1, OLD2);
        V1EndpointSlice probeMixed = probeSlice(OLD1, NEW1);
        V1EndpointSlice probeNew = probeSlice(NEW1, NEW2);
        cluster.nodes().forEach(proxier::onNodeAdd);
        proxier.onServiceAdd(probeService());
        proxier.onEndpointSliceAdd(probeOld);
        proxier.onServicesSynced();
        proxier.onEndpointSlicesSynced();
        assertThat(proxier.syncProxyRules()).as("first sync").isTrue();
        assertThat(transactions(reports.getLast())).as("the probe alone fits one transaction").isEqualTo(1);
        TrafficResult check = lab.tcpRequests(CLIENT, PROBE_IP, PROBE_PORT, 20);
        assertThat(check.failures()).as("the probe Service works before anything else: %s", check).isZero();
        assertThat(check.answers().keySet()).as("%s", check).isSubsetOf(OLD1, OLD2);

        // The 10k generated Services are delivered now; they reach the kernel in phase A.
        cluster.services().forEach(proxier::onServiceAdd);
        cluster.endpointSlices().forEach(proxier::onEndpointSliceAdd);

        ConcurrentLinkedQueue<Connection> connections = new ConcurrentLinkedQueue<>();
        AtomicInteger answered = new AtomicInteger();
        AtomicLong clientStart = new AtomicLong();
        CountDownLatch ended = new CountDownLatch(1);
        long launched = System.nanoTime();
        startClient(connections, answered, clientStart, ended);
        awaitAnswers(answered, 50, Duration.ofSeconds(30));
        assertThat(clientStart.get()).as("the client's nanoTime is the test's clock")
                .isBetween(launched, System.nanoTime());

        // Phase A: a full sync of the whole 10k-service ruleset, the probe's chains included.
        proxier.forceFullSync();
        long aStart = System.nanoTime();
        assertThat(proxier.syncProxyRules()).as("phase A sync").isTrue();
        long aEnd = System.nanoTime();
        SyncReport phaseA = reports.getLast();
        assertThat(phaseA.success()).isTrue();
        assertThat(phaseA.full()).as("phase A is a full sync").isTrue();
        assertThat(phaseA.services()).isEqualTo(SERVICES + 1);
        assertThat(transactions(phaseA)).as("phase A is staged over many transactions").isGreaterThan(10);

        // Phase B, wave 1: the first half of the services' endpoints roll, the probe goes to [old-1, new-1].
        for (int i = 0; i < SERVICES / 2; i++) {
            proxier.onEndpointSliceUpdate(cluster.endpointSlices().get(i), rolled.get(i));
        }
        proxier.onEndpointSliceUpdate(probeOld, probeMixed);
        long b1Start = System.nanoTime();
        assertThat(proxier.syncProxyRules()).as("phase B wave 1 sync").isTrue();
        long b1End = System.nanoTime();
        SyncReport wave1 = reports.getLast();
        assertThat(wave1.full()).as("wave 1 is a partial sync").isFalse();
        assertThat(wave1.changedServices()).isEqualTo(SERVICES / 2 + 1);
        assertThat(transactions(wave1)).as("wave 1 is staged over many transactions").isGreaterThan(10);

        // Phase B, wave 2: the other half rolls, the probe goes to [new-1, new-2].
        for (int i = SERVICES / 2; i < SERVICES; i++) {
            proxier.onEndpointSliceUpdate(cluster.endpointSlices().get(i), rolled.get(i));
        }
        proxier.onEndpointSliceUpdate(probeMixed, probeNew);
        long b2Start = System.nanoTime();
        assertThat(proxier.syncProxyRules()).as("phase B wave 2 sync").isTrue();
        long b2End = System.nanoTime();
        SyncReport wave2 = reports.getLast();
        assertThat(wave2.full()).as("wave 2 is a partial sync").isFalse();
        assertThat(wave2.changedServices()).isEqualTo(SERVICES - SERVICES / 2 + 1);
        assertThat(transactions(wave2)).as("wave 2 is staged over many transactions").isGreaterThan(10);

        // The tail: at least a second, and enough connections that only the new pods may answer.
        Thread.sleep(TAIL.toMillis());
        long tailFrom = b2End + GRACE.toNanos();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (connections.stream().filter(c -> c.start() > tailFrom).count() < MIN_TAIL_CONNECTIONS
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long stopAt = System.nanoTime();
        stopClient(ended);

        Timeline timeline = new Timeline(aStart, aEnd, b1Start, b1End, b2Start, b2End);
        List<Connection> all = new ArrayList<>(connections);
        String summary = summary(all, timeline, stopAt - launched, phaseA, wave1, wave2) + kernelCounters();
        System.out.println(summary);

        List<Connection> failed = all.stream().filter(c -> !c.ok()).toList();
        List<Connection> misrouted = all.stream().filter(c -> c.ok() && !timeline.valid(c)).toList();
        List<Connection> notMasqueraded = all.stream().filter(c -> c.ok() && !POD_GATEWAY.equals(c.peer())).toList();
        assertThat(all.size()).as("enough connections to mean something\n%s", summary)
                .isGreaterThanOrEqualTo(MIN_CONNECTIONS);
        assertThat(failed.size()).as("failed connections\n%s\n%s", describe(failed, timeline), summary).isZero();
        assertThat(misrouted.size()).as("connections answered by a pod that was not an endpoint of the probe then\n%s\n%s",
                describe(misrouted, timeline), summary).isZero();
        assertThat(notMasqueraded.size()).as("connections from outside the cluster CIDR are masqueraded\n%s\n%s",
                describe(notMasqueraded, timeline), summary).isZero();

        // The rolling change took effect: after it, the new pods (both of them) answer.
        Map<String, Long> tail = all.stream().filter(c -> c.ok() && c.start() > tailFrom)
                .collect(Collectors.groupingBy(Connection::backend, TreeMap::new, Collectors.counting()));
        assertThat(tail.keySet()).as("who answered after the last sync\n%s", summary).containsExactly(NEW1, NEW2);
        assertThat(all.stream().filter(c -> c.ok() && c.start() >= b1End && c.end() < b2Start)
                .map(Connection::backend).collect(Collectors.toSet()))
                .as("after wave 1, before wave 2, new-1 answers\n%s", summary).contains(NEW1);
        assertThat(all.stream().filter(c -> c.ok() && c.end() < aEnd && c.start() > aStart)
                .map(Connection::backend).collect(Collectors.toSet()))
                .as("during phase A, both old pods answer\n%s", summary).containsExactlyInAnyOrder(OLD1, OLD2);
    }

    // ---- the probe Service -----------------------------------------------------------------

    private static V1Service probeService() {
        return new V1Service().apiVersion("v1").kind("Service")
                .metadata(new V1ObjectMeta().namespace("probe").name("web"))
                .spec(new V1ServiceSpec().type("ClusterIP")
                        .clusterIP(PROBE_IP).clusterIPs(List.of(PROBE_IP))
                        .ipFamilies(List.of("IPv4")).ipFamilyPolicy("SingleStack")
                        .internalTrafficPolicy("Cluster").sessionAffinity("None")
                        .ports(List.of(new V1ServicePort().name("http").port(PROBE_PORT).protocol("TCP")
                                .targetPort(new IntOrString(TARGET_PORT)))));
    }

    private static V1EndpointSlice probeSlice(String... pods) {
        List<V1Endpoint> endpoints = new ArrayList<>();
        for (String pod : pods) {
            endpoints.add(new V1Endpoint()
                    .addresses(List.of(POD_IPS.get(pod)))
                    .conditions(new V1EndpointConditions().ready(true).serving(true).terminating(false))
                    .nodeName(pod.startsWith("old") ? "node-b" : "node-c"));
        }
        return new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice")
                .metadata(new V1ObjectMeta().namespace("probe").name("web-x7k2p")
                        .labels(Map.of("kubernetes.io/service-name", "web",
                                "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")))
                .addressType("IPv4")
                .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(TARGET_PORT).protocol("TCP")))
                .endpoints(endpoints);
    }

    // ---- the continuous client -------------------------------------------------------------

    private void startClient(ConcurrentLinkedQueue<Connection> connections, AtomicInteger answered,
                             AtomicLong clientStart, CountDownLatch ended) throws IOException {
        clientLog = Files.createTempFile("sync-safety-client-", ".log");
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", lab.namespace(CLIENT).name(), javaBinary()));
        argv.addAll(CHILD_JVM_FLAGS);
        argv.addAll(List.of("-cp", classpath(), ProbeClient.class.getName(), PROBE_IP, Integer.toString(PROBE_PORT),
                Integer.toString(CONNECT_TIMEOUT_MILLIS), Integer.toString(CLIENT_MAX_SECONDS)));
        client = new ProcessBuilder(argv).redirectError(clientLog.toFile()).start();
        Process process = client;
        Thread.ofPlatform().name("probe-client-reader").daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String[] words = line.split(" ", 6);
                    switch (words[0]) {
                        case "START" -> clientStart.set(Long.parseLong(words[1]));
                        case "C" -> {
                            long start = Long.parseLong(words[1]);
                            long end = Long.parseLong(words[2]);
                            boolean ok = words[3].equals("OK");
                            connections.add(ok
                                    ? new Connection(start, end, true, words[4], words.length > 5 ? words[5] : "-", null)
                                    : new Connection(start, end, false, null, null,
                                            words[4] + (words.length > 5 ? " " + words[5] : "")));
                            if (ok) {
                                answered.incrementAndGet();
                            }
                        }
                        case "END" -> ended.countDown();
                        default -> System.err.println("probe client said: " + line);
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("probe client reader: " + e);
            } finally {
                ended.countDown();
            }
        });
    }

    private void awaitAnswers(AtomicInteger answered, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered.get() < count && System.nanoTime() < deadline && client.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(answered.get()).as("the probe client gets answers before the syncs start; its stderr: %s",
                readQuietly(clientLog)).isGreaterThanOrEqualTo(count);
    }

    /** Closes the client's stdin; it finishes its connection, prints END and exits. */
    private void stopClient(CountDownLatch ended) throws InterruptedException {
        try {
            client.getOutputStream().close();
        } catch (IOException ignored) {
            // it is gone already
        }
        boolean done = ended.await(15, TimeUnit.SECONDS) && client.waitFor(10, TimeUnit.SECONDS);
        assertThat(done).as("the probe client stopped; its stderr: %s", readQuietly(clientLog)).isTrue();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Where the test classes are (surefire's java.class.path may be a manifest-only jar). */
    private static String classpath() {
        try {
            var source = ProbeClient.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                return Path.of(source.getLocation().toURI()).toString();
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException ignored) {
            // fall back below
        }
        return System.getProperty("java.class.path");
    }

    private static String readQuietly(Path file) {
        try {
            return file == null || !Files.exists(file) ? "" : Files.readString(file).strip();
        } catch (IOException e) {
            return "(cannot read " + file + ")";
        }
    }

    // ---- judging -----------------------------------------------------------------------------

    /** When each sync started and ended; which pods were endpoints of the probe when. */
    record Timeline(long aStart, long aEnd, long b1Start, long b1End, long b2Start, long b2End) {

        /** From the start of the sync that added a pod to the end of the sync that removed it. */
        long[] window(String backend) {
            return switch (backend) {
                case OLD1 -> new long[] {Long.MIN_VALUE, b2End};
                case OLD2 -> new long[] {Long.MIN_VALUE, b1End};
                case NEW1 -> new long[] {b1Start, Long.MAX_VALUE};
                case NEW2 -> new long[] {b2Start, Long.MAX_VALUE};
                default -> null;
            };
        }

        boolean valid(Connection c) {
            long[] window = window(c.backend());
            return window != null && c.start() - GRACE.toNanos() <= window[1] && c.end() + GRACE.toNanos() >= window[0];
        }

        String phase(long t) {
            if (t < aStart) {
                return "0 before";
            } else if (t < aEnd) {
                return "1 A full sync";
            } else if (t < b1Start) {
                return "2 A->B";
            } else if (t < b1End) {
                return "3 B wave 1";
            } else if (t < b2Start) {
                return "4 between waves";
            } else if (t < b2End) {
                return "5 B wave 2";
            }
            return "6 tail";
        }

        String describe(long t) {
            return phase(t) + String.format(" (A %+d ms, B1 %+d ms, B2 %+d ms from each sync's start)",
                    (t - aStart) / 1_000_000, (t - b1Start) / 1_000_000, (t - b2Start) / 1_000_000);
        }
    }

    private static String describe(List<Connection> connections, Timeline timeline) {
        return connections.stream().limit(20)
                .map(c -> "  " + timeline.describe(c.start()) + ", took " + (c.end() - c.start()) / 1_000_000 + " ms: "
                        + (c.ok() ? c.backend() + " (saw " + c.peer() + ")" : c.failure()))
                .collect(Collectors.joining("\n")) + (connections.size() > 20 ? "\n  ..." : "");
    }

    /**
     * The kernel's view, for failure analysis: what the node's conntrack and its INVALID drop
     * saw, SYNs the client had to retransmit and packets it got that were not for it (a SYN the
     * node did not DNAT is routed back to the client), and what the pods refused.
     */
    private static String kernelCounters() {
        StringBuilder out = new StringBuilder("  kernel counters:\n");
        try {
            var node = lab.namespace(NODE);
            out.append("    node conntrack -S: ").append(node.exec(null, "conntrack", "-S").stdout().strip()
                    .replaceAll("\\s+", " ")).append('\n');
            out.append("    node nfacct: ").append(node.exec(null, "nfacct", "list").stdout().strip()
                    .replaceAll("\\s+", " ")).append('\n');
            for (String role : List.of(NODE, CLIENT, OLD1, OLD2, NEW1, NEW2)) {
                String counters = lab.namespace(role).exec(null, "nstat", "-az").stdout().lines()
                        .map(l -> l.split("\\s+"))
                        .filter(w -> w.length >= 2 && !w[1].equals("0") && Set.of("IpInAddrErrors", "IpInDiscards",
                                "IpOutNoRoutes", "TcpAttemptFails", "TcpEstabResets", "TcpRetransSegs", "TcpInErrs",
                                "TcpOutRsts", "TcpExtTCPSynRetrans", "TcpExtPAWSTimewait", "TcpExtPAWSActive",
                                "TcpExtTW", "TcpExtTCPChallengeACK", "TcpExtTCPSYNChallenge", "TcpExtListenDrops",
                                "TcpExtListenOverflows", "TcpExtTCPTimeouts", "TcpActiveOpens", "TcpPassiveOpens",
                                "IcmpInMsgs", "IcmpOutMsgs").contains(w[0]))
                        .map(w -> w[0] + "=" + w[1]).collect(Collectors.joining(" "));
                out.append("    ").append(role).append(": ").append(counters).append('\n');
            }
        } catch (RuntimeException e) {
            out.append("    (cannot read: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    /** How many restore transactions a sync used. */
    private static int transactions(SyncReport report) {
        return detail(report, "transactions");
    }

    private static int detail(SyncReport report, String key) {
        return (Integer) ((SyncOutcome.Applied) report.outcome()).details().get(key);
    }

    /** When a connection {@code backend} answered first started, in ms relative to {@code reference}. */
    private static String first(List<Connection> all, String backend, long reference) {
        var start = all.stream().filter(c -> c.ok() && c.backend().equals(backend)).mapToLong(Connection::start).min();
        return start.isPresent() ? String.format("%+d", (start.getAsLong() - reference) / 1_000_000) : "never";
    }

    /** When the last connection {@code backend} answered started, in ms relative to {@code reference}. */
    private static String last(List<Connection> all, String backend, long reference) {
        var start = all.stream().filter(c -> c.ok() && c.backend().equals(backend)).mapToLong(Connection::start).max();
        return start.isPresent() ? String.format("%+d", (start.getAsLong() - reference) / 1_000_000) : "never";
    }

    private static String summary(List<Connection> all, Timeline timeline, long trafficNanos,
                                  SyncReport phaseA, SyncReport wave1, SyncReport wave2) {
        Map<String, Map<String, Integer>> byPhase = new TreeMap<>();
        for (Connection c : all) {
            String outcome = c.ok() ? c.backend() : "FAIL " + c.failure().split(" ", 2)[0];
            byPhase.computeIfAbsent(timeline.phase(c.start()), p -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
        }
        long failures = all.stream().filter(c -> !c.ok()).count();
        long slowest = all.stream().mapToLong(c -> c.end() - c.start()).max().orElse(0) / 1_000_000;
        StringBuilder out = new StringBuilder("sync safety: ");
        out.append(all.size()).append(" connections in ").append(trafficNanos / 1_000_000).append(" ms (")
                .append(String.format("%.0f", all.size() * 1e9 / Math.max(1, trafficNanos))).append("/s), ")
                .append(failures).append(" failed, slowest ").append(slowest).append(" ms\n");
        out.append(String.format("  phase A  full    %6d ms wall, %5d ms in sync, %3d transactions, %d nat rules%n",
                (timeline.aEnd() - timeline.aStart()) / 1_000_000, phaseA.elapsed().toMillis(),
                transactions(phaseA), phaseA.iptablesRules("nat")));
        out.append(String.format("  phase B1 partial %6d ms wall, %5d ms in sync, %3d transactions, %d changed, %d stale chains%n",
                (timeline.b1End() - timeline.b1Start()) / 1_000_000, wave1.elapsed().toMillis(),
                transactions(wave1), wave1.changedServices(), detail(wave1, "staleChains")));
        out.append(String.format("  phase B2 partial %6d ms wall, %5d ms in sync, %3d transactions, %d changed, %d stale chains%n",
                (timeline.b2End() - timeline.b2Start()) / 1_000_000, wave2.elapsed().toMillis(),
                transactions(wave2), wave2.changedServices(), detail(wave2, "staleChains")));
        out.append(String.format("  switch points: first new-1 at B1 %s, last old-2 at B1 end %s; "
                        + "first new-2 at B2 %s, last old-1 at B2 end %s (ms, by connection start)%n",
                first(all, NEW1, timeline.b1Start()), last(all, OLD2, timeline.b1End()),
                first(all, NEW2, timeline.b2Start()), last(all, OLD1, timeline.b2End())));
        byPhase.forEach((phase, counts) -> out.append("  ").append(String.format("%-16s", phase.substring(2)))
                .append(counts).append('\n'));
        return out.toString();
    }
}
