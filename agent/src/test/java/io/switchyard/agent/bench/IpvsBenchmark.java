package io.switchyard.agent.bench;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.ipvs.IpsetCommands;
import io.switchyard.agent.ipvs.IpvsDataplane;
import io.switchyard.agent.ipvs.IpvsMode;
import io.switchyard.agent.proxy.Dataplane;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.ipvs.InMemoryIpvs;
import io.switchyard.netlink.rtnl.InMemoryNetworkInterfaces;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sync figures of ipvs mode on a generated cluster, next to iptables mode's ({@link ProcessBenchmark}),
 * to run where the kernel has IPVS ({@code scripts/kernel-vm.sh}); not part of any test run.
 * First sync (events in, kernel programmed), one endpoint change (median of 11), a burst of
 * endpoint changes, and the peak RSS of this process, each mode in a JVM of its own:
 *
 * <pre>
 * java -cp TEST_CLASSPATH io.switchyard.agent.bench.IpvsBenchmark ipvs|ipvs-in-memory|iptables SERVICES [ENDPOINTS]
 * </pre>
 *
 * {@code ipvs-in-memory} keeps IPVS and kube-ipvs0 in memory (ipset and iptables stay real): the
 * agent's own cost, on a kernel without IPVS.
 */
public final class IpvsBenchmark {

    private static final int SAMPLES = 11;
    private static final int BURST = 1000;

    private IpvsBenchmark() {
    }

    public static void main(String[] args) {
        String mode = args[0];
        int services = Integer.parseInt(args[1]);
        int endpoints = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        ClusterGenerator generator = new ClusterGenerator(services, endpoints, 1);
        if (mode.equals("iptables")) {
            ProcessBenchmark.Result r = new ProcessBenchmark(Duration.ZERO).run(generator, BURST, 1500);
            print(mode, services, endpoints, r.firstSync(), r.oneChange(), r.burstSize(), r.burst(), r.peakRssBytes(),
                    "nat rules " + r.natRules());
            return;
        }
        String ns = "sy-bench-" + UUID.randomUUID().toString().substring(0, 8);
        ProcessRunner host = new HostProcessRunner();
        require(host.run(List.of("ip", "netns", "add", ns), null), "ip netns add");
        try {
            require(host.run(List.of("ip", "-n", ns, "-batch", "-"), "link set lo up\nlink add eth0 type veth peer name peer0\n"
                    + "addr add " + ClusterGenerator.NODE_IP + "/24 dev eth0\nlink set eth0 up\nlink set peer0 up\n"), "ip");
            run(mode, ns, generator);
        } finally {
            host.run(List.of("ip", "netns", "del", ns), null);
        }
    }

    private static void run(String mode, String ns, ClusterGenerator generator) {
        ClusterObjects cluster = generator.generate();
        ProxySettings settings = ProxySettings.defaults(ClusterGenerator.NODE, List.of(Cidr.parse(ClusterGenerator.CLUSTER_CIDR)));
        Dataplane dataplane;
        if (mode.equals("ipvs")) {
            dataplane = IpvsMode.start(settings, List.of(IpFamily.IPV4), IpvsMode.Kernel.inNamespace(ns), Duration.ZERO)
                    .getFirst();
        } else {
            InMemoryNetworkInterfaces links = new InMemoryNetworkInterfaces();
            links.createVethPair("eth0", "peer0");
            links.addAddress("eth0", new LinkAddress(ClusterGenerator.NODE_IP, 24, LinkAddress.SCOPE_UNIVERSE, 0));
            ProcessRunner runner = HostProcessRunner.inNetworkNamespace(ns);
            dataplane = new IpvsDataplane(IpFamily.IPV4, settings, new InMemoryIpvs(), links, new IpsetCommands(runner),
                    new Iptables(IpFamily.IPV4, runner), Duration.ZERO);
        }
        List<SyncReport> reports = new CopyOnWriteArrayList<>();
        SyncListener recorder = new SyncListener() {
            @Override
            public void syncCompleted(SyncReport report) {
                reports.add(report);
            }
        };
        try (Proxier proxier = new Proxier(dataplane, settings.hostname(), settings.syncPeriod(), Duration.ZERO,
                List.of(recorder), InstantSource.system())) {
            long start = System.nanoTime();
            ProcessBenchmark.deliver(proxier, cluster);
            require(proxier.syncProxyRules(), "first sync");
            Duration first = Duration.ofNanos(System.nanoTime() - start);
            SyncOutcome.Applied firstOutcome = (SyncOutcome.Applied) reports.getLast().outcome();

            List<Duration> singles = new ArrayList<>();
            int samples = Math.min(SAMPLES, generator.services());
            for (int i = 0; i < samples; i++) {
                start = System.nanoTime();
                proxier.onEndpointSliceUpdate(cluster.endpointSlices().get(i), generator.slice(i, 1));
                require(proxier.syncProxyRules(), "one-change sync");
                singles.add(Duration.ofNanos(System.nanoTime() - start));
            }
            String lastSingle = reports.getLast().outcome() instanceof SyncOutcome.Applied a ? a.details().toString() : "";
            singles.sort(null);
            int burst = Math.min(BURST, generator.services() - samples);
            start = System.nanoTime();
            for (int i = samples; i < samples + burst; i++) {
                proxier.onEndpointSliceUpdate(cluster.endpointSlices().get(i), generator.slice(i, 1));
            }
            require(proxier.syncProxyRules(), "burst sync");
            Duration burstTime = Duration.ofNanos(System.nanoTime() - start);
            print(mode, generator.services(), generator.endpointsPerService(), first, singles.get(singles.size() / 2),
                    burst, burstTime, ProcessBenchmark.peakRss(), "virtual servers " + firstOutcome.details().get("virtualServers")
                            + ", real servers " + firstOutcome.details().get("realServers")
                            + "\n  first sync steps " + firstOutcome.details() + "\n  one change steps " + lastSingle);
        }
    }

    private static void print(String mode, int services, int endpoints, Duration first, Duration one, int burstSize,
                              Duration burst, long rss, String extra) {
        System.out.printf(Locale.ROOT, """
                %s: %d services x %d endpoints (%s)
                  first full sync (events in -> kernel)   %8.3f s
                  one endpoint change (median of %d)      %8.3f s
                  burst of %d endpoint changes           %8.3f s
                  peak RSS                                %8.1f MB
                """, mode, services, endpoints, extra, seconds(first), SAMPLES, seconds(one), burstSize, seconds(burst),
                rss / 1e6);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " failed; see the log");
        }
    }

    private static void require(ProcessRunner.Result result, String what) {
        if (!result.ok()) {
            throw new IllegalStateException(what + " failed: " + result.stderr().strip());
        }
    }
}
