package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.ProxyMode;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.node.NodeSetup;
import io.switchyard.agent.node.ProcSysctls;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Cleanup;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.ipvs.IpvsCleanup;
import io.switchyard.agent.ipvs.IpvsDataplane;
import io.switchyard.agent.ipvs.IpvsMode;
import io.switchyard.agent.proxy.DualStackProxier;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.logging.Logging;
import io.kubernetes.client.openapi.ApiClient;
import io.switchyard.agent.source.ApiClients;
import io.switchyard.agent.source.FileSource;
import io.switchyard.agent.source.InformerSource;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.rules.model.IpFamily;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code switchyard run}: the node agent, following the cluster and programming this node's kernel. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy: follow Services, EndpointSlices and this Node, and program the kernel.")
public final class RunCommand implements Callable<Integer> {

    private static final System.Logger LOG = System.getLogger(RunCommand.class.getName());

    @Option(names = "--from", paramLabel = "PATH",
            description = "Take cluster state from a manifest file or directory (re-read on change) instead of an API server.")
    Path from;

    @Option(names = "--cleanup", description = "Remove everything kube-proxy/Switchyard installed, then exit.")
    boolean cleanup;

    @Option(names = {"-v", "--v"}, paramLabel = "LEVEL", defaultValue = "0", description = "Log verbosity.")
    int verbosity;

    @Mixin
    ProxyFlags flags;

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbosity);
        ProcessRunner processes = new HostProcessRunner();
        if (cleanup) {
            // ipvs mode's rules first: iptables mode's cleanup cannot delete a chain they still use.
            boolean ok = cleanupIpvsMode(processes);
            for (IpFamily family : IpFamily.values()) {
                ok &= Cleanup.run(new Iptables(family, processes));
            }
            return ok ? 0 : 1;
        }
        ProxySettings settings = flags.resolve();
        if (flags.writeConfigIfRequested(settings)) {
            return 0;
        }
        List<IpvsDataplane> ipvsDataplanes = settings.mode() == ProxyMode.IPVS
                ? IpvsMode.start(settings, supportedFamilies(processes), IpvsMode.Kernel.host(processes),
                        IpvsDataplane.SWEEP_PERIOD)
                : List.of();
        NodeSetup.apply(settings, ProcSysctls.host());
        InstantSource clock = InstantSource.system();
        try (AgentServers servers = new AgentServers(settings, processes, clock)) {
            List<Proxier> proxiers = new ArrayList<>();
            for (IpvsDataplane dataplane : ipvsDataplanes) {
                proxiers.add(new Proxier(dataplane, settings.hostname(), settings.syncPeriod(), settings.minSyncPeriod(),
                        servers.listeners(), clock));
            }
            if (settings.mode() == ProxyMode.IPTABLES) {
                NfacctCounters counters = new NfacctCounters(processes);
                for (IpFamily family : supportedFamilies(processes)) {
                    IptablesDataplane dataplane = new IptablesDataplane(family, settings, new Iptables(family, processes), counters);
                    proxiers.add(new Proxier(dataplane, settings.hostname(), settings.syncPeriod(), settings.minSyncPeriod(),
                            servers.listeners(), clock));
                }
            }
            LOG.log(System.Logger.Level.INFO, "Starting Switchyard proxyMode={0} node={1} families={2}",
                    settings.proxyMode(), settings.hostname(), proxiers.stream().map(Proxier::family).toList());

            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(stop::countDown));
            try (DualStackProxier proxy = new DualStackProxier(proxiers, List.of(servers.nodeWatcher()))) {
                proxy.start();
                try (AutoCloseable source = startSource(settings, proxy)) {
                    stop.await();
                }
            }
        }
        return 0;
    }

    /**
     * {@code --cleanup} of ipvs mode: IPVS (when the kernel has it), our ipsets, kube-ipvs0, and
     * ipvs mode's chains and jumps. One line on stderr when something could not be removed.
     */
    private boolean cleanupIpvsMode(ProcessRunner processes) {
        IpvsCleanup.Result result = IpvsCleanup.run(IpvsMode.Kernel.host(processes), supportedFamilies(processes),
                IpvsCleanup.Scope.ALL);
        if (!result.ok()) {
            System.err.println("switchyard: cleanup could not remove " + String.join("; ", result.failures()));
        }
        return result.ok();
    }

    private AutoCloseable startSource(ProxySettings settings, DualStackProxier handlers) throws IOException {
        ProxySelection selection = new ProxySelection(settings.serviceProxyName());
        if (from != null) {
            FileSource source = new FileSource(from, settings.hostname(), selection, handlers, handlers, handlers);
            source.start();
            return source;
        }
        InformerSource source = new InformerSource(apiClient(settings), settings.hostname(),
                settings.serviceProxyName(), handlers, handlers, handlers);
        source.start();
        return source;
    }

    /** The API client from --kubeconfig / --master / the pod's service account, or a clear error. */
    static ApiClient apiClient(ProxySettings settings) {
        try {
            return ApiClients.create(settings.kubeconfig(), settings.master());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage() + ", or use --from PATH");
        } catch (IOException e) {
            throw new ConfigException("cannot read kubeconfig " + settings.kubeconfig() + ": " + e.getMessage());
        }
    }

    /** IPv4 always; IPv6 too when this kernel and ip6tables can do it, as kube-proxy runs dual-stack. */
    private static List<IpFamily> supportedFamilies(ProcessRunner processes) {
        List<IpFamily> families = new ArrayList<>(List.of(IpFamily.IPV4));
        if (processes.run(List.of("ip6tables", "-w", "5", "-t", "nat", "-S", "POSTROUTING"), null).ok()) {
            families.add(IpFamily.IPV6);
        }
        return families;
    }
}
