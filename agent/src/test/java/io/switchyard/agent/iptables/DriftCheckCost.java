package io.switchyard.agent.iptables;

import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * Not a test: measures, in a throwaway network namespace, what the drift check and the per-sync
 * checks cost on a generated cluster — wall time, this thread's CPU time and the CPU time of the
 * iptables programs it ran. Run as root:
 * {@code java -cp <test classpath> io.switchyard.agent.iptables.DriftCheckCost 10000 10}.
 */
public final class DriftCheckCost {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private DriftCheckCost() {
    }

    /** Wall, own CPU and children's CPU of one step, in milliseconds. */
    private record Cost(long wall, long cpu, long children) {
        @Override
        public String toString() {
            return String.format("%6d ms wall %6d ms CPU (Java) %6d ms CPU (iptables)", wall, cpu, children);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static Cost measure(Step step) throws Exception {
        long wall = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        long children = childrenCpuMillis();
        step.run();
        return new Cost((System.nanoTime() - wall) / 1_000_000, (THREADS.getCurrentThreadCpuTime() - cpu) / 1_000_000,
                childrenCpuMillis() - children);
    }

    /** cutime + cstime of /proc/self/stat: the CPU time of the programs this process ran and reaped. */
    private static long childrenCpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 16 and 17 of the whole line; the slice starts at field 3.
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10;
    }

    public static void main(String[] args) throws Exception {
        int services = Integer.parseInt(args[0]);
        int endpoints = Integer.parseInt(args[1]);
        ClusterGenerator generator = new ClusterGenerator(services, endpoints, 1);
        ClusterObjects cluster = generator.generate();
        try (NetworkNamespace ns = new NetworkNamespace()) {
            HostProcessRunner runner = HostProcessRunner.inNetworkNamespace(ns.name());
            ProxySettings settings = ProxySettings.defaults(ClusterGenerator.NODE, List.of(Cidr.parse(ClusterGenerator.CLUSTER_CIDR)));
            IptablesDataplane dataplane = new IptablesDataplane(IpFamily.IPV4, settings, new Iptables(IpFamily.IPV4, runner),
                    new NfacctCounters(runner));
            try (Proxier proxier = new Proxier(dataplane, ClusterGenerator.NODE, settings.syncPeriod(), Duration.ZERO,
                    List.of(), InstantSource.system())) {
                cluster.nodes().forEach(proxier::onNodeAdd);
                cluster.services().forEach(proxier::onServiceAdd);
                cluster.endpointSlices().forEach(proxier::onEndpointSliceAdd);
                proxier.onServicesSynced();
                proxier.onEndpointSlicesSynced();
                System.out.printf("%d services x %d endpoints%n", services, endpoints);
                System.out.println("first (full) sync:            " + measure(() -> require(proxier.syncProxyRules())));
                System.out.printf("nat rules %d, service chains %d, peak RSS so far %d MB%n",
                        dataplane.lastRuleset().natRuleCount(), dataplane.lastRuleset().activeServiceChains().size(),
                        peakRssMb());
                System.out.println("drift check, judged by shape: " + measure(() -> requireNone(dataplane)));
                for (int i = 0; i < 3; i++) {
                    System.out.println("drift check, baselines:       " + measure(() -> requireNone(dataplane)));
                }
                System.out.printf("peak RSS after the drift checks %d MB%n", peakRssMb());
                for (int i = 0; i < 3; i++) {
                    System.out.println("sync without changes:         " + measure(() -> require(proxier.syncProxyRules())));
                }
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    System.out.println("sync of one endpoint change:  " + measure(() -> {
                        proxier.onEndpointSliceUpdate(cluster.endpointSlices().get(n), generator.slice(n, 1));
                        require(proxier.syncProxyRules());
                    }));
                }
                System.out.println("drift check after them:       " + measure(() -> requireNone(dataplane)));
                ns.exec(null, "iptables", "-t", "nat", "-F", dataplane.lastRuleset().services().values().iterator().next()
                        .chains().getFirst().name()).requireSuccess("flush");
                System.out.println("drift check finding a chain:  " + measure(() -> {
                    if (!dataplane.checkDrift().drifted()) {
                        throw new IllegalStateException("the flushed chain was not found");
                    }
                }));
                System.out.println("the sync repairing it:        " + measure(() -> require(proxier.syncProxyRules())));
                System.out.printf("peak RSS %d MB%n", peakRssMb());
            }
        }
    }

    private static void require(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("sync failed");
        }
    }

    private static void requireNone(IptablesDataplane dataplane) {
        if (dataplane.checkDrift().drifted()) {
            throw new IllegalStateException("drift found on a quiet node");
        }
    }

    private static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
